"""How a team tests its OpenRouter client with mockserver.

- Property tests feed bodies drawn from the spec (`mockserver.strategies.response_bodies`) to the
  parsing functions: no server, hundreds of realistic, schema-valid answers a second.
- HTTP tests point the real client at the mock (`mock_server` fixture, from mockserver's pytest
  plugin) and ask it for what is hard to get from the real API: errors (`Prefer: code=500`),
  named answers (`Prefer: example=empty`), dropped connections (`Prefer: fault=drop`), and, through
  `mock_server.override`, a 429 with `Retry-After` once or a `[500, 500, 200]` sequence for the retries;
  `mock_server.assert_called` counts what the client sent.

Two real bugs of the first version are kept (`*_naive`) and pinned: the tests show the mock finds them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from activity_client import (
    ActivityClient,
    ActivityError,
    error_message,
    retry_after_seconds,
    top_model_naive,
    top_model_of,
    usage_by_model,
    usage_by_model_naive,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.pytest_plugin import MockServer
from mockserver.strategies import response_bodies

KEY = "sk-or-v1-anything"  # the mock accepts any bearer token
ACTIVITY = response_bodies("openrouter", "get-user-activity")
ERRORS = st.sampled_from([400, 401, 403, 500]).flatmap(
    lambda status: response_bodies("openrouter", "get-user-activity", status).map(lambda body: (status, body))
)


# --- Parsing, fuzzed with bodies drawn from the spec (no HTTP) -------------------------------------


def assert_keeps_every_cent(parse: Any, body: dict[str, Any]) -> None:
    totals = parse(body)
    assert set(totals) == {item["model"] for item in body["data"]}
    assert math.isclose(sum(totals.values()), sum(item["usage"] for item in body["data"]), rel_tol=1e-9, abs_tol=1e-9)


@given(ACTIVITY)
def test_usage_by_model_keeps_every_cent(body: dict[str, Any]) -> None:
    assert_keeps_every_cent(usage_by_model, body)


def test_the_property_finds_the_first_versions_lost_rows() -> None:
    # Rows are per (date, model, endpoint): the naive dict comprehension keeps one row per model.
    @given(ACTIVITY)
    @settings(database=None)
    def naive(body: dict[str, Any]) -> None:
        assert_keeps_every_cent(usage_by_model_naive, body)

    with pytest.raises(AssertionError):
        naive()


@given(ACTIVITY)
def test_top_model_is_a_model_with_the_most_usage(body: dict[str, Any]) -> None:
    usage = usage_by_model(body)
    top = top_model_of(usage)
    assert top is not None and usage[top] == max(usage.values())


@given(ERRORS)
def test_error_messages_come_from_the_envelope(case: tuple[int, dict[str, Any]]) -> None:
    status, body = case
    assert error_message(httpx.Response(status, json=body)) == body["error"]["message"]


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("7", now) == 7.0
    assert retry_after_seconds("Sat, 21 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Sat, 21 Nov 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None) is None


# --- The client over real HTTP, against the mock --------------------------------------------------


class Sleeps(list[float]):
    """Records the client's waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def base_url(mock_server: MockServer) -> str:
    return mock_server.base_url("openrouter")


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_client(base_url: str, sleeps: Sleeps, **options: Any) -> ActivityClient:
    return ActivityClient(base_url, KEY, sleep=sleeps, **options)


def test_daily_usage_of_one_day(base_url: str, sleeps: Sleeps, mock_server: MockServer) -> None:
    day = (datetime.now(UTC).date() - timedelta(days=3)).isoformat()
    with make_client(base_url, sleeps) as client:
        usage = client.daily_usage(day)
        assert usage and all("/" in model for model in usage)  # openai/gpt-4o-like slugs
        assert client.top_model(day) in usage
    assert any(entry["query"] == f"date={day}" for entry in mock_server.requests())  # what the mock was sent
    assert sleeps == []


