"""Documented response headers are sent, saying what their names mean and valid against their schemas."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from answers_support import AUTH, ORDERS, assert_valid_answer, orders
from serve_app_type import ServeApp
from starlette.testclient import TestClient

from mockserver.openapi.model import ApiSpec
from mockserver.serving.answer_headers import LIMIT
from mockserver.serving.config import ServerConfig


@pytest.fixture
def api() -> ApiSpec:
    return orders()


@pytest.fixture
def client(serve_app: ServeApp, api: ApiSpec) -> Iterator[TestClient]:
    with serve_app([api], ServerConfig(seed=1)) as test_client:
        yield test_client


def test_location_is_the_mock_url_of_the_created_item(client: TestClient, api: ApiSpec) -> None:
    response = client.post(ORDERS, json={"qty": 3}, headers=AUTH)
    assert response.status_code == 201
    assert response.headers["Location"] == f"http://testserver{ORDERS}/{response.json()['id']}"
    assert_valid_answer(api, "createOrder", response)


def test_the_etag_is_the_hash_of_the_body_bytes_and_stable_per_body(client: TestClient) -> None:
    first = client.get(f"{ORDERS}/ord_shipped", headers=AUTH)
    again = client.get(f"{ORDERS}/ord_shipped", headers=AUTH)
    other = client.get(f"{ORDERS}/x1", params={"view": "full"}, headers=AUTH)
    assert first.headers["ETag"] == f'"{hashlib.sha256(first.content).hexdigest()[:32]}"'
    assert again.headers["ETag"] == first.headers["ETag"]
    assert other.headers["ETag"] != first.headers["ETag"]


def test_link_and_cursor_headers_follow_the_bodys_next_cursor(client: TestClient, api: ApiSpec) -> None:
    response = client.get(ORDERS, params={"status": "pending"}, headers={**AUTH, "Prefer": "example=first_page"})
    assert response.json()["pagination"]["next_cursor"] == "c_2"
    target, _, rel = response.headers["Link"].partition(">; ")
    url = urlsplit(target.removeprefix("<"))
    assert rel == 'rel="next"' and f"{url.scheme}://{url.netloc}{url.path}" == f"http://testserver{ORDERS}"
    assert parse_qs(url.query) == {"status": ["pending"], "limit": ["10"], "cursor": ["c_2"]}
    assert response.headers["X-Next-Cursor"] == "c_2"
    assert_valid_answer(api, "listOrders", response)


def test_the_last_page_carries_no_next_link(client: TestClient) -> None:
    response = client.get(ORDERS, headers={**AUTH, "Prefer": "example=last_page"})
    assert response.json()["pagination"]["next_cursor"] is None
    assert "Link" not in response.headers and "X-Next-Cursor" not in response.headers


def test_rate_limit_headers_count_down_per_credential(client: TestClient, api: ApiSpec) -> None:
    alice = {"Authorization": "Bearer alice"}
    seen = [client.get(ORDERS, headers=alice) for _ in range(3)]
    assert [int(r.headers["X-RateLimit-Remaining"]) for r in seen] == [LIMIT - 1, LIMIT - 2, LIMIT - 3]
    assert {r.headers["X-RateLimit-Limit"] for r in seen} == {str(LIMIT)}
    assert 0 < int(seen[0].headers["X-RateLimit-Reset"]) <= 60
    bob = client.get(ORDERS, headers={"Authorization": "Bearer bob"})
    assert int(bob.headers["X-RateLimit-Remaining"]) == LIMIT - 1
    for response in [*seen, bob]:
        assert_valid_answer(api, "listOrders", response)


def test_a_fixtures_headers_arrive_with_it(client: TestClient, api: ApiSpec) -> None:
    response = client.get(f"{ORDERS}/x1", headers={**AUTH, "Prefer": "example=tenant"})
    assert response.json()["id"] == "ord_tenant"
    assert response.headers["X-Request-Id"] == "req-tenant-1"
    assert response.headers["Content-Length"] == str(len(response.content))
    assert_valid_answer(api, "getOrder", response)


def test_a_generated_answer_is_valid_headers_included(client: TestClient, api: ApiSpec) -> None:
    for seed in range(5):
        response = client.get(ORDERS, headers={**AUTH, "Prefer": f"seed={seed}"})
        assert response.status_code == 200
        assert_valid_answer(api, "listOrders", response)


def test_with_a_rate_limit_on_the_headers_tell_the_limiters_own_counts(serve_app: ServeApp, api: ApiSpec) -> None:
    with serve_app([api], ServerConfig(seed=1, rate_limit=(3, 60.0))) as limited:
        seen = [limited.get(ORDERS, headers=AUTH) for _ in range(4)]
    assert [r.status_code for r in seen] == [200, 200, 200, 429]
    assert [int(r.headers["X-RateLimit-Remaining"]) for r in seen[:3]] == [2, 1, 0]
    assert {r.headers["X-RateLimit-Limit"] for r in seen[:3]} == {"3"}
    assert [int(r.headers["X-RateLimit-Reset"]) for r in seen[:3]] == [20, 40, 60]
    assert seen[3].headers["Retry-After"] == "20"
    for response in seen[:3]:
        assert_valid_answer(api, "listOrders", response)


def test_a_stored_entitys_etag_and_location_are_worked_out_for_the_entity_itself(client: TestClient) -> None:
    created = client.post(ORDERS, json={"qty": 7}, headers=AUTH)
    assert created.headers["Location"] == f"http://testserver{ORDERS}/{created.json()['id']}"
    stored = client.get(created.headers["Location"], headers=AUTH)
    assert stored.json() == created.json() and stored.json()["qty"] == 7
    for response in (created, stored):  # the hash of the entity sent, not of the generated body it replaced
        assert response.headers["ETag"] == f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
