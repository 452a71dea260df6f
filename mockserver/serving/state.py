"""What the running server knows: its compiled APIs, their routes, and each request's parsed query."""

from __future__ import annotations

from starlette.datastructures import Headers, QueryParams
from starlette.types import Scope

from mockserver.generation.context import GenContext, Problem, make_context
from mockserver.generation.responses import ApiMock, OperationMock
from mockserver.openapi.model import Operation
from mockserver.openapi.params import request_values
from mockserver.openapi.requests import RequestCheck
from mockserver.openapi.routes import RouteTable
from mockserver.openapi.rules import RequestValues
from mockserver.serving.config import ServerConfig
from mockserver.serving.repositories import StateStore
from mockserver.serving.store import Store

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
    """Every served API, by mount path, the operation look-up the middleware uses, and the shared store."""

    def __init__(self, apis: list[ApiMock], config: ServerConfig, store: StateStore | None = None) -> None:
        self.apis = apis
        self.config = config
        self.store: StateStore = store or Store()
        self.by_mount = {a.api.mount_path: a for a in apis}
        self.routes: dict[str, RouteTable[BoundOperation]] = {}
        for a in apis:
            table: RouteTable[BoundOperation] = RouteTable()
            for mock in a.operations.values():
                if mock.op.routable:
                    table.add(mock.op.path, mock.op.method, BoundOperation(a, mock))
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
