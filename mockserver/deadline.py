"""A per-request time budget that pure code checks cooperatively.

The server opens one around each request's checks and answer (`within`); generators call `check()` in
their loops, and the pattern fallback sizes its time-out with `remaining()`. Cooperative, because the
work runs on the event loop's thread: a thread cannot be stopped from outside, and a deadline checked
between items costs a clock read. Outside a request there is no deadline and nothing ever expires.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["BudgetExceeded", "Deadline", "check", "remaining", "within"]


class BudgetExceeded(BaseException):
    """The request's time budget ran out.

    A BaseException, as KeyboardInterrupt is: the generators' and validators' `except Exception` (a
    schema the validator cannot use, an envelope that cannot be rendered) must not swallow it and go on."""

    def __init__(self, budget: float) -> None:
        super().__init__(f"the request took more than its budget of {budget:g} s")
        self.budget = budget


class Deadline:
    """When a request's budget runs out; `extend` keeps time spent waiting on the client off the clock."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.end = time.monotonic() + budget

    def extend(self, seconds: float) -> None:
        self.end += seconds


_current: ContextVar[Deadline | None] = ContextVar("mockserver.deadline", default=None)


@contextmanager
def within(budget: float | None) -> Iterator[Deadline | None]:
    """Run the block under a deadline `budget` seconds from now (None or 0: no deadline).

    Nested inside another deadline, the earlier of the two holds."""
    outer = _current.get()
    if not budget or budget <= 0:
        yield outer
        return
    deadline = Deadline(budget)
    if outer is not None and outer.end < deadline.end:
        deadline = outer
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)


def check() -> None:
    """Raise BudgetExceeded when the current request is past its deadline."""
    deadline = _current.get()
    if deadline is not None and time.monotonic() > deadline.end:
        raise BudgetExceeded(deadline.budget)


def remaining() -> float | None:
    """Seconds left in the current request's budget (None: no deadline); raises once none are left."""
    deadline = _current.get()
    if deadline is None:
        return None
    left = deadline.end - time.monotonic()
    if left <= 0:
        raise BudgetExceeded(deadline.budget)
    return left
