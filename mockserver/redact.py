"""Credentials out of anything the tool prints, logs or stores."""

from __future__ import annotations

import re
from collections.abc import Mapping

SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-auth-token"})
_SECRETISH = re.compile(r"(token|secret|key|password|auth)", re.IGNORECASE)


def mask_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers with every credential replaced, keeping the scheme word (`Bearer ***`)."""
    out = {}
    for name, value in headers.items():
        if name.lower() in ("cookie", "set-cookie"):
            out[name] = "***"
        elif name.lower() in SECRET_HEADERS or _SECRETISH.search(name):
            scheme, _, rest = value.partition(" ")
            out[name] = f"{scheme} ***" if rest else "***"
        else:
            out[name] = value
    return out


def mask_query(query: str) -> str:
    """A query string with the values of credential-like parameters (`api_key`, `token`, …) masked."""
    parts = []
    for part in query.split("&") if query else []:
        name, sep, _ = part.partition("=")
        parts.append(f"{name}=***" if sep and _SECRETISH.search(name) else part)
    return "&".join(parts)
