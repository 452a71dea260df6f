"""The request-rule registry: every kind owns how the mock honours it, how a check sees it broken and how a
probe breaks it; each is shown on an example of that kind."""

from __future__ import annotations

import inspect
from datetime import date

import pytest

from mockserver.openapi.rules import RULE_KINDS, DateRange, RecentDate, Ref, RequestRule, RequestValues, rule_kind

TODAY = date(2026, 3, 15)
# One example per registered kind: a kind without one fails `test_every_kind_has_an_example`.
EXAMPLES: dict[str, RequestRule] = {
    "date_range": DateRange(Ref("query", "from"), Ref("query", "to"), max_days=90),
    "recent_date": RecentDate(Ref("query", "day"), within_days=30),
}
BEHAVIOURS = ("refusal", "accepted", "breaking", "keeping")


def test_every_kind_has_an_example() -> None:
    assert sorted(EXAMPLES) == sorted(RULE_KINDS)


@pytest.mark.parametrize("kind", sorted(RULE_KINDS))
def test_every_kind_implements_each_behaviour_itself(kind: str) -> None:
    cls = RULE_KINDS[kind]
    assert cls.kind == kind and not inspect.isabstract(cls)
    for name in BEHAVIOURS:
        assert getattr(cls, name) is not getattr(RequestRule, name), f"{kind} inherits {name}"


@pytest.mark.parametrize("kind", sorted(RULE_KINDS))
def test_a_request_a_probe_breaks_is_refused_by_the_mock_and_its_2xx_caught_by_the_check(kind: str) -> None:
    rule = EXAMPLES[kind]
    query = {ref.name: "2000-01-01" for ref in rule.refs()}
    rule.keeping(query, TODAY)
    kept = RequestValues(query=query)
    assert rule.refusal(kept, TODAY) is None and rule.accepted(kept, 200, TODAY) is None
    how = rule.breaking(query, TODAY)
    broken = RequestValues(query=query)
    assert how and rule.refusal(broken, TODAY) is not None
    assert rule.accepted(broken, 200, TODAY) is not None
    assert rule.accepted(broken, 400, TODAY) is None


def test_a_kind_registered_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="date_range"):
        rule_kind("date_range")(DateRange)


def test_a_start_after_the_end_is_refused_and_kept_in_order() -> None:
    rule = EXAMPLES["date_range"]
    query = {"from": "2026-03-10", "to": "2026-03-01"}
    assert rule.refusal(RequestValues(query=query), TODAY) == (
        "Start date must not be after end date",
        {"from": "2026-03-10", "to": "2026-03-01"},
    )
    rule.keeping(query, TODAY)
    assert query == {"from": "2026-03-01", "to": "2026-03-10"}
