"""The behaviour an operation's `x-mock` extension states, as pure functions of a request.

Both the mock (to answer) and the contract checks (to verify a real API) read these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

Path = tuple[str, ...]  # ("data", "[]", "user", "id"); "[]" steps into every item of an array
STEPS = {
    "daily": "day",
    "day": "day",
    "weekly": "week",
    "week": "week",
    "monthly": "month",
    "month": "month",
    "quarterly": "quarter",
    "quarter": "quarter",
}


@dataclass(frozen=True)
class RequestValues:
    """The validated request, as the handler sees it; header names lower-case."""

    query: Mapping[str, Any] = field(default_factory=dict)
    path: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None  # the decoded request body (JSON value, or form fields), when there is one

    def get(self, ref: str) -> Any:
        """`query.limit` → the value of query parameter `limit`, or None."""
        where, _, name = ref.partition(".")
        source = {"query": self.query, "path": self.path, "header": self.headers}.get(where, {})
        return source.get(name.lower() if where == "header" else name)


def parse_path(text: str) -> Path:
    """`data[].user.id` → ("data", "[]", "user", "id")."""
    steps: list[str] = []
    for part in text.split("."):
        if part.endswith("[]"):
            steps.extend((part[:-2], "[]") if part[:-2] else ("[]",))
        else:
            steps.append(part)
    return tuple(steps)


def parse_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def periods(start: date, end: date, step: str) -> list[date]:
    """Bucket starts from `start` to `end` inclusive; the first bucket is labelled by `start` itself."""
    out = [start]
    current = start
    while True:
        if step == "day":
            current = current + timedelta(days=1)
        elif step == "week":
            current = current + timedelta(days=7)
        else:
            months = 1 if step == "month" else 3
            first_month = current.month - 1 if step == "month" else (current.month - 1) // 3 * 3
            total = current.year * 12 + first_month + months
            current = date(total // 12, total % 12 + 1, 1)
        if current > end:
            return out
        out.append(current)


def broken_rule(rule: Mapping[str, Any], request: RequestValues, today: date) -> tuple[str, dict[str, Any]] | None:
    kind = rule.get("rule")
    if kind == "date_range":
        raw_start, raw_end = request.get(str(rule["start"])), request.get(str(rule["end"]))
        start, end = parse_date(raw_start), parse_date(raw_end)
        if start is None or end is None:
            return None
        names = {str(rule["start"]).split(".", 1)[1]: raw_start, str(rule["end"]).split(".", 1)[1]: raw_end}
        if end < start:
            return "Start date must not be after end date", names
        if "max_days" in rule and (end - start).days > int(rule["max_days"]):
            return str(rule.get("message") or f"Date range cannot exceed {rule['max_days']} days"), names
    elif kind == "recent_date":
        raw = request.get(str(rule["param"]))
        day = parse_date(raw)
        within = int(rule.get("within_days", 30))
        if day is not None and not (today - timedelta(days=within) <= day <= today):
            name = str(rule["param"]).split(".", 1)[1]
            return str(rule.get("message") or f"{name} must be within the last {within} days"), {name: raw}
    return None
