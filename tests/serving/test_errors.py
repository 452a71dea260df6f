"""Invalid requests: answered with the status and error envelope the imitated API documents, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from serving_support import (
    AUTH,
    CALL_BY_API,
    CLIENT_ANALYTICS,
    CLIENT_ANALYTICS_QUERY,
    CLIENT_ID,
    ONEPIN,
    OPENROUTER,
    USER_ID,
    assert_in_error_envelope,
    assert_matches,
    operation_of,
)
from starlette.testclient import TestClient

from mockserver.openapi.model import ApiSpec


def ca_query(**changes: str | None) -> dict[str, str]:
    query = {**CLIENT_ANALYTICS_QUERY, **changes}
    return {k: v for k, v in query.items() if v is not None}


def assert_api_error(response: httpx.Response) -> None:
    """An error from the imitated API: its JSON envelope, not the mock's problem+json, and not a crash."""
    content_type = response.headers["content-type"]
    assert response.status_code < 500, response.text
    assert content_type.startswith("application/json"), content_type
    assert "problem" not in content_type
    assert "x-mock-error" not in response.headers


# --- OpenRouter ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["01/02/2026", "yesterday", "2026-1-2", "20260102", ""])
def test_openrouter_bad_date_format_gets_400_in_its_error_response_shape(
    client: TestClient, bundled: list[ApiSpec], bad: str
) -> None:
    api, op = operation_of(bundled, CALL_BY_API["openrouter"])
    response = client.get(OPENROUTER, params={"date": bad}, headers=AUTH)
    assert response.status_code == 400
    assert_api_error(response)
    body = response.json()
    assert_matches(api, op.response_for(400), body)
    assert body["error"]["code"] == 400
    assert "date" in body["error"]["message"]


# --- client analytics ------------------------------------------------------------------------------


def client_analytics_refusal(client: TestClient, bundled: list[ApiSpec], start: str, end: str) -> dict[str, Any]:
    """The body of client-analytics' 400 for this date range, after checking it is one, in its documented envelope."""
    api, op = operation_of(bundled, CALL_BY_API["client-analytics"])
    response = client.get(CLIENT_ANALYTICS, params=ca_query(start_date=start, end_date=end), headers=AUTH)
    assert response.status_code == 400
    assert_api_error(response)
    body: dict[str, Any] = response.json()
    assert_matches(api, op.response_for(400), body)
    assert body["error"]["code"] == "invalid_parameter"
    return body


def test_client_analytics_range_over_90_days_gets_400_with_start_and_end_in_details(
    client: TestClient, bundled: list[ApiSpec]
) -> None:
    body = client_analytics_refusal(client, bundled, "2026-01-01", "2026-06-01")
    assert body["error"]["message"] == "Date range cannot exceed 90 days"
    assert body["error"]["details"] == {"start_date": "2026-01-01", "end_date": "2026-06-01"}


def test_client_analytics_range_of_exactly_90_days_is_accepted(client: TestClient) -> None:
    response = client.get(
        CLIENT_ANALYTICS, params=ca_query(start_date="2026-01-01", end_date="2026-04-01"), headers=AUTH
    )
    assert response.status_code == 200
    assert len(response.json()["data"]) == 91


def test_client_analytics_end_before_start_gets_400(client: TestClient, bundled: list[ApiSpec]) -> None:
    body = client_analytics_refusal(client, bundled, "2026-01-15", "2026-01-01")
    assert body["error"]["details"] == {"start_date": "2026-01-15", "end_date": "2026-01-01"}


@pytest.mark.parametrize("missing", sorted(CLIENT_ANALYTICS_QUERY))
def test_client_analytics_missing_required_param_gets_400(
    client: TestClient, bundled: list[ApiSpec], missing: str
) -> None:
    api, op = operation_of(bundled, CALL_BY_API["client-analytics"])
    response = client.get(CLIENT_ANALYTICS, params=ca_query(**{missing: None}), headers=AUTH)
    assert response.status_code == 400
    assert_api_error(response)
    body = response.json()
    assert_matches(api, op.response_for(400), body)
    assert missing in body["error"]["message"]


