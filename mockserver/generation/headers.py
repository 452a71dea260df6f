"""Documented response headers with the meaning their names carry, consistent with the body they go with.

A header is generated from its schema; where its name says what it means, the value says it instead:

- `Location`: the mock URL of the created item, when the body has an id (see `item_template`);
- `ETag`: a hash of the body bytes, quoted, so the same body always carries the same tag;
- `Link`: `<URL of the next page>; rel="next"` when the body carries a next cursor (`next_cursor`,
  `pagination.next`, …), and no header when the body says there is no next page; a header whose name holds
  `cursor` carries that cursor itself;
- rate-limit headers (`X-RateLimit-Limit`, `RateLimit-Remaining`, `X-RateLimit-Reset`, …): marked here,
  counted per credential by the serving layer, which alone sees successive requests.

A meaningful value that its header's schema refuses (an `enum`, a `pattern`) is not sent: the generated one is.
Pure: no HTTP.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

from mockserver.generation.media import kind as media_kind
from mockserver.openapi.model import ApiSpec, Operation
from mockserver.openapi.rules import RequestValues
from mockserver.openapi.validation import schema_validator

Check = Callable[[Any], list[str]]
RATE_KINDS = ("limit", "remaining", "reset")
_RATE = re.compile(r"(?:x-)?rate-?limit(?:-requests)?-(limit|remaining|reset)")
# Where a page's next cursor is written, directly or in one of these objects (`pagination.next_cursor`).
_NEXT_KEYS = ("next_cursor", "nextCursor", "next_page_token", "nextPageToken", "next", "next_page", "nextPage")
_MORE_KEYS = ("has_more", "hasMore", "has_next_page", "hasNextPage")
_CONTAINERS = ("pagination", "meta", "paging", "page_info", "pageInfo", "links", "response_metadata", "cursor")
_CURSOR_PARAMS = ("cursor", "after", "page_token", "pageToken", "starting_after", "next_cursor", "page", "offset")
_ID_FIELDS = ("id", "uuid", "_id")
NO_NEXT = ""  # the body says there is no next page
RATE_LARGEST = 1_000_000  # a rate-limit header whose schema refuses counts up to this keeps its generated value


class HeaderMeaning:
    """One operation's documented headers made to say what their names mean; header validators compiled once."""

    def __init__(self, api: ApiSpec, op: Operation) -> None:
        self.api, self.op = api, op
        self._checks: dict[tuple[str, str], Check] = {}
        self._item: str | None = None

    def apply(
        self,
        generated: Mapping[str, str],
        key: str,
        status: int,
        body: Any,
        media_type: str | None,
        request: RequestValues,
        origin: str,
    ) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
        """(the headers to send, the (name, limit/remaining/reset) rate-limit headers the server counts)."""
        headers = dict(generated)
        rate: list[tuple[str, str]] = []
        for name in generated:
            what = meaning(name)
            value: str | None = None
            if what is None:
                continue
            if what == "etag" and media_type is not None and status not in (204, 304):
                value = etag(body, as_json=media_kind(media_type) == "json")
            elif what == "location" and 200 <= status < 400:
                if self._item is None:
                    self._item = item_template(self.api, self.op)
                value = item_url(origin, self.api.mount_path, self._item, body, request)
            elif what in ("link", "cursor"):
                cursor = next_cursor(body)
                if cursor == NO_NEXT:  # the body says this is the last page: no header may say otherwise
                    del headers[name]
                    continue
                if cursor is not None and what == "link":
                    value = next_link(origin, self.api.mount_path, self.op, request, cursor)
                elif cursor is not None:
                    value = cursor
            elif what.startswith("rate-") and accepts_counts(self.check(key, name), RATE_LARGEST):
                rate.append((name, what.removeprefix("rate-")))
            # Only what a header can carry (printable ASCII) and its schema accepts; else the generated value.
            if value is not None and value.isascii() and value.isprintable() and not self.check(key, name)(value):
                headers[name] = value
        return headers, tuple(rate)

    def check(self, key: str, name: str) -> Check:
        """The validator of header `name` of response `key`, compiled when first needed."""
        found = self._checks.get((key, name))
        if found is None:
            response = self.op.responses.get(key)
            schema = response.headers.get(name) if response else None
            found = self._checks[(key, name)] = header_check(schema, openapi_31=self.api.is_31)
        return found


