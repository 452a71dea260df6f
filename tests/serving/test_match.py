"""`x-mock.match` over HTTP: the request selects a named example or fixture; no match generates as usual."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from answers_support import AUTH, ORDERS, assert_valid_answer, orders
from serve_app_type import ServeApp
from starlette.testclient import TestClient

from mockserver.openapi.model import ApiSpec
from mockserver.serving.config import ServerConfig


@pytest.fixture(scope="module")
def api() -> ApiSpec:
    return orders()


@pytest.fixture(scope="module")
def client(serve_app: ServeApp, api: ApiSpec) -> Iterator[TestClient]:
    with serve_app([api], ServerConfig(seed=1)) as test_client:
        yield test_client


def test_a_path_value_selects_its_example(client: TestClient, api: ApiSpec) -> None:
    response = client.get(f"{ORDERS}/ord_shipped", headers=AUTH)
    assert response.status_code == 200
    assert response.json() == {"id": "ord_shipped", "status": "shipped", "qty": 2, "note": "on its way"}
    assert_valid_answer(api, "getOrder", response)


def test_a_query_value_selects_its_example(client: TestClient) -> None:
    assert client.get(f"{ORDERS}/x1", params={"view": "full"}, headers=AUTH).json()["id"] == "ord_pending"


def test_all_conditions_of_a_rule_must_hold(client: TestClient) -> None:
    """The tenant rule needs the header to match its regex and `view` to be sent."""
    header_only = client.get(f"{ORDERS}/x1", headers={**AUTH, "X-Tenant": "acme-eu"}).json()
    assert header_only["id"] != "ord_tenant"
    wrong_header = client.get(f"{ORDERS}/x1", params={"view": "x"}, headers={**AUTH, "X-Tenant": "other"}).json()
    assert wrong_header["id"] != "ord_tenant"
    both = client.get(f"{ORDERS}/x1", params={"view": "x"}, headers={**AUTH, "X-Tenant": "acme-eu"}).json()
    assert both["id"] == "ord_tenant"


def test_the_first_matching_rule_wins(client: TestClient) -> None:
    """Both the tenant rule and the `view=full` rule hold: the tenant rule is written first."""
    response = client.get(f"{ORDERS}/x1", params={"view": "full"}, headers={**AUTH, "X-Tenant": "acme-eu"})
    assert response.json()["id"] == "ord_tenant"


def test_a_selected_fixture_is_served_with_its_headers(client: TestClient, api: ApiSpec) -> None:
    response = client.get(f"{ORDERS}/x1", params={"view": "x"}, headers={**AUTH, "X-Tenant": "acme-1"})
    assert response.json()["note"] == "recorded for acme"
    assert response.headers["X-Request-Id"] == "req-tenant-1"
    assert response.headers["ETag"] == '"recorded-etag"'
    # The server writes the body's own length and framing, never the recorded ones.
    assert response.headers["Content-Length"] == str(len(response.content))
    assert "transfer-encoding" not in response.headers
    assert_valid_answer(api, "getOrder", response)


def test_no_matching_rule_generates_the_answer(client: TestClient, api: ApiSpec) -> None:
    response = client.get(f"{ORDERS}/x1", headers=AUTH)
    assert response.status_code == 200
    assert response.json()["id"] not in ("ord_shipped", "ord_pending", "ord_tenant")
    assert_valid_answer(api, "getOrder", response)


def test_body_pointers_and_a_range_select_an_example(client: TestClient, api: ApiSpec) -> None:
    bulk = client.post(ORDERS, json={"qty": 250, "customer": {"tier": "gold"}}, headers=AUTH)
    assert bulk.status_code == 201 and bulk.json()["id"] == "ord_bulk"
    assert_valid_answer(api, "createOrder", bulk)
    small = client.post(ORDERS, json={"qty": 99, "customer": {"tier": "gold"}}, headers=AUTH)
    assert small.status_code == 201 and small.json()["id"] != "ord_bulk"
    silver = client.post(ORDERS, json={"qty": 250, "customer": {"tier": "silver"}}, headers=AUTH)
    assert silver.json()["id"] != "ord_bulk"


def test_a_body_regex_selects_an_example(client: TestClient) -> None:
    assert client.post(ORDERS, json={"qty": 1, "note": "urgent please"}, headers=AUTH).json()["id"] == "ord_rush"
    assert client.post(ORDERS, json={"qty": 1, "note": "not urgent"}, headers=AUTH).json()["id"] != "ord_rush"


def test_prefer_example_and_code_win_over_a_match(client: TestClient) -> None:
    path = f"{ORDERS}/ord_shipped"
    assert client.get(path, headers={**AUTH, "Prefer": "example=pending"}).json()["id"] == "ord_pending"
    forced = client.post(
        ORDERS, json={"qty": 500, "customer": {"tier": "gold"}}, headers={**AUTH, "Prefer": "code=400"}
    )
    assert forced.status_code == 400


def test_an_invalid_request_is_refused_before_any_match(client: TestClient) -> None:
    """Matching reads the checked request: a body breaking its schema is a 400, never a selected example."""
    response = client.post(ORDERS, json={"qty": "many", "customer": {"tier": "gold"}}, headers=AUTH)
    assert response.status_code == 400
