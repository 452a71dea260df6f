"""Hypothesis strategies for the response bodies the mock would send: fuzz a client without HTTP.

Generation layer: built on the same compiled generators as the server, so a body drawn here is one
the mock could answer with (schema-valid, realistic, in the API's error envelope for error statuses).

    from mockserver.strategies import response_bodies

    @given(response_bodies("openrouter", "get-user-activity"))
    def test_parses(body): ...

Hypothesis draws (and shrinks, towards 0) a seed; the body is a function of that seed and of the day
(dates are recent, as the server's), so a failing example replays exactly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from mockserver.bundled import resolve_spec  # the one resolver of "a name or a path"; importable from here too
from mockserver.generation.context import make_context
from mockserver.generation.responses import ApiMock, OperationMock
from mockserver.generation.values import Pools
from mockserver.openapi.loader import load
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.rules import RequestValues

__all__ = ["api_mock", "resolve_spec", "response_bodies", "response_body"]

MAX_SEED = 2**32 - 1

_lock = threading.Lock()
_by_path: dict[Path, ApiMock] = {}  # specs named by file or bundled name
_by_spec: dict[int, tuple[ApiSpec, ApiMock]] = {}  # `ApiSpec` objects given (kept alive, so ids stay theirs)


def api_mock(spec: str | Path | ApiSpec) -> ApiMock:
    """The compiled mock of one API, compiled once per spec file (and once per `ApiSpec` object given)."""
    with _lock:
        if isinstance(spec, ApiSpec):
            cached = _by_spec.get(id(spec))
            if cached is None:
                cached = _by_spec[id(spec)] = (spec, ApiMock(spec, Pools(0)))
            return cached[1]
        key = resolve_spec(spec).resolve()
        mock = _by_path.get(key)
        if mock is None:
            # Pools(0), as the server does whatever its seed: seeds choose from one fixed vocabulary.
            mock = _by_path[key] = ApiMock(load(key), Pools(0))  # SpecLoadError names the file and the problem
        return mock


def _operation(mock: ApiMock, operation_id: str, status: int | None) -> tuple[OperationMock, int]:
    found = mock.operations.get(operation_id)
    if found is None:
        known = ", ".join(sorted(mock.operations)) or "(none)"
        raise ValueError(f"{mock.api.name} has no operation {operation_id!r}; known operations: {known}")
    code = found.op.success_status if status is None else status
    if not found.documents(code):
        documented = ", ".join(found.op.documented_statuses)
        raise ValueError(f"{mock.api.name} {operation_id} documents no response for {code}; documented: {documented}")
    return found, code


def _renderer(
    spec: str | Path | ApiSpec, operation_id: str, status: int | None, edge: float = 0.0
) -> Callable[[int], Any]:
    mock = api_mock(spec)
    operation, code = _operation(mock, operation_id, status)

    def render(seed: int) -> Any:
        ctx = make_context(seed, "strategy", mock.api.name, operation_id, code, edge=edge)
        return operation.render(code, ctx, RequestValues()).body

    render(0)  # fills the value pools these fields use, so that no draw pays for it (hypothesis' deadline)
    return render


def response_body(spec: str | Path | ApiSpec, operation_id: str, status: int | None = None, *, seed: int = 0) -> Any:
    """The one body `response_bodies` yields for `seed` (for fixtures, or to replay a reported seed)."""
    return _renderer(spec, operation_id, status)(seed)


def response_bodies(
    spec: str | Path | ApiSpec, operation_id: str, status: int | None = None, *, edge: float = 0.0
) -> SearchStrategy[Any]:
    """Bodies the mock could send for `operation_id` with `status` (default: its success status).

    `edge` (0..1) mixes in schema-valid edge cases: empty and full arrays, bounds, unicode, nulls.

    `spec` is a spec file, a loaded `ApiSpec` or a bundled API name. Error statuses give the API's
    error envelope. Unknown operations or undocumented statuses raise ValueError naming the known ones.
    """
    return st.integers(min_value=0, max_value=MAX_SEED).map(_renderer(spec, operation_id, status, edge))
