"""How a rendered answer, or an error of the mock's own, becomes a Starlette `Response`."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mockserver.generation.headers import json_bytes
from mockserver.generation.media import kind as media_kind
from mockserver.generation.responses import Rendered
from mockserver.serving.echo import MESSAGE_LIMIT, clip

__all__ = ["json_bytes", "mock_error", "to_response"]  # json_bytes: the body encoding, shared with generation


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


def mock_error(status: int, title: str, detail: str, **extra: Any) -> Response:
    """An error from the mock itself (not the API it imitates), as RFC 9457 problem+json."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": clip(detail, MESSAGE_LIMIT), **extra}
    return Response(
        json_bytes(body),
        status_code=status,
        media_type="application/problem+json",
        headers={"X-Mock-Error": "true"},
    )
