"""Read a request off the wire (bounded) and check it against its operation: parameters, then body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import cookie_parser
from starlette.types import Receive, Scope

from mockserver.openapi.params import typed_request
from mockserver.openapi.requests import FieldError, RawRequest
from mockserver.openapi.rules import RequestValues
from mockserver.serving.echo import clip
from mockserver.serving.state import VALUES, BoundOperation, query_items


class BodyTooLarge(Exception):
    """The request body is larger than the server reads (`ServerConfig.max_body`)."""


@dataclass(frozen=True)
class Checked:
    """The outcome of checking one request: its values, or what is wrong (and the status that says so)."""

    values: RequestValues | None
    errors: list[FieldError]
    status: int = 0  # 0: the API's invalid-request status; 415 for a media type it does not take


async def check_request(bound: BoundOperation, scope: Scope, receive: Receive, max_body: int) -> Checked:
    """Check the request's parameters and body; on success its typed values are kept in the scope."""
    headers = Headers(scope=scope)
    lowered = {k.lower(): v for k, v in headers.items()}
    raw = RawRequest(
        path={k: str(v) for k, v in scope.get("path_params", {}).items()},
        query=query_items(scope),
        headers=lowered,
        cookies=cookie_parser(lowered.get("cookie", "")),
    )
    check = bound.check
    typed, errors = check.parameters(raw)
    body: Any = None
    if bound.op.request_content and scope["method"] not in ("GET", "HEAD", "DELETE", "OPTIONS"):
        data = await read_body(receive, max_body)
        if not data:
            if bound.op.request_body_required:
                errors.append(FieldError(("body",), "Request body is required", "missing"))
        else:
            media = check.media_type(lowered.get("content-type"))
            if media is None:
                documented = ", ".join(bound.op.request_content)
                given = lowered.get("content-type", "")
                message = f"Content-Type {clip(given)!r} is not accepted; documented: {clip(documented)}"
                return Checked(None, [FieldError(("header", "content-type"), message, "media_type")], 415)
            parts = await _multipart(lowered, data) if media.lower().startswith("multipart/") else None
            body, body_errors = check.body(media, data, parts)
            errors.extend(body_errors)
    if errors:
        return Checked(None, errors)
    # The values the check has just typed: the query is not parsed a second time.
    values = typed_request(bound.op, typed, lowered, body)
    scope.setdefault("extensions", {})[VALUES] = values
    return Checked(values, [])


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body, or `BodyTooLarge` past `limit` bytes (nothing more is kept)."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"Request body is larger than {limit} bytes")
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _multipart(headers: dict[str, str], data: bytes) -> list[tuple[str, Any]]:
    async def stream() -> Any:
        yield data

    # Without a boundary the parts cannot be found (Starlette's parser raises KeyError): the client's mistake.
    if "boundary=" not in headers.get("content-type", "").lower():
        raise ValueError("Multipart body could not be read: its Content-Type names no boundary")
    try:
        form = await MultiPartParser(Headers(headers), stream()).parse()
    except MultiPartException as exc:
        raise ValueError(f"Multipart body could not be read: {exc.message}") from exc
    parts: list[tuple[str, Any]] = []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            await value.close()
        parts.append((name, value))
    return parts
