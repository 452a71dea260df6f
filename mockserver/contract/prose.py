"""Checks for the rules the docs state in prose (an operation's `x-mock`), on one request and its answer.

The mock honours these rules; here they are verified against any server. Each function returns the
violations it finds as (check name, message); an empty list means the answer keeps the rule.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from mockserver.spec.model import Operation
from mockserver.spec.rules import STEPS, Path, RequestValues, broken_rule, parse_date, parse_path, periods

Violation = tuple[str, str]
CHECK_NAMES = ("prose_filter", "prose_limit", "prose_series", "prose_echo", "prose_request_rule")


def broken_request_rule(op: Operation, request: RequestValues, today: date) -> str | None:
    """The message of the first documented request rule this request breaks, or None."""
    for rule in op.mock.get("request_rules") or []:
        found = broken_rule(rule, request, today)
        if found is not None:
            return found[0]
    return None


def check_answer(op: Operation, request: RequestValues, status: int, body: Any, today: date) -> list[Violation]:
    """Every prose rule the answer (`status`, parsed JSON `body`) breaks for this request."""
    rule = broken_request_rule(op, request, today)
    if 200 <= status < 300 and rule is not None:
        return [("prose_request_rule", f"Documented rule not enforced: a request breaking it was accepted ({rule})")]
    if not 200 <= status < 300:
        return []
    mock = op.mock
    found: list[Violation] = []
    for target, ref in (mock.get("filter") or {}).items():
        wanted = request.get(str(ref))
        if wanted is not None:
            found += _filter(parse_path(str(target)), wanted, body, str(ref))
    for target, ref in (mock.get("echo") or {}).items():
        wanted = request.get(str(ref))
        values = list(values_at(body, parse_path(str(target))))
        if wanted is not None and values and any(str(v) != str(wanted) for v in values):
            found.append(("prose_echo", f"`{target}` should echo {ref}={wanted!r}, got {values[0]!r}"))
    if mock.get("limit"):
        found += _limit(mock["limit"], request, body)
    if mock.get("series"):
        found += _series(mock["series"], request, body)
    return found


def _filter(path: Path, wanted: Any, body: Any, ref: str) -> list[Violation]:
    wrong = [v for v in values_at(body, path) if str(v) != str(wanted)]
    if not wrong:
        return []
    shown = ".".join(path).replace(".[]", "[]")
    return [
        ("prose_filter", f"{ref}={wanted!r} should filter every `{shown}`, but {len(wrong)} differ (e.g. {wrong[0]!r})")
    ]


def _limit(spec: dict[str, Any], request: RequestValues, body: Any) -> list[Violation]:
    n = request.get(str(spec["param"]))
    if not isinstance(n, int):
        return []
    array_path = parse_path(str(spec["array"]))
    arrays = [
        a for a in values_at(body, array_path[:-1] if array_path[-1] == "[]" else array_path) if isinstance(a, list)
    ]
    found: list[Violation] = []
    if arrays and len(arrays[0]) > n:
        found.append(("prose_limit", f"{spec['param']}={n} should bound `{spec['array']}`, got {len(arrays[0])} items"))
    echo = spec.get("echo")
    echoed = list(values_at(body, parse_path(str(echo)))) if echo else []
    if echoed and echoed[0] != n:
        found.append(("prose_limit", f"`{echo}` should echo {spec['param']}={n}, got {echoed[0]!r}"))
    return found


def _series(spec: dict[str, Any], request: RequestValues, body: Any) -> list[Violation]:
    start, end = parse_date(request.get(str(spec["start"]))), parse_date(request.get(str(spec["end"])))
    if start is None or end is None or end < start:
        return []
    step = STEPS.get(str(request.get(str(spec.get("step", ""))) or "daily"), "day")
    expected = [d.isoformat() for d in periods(start, end, step)]
    array_path = parse_path(str(spec["array"]))
    arrays = [
        a for a in values_at(body, array_path[:-1] if array_path[-1] == "[]" else array_path) if isinstance(a, list)
    ]
    if not arrays:
        return []
    item_field = str(spec.get("field", "date"))
    got = [item.get(item_field) if isinstance(item, dict) else None for item in arrays[0]]
    if got == expected:
        return []
    missing = [d for d in expected if d not in got]
    extra = [d for d in got if d not in expected]
    detail = f"missing {missing[:3]}" if missing else f"unexpected {extra[:3]}" if extra else "out of order"
    return [
        (
            "prose_series",
            f"`{spec['array']}` should hold one point per {step} from {start} to {end} "
            f"({len(expected)}), got {len(got)}: {detail}",
        )
    ]


def values_at(node: Any, path: Path) -> list[Any]:
    """Every value at `path` ("[]" fans out over array items); absent branches are skipped."""
    if not path:
        return [node]
    head, rest = path[0], path[1:]
    if head == "[]":
        return [v for item in node for v in values_at(item, rest)] if isinstance(node, list) else []
    if isinstance(node, dict) and head in node:
        return values_at(node[head], rest)
    return []
