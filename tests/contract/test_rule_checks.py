"""x-mock rule checks on single answers, against the bundled client-analytics and Onepin rules."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from mockserver.contract.rule_checks import broken_request_rule, check_answer
from mockserver.openapi.loader import load
from mockserver.openapi.rules import RequestValues

SPECS = Path(__file__).resolve().parents[2] / "specs"
TODAY = date(2026, 3, 15)
ANALYTICS = load(SPECS / "client-analytics.yaml").operations[0]
ONEPIN = load(SPECS / "onepin.yaml").operations[0]


def _series(start: str, end: str, days: list[str]) -> tuple[RequestValues, dict[str, object]]:
    request = RequestValues(
        query={"start_date": start, "end_date": end, "granularity": "daily", "metric": "activity-count"}
    )
    body = {
        "metric": "activity-count",
        "label": "Total Activity",
        "period": {"start": start, "end": end},
        "data": [{"date": d, "value": 1} for d in days],
    }
    return request, body


def test_complete_daily_series_keeps_the_rule() -> None:
    request, body = _series("2026-01-01", "2026-01-03", ["2026-01-01", "2026-01-02", "2026-01-03"])
    assert check_answer(ANALYTICS, request, 200, body, TODAY) == []


def test_series_missing_a_weekend_day_is_named() -> None:
    request, body = _series("2026-01-02", "2026-01-05", ["2026-01-02", "2026-01-05"])
    [(check, message)] = check_answer(ANALYTICS, request, 200, body, TODAY)
    assert check == "xmock_series" and "2026-01-03" in message


def test_period_not_echoing_the_request_is_named() -> None:
    request, body = _series("2026-01-01", "2026-01-01", ["2026-01-01"])
    body["period"] = {"start": "2025-12-01", "end": "2026-01-01"}
    assert [c for c, _ in check_answer(ANALYTICS, request, 200, body, TODAY)] == ["xmock_echo"]


def test_range_over_90_days_accepted_is_a_violation_and_refused_is_not() -> None:
    request, body = _series("2025-01-01", "2025-06-01", [])
    assert broken_request_rule(ANALYTICS, request, TODAY) == "Date range cannot exceed 90 days"
    assert [c for c, _ in check_answer(ANALYTICS, request, 200, body, TODAY)] == ["xmock_request_rule"]
    assert check_answer(ANALYTICS, request, 400, {"error": {}}, TODAY) == []


def test_onepin_limit_and_type_filter_are_checked() -> None:
    request = RequestValues(query={"limit": 1, "type": "workflow_run"})
    body = {"data": [{"action": "workflow_run"}, {"action": "member_invited"}], "pagination": {"limit": 1}}
    found = sorted(c for c, _ in check_answer(ONEPIN, request, 200, body, TODAY))
    assert found == ["xmock_filter", "xmock_limit"]
