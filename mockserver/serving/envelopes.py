"""Errors in the imitated API's own envelope: the response it documents for the status, else its usual one."""

from __future__ import annotations

import logging
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

from mockserver.generation.context import FieldError, Problem
from mockserver.generation.responses import ApiMock, problem_details
from mockserver.generation.statuses import status_phrase
from mockserver.openapi.rules import RequestValues
from mockserver.serving.answers import json_bytes, to_response
from mockserver.serving.auth import challenge
from mockserver.serving.echo import clip_problem
from mockserver.serving.journal import note_problem
from mockserver.serving.state import BoundOperation, MockState

logger = logging.getLogger("mockserver")
EXTENSION = "mockserver"  # scope extension: the request's parsed `Prefer` header


def error_response(
    state: MockState,
    api: ApiMock | None,
    bound: BoundOperation | None,
    scope: Scope,
    problem: Problem,
    headers: dict[str, str] | None = None,
) -> Response:
    """`problem` in the envelope the API documents for it (or, lacking one, its usual error envelope)."""
    problem = clip_problem(problem)
    note_problem(scope, problem.message)
    mock = bound.mock if bound else (next(iter(api.operations.values()), None) if api else None)
    extra = dict(headers or {})
    if problem.status == 401:
        extra.setdefault("WWW-Authenticate", challenge(bound.op) if bound else "Bearer")
    if mock is None:  # an API without operations: no envelope of its own to use
        return _problem_response(problem, extra)
    # No edge cases here: the envelope carries the mock's own message, which generation must not replace.
    ctx = state.context(scope, None, status=problem.status, problem=problem, edge=0.0)
    accept = Headers(scope=scope).get("accept")
    try:
        request = bound.request_values(scope) if bound else RequestValues()
        rendered = mock.render(
            problem.status, ctx, request, envelope=mock.error_envelope(problem.status), accept=accept
        )
        return to_response(rendered, extra)
    except Exception:  # the envelope itself cannot be made: say what went wrong plainly, never a bare 500
        logger.exception("cannot render the %s envelope of %s", problem.status, mock.op.operation_id)
        return _problem_response(problem, {**extra, "X-Mock-Error": "true"})


def _problem_response(problem: Problem, headers: dict[str, str]) -> Response:
    body = json_bytes(problem_details(problem))
    return Response(body, status_code=problem.status, media_type="application/problem+json", headers=headers)


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
