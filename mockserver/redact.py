"""Credentials out of anything the tool prints, logs or stores."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus, unquote, urlsplit

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


# Headers whose values negotiate content and never carry a credential: not masked by value (masking
# `application/json` everywhere would garble every content-type message).
NOT_SECRET_HEADERS = frozenset(
    {"accept", "accept-language", "accept-encoding", "content-type", "user-agent", "prefer", "cache-control"}
)
MIN_SECRET = 4  # shorter values are not hidden by value: "***" in place of every "abc" would garble the text


def secret_values(headers: Mapping[str, str], url: str | None = None) -> tuple[str, ...]:
    """The strings to hide wherever they appear: every header value the user gave (and the credential after a
    scheme word such as `Bearer`) and the password of `url`'s userinfo (the user name too when it is the key),
    each also percent-encoded, JSON-escaped and, for userinfo, as the Basic credential."""
    import base64

    raw: set[str] = set()
    for name, value in headers.items():
        if name.lower() in NOT_SECRET_HEADERS:
            continue
        raw.add(value.strip())
        scheme, _, rest = value.strip().partition(" ")
        if rest and scheme.isalpha():
            raw.add(rest.strip())
    if url:
        parts = urlsplit(url)
        user, password = unquote(parts.username or ""), unquote(parts.password or "")
        raw.add(password if password else user)
        if user or password:
            raw.add(base64.b64encode(f"{user}:{password}".encode()).decode())
    found: set[str] = set()
    for value in (v for v in raw if len(v) >= MIN_SECRET):
        escaped = json.dumps(value)[1:-1]
        found |= {value, quote(value, safe=""), quote_plus(value), escaped, escaped.replace("/", "\\/")}
    return tuple(sorted(found, key=len, reverse=True))  # longest first: a value containing another goes whole


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]*@")


def mask_values(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret value replaced by `***`, and the userinfo of every URL in it too."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _USERINFO.sub(r"\1***@", text)
