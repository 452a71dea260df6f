"""Every request shape a real spec uses is accepted when valid and refused, in the API's envelope, when not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_app_type import ServeApp
from starlette.testclient import TestClient

from mockserver.openapi.loader import load
from mockserver.serving.config import ServerConfig

# Shapes from Stripe (anyOf query params, deepObject form bodies), Discord (3.1 nullable references),
# OAI's uspto (a urlencoded form) and Box/Twilio (literal paths beside templated ones).
SPEC = """
openapi: 3.1.0
info: {title: Shapes, version: "1"}
paths:
  /v1/customers:
    get:
      parameters:
        - name: created
          in: query
          style: deepObject
          explode: true
          schema:
            anyOf:
              - {type: object, properties: {gt: {type: integer}, gte: {type: integer}, lt: {type: integer}}}
              - {type: integer}
        - {name: expand, in: query, style: deepObject, explode: true, schema: {type: array, items: {type: string}}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
        - {name: ids, in: query, style: pipeDelimited, explode: false, schema: {type: array, items: {type: integer}}}
        - {name: opt_pretty, in: query, allowEmptyValue: true, schema: {type: boolean}}
        - {name: page, in: query, schema: {type: integer, format: int32}}
      responses:
        "200": {$ref: "#/components/responses/Customers"}
        "400": {$ref: "#/components/responses/Error"}
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                email: {type: string, maxLength: 512}
                address:
                  type: object
                  properties: {city: {type: string}, line1: {type: string}}
                metadata:
                  anyOf: [{type: object, additionalProperties: {type: string}}, {type: string, enum: [""]}]
                expand: {type: array, items: {type: string}}
                balance: {type: integer}
                tax_exempt: {type: string, enum: ["", exempt, none, reverse]}
            encoding:
              address: {style: deepObject, explode: true}
              metadata: {style: deepObject, explode: true}
              expand: {style: deepObject, explode: true}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
        "400": {$ref: "#/components/responses/Error"}
  /channels/{channel_id}/messages:
    post:
      parameters: [{name: channel_id, in: path, required: true, schema: {type: string, pattern: "^[0-9]+$"}}]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                content: {type: [string, "null"]}
                embed: {oneOf: [{type: "null"}, {$ref: "#/components/schemas/Embed"}]}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
        "400": {$ref: "#/components/responses/Error"}
  /metadata_templates/{scope}:
    get:
      parameters: [{name: scope, in: path, required: true, schema: {type: string, enum: [global, enterprise]}}]
      responses:
        "200": {description: one template, content: {application/json: {schema: {type: object, required: [kind], properties: {kind: {const: one}}}}}}
  /metadata_templates/global:
    get:
      responses:
        "200": {description: the list, content: {application/json: {schema: {type: object, required: [kind], properties: {kind: {const: list}}}}}}
  /v1/Services/{Sid}/Compliance:
    post:
      parameters: [{name: Sid, in: path, required: true, schema: {type: string}}]
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [MessageSamples, Description]
              properties: {MessageSamples: {type: array, items: {type: string}}, Description: {type: string}}
      responses:
        "201": {description: created}
  /session:
    get:
      parameters:
        - {name: session_id, in: cookie, required: true, schema: {type: integer}}
        - {name: theme, in: cookie, schema: {type: string, enum: [dark, light]}}
      responses:
        "200": {description: ok}
        "400": {$ref: "#/components/responses/Error"}
  /uploads:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file, name]
              properties: {file: {type: string, format: binary}, name: {type: string}, size: {type: integer}}
      responses:
        "201": {description: stored}
        "400": {$ref: "#/components/responses/Error"}
components:
  schemas:
    Embed: {type: object, required: [title], properties: {title: {type: string}}}
  responses:
    Customers:
      description: ok
      content: {application/json: {schema: {type: object, required: [data], properties: {data: {type: array, items: {type: object}}}}}}
    Error:
      description: refused
      content:
        application/json:
          schema:
            type: object
            required: [error]
            properties: {error: {type: object, required: [message], properties: {message: {type: string}}}}
