"""OpenRouter `GET /api/v1/activity` (specs/openrouter.yaml; seeds 000 and 001), as the vendor documents it.

- Bearer auth (`good-token` only): missing/invalid → 401 ErrorResponse `{"error": {"code", "message"}}`.
- `date` (optional): YYYY-MM-DD, a real calendar date, within the last 30 days → else 400 ErrorResponse.
  "Last 30 (completed) UTC days" is read as today-30 … today-1 for the data; a `date` of today is
  accepted (it is "within the last 30 days", the 400's wording) and answers an empty list, since the
  day is not completed yet. Unknown query parameters are ignored (the SDK sends some the spec lacks).
- 200: `{"data": [ActivityItem…]}`, one row per (UTC date, model, endpoint), newest day first; with
  `date` every row has that date. Rows always carry `cached_tokens` (SDK 1.3.84 requires it).

Defect notes: the 200 schema has no enum and no `format` (ActivityItem.date is a bare string), so
`enum_out_of_spec` is the only value constraint it declares broken instead: `cached_tokens` below
its `minimum: 0`. (A "2026/01/05" date would not violate the schema.) `xmock_rule_broken` ignores
the `date` filter: rows of every day come back.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any

from starlette.requests import Request

from upstreams.common import ApiDef, ApiError, Context, build_app, map_items, parse_date, query_value

BASE_PATH = "/api/v1"
WINDOW_DAYS = 30
_NS = uuid.UUID("6f1c3a52-2d7e-4b8e-9a51-0c0b7f6e4d21")

# (model slug, permaslug, provider, $ per prompt token, $ per completion token, reasons)
_MODELS: list[tuple[str, str, str, float, float, bool]] = [
    ("openai/gpt-4.1", "openai/gpt-4.1-2025-04-14", "OpenAI", 2e-6, 8e-6, False),
    ("anthropic/claude-sonnet-4", "anthropic/claude-4-sonnet-20250522", "Anthropic", 3e-6, 15e-6, False),
    ("google/gemini-2.5-flash", "google/gemini-2.5-flash", "Google AI Studio", 0.3e-6, 2.5e-6, True),
    ("deepseek/deepseek-r1", "deepseek/deepseek-r1", "DeepInfra", 0.5e-6, 2.15e-6, True),
    ("meta-llama/llama-3.3-70b-instruct", "meta-llama/llama-3.3-70b-instruct", "Groq", 0.59e-6, 0.79e-6, False),
    (
        "mistralai/mistral-small-3.1-24b-instruct",
        "mistralai/mistral-small-3.1-24b-instruct-2503",
        "Mistral",
        0.1e-6,
        0.3e-6,
        False,
    ),
]


def _rows_for(day: date) -> list[dict[str, Any]]:
    rng = random.Random(f"openrouter:{day.isoformat()}")
    rows = []
    for slug, permaslug, provider, p_in, p_out, reasons in sorted(rng.sample(_MODELS, rng.randint(1, 3))):
        requests = rng.randint(1, 240)
        prompt = requests * rng.randint(200, 3000)
        completion = requests * rng.randint(50, 900)
        reasoning = requests * rng.randint(100, 1500) if reasons else 0
        cached = rng.randint(0, prompt // 2) if rng.random() < 0.6 else 0
        byok = rng.random() < 0.15
        cost = round((prompt - cached) * p_in + cached * p_in / 4 + (completion + reasoning) * p_out, 6)
        rows.append(
            {
                "date": day.isoformat(),
                "model": slug,
                "model_permaslug": permaslug,
                "endpoint_id": str(uuid.uuid5(_NS, f"{permaslug}@{provider}")),
                "provider_name": provider,
                "usage": 0.0 if byok else cost,
                "byok_usage_inference": cost if byok else 0.0,
                "requests": requests,
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "reasoning_tokens": reasoning,
                "cached_tokens": cached,
            }
        )
    return rows


def completed_days(today: date) -> list[date]:
    """The last 30 completed UTC days, newest first."""
    return [today - timedelta(days=k) for k in range(1, WINDOW_DAYS + 1)]


def _handle(request: Request, ctx: Context) -> Any:
    raw = query_value(request, "date")
    wanted: date | None = None
    if raw is not None:
        wanted = parse_date(raw)
        if wanted is None:
            raise ApiError(400, "400", "Invalid date format. Expected YYYY-MM-DD", {"date": raw}, bad_input=True)
        if not ctx.today - timedelta(days=WINDOW_DAYS) <= wanted <= ctx.today:
            raise ApiError(400, "400", "Date must be within the last 30 days", {"date": raw}, bad_input=True)
    days = completed_days(ctx.today)
    if wanted is not None and not ctx.rule_broken:
        days = [d for d in days if d == wanted]
    return {"data": [row for day in days for row in _rows_for(day)]}


def _error_body(err: ApiError, ctx: Context) -> Any:
    return {"error": {"code": err.status, "message": err.message}}


def _drifted_error_body(err: ApiError, ctx: Context) -> Any:
    return {"message": err.message}


def _unauthorized(problem: str | None) -> ApiError:
    message = "No auth credentials found" if problem == "missing" else "User not found."
    return ApiError(401, "401", message, headers={"WWW-Authenticate": "Bearer"})


def _server_error() -> ApiError:
    return ApiError(500, "500", "Internal Server Error")


def _drop_model(body: Any) -> Any:
    return map_items(body, "data", lambda item: item.pop("model", None))


def _requests_as_string(body: Any) -> Any:
    return map_items(body, "data", lambda item: item.update(requests=str(item["requests"])))


def _negative_cached_tokens(body: Any) -> Any:
    return map_items(body, "data", lambda item: item.update(cached_tokens=-item["requests"]), first_only=True)


API = ApiDef(
    name="openrouter",
    base_path=BASE_PATH,
    route="/activity",
    secured=True,
    handle=_handle,
    error_body=_error_body,
    drifted_error_body=_drifted_error_body,
    body_drifts={
        "missing_required_field": _drop_model,
        "wrong_type": _requests_as_string,
        "enum_out_of_spec": _negative_cached_tokens,
    },
    unauthorized=_unauthorized,
    server_error=_server_error,
)


def create_app(defect: str | None = None, **kwargs: Any) -> Any:
    return build_app(API, defect, **kwargs)
