"""The mock's own endpoints (`/__mock/…`): same-origin only, unless `--admin-cors` opens them to browser pages.

The mocked APIs answer any origin (CORS `*`, for browser clients under development); the journal holds
what every client sent, so a web page on another origin must neither read it nor clear it. Browsers say
where a request comes from (`Sec-Fetch-Site`, `Origin`); clients outside a browser (curl, SDKs, the
pytest plugin) send neither and are served as before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

ADMIN_PREFIX = "/__mock/"
_SAME = ("same-origin", "none")  # Sec-Fetch-Site values of a page on this origin, or of a typed URL


def is_admin(path: str) -> bool:
    return path.startswith(ADMIN_PREFIX) or path == ADMIN_PREFIX.rstrip("/")


def cross_site(scope: Scope) -> bool:
    """Whether a browser sent this request from a page on another origin."""
    headers = Headers(scope=scope)
    site = headers.get("sec-fetch-site")
    if site is not None and site.strip().lower() not in _SAME:
        return True
    origin = headers.get("origin")
    if origin is None:
        return False
    own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
    return origin.strip().lower() != own.lower()


class AdminGate:
    """CORS for the mocked APIs (when on); the admin endpoints without it, refusing other origins."""

    def __init__(self, app: ASGIApp, cors: Mapping[str, Any] | None = None, admin_cors: bool = False) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, **cors) if cors is not None else None
        self.admin_cors = admin_cors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_admin(scope["path"]) and not self.admin_cors:
            if cross_site(scope):
                await _refused()(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        await (self.cors or self.app)(scope, receive, send)


def _refused() -> Response:
    body = {
        "type": "about:blank",
        "title": "Cross-origin request refused",
        "status": 403,
        "detail": "The mock's /__mock/ endpoints answer same-origin requests only; start the server with "
        "--admin-cors to let web pages on other origins use them.",
    }
    return Response(
        json.dumps(body).encode(),
        status_code=403,
        media_type="application/problem+json",
        headers={"X-Mock-Error": "true"},
    )
