"""Realistic values, one generator per kind named in `semantics.py`.

Faker's providers are slow (names and emails cost tens of times a random integer), so each is drawn
once into a pool at start-up, seeded from the server seed; a request then only picks from pools.
"""

from __future__ import annotations

import base64
import string
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from faker import Faker

from mockserver.generation.context import GenContext, stable_seed


class StrGen(Protocol):
    """A generator of one kind of string. It takes (and ignores) a depth, so that it serves as a compiled
    generator as it is: a field's generator is then one call, not a wrapper around another."""

    def __call__(self, ctx: GenContext, depth: int = 0, /) -> str: ...


POOL_SIZE = 256

# OpenRouter-style model records: (slug, permaslug, provider).
MODELS: tuple[tuple[str, str, str], ...] = (
    ("openai/gpt-4o", "openai/gpt-4o-2024-08-06", "OpenAI"),
    ("openai/gpt-4o-mini", "openai/gpt-4o-mini-2024-07-18", "OpenAI"),
    ("openai/o3-mini", "openai/o3-mini-2025-01-31", "OpenAI"),
    ("anthropic/claude-3.5-sonnet", "anthropic/claude-3.5-sonnet-20241022", "Anthropic"),
    ("anthropic/claude-3.5-haiku", "anthropic/claude-3-5-haiku-20241022", "Anthropic"),
    ("anthropic/claude-3.7-sonnet", "anthropic/claude-3-7-sonnet-20250219", "Google Vertex"),
    ("google/gemini-2.0-flash-001", "google/gemini-2.0-flash-001", "Google AI Studio"),
    ("google/gemini-2.5-pro", "google/gemini-2.5-pro-preview-03-25", "Google Vertex"),
    ("meta-llama/llama-3.1-70b-instruct", "meta-llama/llama-3.1-70b-instruct", "DeepInfra"),
    ("meta-llama/llama-3.3-70b-instruct", "meta-llama/llama-3.3-70b-instruct", "Together"),
    ("mistralai/mistral-large-2411", "mistralai/mistral-large-2411", "Mistral"),
    ("deepseek/deepseek-chat", "deepseek/deepseek-chat-v3-0324", "DeepSeek"),
    ("deepseek/deepseek-r1", "deepseek/deepseek-r1", "Fireworks"),
    ("qwen/qwen-2.5-72b-instruct", "qwen/qwen-2.5-72b-instruct", "Novita"),
    ("x-ai/grok-2-1212", "x-ai/grok-2-1212", "xAI"),
)
_TOPICS = (
    "Revenue",
    "Signups",
    "Churn",
    "Active Users",
    "Orders",
    "Pipeline",
    "Retention",
    "Marketing Spend",
    "Support Tickets",
    "Conversion",
    "Inventory",
    "Web Traffic",
    "Billing",
    "Onboarding",
    "Sales",
)
_SUFFIXES = ("Overview", "by Region", "Weekly", "Monthly Report", "Trend", "Breakdown", "KPIs", "Forecast", "Summary")
_WORDS = (
    "analytics",
    "report",
    "workflow",
    "dashboard",
    "export",
    "pipeline",
    "insight",
    "sync",
    "import",
    "campaign",
    "segment",
    "invoice",
    "project",
    "workspace",
    "notebook",
    "schedule",
    "alert",
    "query",
)
_STATUSES = ("active", "success", "completed", "pending", "processing", "failed", "archived")
_KINDS = ("workflow_run", "report_export", "dashboard_view", "query_run", "file_upload", "member_invite", "api_call")
_SENTENCES = (
    "Generated automatically from the weekly usage export.",
    "Includes activity from every connected device.",
    "Updated after the nightly aggregation job.",
    "Reflects usage across all workspaces in the organisation.",
    "Owned by the analytics team; contact them before changing it.",
    "Used for the monthly executive review.",
    "Created during onboarding and kept for reference.",
    "Counts only completed runs, retries excluded.",
)
_MIMES = ("application/json", "text/csv", "application/pdf", "image/png", "text/plain")
_PATHS = ("/reports/monthly", "/dashboards/overview", "/v1/exports/latest", "/settings/billing", "/projects/42/runs")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_LANGUAGES = ("en", "de", "fr", "es", "ja", "pt", "nl", "it")
_LOCALES = ("en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "ja-JP", "pt-BR")
_CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF")
_TIMEZONES = (
    "UTC",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Asia/Kolkata",
)
_CODES = ("ALPHA", "BETA", "GOLD", "PRO", "TEAM", "BASIC")
_ALNUM = string.ascii_lowercase + string.digits

STATUS_PHRASES: dict[int, tuple[str, str, str]] = {
    # status: (code, name, message)
    400: ("invalid_parameter", "BadRequestError", "Invalid request parameters"),
    401: ("unauthorized", "UnauthorizedError", "Authentication required: provide a valid bearer token"),
    402: ("payment_required", "PaymentRequiredError", "Insufficient credits for this request"),
    403: ("forbidden", "ForbiddenError", "You do not have permission to access this resource"),
    404: ("not_found", "NotFoundError", "The requested resource was not found"),
    405: ("method_not_allowed", "MethodNotAllowedError", "Method not allowed on this resource"),
    406: ("not_acceptable", "NotAcceptableError", "The requested representation is not available"),
    408: ("request_timeout", "RequestTimeoutError", "The request timed out"),
    409: ("conflict", "ConflictError", "The resource was modified by another request"),
    413: ("payload_too_large", "PayloadTooLargeError", "The request body is too large"),
    414: ("uri_too_long", "URITooLongError", "The request URL is too long"),
    415: ("unsupported_media_type", "UnsupportedMediaTypeError", "Unsupported content type"),
    422: ("validation_error", "ValidationError", "The request could not be validated"),
    429: ("rate_limited", "TooManyRequestsError", "Rate limit exceeded, retry later"),
    431: ("headers_too_large", "HeadersTooLargeError", "The request headers are too large"),
    500: ("internal_error", "InternalServerError", "An unexpected error occurred on the server"),
    502: ("bad_gateway", "BadGatewayError", "The upstream service returned an invalid response"),
    503: ("service_unavailable", "ServiceUnavailableError", "The service is temporarily unavailable"),
    504: ("gateway_timeout", "GatewayTimeoutError", "The upstream service timed out"),
}


def status_phrase(status: int) -> tuple[str, str, str]:
    """(code, error name, message) for `status`, falling back on its class."""
    if status in STATUS_PHRASES:
        return STATUS_PHRASES[status]
    return STATUS_PHRASES[500] if status >= 500 else ("error", "Error", "The request failed")


class Pools:
    """Faker-drawn values, made once per (server seed, provider) and shared by every generator."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._pools: dict[str, tuple[Any, ...]] = {}
        self._faker: Faker | None = None

    def get(self, name: str, draw: Callable[[Faker], Any], size: int = POOL_SIZE) -> tuple[Any, ...]:
        if name not in self._pools:
            # One Faker, reseeded per pool: making a Faker looks up its providers (~13 ms each time).
            faker = self._faker = self._faker or Faker("en_US")
            # Seeded by name, not by order of use, so pools agree across processes and workers.
            faker.seed_instance(stable_seed(self.seed, name))
            self._pools[name] = tuple(draw(faker) for _ in range(size))
        return self._pools[name]

    def people(self) -> tuple[tuple[str, str, str, str, str], ...]:
        def person(f: Faker) -> tuple[str, str, str, str, str]:
            first, last = f.first_name(), f.last_name()
            domain = f.free_email_domain() if f.random.random() < 0.5 else f.domain_name()
            handle = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
            return first, last, f"{first} {last}", f"{handle}@{domain}", f"{first[0]}{last}".lower().replace("'", "")

        return self.get("person", person)


def _pick(values: tuple[Any, ...]) -> StrGen:
    size = len(values)
    # A float draw scaled to the pool: uniform to within size / 2**53, and a fifth of randrange's cost.
    return lambda ctx, depth=0: values[int(ctx.rng.random() * size)]


def _token(prefix: str, alphabet: str, length: int) -> StrGen:
    def gen(ctx: GenContext, depth: int = 0) -> str:
        return prefix + "".join(ctx.rng.choices(alphabet, k=length))

    return gen


def _hex(prefix: str, length: int) -> StrGen:
    bits = 4 * length

    def gen(ctx: GenContext, depth: int = 0) -> str:
        return f"{prefix}{ctx.rng.getrandbits(bits):0{length}x}"

    return gen


# Version 4, RFC 4122 variant: what real systems emit and what uuid validators accept.
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)


def _uuid(ctx: GenContext, depth: int = 0) -> str:
    h = (ctx.rng.getrandbits(128) & _UUID_CLEAR | _UUID_SET).to_bytes(16).hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# Generation reads a clock pinned per day (see `make_context`): its date strings are made once per day,
# not once per value. Bounded: a long-running server sees a new day now and then, tests a few more.
_CLOCKS: dict[datetime, tuple[tuple[str, ...], int, str]] = {}
_DAYS: dict[date, tuple[str, ...]] = {}
_CACHED_DAYS = 64
_MINUTES = tuple(f"{m // 60:02d}:{m % 60:02d}:" for m in range(24 * 60))
_SECONDS = tuple(f"{s:02d}Z" for s in range(60))
_RECENT_DAYS = 30
_DATETIME_FIRST, _DATETIME_SPAN = 60, _RECENT_DAYS * 86400 - 60 + 1  # seconds back: a minute to 30 days


def _recent_days(today: date) -> tuple[str, ...]:
    """The ISO dates of the completed days of the last 30 before `today`, yesterday first."""
    days = _DAYS.get(today)
    if days is None:
        if len(_DAYS) >= _CACHED_DAYS:
            _DAYS.clear()
        days = _DAYS[today] = tuple((today - timedelta(days=n)).isoformat() for n in range(1, _RECENT_DAYS + 1))
    return days


def _clock(now: datetime) -> tuple[tuple[str, ...], int, str]:
    """For `now`: the dates of it and the 31 days before it ("…T"), its second of the day, and itself as text."""
    clock = _CLOCKS.get(now)
    if clock is None:
        if len(_CLOCKS) >= _CACHED_DAYS:
            _CLOCKS.clear()
        days = tuple((now - timedelta(days=n)).strftime("%Y-%m-%dT") for n in range(_RECENT_DAYS + 2))
        second = now.hour * 3600 + now.minute * 60 + now.second
        clock = _CLOCKS[now] = (days, second, now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return clock


def _date(ctx: GenContext, depth: int = 0) -> str:
    # Completed days of the last 30: the window activity APIs report on.
    days = _DAYS.get(ctx.today) or _recent_days(ctx.today)
    return days[int(ctx.rng.random() * _RECENT_DAYS)]


def _datetime(ctx: GenContext, depth: int = 0) -> str:
    days, second, _ = _CLOCKS.get(ctx.now) or _clock(ctx.now)
    back, second = divmod(second - _DATETIME_FIRST - int(ctx.rng.random() * _DATETIME_SPAN), 86400)
    return days[-back] + _MINUTES[second // 60] + _SECONDS[second % 60]


def _now(ctx: GenContext, depth: int = 0) -> str:
    return (_CLOCKS.get(ctx.now) or _clock(ctx.now))[2]


def _time(ctx: GenContext, depth: int = 0) -> str:
    return _MINUTES[int(ctx.rng.random() * len(_MINUTES))] + "00Z"


def _ipv4(ctx: GenContext, depth: int = 0) -> str:
    r = ctx.rng.random
    return f"{11 + int(r() * 213)}.{int(r() * 256)}.{int(r() * 256)}.{1 + int(r() * 254)}"


def _ipv6(ctx: GenContext, depth: int = 0) -> str:
    return "2001:db8:" + ":".join(f"{ctx.rng.getrandbits(16):x}" for _ in range(6))


def _title(ctx: GenContext, depth: int = 0) -> str:
    r = ctx.rng.random
    return f"{_TOPICS[int(r() * len(_TOPICS))]} {_SUFFIXES[int(r() * len(_SUFFIXES))]}"


def _version(ctx: GenContext, depth: int = 0) -> str:
    r = ctx.rng.random
    return f"{1 + int(r() * 4)}.{int(r() * 13)}.{int(r() * 21)}"


def _slug(ctx: GenContext, depth: int = 0) -> str:
    r = ctx.rng.random
    return f"{_WORDS[int(r() * len(_WORDS))]}-{_WORDS[int(r() * len(_WORDS))]}"


def _url(hosts: tuple[str, ...]) -> StrGen:
    def gen(ctx: GenContext, depth: int = 0) -> str:
        r = ctx.rng.random
        return f"https://{hosts[int(r() * len(hosts))]}{_PATHS[int(r() * len(_PATHS))]}"

    return gen


def _base64(ctx: GenContext, depth: int = 0) -> str:
    return base64.b64encode(ctx.rng.randbytes(12)).decode("ascii")


def _cursor(ctx: GenContext, depth: int = 0) -> str:
    raw = ('{"id":"' + _uuid(ctx).replace("-", "") + '"}').encode()
    return "cursor_" + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _record(index: int, kind: str, records: tuple[tuple[str, ...], ...]) -> StrGen:
    size = len(records)

    def gen(ctx: GenContext, depth: int = 0) -> str:
        return records[ctx.record(kind, size)][index]

    return gen


def _problem_field(index: int) -> StrGen:
    def gen(ctx: GenContext, depth: int = 0) -> str:
        problem = ctx.problem
        if problem is not None:
            if index == 2:
                return problem.message
            if index == 0 and problem.code:
                return problem.code
        return status_phrase(ctx.status)[index]

    return gen


def string_generators(pools: Pools) -> dict[str, StrGen]:
    """Every string kind's generator; `tests/generation/test_values.py` checks it covers the table."""
    people = pools.people()
    companies = pools.get("company", lambda f: f.company())
    cities = pools.get("city", lambda f: f.city())
    countries = pools.get("country", lambda f: f.country())
    phones = pools.get("phone", lambda f: f.phone_number())
    agents = pools.get("user_agent", lambda f: f.chrome() if f.random.random() < 0.6 else f.firefox())
    hosts = pools.get("hostname", lambda f: f.domain_name())
    filenames = pools.get("filename", lambda f: f.file_name(extension=f.random.choice(("csv", "pdf", "json"))))
    return {
        "date": _date,
        "datetime": _datetime,
        "now": _now,
        "time": _time,
        "uuid": _uuid,
        "id": _uuid,
        "request_id": lambda ctx, depth=0: "req_" + _uuid(ctx),
        "person.first": _record(0, "person", people),
        "person.last": _record(1, "person", people),
        "person.full": _record(2, "person", people),
        "person.email": _record(3, "person", people),
        "person.username": _record(4, "person", people),
        "model.slug": _record(0, "model", MODELS),
        "model.permaslug": _record(1, "model", MODELS),
        "model.provider": _record(2, "model", MODELS),
        "url": _url(hosts),
        "path": _pick(_PATHS),
        "hostname": _pick(hosts),
        "ipv4": _ipv4,
        "ipv6": _ipv6,
        "base64": _base64,
        "secret": _token("sk_live_", _ALNUM, 24),
        "hex": _hex("", 40),
        "iso_duration": lambda ctx, depth=0: f"PT{1 + int(ctx.rng.random() * 59)}M",
        "regex": lambda ctx, depth=0: "^[a-z]+$",
        "json_pointer": lambda ctx, depth=0: (
            f"/{_WORDS[int(ctx.rng.random() * len(_WORDS))]}/{int(ctx.rng.random() * 10)}"
        ),
        "user_agent": _pick(agents),
        "phone": _pick(phones),
        "company": _pick(companies),
        "city": _pick(cities),
        "country": _pick(countries),
        "country_code": _pick(("US", "GB", "DE", "FR", "JP", "BR", "IN", "CA")),
        "currency": _pick(_CURRENCIES),
        "timezone": _pick(_TIMEZONES),
        "locale": _pick(_LOCALES),
        "language": _pick(_LANGUAGES),
        "color": _hex("#", 6),
        "version": _version,
        "slug": _slug,
        "cursor": _cursor,
        "mime": _pick(_MIMES),
        "filename": _pick(filenames),
        "http_method": _pick(_METHODS),
        "status": _pick(_STATUSES),
        "kind": _pick(_KINDS),
        "message": _pick(_SENTENCES),
        "sentence": _pick(_SENTENCES),
        "title": _title,
        "code": _pick(_CODES),
        "word": _pick(_WORDS),
        "problem.code": _problem_field(0),
        "problem.name": _problem_field(1),
        "problem.message": _problem_field(2),
        "problem.title": lambda ctx, depth=0: status_phrase(ctx.status)[1],
    }


# kind: (low, high, decimals or None for integers); bounds of what is plausible, not of the schema.
NUMBER_KINDS: dict[str, tuple[float, float, int | None]] = {
    "http_status": (400, 599, None),
    "latitude": (-60, 70, 5),
    "longitude": (-170, 170, 5),
    "percent": (0, 100, 2),
    "ratio": (0, 1, 3),
    "tokens": (0, 250_000, None),
    "money": (0, 25, 4),
    "duration": (1, 900, None),
    "year": (2015, 2026, None),
    "age": (18, 80, None),
    "port": (1024, 65535, None),
    "page": (1, 20, None),
    "page_size": (10, 100, None),
    "offset": (0, 200, None),
    "average": (0, 40, 1),
    "count": (0, 500, None),
    "requests": (1, 500, None),  # a row of activity with tokens had at least one request
    "plain": (0, 1000, 2),
}