def meaning(name: str) -> str | None:
    """What a header's name says it holds: location, etag, link, cursor, rate-limit/-remaining/-reset, or None."""
    lowered = name.lower()
    if lowered in ("location", "content-location"):
        return "location"
    if lowered == "etag":
        return "etag"
    if lowered == "link":
        return "link"
    rate = _RATE.fullmatch(lowered)
    if rate:
        return f"rate-{rate.group(1)}"
    if "cursor" in lowered:
        return "cursor"
    return None


def header_check(schema: Any, *, openapi_31: bool) -> Check:
    """A header value's problems against its schema; the value is typed as the schema's type asks."""
    return schema_validator(schema if isinstance(schema, dict) else {}, openapi_31=openapi_31)


def accepts_counts(check: Check, largest: int) -> bool:
    """Whether a rate-limit header's schema takes the whole numbers the counter will send (0 to `largest`)."""
    return not check(0) and not check(largest)


def json_bytes(value: Any) -> bytes:
    """`value` as compact UTF-8 JSON; NaN and infinities (a YAML example's `.nan`, `.inf`) become null,
    as JSON has no spelling for them (Python's `NaN` would make the body unreadable to every client)."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def etag(body: Any, *, as_json: bool) -> str | None:
    """A strong entity tag of the body bytes as sent (JSON-encoded when `as_json`): the same body, the same tag."""
    try:
        if as_json or not isinstance(body, (str, bytes)):
            data = json_bytes(body)
        else:
            data = body if isinstance(body, bytes) else body.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: the body cannot be sent as it is either
        return None
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def item_template(api: ApiSpec, op: Operation) -> str:
    """The path of the item an answer of `op` is about: `op`'s own when it ends in a template (`/things/{id}`),
    else the item path under it that the API documents a GET for, else `op`'s path + `/{id}`."""
    if re.search(r"/\{[^/{}]+\}$", op.path):
        return op.path
    prefix = op.path.rstrip("/") + "/"
    for other in api.operations:
        rest = other.path[len(prefix) :] if other.path.startswith(prefix) else ""
        if other.method == "get" and re.fullmatch(r"\{[^/{}]+\}", rest):
            return other.path
    return prefix + "{id}"


def item_url(origin: str, mount: str, template: str, body: Any, request: RequestValues) -> str | None:
    """The mock URL of the item in `body` (its `id`, or the field named like the template's last parameter)."""
    if not isinstance(body, dict):
        return None
    last = re.search(r"/\{([^/{}]+)\}$", template)
    names = (last.group(1), *_ID_FIELDS) if last else _ID_FIELDS
    found = next(
        (body[n] for n in names if isinstance(body.get(n), (str, int)) and not isinstance(body[n], bool)), None
    )
    if found is None or found == "":
        return None
    if last is None:
        return None
    path = _fill(template[: last.start()], request.path) + "/" + quote(str(found), safe="")
    return origin + mount.rstrip("/") + path


def next_cursor(body: Any) -> str | None:
    """The next page's cursor the body carries; `NO_NEXT` when it says there is none; None when it cannot tell."""
    if not isinstance(body, dict):
        return None
    for where in (body, *(body[c] for c in _CONTAINERS if isinstance(body.get(c), dict))):
        for key in _NEXT_KEYS:
            if key in where:
                value = where[key]
                if isinstance(value, bool) or value in (None, "", 0):
                    return NO_NEXT
                if isinstance(value, (str, int)):
                    return str(value)
        if any(where.get(key) is False for key in _MORE_KEYS):
            return NO_NEXT
    return None


def next_link(origin: str, mount: str, op: Operation, request: RequestValues, cursor: str) -> str | None:
    """`<URL>; rel="next"` for `cursor`: the URL itself when the body gave one, else this request's URL with
    the operation's cursor parameter set to it (None when it has none)."""
    if cursor.startswith(("http://", "https://")):
        return f'<{cursor}>; rel="next"'
    if cursor.startswith("/"):
        return f'<{origin}{cursor}>; rel="next"'
    declared = [p.name for p in op.parameters if p.location == "query"]
    param = next((name for name in _CURSOR_PARAMS if name in declared), None)
    if param is None:
        return None
    query = [(k, _text(v)) for k, v in request.query.items() if v is not None and k != param and _scalar(v)]
    query.append((param, cursor))
    url = origin + mount.rstrip("/") + _fill(op.path, request.path) + "?" + urlencode(query)
    return f'<{url}>; rel="next"'


def _fill(template: str, values: Mapping[str, Any]) -> str:
    return re.sub(
        r"\{([^/{}]+)\}",
        lambda m: quote(_text(values[m.group(1)]), safe="") if m.group(1) in values else m.group(0),
        template,
    )


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
