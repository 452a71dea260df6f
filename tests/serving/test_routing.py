"""Routing: every documented operation answers, the index and docs are served, and misses get the right 404/405."""

from __future__ import annotations

import pytest
from serving_support import (
    AUTH,
    CALL_BY_API,
    CALLS,
    Call,
    all_operations,
    api_named,
    assert_in_error_envelope,
    assert_matches,
    operation_of,
)
from starlette.testclient import TestClient

from mockserver.openapi.model import ApiSpec

MOUNTS = {
    "openrouter": "/openrouter/api/v1",
    "lightdash": "/lightdash",
    "onepin": "/onepin",
    "client-analytics": "/client-analytics/v2",
}


def test_call_table_covers_every_documented_operation(bundled: list[ApiSpec]) -> None:
    assert {(c.api, c.operation_id) for c in CALLS} == all_operations(bundled)


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.id)
def test_documented_operation_answers_200_valid_against_original_schema(
    client: TestClient, bundled: list[ApiSpec], call: Call
) -> None:
    api, op = operation_of(bundled, call)
    response = client.get(call.path, params=call.params, headers=call.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert_matches(api, op.response_for(200), response.json())


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.id)
def test_documented_operation_answers_with_several_seeds_valid_against_original_schema(
    client: TestClient, bundled: list[ApiSpec], call: Call
) -> None:
    api, op = operation_of(bundled, call)
    for seed in range(10):
        response = client.get(call.path, params=call.params, headers={**call.headers, "Prefer": f"seed={seed}"})
        assert response.status_code == 200, (seed, response.text)
        assert_matches(api, op.response_for(200), response.json())


def test_index_lists_the_four_apis_and_their_operations(client: TestClient, bundled: list[ApiSpec]) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    listed = {entry["name"]: entry for entry in response.json()["apis"]}
    assert set(listed) == set(MOUNTS)
    for name, mount in MOUNTS.items():
        api = api_named(bundled, name)
        entry = listed[name]
        assert entry["base_path"] == mount
        assert entry["openapi"] == api.version
        assert entry["title"] == api.title
        assert entry["docs"] == f"{mount}/ui/"
        operations = {(o["method"], o["path"], o["operationId"]) for o in entry["operations"]}
        assert operations == {(op.method.upper(), mount + op.path, op.operation_id) for op in api.operations}
        for listed_op in entry["operations"]:
            assert listed_op["statuses"] == api.operation(listed_op["operationId"]).documented_statuses


@pytest.mark.parametrize("mount", sorted(MOUNTS.values()))
def test_swagger_ui_is_served_for_each_api(client: TestClient, mount: str) -> None:
    response = client.get(f"{mount}/ui/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "swagger-ui" in response.text.lower()


@pytest.mark.parametrize("name", sorted(MOUNTS))
def test_served_openapi_json_describes_the_api(client: TestClient, bundled: list[ApiSpec], name: str) -> None:
    api = api_named(bundled, name)
    response = client.get(f"{MOUNTS[name]}/openapi.json")
    assert response.status_code == 200
    served = response.json()
    assert served["info"]["title"] == api.title
    assert set(served["paths"]) == {op.path for op in api.operations}
    assert served["servers"] == [{"url": MOUNTS[name]}]  # Swagger UI's "Try it out" reaches the mock
    # The whole API, responses included (Connexion itself only gets the request side).
    served_codes = {
        c
        for item in served["paths"].values()
        for op in item.values()
        if isinstance(op, dict)
        for c in op.get("responses", {})
    }
    assert served_codes == {c for op in api.operations for c in op.responses}
    assert set(served.get("components", {}).get("schemas", {})) == set(
        api.document.get("components", {}).get("schemas", {})
    )


@pytest.mark.parametrize("name", sorted(MOUNTS))
def test_unknown_path_under_an_api_is_404_in_its_envelope(
    client: TestClient, bundled: list[ApiSpec], name: str
) -> None:
    api = api_named(bundled, name)
    response = client.get(f"{MOUNTS[name]}/no/such/route", headers=AUTH)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert "problem" not in response.headers["content-type"]
    for op in api.operations:
        assert_in_error_envelope(api, op, response.json(), 404)


def test_unknown_path_outside_any_api_is_problem_json_naming_the_mounts(client: TestClient) -> None:
    response = client.get("/nowhere/at/all")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 404
    assert "/nowhere/at/all" in body["detail"]
    for mount in MOUNTS.values():
        assert mount in body["detail"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("name", sorted(MOUNTS))
def test_wrong_method_is_405_with_allow_in_the_api_envelope(
    client: TestClient, bundled: list[ApiSpec], name: str, method: str
) -> None:
    call = CALL_BY_API[name]
    api, op = operation_of(bundled, call)
    response = client.request(method, call.path, params=call.params, headers=AUTH)
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "GET"
    assert response.headers["content-type"].startswith("application/json")
    assert_in_error_envelope(api, op, response.json(), 405)


@pytest.mark.parametrize("name", sorted(MOUNTS))
def test_options_answers_204_with_allow(client: TestClient, name: str) -> None:
    call = CALL_BY_API[name]
    response = client.options(call.path, params=call.params)
    assert response.status_code == 204
    assert response.headers["allow"] == "GET"


@pytest.mark.parametrize("path", ["/openrouter/api/v1/activity%0A", "/onepin/api/v1/usage/activity%0A"])
def test_a_literal_segment_with_a_newline_is_404_in_the_api_envelope_not_a_405(
    client: TestClient, bundled: list[ApiSpec], path: str
) -> None:
    """Once a 405 'Method GET not allowed; allowed: GET': the router missed such paths, the mock's regexes did not."""
    name = path.split("/")[1]
    api, op = operation_of(bundled, CALL_BY_API[name])
    response = client.get(path, headers=AUTH)
    assert response.status_code == 404, (response.headers.get("allow"), response.text[:200])
    assert_in_error_envelope(api, op, response.json(), 404)


@pytest.mark.parametrize("value", ["%0AW", "a%0Ab", "a%2Fb", "%E2%9C%93"])
def test_a_path_parameter_may_hold_any_percent_encoded_character(client: TestClient, value: str) -> None:
    # Lightdash's projectUuid is a plain string: a newline, a slash or a check mark in it is still valid.
    response = client.get(f"/lightdash/api/v1/analytics/user-activity/{value}")
    assert response.status_code == 200, response.text[:200]
