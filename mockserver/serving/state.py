"""What the running server knows: its compiled APIs, seed and accepted tokens, and how to answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from starlette.datastructures import Headers, QueryParams
from starlette.responses import Response
from starlette.types import Scope

from mockserver.generation.context import GenContext, Problem, make_context
from mockserver.generation.media import kind as media_kind
from mockserver.generation.responses import ApiMock, OperationMock, Rendered
from mockserver.serving.echo import MESSAGE_LIMIT, clip
from mockserver.spec.model import Operation
from mockserver.spec.params import request_values
from mockserver.spec.requests import RequestCheck
from mockserver.spec.routes import RouteTable
from mockserver.spec.rules import RequestValues


@dataclass(frozen=True)
class ServerConfig:
    seed: int = 0
    tokens: frozenset[str] = frozenset()
    today: Callable[[], date] = field(default=lambda: datetime.now(UTC).date())
    chaos: float = 0.0  # probability that an operation answers one of its documented error statuses
    latency: tuple[int, int] = (0, 0)  # milliseconds added to every answer, drawn per request
    faults: tuple[str, ...] = ()  # transport faults to inject (drop, truncate, trickle) ...
    fault_rate: float = 0.0  # ... with this probability per request
    edge: float = 0.0  # probability per generated value of a schema-valid edge case (see GenContext.edge)
    cors: bool = True  # browser clients may call the mock from any origin
    admin_cors: bool = False  # ... and its /__mock/ endpoints too (else those answer same-origin requests only)
    # /__mock/ refuses a Host that is a DNS name other than localhost: a page that rebinds its own name to
    # 127.0.0.1 is "same-origin" with the mock. `serve` turns it on; in-process test clients use `testserver`.
    admin_host_guard: bool = False
    access_log: bool = True  # one line per request on the `mockserver.access` logger
    journal_size: int = 500  # requests kept for GET /__mock/requests
    max_body: int = 10 * 1024 * 1024  # bytes of request body read at most; larger bodies get 413
    max_answer: int = 32 * 1024 * 1024  # about the memory (bytes) one answer may take to make; past it, a 501
    request_budget: float = 5.0  # seconds a request's checks and answer may take; past it, the mock's own 503


_QUERY = "mockserver.query"
VALUES = "mockserver.values"  # scope extension: the request's validated, typed values


def query_items(scope: Scope) -> list[tuple[str, str]]:
    """The request's query parameters, parsed once per request (several layers read them)."""
    extensions = scope.setdefault("extensions", {})
    if _QUERY not in extensions:
        extensions[_QUERY] = QueryParams(scope.get("query_string", b"").decode("latin-1")).multi_items()
    items: list[tuple[str, str]] = extensions[_QUERY]
    return items


class BoundOperation:
    """An operation as served: where it is mounted, its mock, and how to read its request."""

    def __init__(self, api: ApiMock, mock: OperationMock) -> None:
        self.api = api
        self.mock = mock
        self.op: Operation = mock.op
        self._check: RequestCheck | None = None

    @property
    def check(self) -> RequestCheck:
        """The operation's request checks, compiled the first time a request needs them."""
        if self._check is None:
            self._check = RequestCheck(self.op, openapi_31=self.api.api.is_31)
        return self._check

    def request_values(self, scope: Scope) -> RequestValues:
        known = scope.get("extensions", {}).get(VALUES)
        if isinstance(known, RequestValues):
            return known
        return request_values(self.op, query_items(scope), scope.get("path_params", {}), Headers(scope=scope).items())


class MockState:
    """Every served API, by mount path, and the operation look-up the middleware uses."""

    def __init__(self, apis: list[ApiMock], config: ServerConfig) -> None:
        self.apis = apis
        self.config = config
        self.by_mount = {a.api.mount_path: a for a in apis}
        self.operations: dict[tuple[str, str], BoundOperation] = {
            (a.api.mount_path, op_id): BoundOperation(a, mock) for a in apis for op_id, mock in a.operations.items()
        }
        self.routes: dict[str, RouteTable[BoundOperation]] = {}
        for a in apis:
            table: RouteTable[BoundOperation] = RouteTable()
            for op_id, mock in a.operations.items():
                if mock.op.routable:
                    table.add(mock.op.path, mock.op.method, self.operations[(a.api.mount_path, op_id)])
            self.routes[a.api.mount_path] = table
        # Longest mount first: /api/v2 is tried before /api.
        self._mounts = sorted(self.by_mount, key=len, reverse=True)

    def api_for_path(self, path: str) -> ApiMock | None:
        """The API whose mount path `path` is under, if any."""
        for mount in self._mounts:
            if path == mount or path.startswith(mount.rstrip("/") + "/"):
                return self.by_mount[mount]
        return None

    def context(
        self,
        scope: Scope,
        seed_override: int | None,
        *,
        status: int = 200,
        problem: Problem | None = None,
        edge: float | None = None,
    ) -> GenContext:
        seed = self.config.seed if seed_override is None else seed_override
        query = sorted(query_items(scope))
        return make_context(
            seed,
            scope.get("method", "GET"),
            scope.get("path", ""),
            query,
            today=self.config.today(),
            status=status,
            problem=problem,
            edge=self.config.edge if edge is None else edge,
        )


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
