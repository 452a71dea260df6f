"""The answers the proxy makes itself (problem+json with stable types), an upstream answer handed back, and
the scope and `receive` rewrites that hand a request to the mock."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.types import Message, Receive, Scope

from mockserver.proxy.checks import Finding
from mockserver.serving.answers import mock_error

PROBLEM = "urn:mockserver:problem:proxy-"  # + a stable id per kind of the proxy's own answers


def violations_header(findings: list[Finding]) -> str:
    return f"{len(findings)}; {findings[0].check}"


def problem(
    status: int, title: str, detail: str, kind: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    response = mock_error(status, title, detail, type=PROBLEM + kind, **extra)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def passed_back(status: int, headers: list[tuple[str, str]], body: bytes, extra: dict[str, str]) -> Response:
    response = Response(body, status_code=status)
    # Response set its own content-length; the upstream's other headers as they came (repeats kept).
    raw = [(b"content-length", str(len(body)).encode())] if status not in (204, 304) else []
    raw += [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in headers]
    raw += [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in extra.items()]
    response.raw_headers = raw
    return response


def preferring(scope: Scope, prefer: str) -> Scope:
    """The scope with its `Prefer` header replaced (the chaos draw's status, for the mock to answer)."""
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"prefer"]
    return {**scope, "headers": [*headers, (b"prefer", prefer.encode())]}


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` giving the already-read body once, then the connection's own messages (disconnect)."""
    given = False

    async def once() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return once