@pytest.mark.parametrize(
    ("name", "value"),
    [("metric", "page-views"), ("granularity", "hourly"), ("start_date", "01/01/2026"), ("end_date", "2026-1-15")],
)
def test_client_analytics_invalid_param_gets_400_invalid_parameter(
    client: TestClient, bundled: list[ApiSpec], name: str, value: str
) -> None:
    api, op = operation_of(bundled, CALL_BY_API["client-analytics"])
    response = client.get(CLIENT_ANALYTICS, params=ca_query(**{name: value}), headers=AUTH)
    assert response.status_code == 400
    assert_api_error(response)
    body = response.json()
    assert_matches(api, op.response_for(400), body)
    assert body["error"]["code"] == "invalid_parameter"
    assert name in body["error"]["message"]


# --- Onepin (FastAPI) ------------------------------------------------------------------------------


def test_onepin_limit_over_100_gets_fastapi_422_with_loc(client: TestClient, bundled: list[ApiSpec]) -> None:
    api, op = operation_of(bundled, CALL_BY_API["onepin"])
    response = client.get(ONEPIN, params={"limit": "500"}, headers=AUTH)
    assert response.status_code == 422
    assert_api_error(response)
    body = response.json()
    assert_matches(api, op.response_for(422), body)
    assert body["detail"][0]["loc"] == ["query", "limit"]
    assert len(body["detail"]) == 1


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5"])
def test_onepin_limit_out_of_range_or_not_integer_gets_422_on_limit(
    client: TestClient, bundled: list[ApiSpec], limit: str
) -> None:
    api, op = operation_of(bundled, CALL_BY_API["onepin"])
    response = client.get(ONEPIN, params={"limit": limit}, headers=AUTH)
    assert response.status_code == 422
    assert_api_error(response)
    assert_matches(api, op.response_for(422), response.json())
    assert [d["loc"] for d in response.json()["detail"]] == [["query", "limit"]]


def test_onepin_two_bad_params_get_two_detail_items(client: TestClient, bundled: list[ApiSpec]) -> None:
    api, op = operation_of(bundled, CALL_BY_API["onepin"])
    response = client.get(ONEPIN, params={"limit": "500", "range": "7d"}, headers=AUTH)
    assert response.status_code == 422
    assert_api_error(response)
    body = response.json()
    assert_matches(api, op.response_for(422), body)
    assert len(body["detail"]) == 2
    assert sorted(tuple(d["loc"]) for d in body["detail"]) == [("query", "limit"), ("query", "range")]
    assert all(d["msg"] and d["type"] for d in body["detail"])


# --- every API: invalid input is never a crash nor the mock's own problem+json ---------------------

INVALID_REQUESTS = [
    ("openrouter", OPENROUTER, {"date": "not-a-date"}),
    ("openrouter", OPENROUTER, {"date": "1999-01-01"}),
    ("onepin", ONEPIN, {"limit": "1000", "range": "1y", "type": "x"}),
    ("onepin", ONEPIN, {"limit": ""}),
    ("client-analytics", CLIENT_ANALYTICS, {}),
    ("client-analytics", CLIENT_ANALYTICS, ca_query(start_date="2026-03-01", end_date="2026-01-01")),
    ("client-analytics", CLIENT_ANALYTICS, ca_query(granularity="", metric="", start_date="x", end_date="y")),
]


@pytest.mark.parametrize(("name", "path", "params"), INVALID_REQUESTS)
def test_invalid_params_are_never_500_nor_problem_json(
    client: TestClient, bundled: list[ApiSpec], name: str, path: str, params: dict[str, str]
) -> None:
    api, op = operation_of(bundled, CALL_BY_API[name])
    response = client.get(path, params=params, headers=AUTH)
    assert response.status_code in (400, 422), response.text
    assert_api_error(response)
    assert_in_error_envelope(api, op, response.json(), response.status_code)


# --- known bugs, pinned ----------------------------------------------------------------------------

# --- values that break only `format` (date, uuid) are rejected too ------------------------------------


@pytest.mark.parametrize("bad", ["2026-02-30", "0000-00-00", "2026-13-01"])
def test_openrouter_impossible_calendar_date_gets_400(client: TestClient, bundled: list[ApiSpec], bad: str) -> None:
    api, op = operation_of(bundled, CALL_BY_API["openrouter"])
    response = client.get(OPENROUTER, params={"date": bad}, headers=AUTH)
    assert response.status_code == 400, response.text[:200]
    assert_api_error(response)
    assert_matches(api, op.response_for(400), response.json())
    assert bad in response.json()["error"]["message"]


