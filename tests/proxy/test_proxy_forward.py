"""What the proxy sends upstream: hop-by-hop headers dropped, the environment's key only when the client has none."""

from __future__ import annotations

import pytest
from proxy_support import things_api

from mockserver.openapi.model import ApiSpec
from mockserver.proxy.forward import Answer, forwarded_headers, upstream_url, with_api_key


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiSpec:
    return things_api(tmp_path_factory.mktemp("spec"))


def test_hop_by_hop_headers_and_those_named_in_connection_are_dropped() -> None:
    sent = forwarded_headers(
        [
            ("Host", "proxy:8000"),
            ("Connection", "keep-alive, X-Private"),
            ("X-Private", "for the proxy only"),
            ("Transfer-Encoding", "chunked"),
            ("Proxy-Authorization", "Basic abc"),
            ("Authorization", "Bearer t"),
            ("Accept", "application/json"),
        ]
    )
    assert sent == [("Authorization", "Bearer t"), ("Accept", "application/json")]


def test_the_environments_key_is_a_bearer_token_when_the_client_sends_none(api: ApiSpec) -> None:
    headers, query = with_api_key(api.operation("listThings"), [("Accept", "*/*")], [], "k3y-value")
    assert headers == [("Accept", "*/*"), ("Authorization", "Bearer k3y-value")] and query == []


def test_the_clients_own_credential_wins_over_the_environments_key(api: ApiSpec) -> None:
    mine = [("authorization", "Bearer client")]
    assert with_api_key(api.operation("listThings"), mine, [], "k3y-value") == (mine, [])


def test_no_key_goes_to_an_operation_without_security(api: ApiSpec) -> None:
    assert with_api_key(api.operation("getFile"), [], [], "k3y-value") == ([], [])


def test_the_upstream_url_keeps_the_base_path_and_the_query_as_sent() -> None:
    url = upstream_url("https://api.example/v1/", "/things/a%2Fb", "kind=x%20y")
    assert url == "https://api.example/v1/things/a%2Fb?kind=x%20y"


def test_repeated_answer_headers_are_joined_with_lower_case_names() -> None:
    answer = Answer(200, [("Vary", "Accept"), ("vary", "Origin"), ("X-Total", "3")], b"")
    assert answer.header_map() == {"vary": "Accept, Origin", "x-total": "3"}
