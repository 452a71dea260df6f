"""The Prism-compatible `Prefer` request header: `code=404, example=NAME, dynamic=false, seed=7`."""

from __future__ import annotations

from dataclasses import dataclass


class PreferError(ValueError):
    """A `Prefer` header the mock cannot honour as written."""


@dataclass(frozen=True)
class Preferences:
    code: int | None = None
    example: str | None = None
    dynamic: bool = True
    seed: int | None = None


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
        raise PreferError(f"Prefer dynamic={values['dynamic']!r} must be true or false")
    return Preferences(
        code=code, example=values.get("example") or None, dynamic=dynamic == "true", seed=_int(values, "seed")
    )


def _int(values: dict[str, str], name: str) -> int | None:
    if name not in values:
        return None
    try:
        return int(values[name])
    except ValueError:
        raise PreferError(f"Prefer {name}={values[name]!r} is not a whole number") from None