def test_api_errors_are_reported_not_retried(base_url: str, sleeps: Sleeps) -> None:
    with make_client(base_url, sleeps, headers={"Prefer": "code=403"}) as client, pytest.raises(ActivityError) as err:
        client.daily_usage()
    assert (err.value.status, err.value.message) == (403, "Only provisioning keys can fetch activity")
    assert sleeps == []


def test_a_date_outside_the_window_is_refused(base_url: str, sleeps: Sleeps) -> None:
    with make_client(base_url, sleeps) as client, pytest.raises(ActivityError) as err:
        client.daily_usage("2020-01-01")
    assert (err.value.status, err.value.message) == (400, "Date must be within the last 30 days")


def test_server_errors_are_retried_with_backoff_then_reported(base_url: str, sleeps: Sleeps) -> None:
    options: dict[str, Any] = {"retries": 2, "backoff": 0.1, "headers": {"Prefer": "code=500"}}
    with make_client(base_url, sleeps, **options) as client, pytest.raises(ActivityError) as err:
        client.daily_usage()
    assert err.value.status == 500
    assert sleeps == [0.1, 0.2]


def test_dropped_connections_are_retried_then_reported(base_url: str, sleeps: Sleeps) -> None:
    dropping = make_client(base_url, sleeps, retries=1, headers={"Prefer": "fault=drop"})
    with dropping as client, pytest.raises(ActivityError) as err:
        client.daily_usage()
    assert err.value.status is None and len(sleeps) == 1


# OpenRouter rate-limits with 429 and Retry-After, but this operation's spec documents no 429: the override
# allows it (`allow_undocumented`) and sends OpenRouter's own error envelope as the body.
RATE_LIMITED = {"error": {"code": 429, "message": "Rate limit exceeded"}}


@pytest.mark.parametrize(("retry_after", "waited"), [("2", 2.0), ("3600", 30.0)], ids=["honoured", "capped"])
def test_retry_after_is_honoured_and_bounded(
    mock_server: MockServer, base_url: str, sleeps: Sleeps, retry_after: str, waited: float
) -> None:
    limited_once = mock_server.override(
        "get-user-activity",
        status=429,
        times=1,
        allow_undocumented=True,
        headers={"Retry-After": retry_after},
        body=RATE_LIMITED,
    )
    with limited_once, make_client(base_url, sleeps) as client:
        assert client.daily_usage()
    assert sleeps == [waited]
    mock_server.assert_called("get-user-activity", times=2)  # the 429, then the retry


def test_a_flaky_upstream_is_retried_until_it_answers(mock_server: MockServer, base_url: str, sleeps: Sleeps) -> None:
    flaky = mock_server.override("get-user-activity", sequence=[500, 500, 200])
    with flaky, make_client(base_url, sleeps, retries=3, backoff=0.1) as client:
        assert client.daily_usage()
    assert sleeps == [0.1, 0.2]
    mock_server.assert_called("get-user-activity", times=3)


# --- The bug the mock found: a key without activity -----------------------------------------------


@pytest.fixture
def no_activity(base_url: str, sleeps: Sleeps) -> Iterator[ActivityClient]:
    """A client whose key has no activity: fixtures/openrouter/get-user-activity/empty.yaml, `{"data": []}`."""
    with make_client(base_url, sleeps, headers={"Prefer": "example=empty"}) as client:
        yield client


def test_the_mock_exposes_the_naive_top_model_crash(no_activity: ActivityClient) -> None:
    usage = no_activity.daily_usage()
    assert usage == {}
    with pytest.raises(ValueError, match=r"max\(\) arg is an empty sequence"):
        top_model_naive(usage)


@pytest.mark.parametrize(
    "top_model",
    [
        pytest.param(
            top_model_naive, marks=pytest.mark.xfail(raises=ValueError, strict=True, reason="the bug"), id="naive"
        ),
        pytest.param(top_model_of, id="fixed"),
    ],
)
def test_no_activity_means_no_top_model(no_activity: ActivityClient, top_model: Any) -> None:
    assert top_model(no_activity.daily_usage()) is None


def test_the_client_answers_none_without_activity(no_activity: ActivityClient) -> None:
    assert no_activity.top_model() is None
