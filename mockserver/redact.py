"""Credentials out of anything the tool prints, logs or stores."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Collection, Iterable, Mapping
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlsplit

SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-auth-token"})
_SECRETISH = re.compile(r"(token|secret|key|password|auth)", re.IGNORECASE)
MASK = "***"
MIN_SECRET = 4  # shorter values are not looked for elsewhere: masking every "1" would garble the text


def mask_headers(headers: Mapping[str, str], secret_names: Collection[str] = ()) -> dict[str, str]:
    """Headers with every credential replaced, keeping the scheme word (`Bearer ***`).

    `secret_names`: more header names (lower-case) that carry credentials, as a spec's apiKey schemes name them."""
    out = {}
    for name, value in headers.items():
        if name.lower() in ("cookie", "set-cookie"):
            out[name] = MASK
        elif is_secret_header(name, secret_names):
            scheme, _, rest = value.partition(" ")
            out[name] = f"{scheme} {MASK}" if rest else MASK
        else:
            out[name] = value
    return out


def is_secret_header(name: str, secret_names: Collection[str] = ()) -> bool:
    """Whether header `name` carries a credential: a known one, a spec's, or a name that says so."""
    lowered = name.lower()
    return lowered in SECRET_HEADERS or lowered in secret_names or bool(_SECRETISH.search(name))


def mask_query(query: str, secret_names: Collection[str] = ()) -> str:
    """A query string with the values of credential-like parameters (`api_key`, `token`, …) masked.

    Names are compared percent-decoded (`api_%6Bey` is `api_key`); `secret_names`: more parameter
    names that carry credentials, as a spec's apiKey schemes name them (`sig`)."""
    parts = []
    for part in query.split("&") if query else []:
        name, sep, _ = part.partition("=")
        parts.append(f"{name}={MASK}" if sep and is_secret_param(name, secret_names) else part)
    return "&".join(parts)


def is_secret_param(raw_name: str, secret_names: Collection[str] = ()) -> bool:
    """Whether query parameter `raw_name` (as sent, percent-encoded) carries a credential."""
    name = unquote_plus(raw_name)
    base = name.split("[", 1)[0]  # `sig[0]`, `sig[]`: the same parameter, bracketed
    return name in secret_names or base in secret_names or bool(_SECRETISH.search(name))


def secret_query_values(query: str, secret_names: Collection[str] = ()) -> set[str]:
    """The values, as sent and decoded, of the query's credential parameters (to mask wherever else they appear)."""
    found: set[str] = set()
    for part in query.split("&") if query else []:
        name, sep, value = part.partition("=")
        if sep and value and is_secret_param(name, secret_names):
            found |= {value, unquote_plus(value)}
    return found


# Headers whose values negotiate content and never carry a credential: not masked by value (masking
# `application/json` everywhere would garble every content-type message).
NOT_SECRET_HEADERS = frozenset(
    {"accept", "accept-language", "accept-encoding", "content-type", "user-agent", "prefer", "cache-control"}
)


def secret_values(headers: Mapping[str, str], url: str | None = None) -> tuple[str, ...]:
    """The strings to hide wherever they appear: every header value the user gave (and the credential after a
    scheme word such as `Bearer`) and the password of `url`'s userinfo (the user name too when it is the key),
    each also percent-encoded, JSON-escaped and, for userinfo, as the Basic credential."""
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
    return longest_first(found)


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]*@")


def longest_first(secrets: Iterable[str]) -> tuple[str, ...]:
    """The secret values worth masking (`MIN_SECRET` characters or more), longest first: one secret may
    contain another, and the longer must go whole. What `mask_values` takes."""
    return tuple(sorted((s for s in set(secrets) if len(s) >= MIN_SECRET), key=len, reverse=True))


def mask_values(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret value masked, and the userinfo of every URL in it too.

    `secrets` in the order `longest_first` gives (values shorter than `MIN_SECRET` are skipped anyway)."""
    for secret in secrets:  # (the journal calls this for every field of every request: kept cheap)
        if len(secret) >= MIN_SECRET and secret in text:
            text = text.replace(secret, MASK)
    return _USERINFO.sub(r"\1***@", text) if "@" in text else text


# A JSON member or a form field, its name checked by `_SECRETISH` (`"password": "…"`, `api_key=…`). Each match
# starts at a quote or `&` and its name stops at the next quote, `=` or `&`: linear in the body, whatever it holds.
_SECRET_WORDS = ("token", "secret", "key", "password", "auth")  # what _SECRETISH looks for
_JSON_MEMBER = re.compile(r'"([^"\\]{1,64})"(\s*:\s*)"(?:[^"\\]|\\.)*"')
_FORM_FIELD = re.compile(r"(^|&)([^=&]{1,64})=([^&]*)")


def mask_body_fields(text: str) -> str:
    """A JSON or form body with the values of credential-like fields masked (`"password": "***"`): what a
    journal keeps of bodies, where the credential's value is not known beforehand."""
    folded = text.casefold()  # as _SECRETISH's IGNORECASE: the long s of "ſecret" too
    if not any(word in folded for word in _SECRET_WORDS):
        return text  # the usual case: a few substring scans (the regex's own search is ~50x slower on a body)
    if "=" not in text and not _names_a_member(folded):
        return text  # "prompt_tokens": 12 is no string member: a JSON answer about tokens, 4x cheaper this way
    return _mask_fields(text)


def _names_a_member(folded: str) -> bool:
    """Whether a secret word could sit in the name of a string member (`…word…"  :  "`): a superset of what
    `_JSON_MEMBER` finds with a `_SECRETISH` name, found with substring scans, linear in the body."""
    size = len(folded)
    looked: set[int] = set()  # each closing quote is looked past once, however many words lead to it
    for word in _SECRET_WORDS:
        at = folded.find(word)
        while at != -1:
            end = at + len(word)
            quote = folded.find('"', end, end + 65)  # a name is at most 64 characters
            if quote != -1 and quote not in looked:
                looked.add(quote)
                j = quote + 1
                while j < size and folded[j].isspace():
                    j += 1
                if j < size and folded[j] == ":":
                    j += 1
                    while j < size and folded[j].isspace():
                        j += 1
                    if j < size and folded[j] == '"':
                        return True
            at = folded.find(word, at + 1)
    return False


def _mask_fields(text: str) -> str:
    def member(found: re.Match[str]) -> str:
        return f'"{found[1]}"{found[2]}"{MASK}"' if _SECRETISH.search(found[1]) else found[0]

    def field(found: re.Match[str]) -> str:
        return f"{found[1]}{found[2]}={MASK}" if _SECRETISH.search(found[2]) else found[0]

    text = _JSON_MEMBER.sub(member, text)
    return _FORM_FIELD.sub(field, text) if "=" in text else text
