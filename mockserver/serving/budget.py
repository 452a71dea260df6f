"""Every request's time budget: past it the mock answers its own 503 and goes on serving the others.

The checks and the answer run on the event loop's thread, so while one request works no other is served;
the budget bounds that. It is cooperative (`mockserver.deadline`): generators check it between items and the
pattern fallback never runs past it. Time spent waiting for the client's body is not counted.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable

from starlette.responses import Response
from starlette.types import Message, Receive, Scope

from mockserver import deadline
from mockserver.serving.journal import ENTRY
from mockserver.serving.state import mock_error

logger = logging.getLogger("mockserver")
# The stable `type` of the mock's answer to a request over its budget (RFC 9457): clients and tests can tell
# it from anything the imitated API documents.
BUDGET_EXCEEDED = "urn:mockserver:problem:request-budget-exceeded"


async def within_budget(
    budget: float, scope: Scope, receive: Receive, answer: Callable[[Receive], Awaitable[Response]]
) -> Response:
    """`answer(receive)` under a deadline `budget` seconds away (0: none); past it, the mock's 503."""
    with deadline.within(budget) as current:
        try:
            return await answer(_off_the_clock(receive, current))
        except deadline.BudgetExceeded:
            return over_budget(budget, scope)


def over_budget(budget: float, scope: Scope) -> Response:
    """503 problem+json, marked as the mock's own (`type`, `X-Mock-Error`), with a Retry-After."""
    where = f"{scope.get('method', 'GET')} {scope.get('path', '')}"
    detail = (
        f"The mock spent more than its budget of {budget:g} s on {where} (checking the request and making the "
        "answer) and stopped: this is the mock's own answer, not the API's. The spec's schemas ask for a lot of "
        "work; `mockserver serve --request-budget SECONDS` gives each request more time."
    )
    logger.warning("%r took more than the request budget of %g s; answered 503", where, budget)
    entry = scope.get("extensions", {}).get(ENTRY)
    if entry is not None:
        entry["problem"] = detail
    response = mock_error(503, "Request budget exceeded", detail, type=BUDGET_EXCEEDED, budget_seconds=budget)
    response.headers["Retry-After"] = str(max(1, math.ceil(budget)))
    return response


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