def test_client_analytics_impossible_start_date_gets_400(client: TestClient, bundled: list[ApiSpec]) -> None:
    api, op = operation_of(bundled, CALL_BY_API["client-analytics"])
    response = client.get(
        CLIENT_ANALYTICS, params=ca_query(start_date="2026-02-30", end_date="2026-03-05"), headers=AUTH
    )
    assert response.status_code == 400, response.text[:200]
    assert_api_error(response)
    assert_matches(api, op.response_for(400), response.json())
    assert response.json()["error"]["code"] == "invalid_parameter"
    assert "start_date" in response.json()["error"]["message"]


@pytest.mark.parametrize("which", ["client_id", "user_id"])
def test_client_analytics_path_id_that_is_not_a_uuid_gets_400(
    client: TestClient, bundled: list[ApiSpec], which: str
) -> None:
    api, op = operation_of(bundled, CALL_BY_API["client-analytics"])
    client_id, user_id = ("not-a-uuid", USER_ID) if which == "client_id" else (CLIENT_ID, "not-a-uuid")
    path = f"/client-analytics/v2/clients/{client_id}/analytics/users/{user_id}/activity"
    response = client.get(path, params=ca_query(), headers=AUTH)
    assert response.status_code == 400, response.text[:200]
    assert_api_error(response)
    assert_matches(api, op.response_for(400), response.json())
    assert which in response.json()["error"]["message"]


def test_onepin_user_id_that_is_not_a_uuid_gets_422(client: TestClient, bundled: list[ApiSpec]) -> None:
    api, op = operation_of(bundled, CALL_BY_API["onepin"])
    response = client.get(ONEPIN, params={"user_id": "not-a-uuid"}, headers=AUTH)
    assert response.status_code == 422, response.text[:200]
    assert_api_error(response)
    assert_matches(api, op.response_for(422), response.json())
    assert [d["loc"] for d in response.json()["detail"]] == [["query", "user_id"]]


@pytest.mark.parametrize("name", sorted(CALL_BY_API))
def test_content_type_on_a_bodiless_get_is_ignored_as_real_servers_do(client: TestClient, name: str) -> None:
    """`Content-Type: multipart/form-data` (no boundary) on a GET that takes no body: nothing to read, so a 200.

    Operations that take a body refuse it in their envelope: tests/serving/test_request_bodies.py."""
    call = CALL_BY_API[name]
    response = client.get(
        call.path, params=call.params, headers={**call.headers, "Content-Type": "multipart/form-data"}
    )
    assert response.status_code == 200, response.text[:200]


INVALID_TYPES = ["logged_in", "nope", "x", "workflow", "abc", "run", "voice", "api_key", "member", "settings"]


def test_onepin_every_invalid_type_filter_gets_422_locating_type(client: TestClient) -> None:
    responses = {value: client.get(ONEPIN, params={"type": value}, headers=AUTH) for value in INVALID_TYPES}
    assert {value: r.status_code for value, r in responses.items()} == dict.fromkeys(INVALID_TYPES, 422)
    for value, response in responses.items():
        assert [d["loc"] for d in response.json()["detail"]] == [["query", "type"]], (value, response.text[:200])


def test_onepin_forced_422_lists_at_least_one_validation_error(client: TestClient) -> None:
    response = client.get(ONEPIN, headers={**AUTH, "Prefer": "code=422"})
    assert response.status_code == 422
    assert response.json().get("detail"), response.text[:300]


LOCATIONS = {"query", "path", "header", "cookie", "body"}


def test_onepin_non_parameter_errors_do_not_invent_locations(client: TestClient) -> None:
    """A 405 is not about a parameter: whichever documented envelope a request draws, a `detail` list (FastAPI's
    validation shape) must not name a location that is not a request part. The query varies only the draw."""
    for n in range(40):
        response = client.delete(ONEPIN, params={"n": n}, headers=AUTH)
        assert response.status_code == 405
        detail = response.json().get("detail")
        if isinstance(detail, list):
            invented = [item["loc"] for item in detail if not item["loc"] or item["loc"][0] not in LOCATIONS]
            assert not invented, invented
