"""Guess what a field holds from its name, format and description: the table behind realistic data.

`string_kind` and `number_kind` return a kind name; `values.py` maps every kind to a generator.
"""

from __future__ import annotations

import re
from typing import Any

_SPLIT_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def tokens(name: str) -> tuple[str, ...]:
    """`numberWeeklyQueryingUsers` → ('number', 'weekly', 'querying', 'users'); `model_permaslug` alike."""
    return tuple(t.lower() for t in _SPLIT_RE.findall(name))


def normalize(name: str) -> str:
    """A spelling-insensitive key: `projectUuid`, `project_uuid` and `project-uuid` are one field."""
    return "_".join(tokens(name))


# Formats that settle the kind outright.
FORMAT_KINDS: dict[str, str] = {
    "date": "date",
    "date-time": "datetime",
    "time": "time",
    "uuid": "uuid",
    "email": "email",
    "idn-email": "email",
    "uri": "url",
    "url": "url",
    "iri": "url",
    "uri-reference": "path",
    "hostname": "hostname",
    "idn-hostname": "hostname",
    "ipv4": "ipv4",
    "ipv6": "ipv6",
    "byte": "base64",
    "password": "secret",
    "duration": "iso_duration",
    "regex": "regex",
    "json-pointer": "json_pointer",
}

# Person-like parents: a `name` inside `user` is a person's name, inside `dashboard` a title.
_PERSON_PARENTS = frozenset(
    {
        "user",
        "users",
        "author",
        "owner",
        "member",
        "members",
        "customer",
        "actor",
        "person",
        "creator",
        "assignee",
        "employee",
        "contact",
        "sender",
        "recipient",
        "account",
        "profile",
        "admin",
        "viewer",
    }
)

# (tokens that must all appear, kind), first match wins; matched against the field name's tokens.
STRING_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("permaslug",), "model.permaslug"),
    (("model",), "model.slug"),
    (("provider",), "model.provider"),
    (("first", "name"), "person.first"),
    (("given", "name"), "person.first"),
    (("last", "name"), "person.last"),
    (("family", "name"), "person.last"),
    (("surname",), "person.last"),
    (("full", "name"), "person.full"),
    (("display", "name"), "person.full"),
    (("email",), "person.email"),
    (("username",), "person.username"),
    (("user", "name"), "person.username"),
    (("login",), "person.username"),
    (("handle",), "person.username"),
    (("request", "id"), "request_id"),
    (("uuid",), "uuid"),
    (("ip",), "ipv4"),
    (("user", "agent"), "user_agent"),
    (("url",), "url"),
    (("uri",), "url"),
    (("link",), "url"),
    (("href",), "url"),
    (("website",), "url"),
    (("avatar",), "url"),
    (("domain",), "hostname"),
    (("host",), "hostname"),
    (("hostname",), "hostname"),
    (("phone",), "phone"),
    (("company",), "company"),
    (("organization",), "company"),
    (("city",), "city"),
    (("country", "code"), "country_code"),
    (("country",), "country"),
    (("currency",), "currency"),
    (("timezone",), "timezone"),
    (("tz",), "timezone"),
    (("locale",), "locale"),
    (("language",), "language"),
    (("lang",), "language"),
    (("color",), "color"),
    (("colour",), "color"),
    (("version",), "version"),
    (("slug",), "slug"),
    (("cursor",), "cursor"),
    (("next",), "cursor"),
    (("prev",), "cursor"),
    (("previous",), "cursor"),
    (("token",), "secret"),
    (("secret",), "secret"),
    (("password",), "secret"),
    (("key",), "secret"),
    (("hash",), "hex"),
    (("sha",), "hex"),
    (("etag",), "hex"),
    (("checksum",), "hex"),
    (("mime",), "mime"),
    (("content", "type"), "mime"),
    (("filename",), "filename"),
    (("file", "name"), "filename"),
    (("path",), "path"),
    (("method",), "http_method"),
    (("status",), "status"),
    (("state",), "status"),
    (("kind",), "kind"),
    (("type",), "kind"),
    (("action",), "kind"),
    (("event",), "kind"),
    (("category",), "kind"),
    (("message",), "message"),
    (("msg",), "message"),
    (("description",), "sentence"),
    (("summary",), "sentence"),
    (("comment",), "sentence"),
    (("note",), "sentence"),
    (("notes",), "sentence"),
    (("bio",), "sentence"),
    (("reason",), "sentence"),
    (("title",), "title"),
    (("label",), "title"),
    (("code",), "code"),
    (("tag",), "word"),
    (("tags",), "word"),
)

