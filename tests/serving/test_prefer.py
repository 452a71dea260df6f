"""The Prism-compatible `Prefer` header: forced statuses, named examples, static answers, seeds."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml
from serving_support import (
    AUTH,
    CALL_BY_API,
    CALLS,
    CLIENT_ANALYTICS,
    CLIENT_ANALYTICS_QUERY,
    LIGHTDASH,
    ONEPIN,
    OPENROUTER,
    Call,
    assert_matches,
    operation_of,
)
from starlette.testclient import TestClient

from mockserver.openapi.model import ApiSpec

ROOT = Path(__file__).resolve().parents[2]


def raw_example(api: str, status: str, name: str) -> object:
    """The example exactly as written in the spec file."""
    document = yaml.safe_load((ROOT / "specs" / f"{api}.yaml").read_text(encoding="utf-8"))
    (item,) = document["paths"].values()
    return item["get"]["responses"][status]["content"]["application/json"]["examples"][name]["value"]


def prefer(client: TestClient, call: Call, value: str) -> httpx.Response:
    response: httpx.Response = client.get(call.path, params=call.params, headers={**call.headers, "Prefer": value})
    return response


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("openrouter", "Only provisioning keys can fetch activity"),
        ("client-analytics", "Insufficient permissions for this client"),
    ],
)
def test_prefer_code_403_answers_403_in_envelope_with_message_from_spec_description(
    client: TestClient, bundled: list[ApiSpec], name: str, message: str
) -> None:
    call = CALL_BY_API[name]
    api, op = operation_of(bundled, call)
    response = prefer(client, call, "code=403")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert_matches(api, op.response_for(403), body)
    assert body["error"]["message"] == message


def test_prefer_code_403_on_openrouter_carries_the_status_as_error_code(client: TestClient) -> None:
    response = prefer(client, CALL_BY_API["openrouter"], "code=403")
    assert response.json()["error"]["code"] == 403


def test_prefer_code_on_lightdash_uses_its_default_error_payload(client: TestClient, bundled: list[ApiSpec]) -> None:
    call = CALL_BY_API["lightdash"]
    api, op = operation_of(bundled, call)
    response = prefer(client, call, "code=403")
    assert response.status_code == 403
    body = response.json()
    assert_matches(api, op.responses["default"], body)
    assert body["status"] == "error"
    assert body["error"]["statusCode"] == 403


@pytest.mark.parametrize("call", [c for c in CALLS if c.needs_auth], ids=lambda c: c.api)
def test_prefer_code_401_answers_401_with_www_authenticate(
    client: TestClient, bundled: list[ApiSpec], call: Call
) -> None:
    api, op = operation_of(bundled, call)
    response = prefer(client, call, "code=401")
    assert response.status_code == 401
    assert "www-authenticate" in response.headers
    assert_matches(api, op.response_for(401), response.json())


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.api)
def test_prefer_every_documented_status_answers_it_valid_against_its_schema(
    client: TestClient, bundled: list[ApiSpec], call: Call
) -> None:
    api, op = operation_of(bundled, call)
    for status in [s for s in op.documented_statuses if s.isdigit()]:
        response = prefer(client, call, f"code={status}")
        assert response.status_code == int(status), (status, response.text)
        assert "problem" not in response.headers["content-type"]
        assert_matches(api, op.response_for(int(status)), response.json())


@pytest.mark.parametrize("call", [c for c in CALLS if c.api != "lightdash"], ids=lambda c: c.api)
def test_prefer_code_418_undocumented_is_400_problem_json_listing_documented_statuses(
    client: TestClient, bundled: list[ApiSpec], call: Call
) -> None:
    _, op = operation_of(bundled, call)
    response = prefer(client, call, "code=418")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 400
    assert body["documented"] == op.documented_statuses
    for status in op.documented_statuses:
        assert status in body["detail"]


def test_prefer_code_418_on_lightdash_is_its_documented_default(client: TestClient) -> None:
    """Lightdash documents `default`: every status is documented there."""
    response = prefer(client, CALL_BY_API["lightdash"], "code=418")
    assert response.status_code == 418
    assert response.json()["error"]["statusCode"] == 418


@pytest.mark.parametrize(
    ("name", "status", "example"),
    [
        ("onepin", "200", "doc-example"),
        ("client-analytics", "200", "doc-example"),
        ("openrouter", "200", "one-endpoint"),
    ],
)
def test_prefer_example_serves_the_spec_example_verbatim(
    client: TestClient, name: str, status: str, example: str
) -> None:
    response = prefer(client, CALL_BY_API[name], f"example={example}")
    assert response.status_code == int(status)
    assert response.json() == raw_example(name, status, example)


@pytest.mark.parametrize(
    ("name", "status", "example"),
    [
        ("onepin", "422", "limit-too-small"),
        ("client-analytics", "400", "bad-date-format"),
        ("onepin", "401", "envelope"),
    ],
)
def test_prefer_example_of_an_error_response_answers_its_status(
    client: TestClient, name: str, status: str, example: str
) -> None:
    response = prefer(client, CALL_BY_API[name], f"example={example}")
    assert response.status_code == int(status)
    assert response.json() == raw_example(name, status, example)


def test_prefer_example_names_are_quoted_or_bare(client: TestClient) -> None:
    quoted = prefer(client, CALL_BY_API["onepin"], 'example="doc-example"')
    bare = prefer(client, CALL_BY_API["onepin"], "example=doc-example")
    assert quoted.status_code == bare.status_code == 200
    assert quoted.content == bare.content


@pytest.mark.parametrize(("name", "fixture"), [("openrouter", "empty"), ("onepin", "last-page")])
def test_prefer_example_serves_a_fixture_file(client: TestClient, name: str, fixture: str) -> None:
    call = CALL_BY_API[name]
    (folder,) = (ROOT / "fixtures" / name).iterdir()
    raw = yaml.safe_load((folder / f"{fixture}.yaml").read_text(encoding="utf-8"))
    response = prefer(client, call, f"example={fixture}")
    assert response.status_code == raw.get("status", 200)
    assert response.json() == raw["body"]


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.api)
def test_prefer_unknown_example_is_404_listing_examples(client: TestClient, call: Call) -> None:
    response = prefer(client, call, "example=no-such-example")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert "no-such-example" in body["detail"]
    assert isinstance(body["examples"], list)
    if call.api in ("onepin", "client-analytics"):
        assert "doc-example" in body["examples"]


@pytest.mark.parametrize(
    ("name", "status", "example"),
    [
        ("onepin", "200", "doc-example"),
        ("client-analytics", "200", "doc-example"),
        ("openrouter", "200", "one-endpoint"),
    ],
)
def test_prefer_dynamic_false_serves_a_static_example(client: TestClient, name: str, status: str, example: str) -> None:
    call = CALL_BY_API[name]
    first = prefer(client, call, "dynamic=false")
    again = prefer(client, call, "dynamic=false, seed=99")
    assert first.status_code == 200
    assert first.json() == raw_example(name, status, example)
    assert again.content == first.content


def test_prefer_dynamic_false_without_examples_still_answers_valid_data(
    client: TestClient, bundled: list[ApiSpec]
) -> None:
    call = CALL_BY_API["lightdash"]
    api, op = operation_of(bundled, call)
    response = prefer(client, call, "dynamic=false")
    assert response.status_code == 200
    assert_matches(api, op.response_for(200), response.json())


@pytest.mark.parametrize("header", ["code=abc", "code=999", "code=99", "dynamic=maybe", "seed=x", "code=4o4"])
def test_malformed_prefer_is_400_problem_json(client: TestClient, header: str) -> None:
    response = client.get(OPENROUTER, headers={**AUTH, "Prefer": header})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers.get("x-mock-error") == "true"
    assert response.json()["title"] == "Invalid Prefer header"


@pytest.mark.parametrize("header", ["respond-async", "wait=10", "return=minimal", "handling=lenient", ""])
def test_unknown_preferences_are_ignored(client: TestClient, header: str) -> None:
    plain = client.get(OPENROUTER, headers=AUTH)
    response = client.get(OPENROUTER, headers={**AUTH, "Prefer": header})
    assert response.status_code == 200
    assert response.content == plain.content


def test_preferences_combine_with_commas_or_semicolons(client: TestClient) -> None:
    comma = client.get(ONEPIN, headers={**AUTH, "Prefer": "code=404, seed=3"})
    semicolon = client.get(ONEPIN, headers={**AUTH, "Prefer": "code=404; seed=3"})
    assert comma.status_code == semicolon.status_code == 404
    assert comma.content == semicolon.content


def test_credentials_are_checked_before_prefer_code(client: TestClient) -> None:
    response = client.get(CLIENT_ANALYTICS, params=CLIENT_ANALYTICS_QUERY, headers={"Prefer": "code=200"})
    assert response.status_code == 401


def test_prefer_needs_no_credentials_on_lightdash(client: TestClient) -> None:
    response = client.get(LIGHTDASH, headers={"Prefer": "code=500"})
    assert response.status_code == 500
    assert response.json()["error"]["statusCode"] == 500