"""


def shapes_client(
    serve_app: ServeApp, tmp_path_factory: pytest.TempPathFactory, config: ServerConfig
) -> Iterator[TestClient]:
    path: Path = tmp_path_factory.mktemp("specs") / "shapes.yaml"
    path.write_text(SPEC)
    with serve_app([load(path, strict=True)], config, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def client(serve_app: ServeApp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shapes_client(serve_app, tmp_path_factory, ServerConfig(access_log=False, max_body=1024))


@pytest.fixture(scope="module")
def roomy(serve_app: ServeApp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shapes_client(serve_app, tmp_path_factory, ServerConfig(access_log=False))


@pytest.mark.parametrize(
    "query",
    [
        "created=1690000000",
        "created[gt]=1690000000&created[lt]=1700000000",
        "expand[]=data.default_source&expand[]=data.tax",
        "expand=data.tax",
        "ids=1|2|3&limit=5",
        "opt_pretty=&limit=5",
        "opt_pretty=true",
        "",
    ],
)
def test_valid_query_shapes_of_a_stripe_list_endpoint_are_answered(client: TestClient, query: str) -> None:
    response = client.get(f"/shapes/v1/customers?{query}")
    assert response.status_code == 200, response.text[:300]


@pytest.mark.parametrize(
    "query", ["created=yesterday", "created[gt]=soon", "limit=0", "ids=1|x", "opt_pretty=maybe", "limit="]
)
def test_invalid_query_values_are_refused_in_the_documented_envelope(client: TestClient, query: str) -> None:
    response = client.get(f"/shapes/v1/customers?{query}")
    assert response.status_code == 400, response.text[:300]
    assert set(response.json()) == {"error"} and response.json()["error"]["message"]


@pytest.mark.parametrize(
    "form",
    [
        "email=a%40example.com&address[city]=Berlin&address[line1]=Unter+den+Linden+1",
        "metadata[order_id]=6735&metadata[team]=growth&expand[]=tax&expand[]=sources",
        "metadata=&tax_exempt=",
        "balance=-500",
        "",
    ],
)
def test_stripe_sdk_form_encoding_is_accepted(client: TestClient, form: str) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = client.post("/shapes/v1/customers", content=form, headers=headers)
    assert response.status_code == 200, response.text[:300]


@pytest.mark.parametrize("form", ["balance=lots", "tax_exempt=maybe", "address[city][x]=1"])
def test_an_invalid_form_field_is_refused_naming_it(client: TestClient, form: str) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = client.post("/shapes/v1/customers", content=form, headers=headers)
    assert response.status_code == 400, response.text[:300]


@pytest.mark.parametrize("body", [{"content": None, "embed": None}, {"embed": {"title": "hi"}}, {}])
def test_null_is_accepted_where_a_31_union_allows_it(client: TestClient, body: object) -> None:
    response = client.post("/shapes/channels/123/messages", json=body)
    assert response.status_code == 200, response.text[:300]


def test_a_31_union_still_refuses_what_no_branch_accepts(client: TestClient) -> None:
    response = client.post("/shapes/channels/123/messages", json={"embed": {"description": "no title"}})
    assert response.status_code == 400


def test_a_required_body_that_is_missing_is_refused(client: TestClient) -> None:
    response = client.post("/shapes/channels/123/messages")
    assert response.status_code == 400 and "required" in response.json()["error"]["message"]


def test_a_media_type_the_operation_does_not_take_is_415(client: TestClient) -> None:
    response = client.post("/shapes/channels/123/messages", content="<x/>", headers={"Content-Type": "application/xml"})
    assert response.status_code == 415, response.text[:300]
    assert "application/json" in response.text


def test_a_body_over_the_limit_is_413_without_reading_it_all(client: TestClient) -> None:
    response = client.post("/shapes/channels/123/messages", json={"content": "x" * 5000})
    assert response.status_code == 413


def test_the_literal_path_wins_over_the_template_declared_first(client: TestClient) -> None:
    assert client.get("/shapes/metadata_templates/global").json() == {"kind": "list"}
    assert client.get("/shapes/metadata_templates/enterprise").json() == {"kind": "one"}


def test_a_multipart_upload_is_checked_field_by_field(client: TestClient) -> None:
    files = {"file": ("a.png", b"\x89PNG...", "image/png")}
    assert client.post("/shapes/uploads", files=files, data={"name": "a", "size": "3"}).status_code == 201
    missing = client.post("/shapes/uploads", files=files, data={"size": "3"})
    assert missing.status_code == 400 and "name" in missing.text
    wrong = client.post("/shapes/uploads", files=files, data={"name": "a", "size": "big"})
    assert wrong.status_code == 400


def test_a_required_form_array_left_out_is_an_empty_list_which_a_form_cannot_spell(client: TestClient) -> None:
    # Twilio: schemathesis (and any client) sends MessageSamples=[] as nothing at all.
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = client.post("/shapes/v1/Services/MG1/Compliance", content="Description=", headers=headers)
    assert response.status_code == 201, response.text[:300]
    missing = client.post("/shapes/v1/Services/MG1/Compliance", content="MessageSamples=a", headers=headers)
    assert missing.status_code == 400


def test_nullable_beside_a_union_without_type_admits_null_in_a_30_body(serve_app: ServeApp, tmp_path: Path) -> None:
    # GitHub's PUT /orgs/{org}/properties/schema/{name}: default_value {oneOf: [string, array], nullable: true}
    text = """
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /props:
    put:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                default_value:
                  nullable: true
                  oneOf: [{type: string}, {type: array, items: {type: string}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Field"}}}}
components:
  schemas:
    Field: {type: object, nullable: true, required: [id], properties: {id: {type: integer}}}
"""
    path = tmp_path / "gh.yaml"
    path.write_text(text)
    with serve_app([load(path, strict=True)], ServerConfig(access_log=False)) as client:
        assert client.put("/gh/props", json={"default_value": None}).status_code == 200
        assert client.put("/gh/props", json={"default_value": 7}).status_code == 400
        # A nullable object answers null or an object with its required fields: never a bare {}.
        for seed in range(30):
            body = client.put("/gh/props", json={}, headers={"Prefer": f"seed={seed}"}).json()
            assert body is None or isinstance(body["id"], int)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/shapes/channels/1/messages", b"[" * 100_000),  # JSON nested past the parser's stack
        ("POST", "/shapes/channels/1/messages", ('{"content":' + "[" * 5000 + "]" * 5000 + "}").encode()),
        ("GET", "/shapes/v1/customers?created" + "[a]" * 5000 + "=1", b""),  # brackets past any sane depth
        ("POST", "/shapes/v1/customers", b"metadata" + b"[k]" * 5000 + b"=1"),
    ],
)
def test_hostile_nesting_is_refused_or_ignored_never_a_500(
    roomy: TestClient, method: str, path: str, body: bytes
) -> None:
    headers = {"Content-Type": "application/json" if path.endswith("messages") else "application/x-www-form-urlencoded"}
    response = roomy.request(method, path, content=body, headers=headers)
    assert response.status_code in (200, 400), response.text[:300]
    # …and the operation's checks still work afterwards (a hostile request does not switch them off).
    assert roomy.post("/shapes/channels/123/messages", json={"embed": {"description": "no title"}}).status_code == 400


def test_a_url_past_the_limit_is_414_in_the_api_envelope(roomy: TestClient) -> None:
    response = roomy.get("/shapes/v1/customers?expand[]=" + "a" * 40_000)
    assert response.status_code == 414
    assert set(response.json()) == {"error"}


def test_headers_past_the_limit_are_431(roomy: TestClient) -> None:
    response = roomy.get("/shapes/v1/customers", headers={"X-Big": "b" * 70_000})
    assert response.status_code == 431


def test_cookie_parameters_are_checked_like_the_others(client: TestClient) -> None:
    assert client.get("/shapes/session", headers={"Cookie": "session_id=42; theme=dark"}).status_code == 200
    missing = client.get("/shapes/session", headers={"Cookie": "theme=dark"})
    assert missing.status_code == 400 and "session_id" in missing.json()["error"]["message"]
    assert client.get("/shapes/session", headers={"Cookie": "session_id=42; theme=pink"}).status_code == 400


def test_the_index_too_refuses_headers_past_the_limit(roomy: TestClient) -> None:
    # `GET /` was answered before the size checks: a 10 MB header there was taken in whole.
    response = roomy.get("/", headers={"X-Big": "b" * 70_000})
    assert response.status_code == 431
