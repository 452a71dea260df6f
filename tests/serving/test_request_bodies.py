"""Operations that take a body: unreadable or invalid bodies are refused in the API's envelope, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_app_type import ServeApp
from starlette.testclient import TestClient

from mockserver.openapi.loader import load
from mockserver.serving.config import ServerConfig

SPEC = """
openapi: 3.0.3
info: {title: Things, version: "1"}
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NewThing"}
          multipart/form-data:
            schema: {$ref: "#/components/schemas/NewThing"}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema:
                type: object
                required: [id, name]
                properties: {id: {type: string, format: uuid}, name: {type: string}}
        "400":
          description: refused
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
components:
  schemas:
    NewThing:
      type: object
      required: [name]
      properties: {name: {type: string, minLength: 1}}
    Error:
      type: object
      required: [error]
      properties:
        error:
          type: object
          required: [code, message]
          properties: {code: {type: string}, message: {type: string}}
"""


@pytest.fixture(scope="module")
def client(serve_app: ServeApp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path: Path = tmp_path_factory.mktemp("specs") / "things.yaml"
    path.write_text(SPEC)
    with serve_app([load(path)], ServerConfig(access_log=False), raise_server_exceptions=False) as test_client:
        yield test_client


def assert_refused_in_envelope(response: object) -> None:
    assert response.status_code == 400, response.text[:300]  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body


def test_a_valid_json_body_is_answered_with_the_documented_success(client: TestClient) -> None:
    response = client.post("/things/things", json={"name": "a thing"})
    assert response.status_code == 201, response.text[:300]
    assert set(response.json()) == {"id", "name"}


def test_a_body_breaking_its_schema_is_refused_in_the_envelope(client: TestClient) -> None:
    assert_refused_in_envelope(client.post("/things/things", json={"name": ""}))


def test_a_multipart_content_type_without_boundary_is_refused_in_the_envelope(client: TestClient) -> None:
    response = client.post("/things/things", content=b"name=x", headers={"Content-Type": "multipart/form-data"})
    assert_refused_in_envelope(response)


def test_a_json_body_that_is_not_utf8_is_refused_in_the_envelope(client: TestClient) -> None:
    response = client.post(
        "/things/things",
        content=b'{"name": "\\xff\\xfe"}'.replace(b"\\xff\\xfe", b"\xff\xfe"),
        headers={"Content-Type": "application/json"},
    )
    assert_refused_in_envelope(response)


def test_a_json_body_that_does_not_parse_is_refused_in_the_envelope(client: TestClient) -> None:
    response = client.post("/things/things", content=b'{"name": ', headers={"Content-Type": "application/json"})
    assert_refused_in_envelope(response)
