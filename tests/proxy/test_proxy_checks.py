"""The checks of one exchange: each kind of drift is named by the check `mockserver contract` names it with."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from proxy_support import things_api

from mockserver.openapi.model import ApiSpec
from mockserver.proxy.checks import Exchange, ExchangeChecker, Finding

TODAY = date(2026, 3, 1)
AUTH = {"authorization": "Bearer t0ken"}
DATA = {"data": [{"id": 1, "kind": "a"}, {"id": 2, "kind": "a"}]}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiSpec:
    return things_api(tmp_path_factory.mktemp("spec"))


def exchange(
    *,
    method: str = "GET",
    path: dict[str, str] | None = None,
    query: tuple[tuple[str, str], ...] = (),
    headers: dict[str, str] | None = None,
    request_body: bytes = b"",
    status: int = 200,
    content_type: str = "application/json",
    answer_headers: dict[str, str] | None = None,
    body: Any = DATA,
) -> Exchange:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Exchange(
        method=method,
        path_params=path or {},
        query=query,
        request_headers=AUTH if headers is None else headers,
        request_body=request_body,
        status=status,
        response_headers={"content-type": content_type, **(answer_headers or {})},
        response_body=raw,
    )


def findings(api: ApiSpec, operation_id: str, ex: Exchange) -> list[Finding]:
    checker = ExchangeChecker(api)
    op = api.operation(operation_id)
    values, refused = checker.request(op, ex)
    return refused + checker.response(op, ex, values, TODAY)


def checks(api: ApiSpec, operation_id: str, ex: Exchange) -> set[str]:
    return {f.check for f in findings(api, operation_id, ex)}


def test_a_conforming_exchange_has_no_findings(api: ApiSpec) -> None:
    ex = exchange(query=(("limit", "5"), ("kind", "a")), answer_headers={"x-total": "2"})
    assert findings(api, "listThings", ex) == []


def test_an_undocumented_status_is_status_code_conformance(api: ApiSpec) -> None:
    found = findings(api, "listThings", exchange(status=418))
    assert [f.check for f in found] == ["status_code_conformance"] and "418" in found[0].message


def test_an_undocumented_media_type_is_content_type_conformance(api: ApiSpec) -> None:
    assert checks(api, "listThings", exchange(content_type="text/plain", body=b"hello")) == {"content_type_conformance"}


def test_a_json_suffix_and_parameters_on_the_content_type_still_match(api: ApiSpec) -> None:
    assert checks(api, "listThings", exchange(content_type="application/json; charset=utf-8")) == set()


def test_a_body_breaking_the_schema_is_response_schema_conformance(api: ApiSpec) -> None:
    found = findings(api, "getThing", exchange(path={"id": "1"}, body={"id": "one"}))
    assert {f.check for f in found} == {"response_schema_conformance"}
    assert "name" in found[0].message and "'one'" in found[0].message


def test_a_body_that_is_not_json_is_response_schema_conformance(api: ApiSpec) -> None:
    assert checks(api, "getThing", exchange(path={"id": "1"}, body=b"{nope")) == {"response_schema_conformance"}


def test_a_documented_header_breaking_its_schema_is_response_headers_conformance(api: ApiSpec) -> None:
    assert checks(api, "listThings", exchange(answer_headers={"x-total": "many"})) == {"response_headers_conformance"}


def test_an_unfiltered_list_is_xmock_filter(api: ApiSpec) -> None:
    body = {"data": [{"id": 1, "kind": "a"}, {"id": 2, "kind": "b"}]}
    assert checks(api, "listThings", exchange(query=(("kind", "a"),), body=body)) == {"xmock_filter"}


def test_a_list_longer_than_the_limit_is_xmock_limit(api: ApiSpec) -> None:
    assert checks(api, "listThings", exchange(query=(("limit", "1"),))) == {"xmock_limit"}


def test_a_server_error_is_not_a_server_error(api: ApiSpec) -> None:
    assert checks(api, "listThings", exchange(status=503, body={"error": "down"})) == {"not_a_server_error"}


def test_a_success_without_credentials_is_ignored_auth_and_a_401_is_fine(api: ApiSpec) -> None:
    assert checks(api, "listThings", exchange(headers={})) == {"ignored_auth"}
    assert checks(api, "listThings", exchange(headers={}, status=401, body={"error": "who?"})) == set()
    assert (
        checks(api, "getFile", exchange(headers={}, path={"name": "a"}, content_type="application/octet-stream"))
        == set()
    )


def test_an_invalid_request_is_found_and_named_negative_data_rejection(api: ApiSpec) -> None:
    checker = ExchangeChecker(api)
    op = api.operation("createThing")
    ex = exchange(method="POST", request_body=b'{"id": "x"}', headers={**AUTH, "content-type": "application/json"})
    _values, refused = checker.request(op, ex)
    assert [f.check for f in refused] == ["negative_data_rejection"] and "name" in refused[0].message


def test_a_request_in_an_undocumented_media_type_is_found(api: ApiSpec) -> None:
    checker = ExchangeChecker(api)
    op = api.operation("createThing")
    ex = exchange(method="POST", request_body=b"id=1", headers={**AUTH, "content-type": "text/csv"})
    _values, refused = checker.request(op, ex)
    assert refused and "text/csv" in refused[0].message


def test_a_head_answer_has_no_body_to_check(api: ApiSpec) -> None:
    assert checks(api, "getThing", exchange(method="HEAD", path={"id": "1"}, body=b"")) == set()


def test_a_redirect_documented_without_content_is_fine(api: ApiSpec) -> None:
    ex = exchange(path={"name": "a"}, headers={}, status=302, content_type="", answer_headers={"location": "/x"})
    assert checks(api, "getFile", ex) == set()


def test_documented_rules_are_not_checked_on_a_refusal(api: ApiSpec) -> None:
    assert checks(api, "listThings", exchange(query=(("limit", "1"),), status=401, body={"error": "no"})) == set()


def test_the_checker_keeps_one_validator_per_response(api: ApiSpec) -> None:
    checker = ExchangeChecker(api)
    op = api.operation("getThing")
    for _ in range(3):
        values, _refused = checker.request(op, exchange(path={"id": "1"}, body={"id": 1, "name": "x"}))
        checker.response(op, exchange(path={"id": "1"}, body={"id": 1, "name": "x"}), values, TODAY)
    assert len(checker._schemas) == 1
