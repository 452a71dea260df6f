"""`Accept` honoured: the documented type it prefers, a documented 406 when it takes none, else the first type."""

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


@pytest.mark.parametrize(
    ("accept", "served"),
    [
        ("text/csv", "text/csv"),
        ("text/*", "text/csv"),
        ("application/json;q=0.5, text/csv;q=0.9", "text/csv"),
        ("text/csv;q=0.2, application/*", "application/json"),
        ("*/*, text/csv;q=0", "application/json"),
        ("*/*, application/json;q=0", "text/csv"),  # the most specific range sets a type's quality
        ("*/*", "application/json"),
        ("", "application/json"),
    ],
)
def test_the_documented_type_accept_prefers_is_served(client: TestClient, accept: str, served: str) -> None:
    response = client.get(ORDERS, headers={**AUTH, "Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == served


@pytest.mark.parametrize("accept", ["application/xml", "text/csv;q=0, application/json;q=0", "image/*"])
def test_no_acceptable_type_is_the_documented_406_in_its_envelope(
    client: TestClient, api: ApiSpec, accept: str
) -> None:
    response = client.get(ORDERS, headers={**AUTH, "Accept": accept})
    assert response.status_code == 406
    assert response.headers["Content-Type"].startswith("application/json")
    assert_valid_answer(api, "listOrders", response)
    assert "none of the documented media types" in response.json()["error"]["message"]


def test_without_a_documented_406_the_first_documented_type_is_served(client: TestClient, api: ApiSpec) -> None:
    response = client.get(f"{ORDERS}/x1", headers={**AUTH, "Accept": "application/xml"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    assert_valid_answer(api, "getOrder", response)
