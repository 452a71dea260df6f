"""CORS: browser clients may call the mock from any origin (on by default; `--no-cors` turns it off)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from serve_app_type import ServeApp
from serving_support import CALL_BY_API, CALLS, Call
from starlette.testclient import TestClient

from mockserver.openapi.model import ApiSpec
from mockserver.serving.config import ServerConfig

ORIGIN = "http://localhost:5173"


def preflight(client: TestClient, call: Call, headers: str = "authorization, prefer") -> dict[str, str]:
    response = client.options(
        call.path,
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": headers},
    )
    assert response.status_code in (200, 204), response.text
    return {k.lower(): v for k, v in response.headers.items()}


def allows(header: str, value: str) -> bool:
    listed = [v.strip().lower() for v in header.split(",")]
    return "*" in listed or value.lower() in listed


@pytest.fixture(scope="module")
def no_cors(serve_app: ServeApp, bundled: list[ApiSpec]) -> Iterator[TestClient]:
    """`mockserver serve --no-cors`."""
    with serve_app(bundled, ServerConfig(seed=1, cors=False)) as test_client:
        yield test_client


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.api)
def test_preflight_is_allowed_for_any_origin_with_the_headers_clients_send(client: TestClient, call: Call) -> None:
    headers = preflight(client, call)
    assert headers["access-control-allow-origin"] in ("*", ORIGIN)
    assert allows(headers["access-control-allow-methods"], "GET")
    assert allows(headers["access-control-allow-headers"], "authorization")
    assert allows(headers["access-control-allow-headers"], "prefer")


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.api)
def test_get_with_origin_gets_access_control_allow_origin(client: TestClient, call: Call) -> None:
    response = client.get(call.path, params=call.params, headers={**call.headers, "Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", ORIGIN)


def test_get_without_origin_is_answered_as_usual(client: TestClient) -> None:
    call = CALL_BY_API["lightdash"]
    response = client.get(call.path)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        (CALL_BY_API["openrouter"].path, {}, 401),  # missing credentials: the browser must be able to read why
        (CALL_BY_API["openrouter"].path, {"Authorization": "Bearer t", "Prefer": "code=403"}, 403),
        (CALL_BY_API["onepin"].path + "?limit=500", {"Authorization": "Bearer t"}, 422),
        ("/nowhere", {}, 404),
        ("/", {}, 200),
    ],
    ids=["401", "403", "422", "unmounted-404", "index"],
)
def test_errors_and_the_index_carry_cors_headers_too(
    client: TestClient, path: str, headers: dict[str, str], status: int
) -> None:
    response = client.get(path, headers={**headers, "Origin": ORIGIN})
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] in ("*", ORIGIN)


def test_chaos_answers_expose_x_mock_chaos_to_the_browser(client: TestClient) -> None:
    call = CALL_BY_API["openrouter"]
    response = client.get(call.path, headers={**call.headers, "Origin": ORIGIN, "Prefer": "chaos=1"})
    assert response.status_code >= 400
    assert response.headers["access-control-allow-origin"] in ("*", ORIGIN)
    assert allows(response.headers["access-control-expose-headers"], "x-mock-chaos")


def test_the_journal_refuses_a_page_on_another_origin_and_sends_no_cors_headers(client: TestClient) -> None:
    # Any web page the developer opens could otherwise read every request the mock received.
    for method in ("GET", "DELETE"):
        response = client.request(method, "/__mock/requests", headers={"Origin": ORIGIN})
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert "--admin-cors" in response.json()["detail"]
        assert not [k for k in response.headers if k.lower().startswith("access-control-")]


def test_the_journal_refuses_a_browser_request_marked_cross_site(client: TestClient) -> None:
    response = client.delete("/__mock/requests", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_the_journal_preflight_from_another_origin_is_not_allowed(client: TestClient) -> None:
    response = client.options("/__mock/requests", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "DELETE"})
    assert "access-control-allow-origin" not in response.headers


def test_the_journal_answers_same_origin_and_non_browser_clients(client: TestClient) -> None:
    assert client.get("/__mock/requests").status_code == 200  # curl, SDKs, the pytest plugin: no Origin
    same = client.get("/__mock/requests", headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 200
    assert "access-control-allow-origin" not in same.headers


def test_admin_cors_opts_the_journal_into_cors(serve_app: ServeApp, bundled: list[ApiSpec]) -> None:
    with serve_app(bundled, ServerConfig(seed=1, admin_cors=True)) as opened:
        response = opened.get("/__mock/requests", headers={"Origin": ORIGIN, "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200
    assert response.headers.get("access-control-allow-origin") in ("*", ORIGIN)


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.api)
def test_no_cors_sends_no_cors_headers(no_cors: TestClient, call: Call) -> None:
    response = no_cors.get(call.path, params=call.params, headers={**call.headers, "Origin": ORIGIN})
    assert response.status_code == 200
    assert not [k for k in response.headers if k.lower().startswith("access-control-")]


def test_no_cors_preflight_gets_no_allow_origin(no_cors: TestClient) -> None:
    call = CALL_BY_API["openrouter"]
    response = no_cors.options(call.path, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in response.headers
    assert response.headers.get("allow") == "GET"  # the plain OPTIONS answer


def test_no_cors_errors_get_no_allow_origin(no_cors: TestClient) -> None:
    response = no_cors.get(CALL_BY_API["openrouter"].path, headers={"Origin": ORIGIN})
    assert response.status_code == 401
    assert "access-control-allow-origin" not in response.headers


@pytest.fixture(scope="module")
def guarded(serve_app: ServeApp, bundled: list[ApiSpec]) -> Iterator[TestClient]:
    """`mockserver serve` as started from the command line: the admin endpoints check the Host too."""
    config = ServerConfig(seed=1, admin_host_guard=True)
    with serve_app(bundled, config, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


@pytest.mark.parametrize("host", ["attacker.example:8000", "attacker.example", "127.0.0.1.nip.io:8000"])
def test_the_journal_refuses_a_dns_name_a_page_could_have_rebound_to_loopback(guarded: TestClient, host: str) -> None:
    # Same-origin as far as the browser knows: the page's own origin, now resolving to 127.0.0.1.
    response = guarded.get("/__mock/requests", headers={"Host": host, "Origin": f"http://{host}"})
    assert response.status_code == 403, response.text
    assert response.json()["title"] == "Host name refused"
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "app.localhost", "[::1]:8000", "10.0.0.5"])
def test_the_journal_answers_ip_literals_and_localhost_names(guarded: TestClient, host: str) -> None:
    assert guarded.get("/__mock/requests", headers={"Host": host}).status_code == 200


def test_the_host_guard_leaves_the_mocked_apis_alone(guarded: TestClient) -> None:
    call = CALL_BY_API["lightdash"]
    assert guarded.get(call.path, headers={"Host": "attacker.example"}).status_code == 200
