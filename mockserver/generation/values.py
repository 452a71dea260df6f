"""Realistic values, one generator per kind named in `semantics.py` (dates: `dates.py`; word lists: `vocabulary.py`).

Faker's providers are slow (names and emails cost tens of times a random integer), so each is drawn
once into a pool at start-up, seeded from the server seed; a request then only picks from pools.
"""

from __future__ import annotations

import base64
import string
from collections.abc import Callable
from typing import Any, Protocol

from faker import Faker

from mockserver.generation import dates
from mockserver.generation.context import GenContext, stable_seed
from mockserver.generation.statuses import status_phrase
from mockserver.generation.vocabulary import (
    CODES,
    CURRENCIES,
    KINDS,
    LANGUAGES,
    LOCALES,
    METHODS,
    MIMES,
    MODELS,
    PATHS,
    SENTENCES,
    STATUSES,
    SUFFIXES,
    TIMEZONES,
    TOPICS,
    WORDS,
)


class StrGen(Protocol):
    """A generator of one kind of string. It takes (and ignores) a depth, so that it serves as a compiled
    generator as it is: a field's generator is then one call, not a wrapper around another."""

    def __call__(self, ctx: GenContext, depth: int = 0, /) -> str: ...


POOL_SIZE = 256

_ALNUM = string.ascii_lowercase + string.digits


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


def _ipv4(ctx: GenContext, depth: int = 0) -> str:
    r = ctx.rng.random
    return f"{11 + int(r() * 213)}.{int(r() * 256)}.{int(r() * 256)}.{1 + int(r() * 254)}"


def _ipv6(ctx: GenContext, depth: int = 0) -> str:
    return "2001:db8:" + ":".join(f"{ctx.rng.getrandbits(16):x}" for _ in range(6))


def _title(ctx: GenContext, depth: int = 0) -> str:
    r = ctx.rng.random
    return f"{TOPICS[int(r() * len(TOPICS))]} {SUFFIXES[int(r() * len(SUFFIXES))]}"


def _version(ctx: GenContext, depth: int = 0) -> str:
    r = ctx.rng.random
    return f"{1 + int(r() * 4)}.{int(r() * 13)}.{int(r() * 21)}"


def _slug(ctx: GenContext, depth: int = 0) -> str:
    r = ctx.rng.random
    return f"{WORDS[int(r() * len(WORDS))]}-{WORDS[int(r() * len(WORDS))]}"


def _url(hosts: tuple[str, ...]) -> StrGen:
    def gen(ctx: GenContext, depth: int = 0) -> str:
        r = ctx.rng.random
        return f"https://{hosts[int(r() * len(hosts))]}{PATHS[int(r() * len(PATHS))]}"

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
    """Every string kind's generator; `tests/generation/test_realism.py` checks it covers the tables."""
    people = pools.people()
    companies = pools.get("company", lambda f: f.company())
    cities = pools.get("city", lambda f: f.city())
    countries = pools.get("country", lambda f: f.country())
    phones = pools.get("phone", lambda f: f.phone_number())
    agents = pools.get("user_agent", lambda f: f.chrome() if f.random.random() < 0.6 else f.firefox())
    hosts = pools.get("hostname", lambda f: f.domain_name())
    filenames = pools.get("filename", lambda f: f.file_name(extension=f.random.choice(("csv", "pdf", "json"))))
    return {
        "date": dates.recent_date,
        "datetime": dates.recent_datetime,
        "now": dates.pinned_now,
        "time": dates.time_of_day,
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
        "path": _pick(PATHS),
        "hostname": _pick(hosts),
        "ipv4": _ipv4,
        "ipv6": _ipv6,
        "base64": _base64,
        "secret": _token("sk_live_", _ALNUM, 24),
        "hex": _hex("", 40),
        "iso_duration": lambda ctx, depth=0: f"PT{1 + int(ctx.rng.random() * 59)}M",
        "regex": lambda ctx, depth=0: "^[a-z]+$",
        "json_pointer": lambda ctx, depth=0: (
            f"/{WORDS[int(ctx.rng.random() * len(WORDS))]}/{int(ctx.rng.random() * 10)}"
        ),
        "user_agent": _pick(agents),
        "phone": _pick(phones),
        "company": _pick(companies),
        "city": _pick(cities),
        "country": _pick(countries),
        "country_code": _pick(("US", "GB", "DE", "FR", "JP", "BR", "IN", "CA")),
        "currency": _pick(CURRENCIES),
        "timezone": _pick(TIMEZONES),
        "locale": _pick(LOCALES),
        "language": _pick(LANGUAGES),
        "color": _hex("#", 6),
        "version": _version,
        "slug": _slug,
        "cursor": _cursor,
        "mime": _pick(MIMES),
        "filename": _pick(filenames),
        "http_method": _pick(METHODS),
        "status": _pick(STATUSES),
        "kind": _pick(KINDS),
        "message": _pick(SENTENCES),
        "sentence": _pick(SENTENCES),
        "title": _title,
        "code": _pick(CODES),
        "word": _pick(WORDS),
        "problem.code": _problem_field(0),
        "problem.name": _problem_field(1),
        "problem.message": _problem_field(2),
        "problem.title": lambda ctx, depth=0: status_phrase(ctx.status)[1],
    }
