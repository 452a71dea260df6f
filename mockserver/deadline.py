"""A per-request time budget that pure code checks cooperatively.

The server opens one around each request's checks and answer (`within`); generators call `check()` in
their loops, and the pattern fallback sizes its time-out with `remaining()`. Cooperative, because the
work runs on the event loop's thread: a thread cannot be stopped from outside, and a deadline checked
between items costs a clock read. Outside a request there is no deadline and nothing ever expires.
"""

from __future__ import annotations

import math
import sys
import time
from contextvars import ContextVar, Token

__all__ = ["AnswerTooLarge", "BudgetExceeded", "Deadline", "charge", "check", "remaining", "within"]


class BudgetExceeded(BaseException):
    """The request's time budget ran out.

    A BaseException, as KeyboardInterrupt is: the generators' and validators' `except Exception` (a
    schema the validator cannot use, an envelope that cannot be rendered) must not swallow it and go on."""

    def __init__(self, budget: float) -> None:
        super().__init__(f"the request took more than its budget of {budget:g} s")
        self.budget = budget


class AnswerTooLarge(BudgetExceeded):
    """The answer being made would be larger than the request's size budget (`charge`)."""

    def __init__(self, units: int) -> None:
        BaseException.__init__(self, f"the answer would take more than about {units:,} bytes to make")
        self.budget = 0.0
        self.units = units


class Deadline:
    """When a request's budget runs out; `extend` keeps time spent waiting on the client off the clock.

    `max_units` bounds the size of what the request makes: generators `charge` about the bytes of memory each
    value takes (a string its length, a list item or an object what CPython gives it), so that memory stays
    bounded even where time would not stop it soon enough (a `minItems: 10000000` of small integers)."""

    def __init__(self, budget: float | None, max_units: int | None = None) -> None:
        self.budget = budget or 0.0
        self.end = time.monotonic() + budget if budget else math.inf
        self.max_units = max_units or sys.maxsize
        self.units = 0
        self.next_clock = 0  # `charge` reads the clock once this many units are counted

    def extend(self, seconds: float) -> None:
        self.end += seconds


_current: ContextVar[Deadline | None] = ContextVar("mockserver.deadline", default=None)


class within:  # lower case: used as a function, `with deadline.within(5.0):`
    """Run the block under a deadline `budget` seconds from now and a size budget of `max_units`
    (None or 0: no limit of that kind); the block gets the `Deadline` in force (or None).

    Nested inside another deadline, the one that ends first holds. A class, not a generator-based
    context manager: it runs around every request and every error envelope, and is cheaper this way."""

    __slots__ = ("_deadline", "_token")

    def __init__(self, budget: float | None, max_units: int | None = None) -> None:
        outer = _current.get()
        budget = budget if budget and budget > 0 else None
        max_units = max_units if max_units and max_units > 0 else None
        self._token: Token[Deadline | None] | None = None
        if budget is None and max_units is None:
            self._deadline = outer
            return
        deadline = Deadline(budget, max_units)
        self._deadline = outer if outer is not None and outer.end <= deadline.end else deadline

    def __enter__(self) -> Deadline | None:
        if self._deadline is not None and self._deadline is not _current.get():
            self._token = _current.set(self._deadline)
        return self._deadline

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _current.reset(self._token)
            self._token = None


def check() -> None:
    """Raise BudgetExceeded when the current request is past its deadline."""
    deadline = _current.get()
    if deadline is not None and time.monotonic() > deadline.end:
        raise BudgetExceeded(deadline.budget)


# Units counted between two reads of the clock in `charge`: a few dozen list items or objects, so that the
# clock costs little per value and a budget is still noticed within milliseconds of running out.
CLOCK_UNITS = 2048


def charge(units: int) -> None:
    """Count `units` (about bytes of memory) against the current request, and now and then `check()` its time."""
    deadline = _current.get()
    if deadline is None:
        return
    deadline.units += units
    if deadline.units > deadline.max_units:
        raise AnswerTooLarge(deadline.max_units)
    if deadline.units >= deadline.next_clock:
        deadline.next_clock = deadline.units + CLOCK_UNITS
        if time.monotonic() > deadline.end:
            raise BudgetExceeded(deadline.budget)


def remaining() -> float | None:
    """Seconds left in the current request's budget (None: no deadline); raises once none are left."""
    deadline = _current.get()
    if deadline is None:
        return None
    if deadline.end == math.inf:
        return None
    left = deadline.end - time.monotonic()
    if left <= 0:
        raise BudgetExceeded(deadline.budget)
    return left
