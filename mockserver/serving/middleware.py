"""The mock's own layer in Connexion's stack: it routes, authenticates, validates and answers.

Every request under an API's mount is answered here, in the imitated API's documented envelope
(unknown paths, wrong methods, missing credentials, invalid requests); only Swagger UI's pages go
on to Connexion. The index at `/` (a page for a browser), each API's `openapi.json` and the dashboard
(`/__mock/`, dashboard.py) are served here too.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from starlette.datastructures import Headers, QueryParams
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.generation.context import FieldError, Problem
from mockserver.generation.responses import ApiMock, default_problem
from mockserver.generation.statuses import status_phrase
from mockserver.serving.admin import is_admin
from mockserver.serving.answers import json_bytes, mock_error
from mockserver.serving.auth import credential_problem
from mockserver.serving.bridge import to_swagger_document
from mockserver.serving.budget import bounded, within_budget
from mockserver.serving.chaos import DRAWN, Chaos, Decision, faulty, pause
from mockserver.serving.chaos_settings import CHAOS_PATH, RuntimeChaos
from mockserver.serving.dashboard import Dashboard, index_response
from mockserver.serving.echo import clip, plain
from mockserver.serving.envelopes import EXTENSION, error_response, invalid_request_problem
from mockserver.serving.journal import printable
from mockserver.serving.outage import STORE_FAILURES
from mockserver.serving.overrides import OVERRIDES_PATH, Overrides, annotate
from mockserver.serving.prefer import NONE, PreferError, parse_prefer
from mockserver.serving.ratelimit import RateLimiter
from mockserver.serving.responder import respond
from mockserver.serving.seeding import STATE_PATH, Seeding
from mockserver.serving.state import BoundOperation, MockState, query_items
from mockserver.serving.validation import BodyTooLarge, check_request

logger = logging.getLogger("mockserver")
SPEC_PATH = "/openapi.json"  # under each API's mount path; Swagger UI at <mount>/ui/ reads it


def index(state: MockState) -> dict[str, Any]:
    """What `GET /` lists: every mounted API and its operations."""
    return {
        "apis": [
            {
                "name": a.api.name,
                "title": a.api.title,
                "openapi": a.api.version,
                "base_path": a.api.mount_path,
                "docs": f"{a.api.mount_path}/ui/",
                "spec": f"{a.api.mount_path}/openapi.json",
                "operations": [
                    {
                        "method": op.method.upper(),
                        "path": a.api.mount_path + op.path,
                        "operationId": op.operation_id,
                        "statuses": op.documented_statuses,
                    }
                    for op in a.api.operations
                ],
            }
            for a in state.apis
        ]
    }


class MockMiddleware:
    """Before Connexion: the index, each API's openapi.json, and every operation of every API."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app = app
        self.state = state
        self.runtime_chaos = RuntimeChaos(state.config, state.store)  # /__mock/chaos
        quiet = dataclasses.replace(state.config, chaos=0.0, latency=(0, 0), faults=(), fault_rate=0.0)
        current = self.runtime_chaos.config if state.config.draws_chaos else lambda: quiet
        self.chaos = Chaos(state.config, state.store, current)
        self.overrides = Overrides(state)
        self.rate_limit = RateLimiter(state)
        self.seeding = Seeding(state)  # /__mock/state/<api><collection>; reads fixtures/<api>/_state/ now
        self.dashboard = Dashboard(state)  # /__mock/: the pages, their assets, /__mock/apis
        self._documents: dict[str, bytes] = {}  # mount path → openapi.json, made when first asked for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        api = self.state.api_for_path(path)
        too_large = _too_large(scope)
        if too_large is not None:
            status, message = too_large
            problem = Problem(status=status, message=message, code=status_phrase(status)[0])
            await self._envelope(scope, lambda: error_response(self.state, api, None, scope, problem))(
                scope, receive, send
            )
            return
        if path == STATE_PATH:
            await self._state(scope)(scope, receive, send)
            return
        if path.startswith(STATE_PATH + "/"):
            await (await self.seeding.answer(scope, receive))(scope, receive, send)
            return
        if path == CHAOS_PATH:
            await (await self.runtime_chaos.answer(scope, receive))(scope, receive, send)
            return
        if path == OVERRIDES_PATH or path.startswith(OVERRIDES_PATH + "/"):
            await self.overrides.admin(scope, receive, send)
            return
        if path in ("", "/") and scope["method"] in ("GET", "HEAD"):
            await index_response(scope, index(self.state))(scope, receive, send)
            return
        if is_admin(path) and (page := self.dashboard.answer(scope)) is not None:
            await page(scope, receive, send)
            return
        if api is None:
            mounted = ", ".join(a.api.mount_path for a in self.state.apis)
            await mock_error(404, "Not Found", f"No API is mounted at {clip(path)}; mounted: {mounted}. See GET /.")(
                scope, receive, send
            )
            return
        mount = api.api.mount_path
        relative = path[len(mount) :]
        if relative == SPEC_PATH and scope["method"] in ("GET", "HEAD"):
            await Response(self._document(api), media_type="application/json")(scope, receive, send)
            return
        if relative == UI_PATH or relative.startswith(UI_PATH + "/"):
            await self.app(scope, receive, send)  # Swagger UI, served by Connexion
            return
        match = self.state.routes[mount].match(_raw_relative(scope, mount, relative))
        if match is None:
            not_found = Problem(status=404, message=f"No route matches {clip(path)}", code=status_phrase(404)[0])
            await self._envelope(scope, lambda: error_response(self.state, api, None, scope, not_found))(
                scope, receive, send
            )
            return
        method = scope["method"]
        bound = match.methods.get(method) or (match.methods.get("GET") if method == "HEAD" else None)
        if bound is None:
            await self._not_allowed(scope, receive, send, api, match.methods)
            return
        scope["path_params"] = match.params.get(method) or match.params.get("GET") or {}
        await self._operation(scope, receive, send, bound)

    def _state(self, scope: Scope) -> Response:
        """`/__mock/state`: what the server remembers (GET), forgotten on DELETE (the journal has its own)."""
        if scope["method"] == "DELETE":
            self.state.store.reset()
            return Response(status_code=204)
        if scope["method"] in ("GET", "HEAD"):
            store = self.state.store
            body = {"counted_requests": store.counted(), "file": store.location, "rows": store.summary()}
            return Response(json_bytes(body), media_type="application/json")
        return Response(status_code=405, headers={"Allow": "GET, HEAD, DELETE"})

    async def _not_allowed(
        self, scope: Scope, receive: Receive, send: Send, api: ApiMock, methods: dict[str, BoundOperation]
    ) -> None:
        allowed = ", ".join(sorted(methods))
        if scope["method"] == "OPTIONS":
            await Response(status_code=204, headers={"Allow": allowed})(scope, receive, send)
            return
        problem = Problem(
            status=405,
            message=f"Method {clip(scope['method'])} not allowed; allowed: {allowed}",
            code=status_phrase(405)[0],
        )
        bound = next(iter(methods.values()))
        response = self._envelope(
            scope, lambda: error_response(self.state, api, bound, scope, problem, {"Allow": allowed})
        )
        await response(scope, receive, send)

    def _envelope(self, scope: Scope, make: Callable[[], Response]) -> Response:
        """An error envelope, made under the request's time and size budgets (its schema may ask a lot)."""
        config = self.state.config
        return bounded(config.request_budget, config.max_answer, scope, make)

    def _document(self, api: ApiMock) -> bytes:
        """The whole API, as the 3.0 document Swagger UI 4 renders (its security as the mock accepts it), with the
        mock as its server."""
        mount = api.api.mount_path
        if mount not in self._documents:
            document = to_swagger_document(api.api.document)
            document["servers"] = [{"url": mount}]
            self._documents[mount] = json_bytes(document)
        return self._documents[mount]

    async def _operation(self, scope: Scope, receive: Receive, send: Send, bound: BoundOperation) -> None:
        """Preferences and credentials, then chaos, then the request's checks, then the answer."""
        scope.setdefault("extensions", {})
        annotate(scope, "operation", bound.op.operation_id)  # for the journal's readers (the pytest plugin)
        config = self.state.config
        response = self._before(scope, bound)
        prefs = scope["extensions"].get(EXTENSION, NONE)
        # Steering from tests: an override's answer (serving/overrides.py), else the rate limit (ratelimit.py).
        if response is None:
            steered = await self.overrides.steer(scope, bound, prefs, send)
            response, prefs, send = steered.response, steered.prefs, steered.send
            if not steered.taken:
                response = self.rate_limit.check(scope, bound, prefs)
        # End of steering.
        drawn = response is not None or scope["extensions"].get(DRAWN, False)
        decision = Decision() if drawn else self.chaos.decide(scope, bound.op, prefs)
        await pause(decision)
        if decision.latency_ms:
            annotate(scope, "latency_ms", decision.latency_ms)  # the journal's chaos markers (the dashboard shows them)
        if decision.fault is not None:
            annotate(scope, "fault", decision.fault)
            send = faulty(decision.fault, send)
        if decision.error_status is not None:
            # Chaos: a documented error, in the documented envelope, as a flaky upstream would send it.
            problem = default_problem(bound.op.response_for(decision.error_status), decision.error_status)
            chaos_headers = {"X-Mock-Chaos": str(decision.error_status)}
            annotate(scope, "chaos", decision.error_status)
            response = self._envelope(
                scope, lambda: error_response(self.state, bound.api, bound, scope, problem, chaos_headers)
            )
        if response is None:
            try:
                response = await within_budget(
                    config.request_budget,
                    config.max_answer,
                    scope,
                    receive,
                    lambda timed: self._answer(scope, timed, bound, prefs),
                )
            except Exception as exc:
                response = self._failure(exc, scope, bound)
        await response(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, bound: BoundOperation, prefs: Any) -> Response:
        checked = await check_request(bound, scope, receive, self.state.config.max_body)
        if checked.errors:
            problem = invalid_request_problem(bound.api, bound, checked.errors)
            if checked.status:
                problem = Problem(
                    status=checked.status,
                    message=checked.errors[0].message,
                    code=status_phrase(checked.status)[0],
                    errors=tuple(checked.errors),
                )
            return error_response(self.state, bound.api, bound, scope, problem)
        return respond(self.state, bound, scope, prefs)

    def _before(self, scope: Scope, bound: BoundOperation) -> Response | None:
        """Preferences and credentials, checked before the parameters (401 before 400, as real APIs answer)."""
        headers = Headers(scope=scope)
        try:
            prefs = parse_prefer(headers.get("prefer"))
        except PreferError as exc:
            return mock_error(400, "Invalid Prefer header", str(exc))
        query = QueryParams(query_items(scope))
        cookies = cookie_parser(headers.get("cookie", ""))
        lowered = {k.lower(): v for k, v in headers.items()}
        reason = credential_problem(bound.op, lowered, query, cookies, self.state.config.tokens)
        if reason is not None:
            problem = Problem(status=401, message=reason, code=status_phrase(401)[0])
            return self._envelope(scope, lambda: error_response(self.state, bound.api, bound, scope, problem))
        scope["extensions"][EXTENSION] = prefs
        return None

    def _failure(self, exc: Exception, scope: Scope, bound: BoundOperation) -> Response:
        if isinstance(exc, STORE_FAILURES):
            raise exc  # not this operation's failure: the store's, answered 503 by StoreOutage (outage.py)
        api = bound.api
        if isinstance(exc, BodyTooLarge):
            problem = Problem(status=413, message=str(exc), code=status_phrase(413)[0])
            return error_response(self.state, api, bound, scope, problem)
        if isinstance(exc, (UnicodeDecodeError, ValueError)):
            status = api.error_status(bound.op)
            where = FieldError(("body",), f"Request body could not be read: {plain(exc)}", "value_error")
            problem = Problem(status=status, message=where.message, code=status_phrase(status)[0], errors=(where,))
            return error_response(self.state, api, bound, scope, problem)
        logger.exception("mock failed on %s %s", printable(clip(scope["method"])), printable(clip(scope["path"])))
        problem = Problem(status=500, message=f"The mock failed: {type(exc).__name__}: {plain(exc)}", code="mock_error")
        return error_response(self.state, api, bound, scope, problem, {"X-Mock-Error": "true"})


UI_PATH = "/ui"
MAX_URL = 32 * 1024  # bytes of path and query string; longer is 414 (nginx stops at 8 KiB, browsers near 64 KiB)
MAX_HEADERS = 64 * 1024  # bytes of all header names and values; more is 431


def _too_large(scope: Scope) -> tuple[int, str] | None:
    url = len(scope.get("raw_path") or scope["path"]) + len(scope.get("query_string", b""))
    if url > MAX_URL:
        return 414, f"The URL is {url} bytes long; this server takes at most {MAX_URL}"
    headers = sum(len(name) + len(value) for name, value in scope.get("headers", []))
    if headers > MAX_HEADERS:
        return 431, f"The request headers are {headers} bytes; this server takes at most {MAX_HEADERS}"
    return None


def _raw_relative(scope: Scope, mount: str, relative: str) -> str:
    """The path below the mount as sent (percent-encoding intact), so `%2F` inside a parameter stays in it."""
    raw = scope.get("raw_path")
    if isinstance(raw, bytes):
        text = raw.decode("latin-1").split("?", 1)[0]
        if text.startswith(mount):
            return text[len(mount) :]
    return quote(relative, safe="/:@!$&'()*+,;=-._~")
