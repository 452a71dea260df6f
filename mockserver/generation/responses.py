"""Everything one API needs to answer: a compiled generator per operation and documented status.

Pure: knows specs and generators, never HTTP. The serving layer asks `OperationMock.render`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from mockserver.errors import GenerationError, SpecErrorKind, SpecLoadError
from mockserver.generation.compiler import Compiler, Gen
from mockserver.generation.context import GenContext, Problem
from mockserver.generation.shaping import Shaper
from mockserver.generation.values import Pools, status_phrase
from mockserver.spec.fixtures import Fixture, load_fixtures
from mockserver.spec.model import ApiSpec, Operation, ResponseSpec
from mockserver.spec.rules import RequestValues

_DESCRIPTION_RE = re.compile(r"^[\w\s]+ - (.+)$")
_BOILERPLATE = {"error", "success", "ok", "successful response", "default response", ""}


@dataclass(frozen=True)
class Rendered:
    status: int
    body: Any  # JSON-able; None with `media_type` None means no body
    media_type: str | None
    headers: dict[str, str]


def default_problem(response: ResponseSpec | None, status: int) -> Problem:
    """The problem an error status reports when nothing more specific went wrong."""
    code, _, message = status_phrase(status)
    description = (response.description if response else "").strip()
    if description.lower() not in _BOILERPLATE:
        match = _DESCRIPTION_RE.match(description)
        message = (match.group(1) if match else description).rstrip(".")
    return Problem(status=status, message=message, code=code)


def generic_error(problem: Problem) -> dict[str, Any]:
    """The body for an error the API documents no envelope for."""
    return {"error": {"code": problem.code or status_phrase(problem.status)[0], "message": problem.message}}


class OperationMock:
    """One operation: its generators by status key, its shaper, its named examples."""

    def __init__(
        self, api: ApiSpec, op: Operation, compiler: Compiler, fixtures: dict[str, Fixture] | None = None
    ) -> None:
        self.api = api
        self.op = op
        self._bodies: dict[str, Gen | None] = {}
        for key, response in op.responses.items():
            where = f"{api.path}#/paths/{op.path}/{op.method}/responses/{key}"
            try:
                self._bodies[key] = (
                    compiler.compile(response.schema, in_error=not key.startswith("2"), where=where)
                    if response.schema is not None and response.is_json
                    else None
                )
            except GenerationError as exc:
                raise SpecLoadError(api.path, SpecErrorKind.INVALID, str(exc)) from exc
        success = op.response_for(op.success_status)
        self.shaper = Shaper(
            op, success.schema if success else None, compiler.compile, openapi_31=api.is_31, where=str(api.path)
        )
        self.examples: dict[str, tuple[int, Any]] = {name: (f.status, f.body) for name, f in (fixtures or {}).items()}
        for key, response in op.responses.items():
            for name, value in response.examples.items():
                status = int(key) if key.isdigit() else (int(key[0]) * 100 if key[0].isdigit() else 500)
                self.examples.setdefault(name, (status, value))

    def documents(self, status: int) -> bool:
        return self.op.response_for(status) is not None

    def error_envelope(self, status: int) -> ResponseSpec | None:
        """The response to send an error in: the one documented for `status`, else the API's usual envelope."""
        found = self.op.response_for(status)
        if found is not None:
            return found
        # Shapes of plain HTTP errors first: a validation list (FastAPI's 422) would need invented locations.
        for key in ("default", "404", "401", "403", "400", "500", "422", *sorted(self.op.responses)):
            response = self.op.responses.get(key)
            if response is not None and not key.startswith(("1", "2", "3")):
                return response
        return None

    def render(
        self,
        status: int,
        ctx: GenContext,
        request: RequestValues,
        *,
        dynamic: bool = True,
        envelope: ResponseSpec | None = None,
    ) -> Rendered:
        """A response for `status`; a 2xx is shaped by the request, an error reports `ctx.problem`."""
        response = envelope or self.op.response_for(status)
        if response is None:
            return Rendered(status, generic_error(ctx.problem or default_problem(None, status)), "application/json", {})
        key = response.status
        ctx.status = status
        if status >= 400 and ctx.problem is None:
            ctx.problem = default_problem(response, status)
        if not dynamic and response.examples:
            body = copy.deepcopy(next(iter(response.examples.values())))
            return Rendered(status, body, response.media_type, {})
        gen = self._bodies.get(key)
        if gen is None:
            return Rendered(
                status,
                None,
                response.media_type
                if response.schema is None and response.media_type and not response.is_json
                else None,
                {},
            )
        body = gen(ctx, 0)
        if 200 <= status < 300:
            body = self.shaper.shape(body, request, ctx)
        return Rendered(status, body, response.media_type or "application/json", {})

    def example(self, name: str) -> Rendered | None:
        found = self.examples.get(name)
        if found is None:
            return None
        status, value = found
        response = self.op.response_for(status)
        return Rendered(status, copy.deepcopy(value), response.media_type if response else "application/json", {})


class ApiMock:
    """Every operation of one API, compiled."""

    def __init__(self, api: ApiSpec, pools: Pools) -> None:
        self.api = api
        compiler = Compiler(pools, openapi_31=api.is_31)
        fixtures = load_fixtures(api)
        self.operations = {
            op.operation_id: OperationMock(api, op, compiler, fixtures.get(op.operation_id)) for op in api.operations
        }

    def error_status(self, op: Operation) -> int:
        """The status this API documents for an invalid request: 400, else 422, else 400 anyway."""
        for status in (400, 422):
            if str(status) in op.responses:
                return status
        return 422 if "422" in op.responses else 400
