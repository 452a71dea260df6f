"""The behaviour an operation's `x-mock` extension states, as pure functions of a request and an answer.

Both the mock (to answer) and the contract checks (to verify a real API) read these. Request rules
(`x-mock.request_rules`) are kinds in one registry, `RULE_KINDS`. Each kind is one frozen dataclass here
and owns its behaviours: `refusal` (how the mock honours it: a request breaking it is refused), `accepted`
(how a checker recognises a broken answer: such a request answered 2xx), `breaking` (how a probe breaks it
on purpose) and `keeping` (how a valid request is moved inside it). Adding a kind is adding one class.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, ClassVar, TypeVar

Path = tuple[str, ...]  # ("data", "[]", "user", "id"); "[]" steps into every item of an array
Refusal = tuple[str, dict[str, Any]]  # the message, and the offending values by parameter name
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
REF_LOCATIONS = ("query", "path", "header")


@dataclass(frozen=True)
class Ref:
    """A request value an `x-mock` key names: `query.limit` is location "query", name "limit"."""

    location: str  # query, path, header
    name: str

    def __str__(self) -> str:
        return f"{self.location}.{self.name}"


@dataclass(frozen=True)
class RequestValues:
    """The validated request, as the handler sees it; header names lower-case."""

    query: Mapping[str, Any] = field(default_factory=dict)
    path: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None  # the decoded request body (JSON value, or form fields), when there is one

    def get(self, ref: Ref | str) -> Any:
        """`query.limit` → the value of query parameter `limit`, or None."""
        where, _, name = str(ref).partition(".")
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


# --- request rules -----------------------------------------------------------------------------------------


class RequestRule(ABC):
    """One documented rule about requests that JSON Schema cannot state; a request breaking it gets 400/422.

    Subclasses are frozen dataclasses whose fields are the rule's keys in the spec (`Ref` fields name a
    parameter, `int` and `str` fields are plain values; a field with a default is optional).
    """

    kind: ClassVar[str] = ""

    @abstractmethod
    def refusal(self, request: RequestValues, today: date) -> Refusal | None:
        """How the mock honours the rule: the refusal a request breaking it gets, or None."""

    @abstractmethod
    def accepted(self, request: RequestValues, status: int, today: date) -> str | None:
        """How a checker recognises a broken answer: what is wrong with answering `status`, or None."""

    @abstractmethod
    def breaking(self, query: dict[str, Any], today: date) -> str | None:
        """How a probe breaks the rule: edit `query` so it does; how, or None when a query cannot."""

    @abstractmethod
    def keeping(self, query: dict[str, Any], today: date) -> None:
        """Move `query` inside the rule, so that a valid request does not break it by chance."""

    def refs(self) -> tuple[Ref, ...]:
        """The parameters the rule names (the loader checks each is declared)."""
        values = (getattr(self, f.name) for f in dataclasses.fields(self))  # type: ignore[arg-type]
        return tuple(v for v in values if isinstance(v, Ref))


RULE_KINDS: dict[str, type[RequestRule]] = {}
RuleT = TypeVar("RuleT", bound=type[RequestRule])


def rule_kind(name: str) -> Callable[[RuleT], RuleT]:
    """Register a request-rule class under the `rule:` name the spec uses."""

    def register(cls: RuleT) -> RuleT:
        if name in RULE_KINDS:
            raise ValueError(f"rule kind {name!r} is registered twice")
        cls.kind = name
        RULE_KINDS[name] = cls
        return cls

    return register


def _accepted(rule: RequestRule, request: RequestValues, status: int, today: date) -> str | None:
    """The usual check: a request the rule refuses must not be answered 2xx."""
    found = rule.refusal(request, today)
    return found[0] if found is not None and 200 <= status < 300 else None


@rule_kind("date_range")
@dataclass(frozen=True)
class DateRange(RequestRule):
    """`start` must not be after `end` and, with `max_days`, at most that many days before it."""

    start: Ref
    end: Ref
    max_days: int | None = None
    message: str | None = None

    def refusal(self, request: RequestValues, today: date) -> Refusal | None:
        raw_start, raw_end = request.get(self.start), request.get(self.end)
        start, end = parse_date(raw_start), parse_date(raw_end)
        if start is None or end is None:
            return None
        names = {self.start.name: raw_start, self.end.name: raw_end}
        if end < start:
            return "Start date must not be after end date", names
        if self.max_days is not None and (end - start).days > self.max_days:
            return self.message or f"Date range cannot exceed {self.max_days} days", names
        return None

    def accepted(self, request: RequestValues, status: int, today: date) -> str | None:
        return _accepted(self, request, status, today)

    def breaking(self, query: dict[str, Any], today: date) -> str | None:
        if self.max_days is None:
            return None
        span = self.max_days + 30
        start = today - timedelta(days=span + 30)
        query[self.start.name], query[self.end.name] = start.isoformat(), (start + timedelta(days=span)).isoformat()
        return f"{self.start.name}..{self.end.name} spans {span} days (at most {self.max_days})"

    def keeping(self, query: dict[str, Any], today: date) -> None:
        start, end = parse_date(query.get(self.start.name)), parse_date(query.get(self.end.name))
        if start is None or end is None:
            start, end = today - timedelta(days=10), today - timedelta(days=3)
        start, end = min(start, end), max(start, end)
        if self.max_days is not None:
            end = start + timedelta(days=(end - start).days % (self.max_days + 1))
        query[self.start.name], query[self.end.name] = start.isoformat(), end.isoformat()


@rule_kind("recent_date")
@dataclass(frozen=True)
class RecentDate(RequestRule):
    """`param`, when given, is a date within the last `within_days` days (today included)."""

    param: Ref
    within_days: int = 30
    message: str | None = None

    def refusal(self, request: RequestValues, today: date) -> Refusal | None:
        raw = request.get(self.param)
        day = parse_date(raw)
        if day is None or today - timedelta(days=self.within_days) <= day <= today:
            return None
        return self.message or f"{self.param.name} must be within the last {self.within_days} days", {
            self.param.name: raw
        }

    def accepted(self, request: RequestValues, status: int, today: date) -> str | None:
        return _accepted(self, request, status, today)

    def breaking(self, query: dict[str, Any], today: date) -> str | None:
        query[self.param.name] = (today - timedelta(days=self.within_days + 45)).isoformat()
        return f"{self.param.name}={query[self.param.name]} is older than {self.within_days} days"

    def keeping(self, query: dict[str, Any], today: date) -> None:
        if self.param.name not in query:
            return
        day = parse_date(query[self.param.name])
        back = 2 if day is None else 1 + day.toordinal() % max(self.within_days, 1)
        query[self.param.name] = (today - timedelta(days=back)).isoformat()
