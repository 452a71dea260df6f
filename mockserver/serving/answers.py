"""How a rendered answer, or an error of the mock's own, becomes a Starlette `Response`."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from mockserver.generation.media import kind as media_kind
from mockserver.generation.responses import Rendered
from mockserver.serving.echo import MESSAGE_LIMIT, clip


def to_response(rendered: Rendered, extra_headers: dict[str, str] | None = None) -> Response:
    """Serialise a rendered mock answer."""
    headers = {**rendered.headers, **(extra_headers or {})}
    if rendered.media_type is None:
        return Response(status_code=rendered.status, headers=headers)
    if rendered.status in (204, 304) or rendered.status < 200:  # no body, but the type a client is told
        return Response(status_code=rendered.status, headers={**headers, "Content-Type": rendered.media_type})
    if isinstance(rendered.body, (str, bytes)) and media_kind(rendered.media_type) != "json":
        return Response(rendered.body, status_code=rendered.status, media_type=rendered.media_type, headers=headers)
    body = json_bytes(rendered.body)
    media = rendered.media_type if media_kind(rendered.media_type) == "json" else "application/json"
    return Response(body, status_code=rendered.status, media_type=media, headers=headers)


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


def mock_error(status: int, title: str, detail: str, **extra: Any) -> Response:
    """An error from the mock itself (not the API it imitates), as RFC 9457 problem+json."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": clip(detail, MESSAGE_LIMIT), **extra}
    return Response(
        json_bytes(body),
        status_code=status,
        media_type="application/problem+json",
        headers={"X-Mock-Error": "true"},
    )
