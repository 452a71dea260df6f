"""Every request's time and size budgets: past them the mock answers its own 503 (time) or 501 (an answer
too large to make) and goes on serving the others.

The checks and the answer run on the event loop's thread, so while one request works no other is served;
the budget bounds that. It is cooperative (`mockserver.deadline`): generators check it between items and the
pattern fallback never runs past it. Time spent waiting for the client's body is not counted.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from starlette.responses import Response
from starlette.types import Message, Receive, Scope

from mockserver import deadline
from mockserver.serving.answers import mock_error
from mockserver.serving.journal import note_problem

logger = logging.getLogger("mockserver")
# The stable `type` of the mock's answer to a request over its budget (RFC 9457): clients and tests can tell
# it from anything the imitated API documents.
R = TypeVar("R", Response, Response | None)
BUDGET_EXCEEDED = "urn:mockserver:problem:request-budget-exceeded"
ANSWER_TOO_LARGE = "urn:mockserver:problem:answer-too-large"


async def within_budget(
    budget: float,
    max_answer: int,
    scope: Scope,
    receive: Receive,
    answer: Callable[[Receive], Awaitable[Response]],
) -> Response:
    """`answer(receive)` under a deadline `budget` seconds away and a size budget of `max_answer` (about bytes;
    0: no limit of that kind); past them, the mock's own 503 or 501."""
    with deadline.within(budget, max_answer) as current:
        try:
            return await answer(_off_the_clock(receive, current))
        except deadline.BudgetExceeded as exc:
            return refusal(exc, budget, scope)


def bounded(budget: float, max_answer: int, scope: Scope, make: Callable[[], R]) -> R | Response:
    """`make()` (an error envelope: a 401, a 404, chaos) under the same budgets as an answer."""
    with deadline.within(budget, max_answer):
        try:
            return make()
        except deadline.BudgetExceeded as exc:
            return refusal(exc, budget, scope)


def refusal(exc: deadline.BudgetExceeded, budget: float, scope: Scope) -> Response:
    """The mock's own answer to a request past one of its budgets: 501 for size, 503 for time."""
    if isinstance(exc, deadline.AnswerTooLarge):
        return too_large(exc.units, scope)
    return over_budget(budget, scope)


def too_large(units: int, scope: Scope) -> Response:
    """501 problem+json, the mock's own: the spec asks for an answer larger than the mock makes."""
    where = _where(scope)
    detail = (
        f"The answer to {where} would take more than about {units:,} bytes to make (the spec's schemas ask for that "
        "many items or characters), so the mock did not make it: this is the mock's own answer, not the API's. "
        "`mockserver serve --max-answer-size N` raises the limit."
    )
    logger.warning("%r: the answer would take more than about %s bytes to make; answered 501", where, f"{units:,}")
    note_problem(scope, detail)
    return mock_error(501, "Answer too large to mock", detail, type=ANSWER_TOO_LARGE, max_answer_size=units)


def over_budget(budget: float, scope: Scope) -> Response:
    """503 problem+json, marked as the mock's own (`type`, `X-Mock-Error`), with a Retry-After."""
    where = _where(scope)
    detail = (
        f"The mock spent more than its budget of {budget:g} s on {where} (checking the request and making the "
        "answer) and stopped: this is the mock's own answer, not the API's. The spec's schemas ask for a lot of "
        "work; `mockserver serve --request-budget SECONDS` gives each request more time."
    )
    logger.warning("%r took more than the request budget of %g s; answered 503", where, budget)
    note_problem(scope, detail)
    response = mock_error(503, "Request budget exceeded", detail, type=BUDGET_EXCEEDED, budget_seconds=budget)
    response.headers["Retry-After"] = str(max(1, math.ceil(budget)))
    return response


def _where(scope: Scope) -> str:
    return f"{scope.get('method', 'GET')} {scope.get('path', '')}"


def _off_the_clock(receive: Receive, current: deadline.Deadline | None) -> Receive:
    if current is None:
        return receive

    async def timed() -> Message:
        start = time.monotonic()
        try:
            return await receive()
        finally:  # a slow upload is the client's time, not work the mock does
            current.extend(time.monotonic() - start)

    return timed
