"""The mock's own endpoints (`/__mock/…`): same-origin only, unless `--admin-cors` opens them to browser pages.

The mocked APIs answer any origin (CORS `*`, for browser clients under development); the journal holds
what every client sent, so a web page on another origin must neither read it nor clear it. Browsers say
where a request comes from (`Sec-Fetch-Site`, `Origin`); clients outside a browser (curl, SDKs, the
pytest plugin) send neither and are served as before.
"""

from __future__ import annotations

import ipaddress
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


def rebound_host(scope: Scope) -> bool:
    """Whether the Host is a DNS name other than localhost: what a DNS-rebinding page sends.

    A page at http://attacker.example:8000 whose name now resolves to 127.0.0.1 passes the Origin check
    (its origin is the Host it sends); IP literals and localhost names cannot be rebound."""
    host = Headers(scope=scope).get("host")
    if not host:
        return False
    name = host.strip().lower()
    name = name[1 : name.index("]")] if name.startswith("[") and "]" in name else name.rsplit(":", 1)[0]
    if name == "localhost" or name.endswith(".localhost"):
        return False
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return True
    return False


class AdminGate:
    """CORS for the mocked APIs (when on); the admin endpoints without it, refusing other origins."""

    def __init__(
        self, app: ASGIApp, cors: Mapping[str, Any] | None = None, admin_cors: bool = False, host_guard: bool = False
    ) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, **cors) if cors is not None else None
        self.admin_cors = admin_cors
        self.host_guard = host_guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_admin(scope["path"]) and not self.admin_cors:
            if cross_site(scope):
                await _refused(_CROSS_ORIGIN)(scope, receive, send)
                return
            if self.host_guard and rebound_host(scope):
                await _refused(_REBOUND)(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        await (self.cors or self.app)(scope, receive, send)


_CROSS_ORIGIN = (
    "Cross-origin request refused",
    "The mock's /__mock/ endpoints answer same-origin requests only; start the server with "
    "--admin-cors to let web pages on other origins use them.",
)
_REBOUND = (
    "Host name refused",
    "The mock's /__mock/ endpoints answer requests addressed to an IP address or localhost only (a web page "
    "can point any other name at this machine); start the server with --admin-cors to allow other names.",
)


def _refused(reason: tuple[str, str]) -> Response:
    body = {"type": "about:blank", "title": reason[0], "status": 403, "detail": reason[1]}
    return Response(
        json.dumps(body).encode(),
        status_code=403,
        media_type="application/problem+json",
        headers={"X-Mock-Error": "true"},
    )