# Strings that carry numbers (databases often render NUMERIC as text).
_NUMERIC_TEXT = frozenset(
    {
        "number",
        "num",
        "count",
        "percent",
        "pct",
        "average",
        "avg",
        "total",
        "amount",
        "ratio",
        "rate",
        "sum",
        "mean",
        "median",
    }
)

NUMBER_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("status", "code"), "http_status"),
    (("latitude",), "latitude"),
    (("lat",), "latitude"),
    (("longitude",), "longitude"),
    (("lng",), "longitude"),
    (("lon",), "longitude"),
    (("percent",), "percent"),
    (("pct",), "percent"),
    (("percentage",), "percent"),
    (("ratio",), "ratio"),
    (("rate",), "ratio"),
    (("score",), "ratio"),
    (("tokens",), "tokens"),
    (("token",), "tokens"),
    (("usage",), "money"),
    (("cost",), "money"),
    (("price",), "money"),
    (("amount",), "money"),
    (("spend",), "money"),
    (("revenue",), "money"),
    (("balance",), "money"),
    (("credits",), "money"),
    (("fee",), "money"),
    (("charge",), "money"),
    (("duration",), "duration"),
    (("seconds",), "duration"),
    (("ms",), "duration"),
    (("latency",), "duration"),
    (("elapsed",), "duration"),
    (("year",), "year"),
    (("age",), "age"),
    (("port",), "port"),
    (("page",), "page"),
    (("limit",), "page_size"),
    (("offset",), "offset"),
    (("average",), "average"),
    (("avg",), "average"),
    (("requests",), "requests"),
    (("count",), "count"),
    (("views",), "count"),
    (("users",), "count"),
    (("number",), "count"),
    (("num",), "count"),
    (("total",), "count"),
    (("quantity",), "count"),
    (("qty",), "count"),
    (("size",), "count"),
    (("clicks",), "count"),
    (("sessions",), "count"),
    (("events",), "count"),
    (("queries",), "count"),
    (("admins",), "count"),
    (("editors",), "count"),
    (("viewers",), "count"),
    (("value",), "count"),
)

# Names that mean the same in an error envelope, whatever the API calls them.
ERROR_STRING_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("message",), "problem.message"),
    (("msg",), "problem.message"),
    (("detail",), "problem.message"),
    (("description",), "problem.message"),
    (("title",), "problem.title"),
    (("error",), "problem.message"),
    (("code",), "problem.code"),
    (("type",), "problem.code"),
    (("name",), "problem.name"),
)
ERROR_NUMBER_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("code",), "http_status"),
    (("status",), "http_status"),
)


def _match(rules: tuple[tuple[tuple[str, ...], str], ...], words: tuple[str, ...]) -> str | None:
    present = set(words)
    for needed, kind in rules:
        if all(word in present for word in needed):
            return kind
    return None


def string_kind(name: str, schema: dict[str, Any], parent: str = "", in_error: bool = False) -> str:
    """The kind of string a field named `name` (inside `parent`) most plausibly holds."""
    fmt = schema.get("format")
    in_meta = "meta" in tokens(parent)
    if isinstance(fmt, str) and fmt in FORMAT_KINDS:
        kind = FORMAT_KINDS[fmt]
        if kind == "datetime" and in_meta:
            return "now"  # a response's own timestamp: when it was made, not when its events were
        # An email field keeps its person, so that the name and address beside it agree.
        return "person.email" if kind == "email" else kind
    words = tokens(name)
    if in_error:
        found = _match(ERROR_STRING_RULES, words)
        if found:
            return found
    if not words:
        return "word"
    description = str(schema.get("description", "")).lower()
    if words[-1] in ("date", "day") or "yyyy-mm-dd" in description:
        return "date"
    if words[-1] in ("at", "timestamp", "time", "datetime") or words[0] in ("created", "updated", "modified"):
        return "now" if in_meta else "datetime"
    if words[-2:] == ("request", "id"):
        return "request_id"
    if words[-1] == "id" or words[-1] == "ids":
        return "uuid" if "uuid" in description or len(words) == 1 else "id"
    if words[-1] == "name" or words == ("name",):
        if set(tokens(parent)) & _PERSON_PARENTS and len(words) == 1:
            return "person.full"
        found = _match(STRING_RULES, words) if len(words) > 1 else None
        if found and found not in ("sentence", "message", "title", "code", "word"):
            return found
        return "title"
    if set(words) & _NUMERIC_TEXT:
        return "numeric_text"
    return _match(STRING_RULES, words) or "word"


def number_kind(name: str, schema: dict[str, Any], in_error: bool = False) -> str:
    """The kind of number a field named `name` most plausibly holds."""
    words = tokens(name)
    if in_error:
        found = _match(ERROR_NUMBER_RULES, words)
        if found:
            return found
    return _match(NUMBER_RULES, words) or "plain"
