"""The one responder behind every operation: picks the status, then renders and shapes the body.

Connexion's handler layer (calling a Python function with typed keyword arguments, then serialising
what it returns) exists for hand-written handlers; the mock reads the request from the scope, so that
layer would only cost time (about half of Connexion's per-request work in a cProfile of the
constant-body ceiling app, `bench/ceilings.py connexion`).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

from mockserver.generation.context import FieldError, Problem
from mockserver.generation.statuses import status_phrase
from mockserver.openapi.matching import query_names
from mockserver.serving.answer_headers import answer, origin
from mockserver.serving.answers import mock_error
from mockserver.serving.auth import challenge
from mockserver.serving.echo import clip
from mockserver.serving.envelopes import error_response
from mockserver.serving.prefer import Preferences
from mockserver.serving.resources import stateful_answer
from mockserver.serving.state import BoundOperation, MockState, query_items


def respond(state: MockState, bound: BoundOperation, scope: Scope, prefs: Preferences) -> Response:
    """The mock's answer to a request that passed authentication and parameter validation."""
    mock, op = bound.mock, bound.op
    request = bound.request_values(scope)
    ctx = state.context(scope, prefs.seed, edge=prefs.edge)
    broken = mock.shaper.check_request(op, request, ctx.today)
    if broken is not None:
        message, details = broken
        status = bound.api.error_status(op)
        errors = tuple(FieldError(("query", name), message, "value_error") for name in details)
        problem = Problem(
            status=status, message=message, code=status_phrase(status)[0], details=details, errors=errors[:1]
        )
        return error_response(state, bound.api, bound, scope, problem)
    here = origin(scope)
    if prefs.example is not None:
        rendered = mock.example(prefs.example, ctx, request, here)
        if rendered is None:
            known = ", ".join(sorted(mock.examples)) or "none"
            return mock_error(
                404,
                "Unknown example",
                f"{op.operation_id} has no example {clip(prefs.example)!r}; examples: {known}",
                examples=sorted(mock.examples),
            )
        return answer(state, op, scope, rendered)
    # x-mock.match: an example or fixture the request selects (`Prefer: example=`, above, and `code=` win).
    if prefs.code is None and op.x_mock.match:
        rendered = mock.matched(request, query_names(query_items(scope)), ctx, here)
        if rendered is not None:
            return answer(state, op, scope, rendered)
    # State from the spec (serving/resources.py): a resource's operations answer from stored entities,
    # unless the client asked for a status (`Prefer: code=`) or the spec's examples (`dynamic=false`).
    if prefs.code is None and prefs.dynamic:
        stored = stateful_answer(state, bound, scope, request, ctx)
        if stored is not None:
            return stored
    status = prefs.code if prefs.code is not None else op.success_status
    if prefs.code is not None and not mock.documents(prefs.code):
        return mock_error(
            400,
            "Undocumented status",
            f"{op.operation_id} documents no response for {prefs.code}; "
            f"documented: {', '.join(op.documented_statuses)}",
            documented=op.documented_statuses,
        )
    if status < 200:
        return mock_error(
            501,
            "Not mockable",
            f"{op.operation_id} answers {status}: a mock cannot switch protocols or send interim responses",
        )
    accept = Headers(scope=scope).get("accept")
    rendered = mock.render(status, ctx, request, dynamic=prefs.dynamic, accept=accept, origin=here)
    extra = {"WWW-Authenticate": challenge(op)} if rendered.status == 401 else None
    return answer(state, op, scope, rendered, extra)
