"""Checks for the rules the docs state in prose (an operation's `x-mock`), on one request and its answer.

The mock honours these rules; here they are verified against any server. Each check returns the breaches
it finds as `Breach(check, message)`; an empty list means the answer keeps the rule. Request rules check
themselves (each kind in `openapi/rules.py` says how a broken answer looks); the body rules are here.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from mockserver.openapi.model import Operation
from mockserver.openapi.rules import STEPS, RequestValues, parse_date, parse_path, periods, values_at
from mockserver.openapi.xmock import Binding, Limit, Series

CHECK_NAMES = ("xmock_filter", "xmock_limit", "xmock_series", "xmock_echo", "xmock_request_rule")
__all__ = ["CHECK_NAMES", "Breach", "broken_request_rule", "check_answer", "values_at"]


class Breach(NamedTuple):
    """One rule an answer breaks: the check's name (one of CHECK_NAMES) and what was wrong."""

    check: str
    message: str


def broken_request_rule(op: Operation, request: RequestValues, today: date) -> str | None:
    """The message of the first documented request rule this request breaks, or None."""
    for rule in op.x_mock.request_rules:
        found = rule.refusal(request, today)
        if found is not None:
            return found[0]
    return None


def check_answer(op: Operation, request: RequestValues, status: int, body: Any, today: date) -> list[Breach]:
    """Every x-mock rule the answer (`status`, parsed JSON `body`) breaks for this request."""
    for rule in op.x_mock.request_rules:
        accepted = rule.accepted(request, status, today)
        if accepted is not None:
            message = f"Documented rule not enforced: a request breaking it was accepted ({accepted})"
            return [Breach("xmock_request_rule", message)]
    if not 200 <= status < 300:
        return []
    mock = op.x_mock
    found: list[Breach] = []
    for binding in mock.filter:
        found += _filter(binding, request, body)
    for binding in mock.echo:
        found += _echo(binding, request, body)
    if mock.limit is not None:
        found += _limit(mock.limit, request, body)
    if mock.series is not None:
        found += _series(mock.series, request, body)
    return found


def _filter(binding: Binding, request: RequestValues, body: Any) -> list[Breach]:
    wanted = request.get(binding.ref)
    if wanted is None:
        return []
    wrong = [v for v in values_at(body, binding.path) if str(v) != str(wanted)]
    if not wrong:
        return []
    shown = ".".join(binding.path).replace(".[]", "[]")
    message = f"{binding.ref}={wanted!r} should filter every `{shown}`, but {len(wrong)} differ (e.g. {wrong[0]!r})"
    return [Breach("xmock_filter", message)]


def _echo(binding: Binding, request: RequestValues, body: Any) -> list[Breach]:
    wanted = request.get(binding.ref)
    values = values_at(body, binding.path)
    if wanted is None or not values or all(str(v) == str(wanted) for v in values):
        return []
    return [Breach("xmock_echo", f"`{binding.field}` should echo {binding.ref}={wanted!r}, got {values[0]!r}")]


def _limit(limit: Limit, request: RequestValues, body: Any) -> list[Breach]:
    n = request.get(limit.param)
    if not isinstance(n, int):
        return []
    arrays = [a for a in values_at(body, limit.array_path) if isinstance(a, list)]
    found: list[Breach] = []
    if arrays and len(arrays[0]) > n:
        found.append(
            Breach("xmock_limit", f"{limit.param}={n} should bound `{limit.array}`, got {len(arrays[0])} items")
        )
    echoed = values_at(body, parse_path(limit.echo)) if limit.echo else []
    if echoed and echoed[0] != n:
        found.append(Breach("xmock_limit", f"`{limit.echo}` should echo {limit.param}={n}, got {echoed[0]!r}"))
    return found


def _series(series: Series, request: RequestValues, body: Any) -> list[Breach]:
    start, end = parse_date(request.get(series.start)), parse_date(request.get(series.end))
    if start is None or end is None or end < start:
        return []
    step = STEPS.get(str((request.get(series.step) if series.step else None) or "daily"), "day")
    expected = [d.isoformat() for d in periods(start, end, step)]
    arrays = [a for a in values_at(body, series.array_path) if isinstance(a, list)]
    if not arrays:
        return []
    got = [item.get(series.field) if isinstance(item, dict) else None for item in arrays[0]]
    if got == expected:
        return []
    missing = [d for d in expected if d not in got]
    extra = [d for d in got if d not in expected]
    detail = f"missing {missing[:3]}" if missing else f"unexpected {extra[:3]}" if extra else "out of order"
    message = (
        f"`{series.array}` should hold one point per {step} from {start} to {end} "
        f"({len(expected)}), got {len(got)}: {detail}"
    )
    return [Breach("xmock_series", message)]
