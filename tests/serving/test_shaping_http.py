"""Request-driven bodies over HTTP: filters honoured, limits kept, periods echoed, series complete."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from serve_app_type import ServeApp
from serving_support import (
    AUTH,
    CALL_BY_API,
    CLIENT_ANALYTICS,
    CLIENT_ANALYTICS_QUERY,
    ONEPIN,
    OPENROUTER,
    assert_matches,
    operation_of,
)
from starlette.testclient import TestClient

from mockserver.openapi.model import ApiSpec
from mockserver.serving.config import ServerConfig

TODAY = date(2026, 3, 15)
SEEDS = range(12)


@pytest.fixture(scope="module")
def pinned(serve_app: ServeApp, bundled: list[ApiSpec]) -> Iterator[TestClient]:
    """A server whose clock says TODAY, so that date windows do not move under the tests."""
    with serve_app(bundled, ServerConfig(seed=1, today=lambda: TODAY)) as test_client:
        yield test_client


def iso(day: date) -> str:
    return day.isoformat()


def seeded(seed: int) -> dict[str, str]:
    return {**AUTH, "Prefer": f"seed={seed}"}


# --- OpenRouter ------------------------------------------------------------------------------------


def test_openrouter_date_yesterday_gives_items_all_on_that_date(pinned: TestClient, bundled: list[ApiSpec]) -> None:
    api, op = operation_of(bundled, CALL_BY_API["openrouter"])
    yesterday = iso(TODAY - timedelta(days=1))
    saw_items = False
    for seed in SEEDS:
        response = pinned.get(OPENROUTER, params={"date": yesterday}, headers=seeded(seed))
        assert response.status_code == 200
        body = response.json()
        assert_matches(api, op.response_for(200), body)
        assert {item["date"] for item in body["data"]} <= {yesterday}
        saw_items = saw_items or bool(body["data"])
    assert saw_items, "the filter should narrow the data, not empty it every time"


@pytest.mark.parametrize("days", [60, 31, -1])
def test_openrouter_date_outside_the_last_30_days_gets_400(
    pinned: TestClient, bundled: list[ApiSpec], days: int
) -> None:
    api, op = operation_of(bundled, CALL_BY_API["openrouter"])
    day = iso(TODAY - timedelta(days=days))
    response = pinned.get(OPENROUTER, params={"date": day}, headers=AUTH)
    assert response.status_code == 400
    body = response.json()
    assert_matches(api, op.response_for(400), body)
    assert body["error"]["message"] == "Date must be within the last 30 days"


def test_openrouter_without_date_covers_the_last_30_completed_days(pinned: TestClient) -> None:
    first, last = TODAY - timedelta(days=30), TODAY - timedelta(days=1)
    for seed in SEEDS:
        for item in pinned.get(OPENROUTER, headers=seeded(seed)).json()["data"]:
            assert first <= date.fromisoformat(item["date"]) <= last, item["date"]


# --- Onepin ----------------------------------------------------------------------------------------


def test_onepin_type_filter_gives_only_that_action(pinned: TestClient, bundled: list[ApiSpec]) -> None:
    api, op = operation_of(bundled, CALL_BY_API["onepin"])
    for seed in SEEDS:
        body = pinned.get(ONEPIN, params={"type": "workflow_run"}, headers=seeded(seed)).json()
        assert_matches(api, op.response_for(200), body)
        assert all(item["action"] == "workflow_run" for item in body["data"])


@pytest.mark.parametrize("limit", [1, 3, 7])
def test_onepin_limit_bounds_items_and_is_echoed(pinned: TestClient, bundled: list[ApiSpec], limit: int) -> None:
    api, op = operation_of(bundled, CALL_BY_API["onepin"])
    for seed in SEEDS:
        body = pinned.get(ONEPIN, params={"limit": str(limit)}, headers=seeded(seed)).json()
        assert_matches(api, op.response_for(200), body)
        assert len(body["data"]) <= limit
        assert body["pagination"]["limit"] == limit


def test_onepin_default_limit_is_20(pinned: TestClient) -> None:
    for seed in SEEDS:
        body = pinned.get(ONEPIN, headers=seeded(seed)).json()
        assert body["pagination"]["limit"] == 20
        assert len(body["data"]) <= 20


def test_onepin_user_id_filter_gives_only_that_user(pinned: TestClient) -> None:
    user_id = "9b2d7f3e-4c1a-4f8a-9d3e-1a2b3c4d5e6f"
    for seed in SEEDS:
        body = pinned.get(ONEPIN, params={"user_id": user_id, "type": "member_invited"}, headers=seeded(seed)).json()
        for item in body["data"]:
            assert item["user"]["id"] == user_id
            assert item["action"] == "member_invited"


def test_onepin_events_lie_within_the_default_30_day_window(pinned: TestClient) -> None:
    for seed in SEEDS:
        for item in pinned.get(ONEPIN, headers=seeded(seed)).json()["data"]:
            day = date.fromisoformat(item["timestamp"][:10])
            assert TODAY - timedelta(days=30) <= day <= TODAY, item["timestamp"]


def test_onepin_events_are_ordered_newest_first(pinned: TestClient) -> None:
    for seed in SEEDS:
        stamps = [item["timestamp"] for item in pinned.get(ONEPIN, headers=seeded(seed)).json()["data"]]
        assert stamps == sorted(stamps, reverse=True), (seed, stamps)


def test_onepin_one_user_id_has_one_name(pinned: TestClient) -> None:
    user_id = "9b2d7f3e-4c1a-4f8a-9d3e-1a2b3c4d5e6f"
    for seed in SEEDS:
        body = pinned.get(ONEPIN, params={"user_id": user_id}, headers=seeded(seed)).json()
        names = {item["user"]["name"] for item in body["data"] if item.get("user")}
        assert len(names) <= 1, (seed, names)


def test_onepin_meta_timestamp_is_not_older_than_the_events(pinned: TestClient) -> None:
    for seed in SEEDS:
        body = pinned.get(ONEPIN, headers=seeded(seed)).json()
        stamps = [item["timestamp"] for item in body["data"]]
        assert not stamps or body["meta"]["timestamp"] >= max(stamps), (seed, body["meta"], max(stamps))


def test_onepin_first_page_has_no_previous_cursor(pinned: TestClient) -> None:
    for seed in SEEDS:
        body = pinned.get(ONEPIN, headers=seeded(seed)).json()
        assert body["pagination"].get("prev") is None, (seed, body["pagination"])


# --- client analytics ------------------------------------------------------------------------------


def series(client: TestClient, granularity: str, start: str, end: str, seed: int = 0) -> dict[str, object]:
    params = {**CLIENT_ANALYTICS_QUERY, "granularity": granularity, "start_date": start, "end_date": end}
    response = client.get(CLIENT_ANALYTICS, params=params, headers=seeded(seed))
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_client_analytics_daily_gives_every_day_in_order_with_period_echoed(
    pinned: TestClient, bundled: list[ApiSpec]
) -> None:
    api, op = operation_of(bundled, CALL_BY_API["client-analytics"])
    expected = [iso(date(2026, 1, 1) + timedelta(days=i)) for i in range(15)]
    for seed in SEEDS:
        body = series(pinned, "daily", "2026-01-01", "2026-01-15", seed)
        assert_matches(api, op.response_for(200), body)
        assert [point["date"] for point in body["data"]] == expected  # type: ignore[attr-defined]
        assert body["period"] == {"start": "2026-01-01", "end": "2026-01-15"}
        assert body["metric"] == "activity-count"
        assert body["label"] == "Total Activity"
        assert all(isinstance(p["value"], int) and p["value"] >= 0 for p in body["data"])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("granularity", "start", "end", "dates"),
    [
        ("weekly", "2026-01-01", "2026-01-31", ["2026-01-01", "2026-01-08", "2026-01-15", "2026-01-22", "2026-01-29"]),
        ("weekly", "2026-01-01", "2026-01-07", ["2026-01-01"]),
        ("monthly", "2026-01-15", "2026-04-10", ["2026-01-15", "2026-02-01", "2026-03-01", "2026-04-01"]),
        ("monthly", "2026-01-01", "2026-03-31", ["2026-01-01", "2026-02-01", "2026-03-01"]),
        ("quarterly", "2026-01-15", "2026-03-31", ["2026-01-15"]),
        ("daily", "2026-02-27", "2026-03-02", ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]),
        ("daily", "2026-01-05", "2026-01-05", ["2026-01-05"]),
    ],
)
def test_client_analytics_one_point_per_period_labelled_by_its_first_day(
    pinned: TestClient, granularity: str, start: str, end: str, dates: list[str]
) -> None:
    body = series(pinned, granularity, start, end)
    assert [point["date"] for point in body["data"]] == dates  # type: ignore[attr-defined]
    assert body["period"] == {"start": start, "end": end}


def test_client_analytics_90_day_daily_series_has_91_points(pinned: TestClient) -> None:
    body = series(pinned, "daily", "2026-01-01", "2026-04-01")
    assert len(body["data"]) == 91  # type: ignore[arg-type]
