"""What the dashboard shows, made on the server: the HTML index at `/`, the pages' shell, each API's details.

Everything that comes from a spec or a request is escaped here (`html.escape`), and the dashboard's script
only ever sets text (never HTML), so a path, header or body holding `<script>` is shown, not run; the
pages also carry a Content-Security-Policy that allows the dashboard's own scripts only.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from mockserver.generation.responses import ApiMock
from mockserver.openapi.state_fixtures import resources_of
from mockserver.serving.state import MockState

DASHBOARD_PATH = "/__mock/"
ASSETS_PATH = "/__mock/assets/"
API_PAGE_PATH = "/__mock/api/"  # + an API's name: that API's page
APIS_PATH = "/__mock/apis"  # the APIs' details, as JSON, for the pages' script
# The pages' scripts and styles come from this server only; nothing inline runs (a journal entry cannot).
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def index_page(index: dict[str, Any]) -> str:
    """`GET /` for a browser: the index (`middleware.index`) as a page of links."""
    sections = []
    for api in index["apis"]:
        operations = "".join(
            f"<li><code>{escape(op['method'])} {escape(op['path'])}</code> {escape(op['operationId'])} "
            f"<span class=statuses>{escape(', '.join(op['statuses']))}</span></li>"
            for op in api["operations"]
        )
        sections.append(
            f"<section class=api><h2>{escape(api['title'])} <small>{escape(api['name'])}</small></h2>"
            f"<p><a href='{escape(api['docs'])}'>Swagger UI</a> · <a href='{escape(api['spec'])}'>openapi.json</a>"
            f" · <a href='{escape(API_PAGE_PATH + api['name'])}'>dashboard</a> · mounted at "
            f"<code>{escape(api['base_path'])}</code> (OpenAPI {escape(api['openapi'])})</p>"
            f"<ul class=operations>{operations}</ul></section>"
        )
    body = (
        f"<p>The running mock. <a href='{DASHBOARD_PATH}'>Dashboard</a> (the request journal, chaos, state) · "
        "this index as JSON: <code>curl -H 'Accept: application/json' …/</code></p>" + "".join(sections)
    )
    return _page("mockserver", body)


def shell_page(api: str | None) -> str:
    """The dashboard's page (`/__mock/`, `/__mock/api/<name>`): its script fills it from the admin API."""
    title = f"mockserver: {api}" if api else "mockserver dashboard"
    data = escape(json.dumps({"api": api}), quote=True)
    return _page(
        title,
        f"<div id=app data-page='{data}'><p class=muted>Loading… (this page needs JavaScript)</p></div>",
        scripts=("dashboard.js",),
    )


def _page(title: str, body: str, scripts: tuple[str, ...] = ()) -> str:
    tags = "".join(f"<script src='{ASSETS_PATH}{name}' defer></script>" for name in scripts)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        "<link rel=icon href='data:,'>"  # no /favicon.ico request: it would be a 404 in the journal
        f"<title>{escape(title)}</title><link rel=stylesheet href='{ASSETS_PATH}dashboard.css'>{tags}</head>"
        f"<body><header><a class=brand href='/'>mockserver</a> <a href='{DASHBOARD_PATH}'>dashboard</a></header>"
        f"<main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def api_details(state: MockState) -> dict[str, Any]:
    """Each served API as its page shows it: operations with their statuses, security, fixtures and examples,
    `x-mock` rules as written in the spec, and the collections whose state `/__mock/state/…` holds."""
    return {"apis": [_details(api, state) for api in state.apis], "stateless": state.config.stateless}


def _details(api: ApiMock, state: MockState) -> dict[str, Any]:
    spec = api.api
    paths = spec.document.get("paths") if isinstance(spec.document.get("paths"), dict) else {}
    operations = []
    for mock in api.operations.values():
        op = mock.op
        item = paths.get(op.path) if isinstance(paths, dict) else None
        raw = item.get(op.method) if isinstance(item, dict) else None
        rules = raw.get("x-mock") if isinstance(raw, dict) else None
        operations.append(
            {
                "method": op.method.upper(),
                "path": spec.mount_path + op.path,
                "operationId": op.operation_id,
                "summary": op.summary[:300],
                "statuses": list(op.documented_statuses),
                "security": [[scheme.name for scheme in alternative] for alternative in op.security],
                "fixtures": sorted(mock.fixtures),
                "examples": sorted(set(mock.examples) - set(mock.fixtures)),
                "x-mock": rules,
                "served": op.routable,
            }
        )
    collections = [] if state.config.stateless else sorted(resources_of(spec))
    return {
        "name": spec.name,
        "title": spec.title,
        "openapi": spec.version,
        "base_path": spec.mount_path,
        "docs": f"{spec.mount_path}/ui/",
        "spec": f"{spec.mount_path}/openapi.json",
        "operations": operations,
        "collections": [{"path": c, "state": f"/__mock/state{spec.mount_path}{c}"} for c in collections],
    }
