"""Credentials: required where the spec asks for them, answered with 401 in the API's envelope."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from serve_app_type import ServeApp
from serving_support import CALL_BY_API, assert_matches, operation_of
from starlette.testclient import TestClient

from mockserver.openapi.model import ApiSpec
from mockserver.serving.config import ServerConfig

SECURED = ["openrouter", "onepin", "client-analytics"]


@pytest.fixture(scope="module")
def strict_client(serve_app: ServeApp, bundled: list[ApiSpec]) -> Iterator[TestClient]:
    """A server that accepts one token only (`mockserver serve --token good`)."""
    with serve_app(bundled, ServerConfig(seed=1, tokens=frozenset({"good"}))) as test_client:
        yield test_client


@pytest.mark.parametrize("name", SECURED)
def test_missing_authorization_is_401_in_envelope_with_www_authenticate(
    client: TestClient, bundled: list[ApiSpec], name: str
) -> None:
    call = CALL_BY_API[name]
    api, op = operation_of(bundled, call)
    response = client.get(call.path, params=call.params)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].lower().startswith("bearer")
    assert response.headers["content-type"].startswith("application/json")
    assert_matches(api, op.response_for(401), response.json())


@pytest.mark.parametrize("name", SECURED)
@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Token abc"])
def test_wrong_scheme_or_empty_bearer_is_401(
    client: TestClient, bundled: list[ApiSpec], name: str, authorization: str
) -> None:
    call = CALL_BY_API[name]
    api, op = operation_of(bundled, call)
    response = client.get(call.path, params=call.params, headers={"Authorization": authorization})
    assert response.status_code == 401
    assert "www-authenticate" in response.headers
    assert_matches(api, op.response_for(401), response.json())


@pytest.mark.parametrize("name", SECURED)
def test_any_bearer_token_is_accepted_by_default(client: TestClient, name: str) -> None:
    call = CALL_BY_API[name]
    response = client.get(call.path, params=call.params, headers={"Authorization": "Bearer whatever-123"})
    assert response.status_code == 200


def test_bearer_scheme_name_is_case_insensitive(client: TestClient) -> None:
    call = CALL_BY_API["openrouter"]
    response = client.get(call.path, headers={"Authorization": "bearer abc"})
    assert response.status_code == 200


def test_lightdash_declares_security_empty_and_answers_without_credentials(client: TestClient) -> None:
    call = CALL_BY_API["lightdash"]
    response = client.get(call.path)
    assert response.status_code == 200
    assert "www-authenticate" not in response.headers


@pytest.mark.parametrize("name", SECURED)
def test_with_configured_tokens_a_wrong_token_is_401(
    strict_client: TestClient, bundled: list[ApiSpec], name: str
) -> None:
    call = CALL_BY_API[name]
    api, op = operation_of(bundled, call)
    response = strict_client.get(call.path, params=call.params, headers={"Authorization": "Bearer bad"})
    assert response.status_code == 401
    assert "www-authenticate" in response.headers
    assert_matches(api, op.response_for(401), response.json())


@pytest.mark.parametrize("name", SECURED)
def test_with_configured_tokens_the_configured_token_is_200(strict_client: TestClient, name: str) -> None:
    call = CALL_BY_API[name]
    response = strict_client.get(call.path, params=call.params, headers={"Authorization": "Bearer good"})
    assert response.status_code == 200, response.text


def test_with_configured_tokens_lightdash_still_needs_none(strict_client: TestClient) -> None:
    call = CALL_BY_API["lightdash"]
    assert strict_client.get(call.path).status_code == 200


def test_credentials_are_checked_before_parameters(client: TestClient) -> None:
    """No credentials and a bad parameter: authentication fails first, as at the real API."""
    call = CALL_BY_API["openrouter"]
    response = client.get(call.path, params={"date": "not-a-date"})
    assert response.status_code == 401
