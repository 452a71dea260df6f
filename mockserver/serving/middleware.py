"""The mock's own layer inside Connexion's stack, right after routing.

It answers what Connexion would answer in its own problem+json (unknown paths, wrong methods,
missing credentials, invalid parameters) in the imitated API's documented envelope instead, and
serves the index at `/`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from connexion.exceptions import ProblemException
from starlette.datastructures import Headers, QueryParams
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.generation.context import FieldError, Problem
from mockserver.generation.responses import ApiMock, default_problem
from mockserver.generation.values import status_phrase
from mockserver.serving.auth import credential_problem
from mockserver.serving.chaos import Chaos, Decision, faulty, pause
from mockserver.serving.journal import ENTRY
from mockserver.serving.prefer import NONE, PreferError, parse_prefer
from mockserver.serving.state import BoundOperation, MockState, bound_operation, mock_error, query_items, to_response
from mockserver.serving.validation import InvalidRequest
from mockserver.spec.bridge import to_connexion_document
from mockserver.spec.rules import RequestValues

logger = logging.getLogger("mockserver")
EXTENSION = "mockserver"
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


def error_response(
    state: MockState,
    api: ApiMock | None,
    bound: BoundOperation | None,
    scope: Scope,
    problem: Problem,
    headers: dict[str, str] | None = None,
) -> Response:
    """`problem` in the envelope the API documents for it (or, lacking one, its usual error envelope)."""
    entry = scope.get("extensions", {}).get(ENTRY)
    if entry is not None:
        entry["problem"] = problem.message
    mock = bound.mock if bound else (next(iter(api.operations.values()), None) if api else None)
    extra = dict(headers or {})
    if problem.status == 401:
        extra.setdefault("WWW-Authenticate", "Bearer")
    if mock is None:
        body = {"error": {"code": problem.code, "message": problem.message}}
        return Response(
            json.dumps(body).encode(), status_code=problem.status, media_type="application/json", headers=extra
        )
    ctx = state.context(scope, None, status=problem.status, problem=problem)
    request = bound.request_values(scope) if bound else RequestValues()
    rendered = mock.render(problem.status, ctx, request, envelope=mock.error_envelope(problem.status))
    return to_response(rendered, extra)


def invalid_request_problem(
    api: ApiMock, bound: BoundOperation, errors: list[FieldError], details: dict[str, Any] | None = None
) -> Problem:
    status = api.error_status(bound.op)
    message = (
        errors[0].message
        if len(errors) == 1
        else f"{len(errors)} invalid parameters: " + "; ".join(e.message for e in errors)
    )
    if details is None:
        # The offending values, as client-analytics documents (`details: {start_date: …}`).
        details = {str(e.location[-1]): e.input for e in errors if e.input is not None}
    return Problem(status=status, message=message, code=status_phrase(status)[0], details=details, errors=tuple(errors))


class _Watched:
    """A `send` that remembers whether the response has started (after that, errors cannot be answered)."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)


