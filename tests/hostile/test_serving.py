"""Hostile input against the server (issue 10): nothing leaks, nothing echoes without bound, nothing crashes.

One small spec that declares credentials where real APIs put them (a query `sig`, an `X-Session-Id`
header, a cookie, HTTP basic), examples YAML reads as dates, big integers and NaN, and a JSON body;
the app served in process.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from serve_app_type import ServeApp
from starlette.testclient import TestClient

from mockserver.openapi.loader import load_all
from mockserver.openapi.model import ApiSpec
from mockserver.serving.config import ServerConfig

ENVELOPE = """
              schema:
                type: object
                required: [error]
                properties:
                  error:
                    type: object
                    required: [message, code]
                    additionalProperties: false
                    properties: {message: {type: string}, code: {type: string}}"""
SPEC = f"""
openapi: 3.0.3
info: {{title: Hostile, version: "1"}}
paths:
  /items:
    get:
      operationId: listItems
      security: [{{sig: []}}, {{session: []}}, {{sid: []}}, {{basic: []}}]
      parameters:
        - {{name: limit, in: query, schema: {{type: integer, maximum: 100}}}}
        - {{name: amount, in: query, schema: {{type: number}}}}
        - {{name: code, in: query, schema: {{type: string, maxLength: 5}}}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  day: {{type: string, format: date}}
                  big: {{type: integer}}
                  ratio: {{type: number}}
              example: {{day: 2024-01-15, big: 123456789012345678901234567890, ratio: .nan}}
              examples:
                infinite: {{value: {{day: 2024-01-15, ratio: .inf}}}}
        "401":
          description: Unauthorized
          content:
            application/json:{ENVELOPE}
        "400":
          description: Bad request
          content:
            application/json:{ENVELOPE}
    post:
      operationId: createItem
      requestBody:
        required: true
        content:
          application/json:
            schema: {{type: object, properties: {{name: {{type: string}}, tags: {{type: array}}}}}}
      responses:
        "201": {{description: created, content: {{application/json: {{schema: {{type: object}}}}}}}}
        "400":
          description: Bad request
          content:
            application/json:{ENVELOPE}
components:
  securitySchemes:
    sig: {{type: apiKey, in: query, name: sig}}
    session: {{type: apiKey, in: header, name: X-Session-Id}}
    sid: {{type: apiKey, in: cookie, name: sid}}
    basic: {{type: http, scheme: basic}}
"""
ITEMS = "/hostile/items"
SIG = {"sig": "a-valid-signature"}
JOURNAL = "/__mock/requests"
SECRET = "SECRET-c2f9e1d07b"


@pytest.fixture(scope="module")
def apis(tmp_path_factory: pytest.TempPathFactory) -> list[ApiSpec]:
    spec = tmp_path_factory.mktemp("hostile") / "hostile.yaml"
    spec.write_text(SPEC)
    return load_all([spec])


@pytest.fixture(scope="module")
def served(serve_app: ServeApp, apis: list[ApiSpec]) -> Iterator[TestClient]:
    with serve_app(apis, ServerConfig(seed=1), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def client(served: TestClient) -> TestClient:
    """The module's client with an empty journal."""
    assert served.delete(JOURNAL).status_code == 204
    return served


def strict_json(text: str) -> Any:
    """`text` as JSON, refusing Python's extensions (NaN, Infinity) as every other JSON parser does."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def in_envelope(body: Any) -> str:
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"message", "code"}, body
    message: str = body["error"]["message"]
    return message


# --- item 9: credentials masked by the spec's security schemes, after percent-decoding ----------------------

CREDENTIALS = {
    "query apiKey `sig`": {"url": f"{ITEMS}?sig={SECRET}"},
    "header apiKey `X-Session-Id`": {"url": ITEMS, "headers": {"X-Session-Id": SECRET}},
    "cookie apiKey `sid`": {"url": ITEMS, "headers": {"Cookie": f"sid={SECRET}"}},
    "http basic": {"url": ITEMS, "auth": ("user", SECRET)},
    "percent-encoded name `api_%6Bey`": {"url": f"{ITEMS}?sig=s&api_%6Bey={SECRET}"},
    "percent-encoded `%73ig`": {"url": f"{ITEMS}?%73ig={SECRET}"},
    "the value again in the path": {"url": f"{ITEMS}/{SECRET}?sig={SECRET}"},
    "the value in another header": {"url": f"{ITEMS}?sig={SECRET}", "headers": {"Referer": f"http://x/?sig={SECRET}"}},
}


@pytest.mark.parametrize("request_", CREDENTIALS.values(), ids=CREDENTIALS.keys())
def test_credentials_never_reach_the_journal_or_the_access_log(
    client: TestClient, caplog: pytest.LogCaptureFixture, request_: dict[str, Any]
) -> None:
    with caplog.at_level("INFO", logger="mockserver.access"):
        response = client.get(request_["url"], headers=request_.get("headers"), auth=request_.get("auth"))
    assert response.status_code in (200, 404)  # accepted as credentials (or a path that is not there)
    journal = client.get(JOURNAL).text
    [line] = [r.getMessage() for r in caplog.records if r.name == "mockserver.access"]
    assert SECRET not in journal
    assert SECRET not in line
    assert "***" in journal


def test_the_journal_still_shows_what_is_not_a_credential(client: TestClient) -> None:
    client.get(ITEMS, params={"sig": SECRET, "limit": "5"}, headers={"X-Trace": "t-1"})
    [entry] = client.get(JOURNAL).json()["requests"]
    assert entry["query"] == "sig=***&limit=5"
    assert entry["headers"]["x-trace"] == "t-1"


# --- item 10: no 500 and no Python internals on odd input or odd examples ------------------------------------


def test_json_nested_a_thousand_deep_is_a_400_in_the_apis_envelope(client: TestClient) -> None:
    response = client.post(ITEMS, content="[" * 1000 + "]" * 1000, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "nested too deeply" in in_envelope(response.json())


@pytest.mark.parametrize(
    ("method", "where"),
    [("POST", "body"), ("GET", "query")],
    ids=["json-body", "query-parameter"],
)
def test_a_5000_digit_integer_gets_a_clean_400_naming_no_python_internals(
    client: TestClient, caplog: pytest.LogCaptureFixture, method: str, where: str
) -> None:
    digits = "1" * 5000
    with caplog.at_level("ERROR", logger="mockserver"):
        if where == "body":
            response = client.post(ITEMS, content=f'{{"name": {digits}}}', headers={"Content-Type": "application/json"})
        else:
            response = client.get(ITEMS, params={**SIG, "limit": digits})
    assert response.status_code == 400
    message = in_envelope(response.json())
    for internal in ("sys.", "int_max_str_digits", "Exceeds the limit", "Traceback"):
        assert internal not in response.text
    assert ("digits" in message) if where == "body" else ("'limit'" in message and "body" not in message)
    assert len(response.content) < 1024
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("prefer", ["dynamic=false", "example=infinite"])
def test_examples_with_dates_big_integers_and_nan_are_served_as_valid_json(client: TestClient, prefer: str) -> None:
    response = client.get(ITEMS, params=SIG, headers={"Prefer": prefer})
    assert response.status_code == 200
    body = strict_json(response.text)
    assert body["day"] == "2024-01-15"
    assert body["ratio"] is None  # JSON has no NaN nor Infinity
    if prefer == "dynamic=false":
        assert body["big"] == 123456789012345678901234567890


def test_openapi_json_of_a_spec_with_odd_examples_is_valid_json(client: TestClient) -> None:
    response = client.get("/hostile/openapi.json")
    assert response.status_code == 200
    document = strict_json(response.text)
    assert "/items" in document["paths"]


# --- item 12: request data echoed into errors is clipped ----------------------------------------------------

BIG = 30_000
ECHOES = {
    "5 MB of invalid JSON": {
        "method": "POST",
        "url": ITEMS,
        "content": b"[" + b"1," * 2_500_000 + b"x]",
        "headers": {"Content-Type": "application/json"},
    },
    "a 5 MB string where a list belongs": {
        "method": "POST",
        "url": ITEMS,
        "content": json.dumps({"tags": "x" * 5_000_000}).encode(),
        "headers": {"Content-Type": "application/json"},
    },
    "a 30 KB path under the API": {"method": "GET", "url": ITEMS + "/" + "p" * BIG},
    "a 30 KB path under no API": {"method": "GET", "url": "/" + "p" * BIG},
    "a 30 KB method": {"method": "M" * BIG, "url": ITEMS},
    "a 30 KB invalid query value": {"method": "GET", "url": f"{ITEMS}?sig=s&code={'c' * BIG}"},
    "a 30 KB Prefer value": {"method": "GET", "url": f"{ITEMS}?sig=s", "headers": {"Prefer": "dynamic=" + "d" * BIG}},
    "a 30 KB example name": {"method": "GET", "url": f"{ITEMS}?sig=s", "headers": {"Prefer": "example=" + "e" * BIG}},
    "a 30 KB Content-Type": {
        "method": "POST",
        "url": ITEMS,
        "content": b"{}",
        "headers": {"Content-Type": "text/" + "t" * BIG},
    },
}


@pytest.mark.parametrize("request_", ECHOES.values(), ids=ECHOES.keys())
def test_errors_echo_at_most_a_clipped_excerpt_of_the_request(client: TestClient, request_: dict[str, Any]) -> None:
    response = client.request(
        request_["method"], request_["url"], content=request_.get("content"), headers=request_.get("headers")
    )
    assert 400 <= response.status_code < 500
    assert len(response.content) < 4096, response.text[:500]
    [entry] = client.get(JOURNAL).json()["requests"]
    assert len(entry["problem"] or "") < 2048


# --- item 14: smaller ones -----------------------------------------------------------------------------------


def test_a_chunked_request_body_without_content_length_is_read(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name": '
        yield b'"chunked"}'

    response = client.post(ITEMS, content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("path", ["/hostile/ui", "/hostile/ui/../ui"])
def test_the_trailing_slash_redirect_is_relative_whatever_the_host_header_says(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
    assert response.status_code in (301, 307, 308)
    assert response.headers["location"] == "/hostile/ui/"


@pytest.mark.parametrize("sent", ["%0a", "%0d%0a", "%1b[31m", "%e2%80%a8"], ids=["LF", "CRLF", "ESC", "U+2028"])
def test_control_characters_in_a_path_cannot_split_or_forge_an_access_log_line(
    client: TestClient, caplog: pytest.LogCaptureFixture, sent: str
) -> None:
    with caplog.at_level("INFO", logger="mockserver.access"):
        client.get(f"{ITEMS}{sent}GET /forged 200 1.0ms")
    [line] = [r.getMessage() for r in caplog.records if r.name == "mockserver.access"]
    assert line.isprintable(), repr(line)
    assert line.startswith(f"GET {ITEMS}\\")


NOT_INTEGERS = ["1_0", "１０", " 10 ", "+10", "10\n", "٣"]
NOT_NUMBERS = ["1_0", "１０", " 1.5 ", "+1", "1_0.5", "nan", "Infinity", "1e999"]


@pytest.mark.parametrize("value", NOT_INTEGERS, ids=repr)
def test_an_integer_parameter_takes_only_ascii_digits(client: TestClient, value: str) -> None:
    response = client.get(ITEMS, params={**SIG, "limit": value})
    assert response.status_code == 400
    assert "'limit'" in in_envelope(response.json())


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
def test_a_number_parameter_takes_only_json_numbers(client: TestClient, value: str) -> None:
    response = client.get(ITEMS, params={**SIG, "amount": value})
    assert response.status_code == 400
    assert "'amount'" in in_envelope(response.json())


@pytest.mark.parametrize(("limit", "amount"), [("10", "1.5"), ("-3", "-2e3"), ("007", ".5"), ("100", "10")])
def test_json_spelled_integers_and_numbers_are_accepted(client: TestClient, limit: str, amount: str) -> None:
    assert client.get(ITEMS, params={**SIG, "limit": limit, "amount": amount}).status_code == 200


@pytest.mark.parametrize("prefer", ["code=4_00", "code=+400", "code=４００", "seed=1_0", "seed=７", "latency=+10"])
def test_prefer_numbers_take_only_ascii_digits(client: TestClient, prefer: str) -> None:
    response = client.get(ITEMS, params=SIG, headers=[(b"Prefer", prefer.encode())])
    assert response.status_code == 400
    assert response.json()["title"] == "Invalid Prefer header"


def test_edge_cases_never_replace_the_mocks_own_401_message(serve_app: ServeApp, apis: list[ApiSpec]) -> None:
    with serve_app(apis, ServerConfig(seed=1, edge=1.0)) as edgy:
        for _ in range(5):
            response = edgy.get(ITEMS)
            assert response.status_code == 401
            assert in_envelope(response.json()) == "Missing credentials: query 'sig' is required"
