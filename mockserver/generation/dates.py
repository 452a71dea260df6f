"""Recent dates and times, read from the clock a request pretends to read (`GenContext.today`, `now`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from mockserver.generation.context import GenContext

__all__ = ["pinned_now", "recent_date", "recent_datetime", "time_of_day"]

# Generation reads a clock pinned per day (see `make_context`): its date strings are made once per day,
# not once per value. Bounded: a long-running server sees a new day now and then, tests a few more.
_CLOCKS: dict[datetime, tuple[tuple[str, ...], int, str]] = {}
_DAYS: dict[date, tuple[str, ...]] = {}
_CACHED_DAYS = 64
_MINUTES = tuple(f"{m // 60:02d}:{m % 60:02d}:" for m in range(24 * 60))
_SECONDS = tuple(f"{s:02d}Z" for s in range(60))
_RECENT_DAYS = 30
_DATETIME_FIRST, _DATETIME_SPAN = 60, _RECENT_DAYS * 86400 - 60 + 1  # seconds back: a minute to 30 days


def _recent_days(today: date) -> tuple[str, ...]:
    """The ISO dates of the completed days of the last 30 before `today`, yesterday first."""
    days = _DAYS.get(today)
    if days is None:
        if len(_DAYS) >= _CACHED_DAYS:
            _DAYS.clear()
        days = _DAYS[today] = tuple((today - timedelta(days=n)).isoformat() for n in range(1, _RECENT_DAYS + 1))
    return days


def _clock(now: datetime) -> tuple[tuple[str, ...], int, str]:
    """For `now`: the dates of it and the 31 days before it ("…T"), its second of the day, and itself as text."""
    clock = _CLOCKS.get(now)
    if clock is None:
        if len(_CLOCKS) >= _CACHED_DAYS:
            _CLOCKS.clear()
        days = tuple((now - timedelta(days=n)).strftime("%Y-%m-%dT") for n in range(_RECENT_DAYS + 2))
        second = now.hour * 3600 + now.minute * 60 + now.second
        clock = _CLOCKS[now] = (days, second, now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return clock


def recent_date(ctx: GenContext, depth: int = 0) -> str:
    """One of the completed days of the last 30: the window activity APIs report on."""
    days = _DAYS.get(ctx.today) or _recent_days(ctx.today)
    return days[int(ctx.rng.random() * _RECENT_DAYS)]


def recent_datetime(ctx: GenContext, depth: int = 0) -> str:
    """A moment between a minute and 30 days before the pinned clock, to the second."""
    days, second, _ = _CLOCKS.get(ctx.now) or _clock(ctx.now)
    back, second = divmod(second - _DATETIME_FIRST - int(ctx.rng.random() * _DATETIME_SPAN), 86400)
    return days[-back] + _MINUTES[second // 60] + _SECONDS[second % 60]


def pinned_now(ctx: GenContext, depth: int = 0) -> str:
    """The pinned clock itself."""
    return (_CLOCKS.get(ctx.now) or _clock(ctx.now))[2]


def time_of_day(ctx: GenContext, depth: int = 0) -> str:
    """A minute of the day (`HH:MM:00Z`)."""
    return _MINUTES[int(ctx.rng.random() * len(_MINUTES))] + "00Z"