class FrontMiddleware:
    """Before Connexion: the index, each API's openapi.json, and the router's own 404/405 answered in
    the API's envelope."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app = app
        self.state = state
        self._documents: dict[str, bytes] = {}  # mount path → openapi.json, made when first asked for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] in ("", "/") and scope["method"] in ("GET", "HEAD"):
            await Response(json.dumps(index(self.state), indent=2).encode(), media_type="application/json")(
                scope, receive, send
            )
            return
        if scope["path"].endswith(SPEC_PATH) and scope["method"] in ("GET", "HEAD"):
            api = self.state.by_mount.get(scope["path"][: -len(SPEC_PATH)])
            if api is not None:
                await Response(self._document(api), media_type="application/json")(scope, receive, send)
                return
        watched = _Watched(send)
        try:
            await self.app(scope, receive, watched)
        except HTTPException as exc:
            if watched.started or exc.status_code not in (404, 405):
                raise
            await self._unrouted(scope, receive, send)

    def _document(self, api: ApiMock) -> bytes:
        """The whole API, as the 3.0 document Swagger UI 4 renders, with the mock as its server.

        Connexion itself only gets the request side of the spec (`bridge.request_contract`)."""
        mount = api.api.mount_path
        if mount not in self._documents:
            document = to_connexion_document(api.api.document)
            document["servers"] = [{"url": mount}]
            self._documents[mount] = json.dumps(document, ensure_ascii=False).encode("utf-8")
        return self._documents[mount]

    async def _unrouted(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        api, operations = self.state.methods_for_path(path)
        if api is None:
            mounted = ", ".join(a.api.mount_path for a in self.state.apis)
            await mock_error(404, "Not Found", f"No API is mounted at {path}; mounted: {mounted}. See GET /.")(
                scope, receive, send
            )
            return
        allowed = sorted({op.method.upper() for op in operations})
        # A method the path allows reaching here means the router did not match the path (e.g. a newline in it).
        if operations and scope["method"] not in allowed:
            if scope["method"] == "OPTIONS":
                await Response(status_code=204, headers={"Allow": ", ".join(allowed)})(scope, receive, send)
                return
            problem = Problem(
                status=405,
                message=f"Method {scope['method']} not allowed; allowed: {', '.join(allowed)}",
                code=status_phrase(405)[0],
            )
            bound = self.state.operations.get((api.api.mount_path, operations[0].operation_id))
            await error_response(self.state, api, bound, scope, problem, {"Allow": ", ".join(allowed)})(
                scope, receive, send
            )
            return
        problem = Problem(status=404, message=f"No route matches {path}", code=status_phrase(404)[0])
        await error_response(self.state, api, None, scope, problem)(scope, receive, send)


class OperationMiddleware:
    """After routing: preferences, credentials, and any failure of one operation, in its envelope."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app = app
        self.state = state
        self.chaos = Chaos(state.config)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        bound = bound_operation(self.state, scope)
        if bound is None:
            await self.app(scope, receive, send)
            return
        response = self._before(scope, bound)
        prefs = scope["extensions"].get(EXTENSION, NONE)
        decision = self.chaos.decide(scope, bound.op, prefs) if response is None else Decision()
        await pause(decision)
        if decision.fault is not None:
            send = faulty(decision.fault, send)
        if decision.error_status is not None:
            # Chaos: a documented error, in the documented envelope, as a flaky upstream would send it.
            problem = default_problem(bound.op.response_for(decision.error_status), decision.error_status)
            response = error_response(
                self.state, bound.api, bound, scope, problem, {"X-Mock-Chaos": str(decision.error_status)}
            )
        if response is not None:
            await response(scope, receive, send)
            return
        await self._call(scope, receive, send, bound)

    def _before(self, scope: Scope, bound: BoundOperation) -> Response | None:
        """Preferences and credentials, checked before Connexion validates the parameters."""
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
            return error_response(self.state, bound.api, bound, scope, problem)
        scope["extensions"][EXTENSION] = prefs
        return None

    async def _call(self, scope: Scope, receive: Receive, send: Send, bound: BoundOperation) -> None:
        watched = _Watched(send)
        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if watched.started:
                raise
            await self._failure(exc, scope, bound)(scope, receive, send)

    def _failure(self, exc: Exception, scope: Scope, bound: BoundOperation) -> Response:
        api = bound.api
        if isinstance(exc, InvalidRequest):
            return error_response(self.state, api, bound, scope, invalid_request_problem(api, bound, exc.errors))
        if isinstance(exc, ProblemException):
            status = api.error_status(bound.op) if exc.status == 400 else exc.status
            message = str(exc.detail or exc.title or status_phrase(status)[2])
            return error_response(
                self.state, api, bound, scope, Problem(status=status, message=message, code=status_phrase(status)[0])
            )
        if isinstance(exc, MultiPartException) or (isinstance(exc, HTTPException) and 400 <= exc.status_code < 500):
            # Starlette's own refusals (e.g. a multipart Content-Type without a boundary).
            code, detail = (400, exc.message) if isinstance(exc, MultiPartException) else (exc.status_code, exc.detail)
            status = api.error_status(bound.op) if code == 400 else code
            where = FieldError(("header", "content-type"), str(detail), "value_error")
            problem = Problem(status=status, message=str(detail), code=status_phrase(status)[0], errors=(where,))
            return error_response(self.state, api, bound, scope, problem)
        if isinstance(exc, (UnicodeDecodeError, ValueError)):
            status = api.error_status(bound.op)
            problem = Problem(
                status=status, message=f"Request body could not be read: {exc}", code=status_phrase(status)[0]
            )
            return error_response(self.state, api, bound, scope, problem)
        logger.exception("mock failed on %s %s", scope["method"], scope["path"])
        problem = Problem(status=500, message=f"The mock failed: {type(exc).__name__}: {exc}", code="mock_error")
        return error_response(self.state, api, bound, scope, problem, {"X-Mock-Error": "true"})
