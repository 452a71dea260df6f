"""The dashboard of the running mock (`/__mock/`), and the index at `/` as a page when a browser asks.

Its pages are a shell and a script (dashboard_assets/, package data: no CDN, nothing fetched elsewhere) that
read and change the server through the admin API a test uses: `/__mock/requests`, `/__mock/state`,
`/__mock/overrides`, `/__mock/chaos`, and `/__mock/apis` (the served APIs' details, here). Like every
`/__mock/` endpoint they answer same-origin requests only (admin.py); the script's own calls are same-origin.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import RedirectResponse, Response
from starlette.types import Scope

from mockserver.serving.answers import json_bytes, mock_error
from mockserver.serving.dashboard_pages import (
    API_PAGE_PATH,
    APIS_PATH,
    ASSETS_PATH,
    DASHBOARD_PATH,
    HEADERS,
    api_details,
    index_page,
    shell_page,
)
from mockserver.serving.echo import clip
from mockserver.serving.state import MockState

_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


def _assets() -> dict[str, tuple[bytes, str]]:
    """Every file of dashboard_assets/, read once: the only files the dashboard serves (no path is joined)."""
    found: dict[str, tuple[bytes, str]] = {}
    for entry in resources.files("mockserver.serving").joinpath("dashboard_assets").iterdir():
        suffix = entry.name[entry.name.rfind(".") :]
        if entry.is_file() and suffix in _TYPES:
            found[entry.name] = (entry.read_bytes(), _TYPES[suffix])
    return found


def wants_html(scope: Scope) -> bool:
    """Whether the client prefers HTML to JSON (a browser's navigation); `*/*` or no Accept is JSON."""
    accept = Headers(scope=scope).get("accept")
    if not accept:
        return False
    quality: dict[str, float] = {}
    for part in accept.split(",")[:50]:
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality.setdefault(media.lower(), q)
    html = quality.get("text/html", 0.0)
    return html > 0 and html >= quality.get("application/json", 0.0)


def index_response(scope: Scope, index: dict[str, Any]) -> Response:
    """`GET /`: the index as JSON, or as a page of links for a browser (`Vary: Accept`: both are cached apart)."""
    if wants_html(scope):
        return Response(index_page(index), media_type="text/html", headers={**HEADERS, "Vary": "Accept"})
    return Response(json.dumps(index, indent=2).encode(), media_type="application/json", headers={"Vary": "Accept"})


class Dashboard:
    """The dashboard's pages, its assets and `/__mock/apis`; None for any other `/__mock/` path."""

    def __init__(self, state: MockState) -> None:
        self.state = state
        self._assets = _assets()
        self._details: bytes | None = None  # the APIs' details never change while the server runs
        self._names = {api.api.name for api in state.apis}

    def answer(self, scope: Scope) -> Response | None:
        path = scope["path"]
        if path == DASHBOARD_PATH.rstrip("/"):
            return RedirectResponse(DASHBOARD_PATH, status_code=308)
        mine = path in (DASHBOARD_PATH, APIS_PATH) or path.startswith((ASSETS_PATH, API_PAGE_PATH))
        if not mine:
            return None
        if scope["method"] not in ("GET", "HEAD"):
            return Response(status_code=405, headers={"Allow": "GET, HEAD"})
        if path == DASHBOARD_PATH:
            return self._page(None)
        if path == APIS_PATH:
            if self._details is None:
                self._details = json_bytes(api_details(self.state))
            return Response(self._details, media_type="application/json")
        if path.startswith(API_PAGE_PATH):
            name = path[len(API_PAGE_PATH) :]
            if name not in self._names:
                known = ", ".join(sorted(self._names))
                return mock_error(404, "Unknown API", f"No API is named {clip(name)!r}; served: {known}")
            return self._page(name)
        asset = self._assets.get(path[len(ASSETS_PATH) :])
        if asset is None:
            return mock_error(404, "Unknown asset", f"No dashboard file {clip(path)}")
        body, media = asset
        return Response(body, media_type=media, headers={"X-Content-Type-Options": "nosniff"})

    def _page(self, api: str | None) -> Response:
        return Response(shell_page(api), media_type="text/html", headers={**HEADERS, "Cache-Control": "no-store"})
