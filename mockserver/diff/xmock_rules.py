"""Changes of an operation's `x-mock` rules, read from the typed model (`openapi/xmock.py`), never the raw mapping.

The rules are what the mock honours and the contract checks verify: a filter dropped means the mock stops
filtering (and the check stops asking the real API to), a request rule added or its range tightened means
requests that were answered are now refused.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from mockserver.diff.findings import Findings
from mockserver.diff.operations import label, matched
from mockserver.openapi.examples import escape
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.rules import RequestRule
from mockserver.openapi.xmock import XMock

# Request-rule fields that bound a range: a smaller value refuses more requests.
_RANGE_FIELDS = ("max_days", "within_days")


def compare_xmock(base: ApiSpec, revision: ApiSpec, findings: Findings) -> None:
    for old, new in matched(base, revision):
        if old is None or new is None or not (old.x_mock or new.x_mock):
            continue
        at_old = f"/paths/{escape(old.path)}/{old.method}/x-mock"
        at_new = f"/paths/{escape(new.path)}/{new.method}/x-mock"
        _compare(old.x_mock, new.x_mock, label(new), at_old, at_new, findings)


def _compare(old: XMock, new: XMock, name: str, at_old: str, at_new: str, findings: Findings) -> None:
    def add(rule: str, key: str, detail: str, *, gone: bool = False, new_only: bool = False) -> None:
        findings.add(
            rule,
            name,
            f"x-mock {key}",
            detail,
            None if new_only else f"{at_old}/{key}",
            None if gone else f"{at_new}/{key}",
        )

    filters_old = {(b.field, b.ref) for b in old.filter}
    filters_new = {(b.field, b.ref) for b in new.filter}
    for field, ref in sorted(filters_old - filters_new, key=str):
        add("xmock-filter-removed", "filter", f"{field} by {ref.location}.{ref.name} removed", gone=True)
    for field, ref in sorted(filters_new - filters_old, key=str):
        add("xmock-filter-added", "filter", f"{field} by {ref.location}.{ref.name} added", new_only=True)
    echoes_new = {(b.field, b.ref) for b in new.echo}
    for binding in old.echo:
        if (binding.field, binding.ref) not in echoes_new:
            detail = f"{binding.field} ← {binding.ref.location}.{binding.ref.name} removed"
            add("xmock-echo-removed", "echo", detail, gone=True)
    if old.limit is not None and new.limit is None:
        add("xmock-limit-removed", "limit", f"limit by {old.limit.param.name} removed", gone=True)
    elif old.limit is not None and new.limit is not None and old.limit != new.limit:
        add("xmock-limit-changed", "limit", f"{_limit(old.limit)} → {_limit(new.limit)}")
    if old.series is not None and new.series is None:
        add("xmock-series-removed", "series", f"series over {old.series.array} removed", gone=True)
    elif old.series is not None and new.series is not None and old.series != new.series:
        add("xmock-series-changed", "series", f"series over {old.series.array} changed")
    _request_rules(old.request_rules, new.request_rules, add)


def _request_rules(old: tuple[RequestRule, ...], new: tuple[RequestRule, ...], add: Any) -> None:
    remaining = list(new)
    for rule in old:
        twin = next((r for r in remaining if _identity(r) == _identity(rule)), None)
        if twin is None:
            add("xmock-request-rule-removed", "request_rules", f"{_describe(rule)} removed", gone=True)
            continue
        remaining.remove(twin)
        for key in _RANGE_FIELDS:
            before, after = getattr(rule, key, None), getattr(twin, key, None)
            if before == after:
                continue
            tighter = after is not None and (before is None or after < before)
            rule_id = "xmock-range-tightened" if tighter else "xmock-range-loosened"
            add(rule_id, "request_rules", f"{rule.kind} {key} {_n(before)} → {_n(after)}")
    for rule in remaining:
        add("xmock-request-rule-added", "request_rules", f"{_describe(rule)} added", new_only=True)


def _identity(rule: RequestRule) -> tuple[object, ...]:
    """A rule by its kind and the parameters it names, its range aside (a range changed is the same rule)."""
    kept = [f.name for f in dataclasses.fields(rule) if f.name not in (*_RANGE_FIELDS, "message")]  # type: ignore[arg-type]
    return (rule.kind, *(getattr(rule, name) for name in kept))


def _describe(rule: RequestRule) -> str:
    names = ", ".join(f"{ref.location}.{ref.name}" for ref in rule.refs())
    return f"{rule.kind} on {names}"


def _limit(limit: object) -> str:
    param = getattr(limit, "param", None)
    return f"{getattr(param, 'name', '?')} bounds {getattr(limit, 'array', '?')}"


def _n(value: object) -> str:
    return "none" if value is None else str(value)
