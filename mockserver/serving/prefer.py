"""The Prism-compatible `Prefer` request header: `code=404, example=NAME, dynamic=false, seed=7`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mockserver.serving.echo import clip


class PreferError(ValueError):
    """A `Prefer` header the mock cannot honour as written."""


@dataclass(frozen=True)
class Preferences:
    code: int | None = None
    example: str | None = None
    dynamic: bool = True
    seed: int | None = None
    chaos: float | None = None  # probability of answering a documented error status instead
    latency: tuple[int, int] | None = None  # milliseconds, min and max
    fault: str | None = None  # drop, truncate, trickle
    edge: float | None = None  # probability of schema-valid edge cases in the generated body
    rate_limit: tuple[int, int] | None = None  # (requests, seconds) per credential, as `--rate-limit`


FAULTS = ("drop", "truncate", "trickle")
# Numbers as JSON spells them, in ASCII (Python's `int()` also takes `4_00`, `+400`, `４００`).
_INTEGER = re.compile(r"-?[0-9]{1,30}\Z")
_DECIMAL = re.compile(r"(?:[0-9]{1,30}\.?[0-9]{0,30}|\.[0-9]{1,30})(?:[eE][+-]?[0-9]{1,3})?\Z")
NONE = Preferences()


def parse_prefer(header: str | None) -> Preferences:
    """Parse `header`; unknown preferences are ignored, as RFC 7240 asks, malformed known ones rejected."""
    if not header:
        return NONE
    values: dict[str, str] = {}
    for part in header.replace(";", ",").split(","):
        name, sep, value = part.strip().partition("=")
        if sep:
            values[name.strip().lower()] = value.strip().strip('"')
    code = _int(values, "code")
    if code is not None and not 100 <= code <= 599:
        raise PreferError(f"Prefer code={code} is not an HTTP status")
    dynamic = values.get("dynamic", "true").lower()
    if dynamic not in ("true", "false"):
        raise PreferError(f"Prefer dynamic={clip(values['dynamic'])!r} must be true or false")
    fault = values.get("fault")
    if fault is not None and fault not in FAULTS:
        raise PreferError(f"Prefer fault={clip(fault)!r} must be one of {', '.join(FAULTS)}")
    return Preferences(
        code=code,
        example=values.get("example") or None,
        dynamic=dynamic == "true",
        seed=_int(values, "seed"),
        chaos=parse_rate(values["chaos"], "Prefer chaos") if "chaos" in values else None,
        latency=parse_latency(values["latency"], "Prefer latency") if "latency" in values else None,
        fault=fault,
        edge=parse_rate(values["edge"], "Prefer edge") if "edge" in values else None,
        rate_limit=parse_rate_limit(values["rate-limit"], "Prefer rate-limit") if "rate-limit" in values else None,
    )


def parse_rate(text: str, what: str) -> float:
    """A probability between 0 and 1 (`0.2`), or a ValueError naming `what`."""
    rate = float(text) if _DECIMAL.match(text) else -1.0
    if not 0 <= rate <= 1:
        raise PreferError(f"{what}={clip(text)!r} is not a number between 0 and 1")
    return rate


def parse_latency(text: str, what: str) -> tuple[int, int]:
    """`150` or `100-400` (milliseconds) as (min, max), or a ValueError naming `what`."""
    low, _, high = text.partition("-")
    high = high or low
    if not (_INTEGER.match(low) and _INTEGER.match(high)):
        raise PreferError(f"{what}={clip(text)!r} must be milliseconds, as 150 or 100-400")
    bounds = (int(low), int(high))
    if bounds[0] < 0 or bounds[1] < bounds[0] or bounds[1] > 60_000:
        raise PreferError(f"{what}={clip(text)!r} must be 0 <= min <= max <= 60000 ms")
    return bounds


_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}
MAX_RATE = 1_000_000  # requests in one period


def parse_rate_limit(text: str, what: str) -> tuple[int, int]:
    """`10/s`, `100/min` or `1000/h` as (requests, seconds), or a ValueError naming `what`."""
    count, _, period = text.strip().partition("/")
    seconds = _PERIODS.get(period.strip().lower())
    if not _INTEGER.match(count.strip()) or seconds is None or not 1 <= int(count) <= MAX_RATE:
        raise PreferError(f"{what}={clip(text)!r} must be requests per period, as 10/s, 100/min or 1000/h")
    return int(count), seconds


def _int(values: dict[str, str], name: str) -> int | None:
    if name not in values:
        return None
    if not _INTEGER.match(values[name]):
        raise PreferError(f"Prefer {name}={clip(values[name])!r} is not a whole number")
    return int(values[name])
