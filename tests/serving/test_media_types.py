"""Every response shape a spec may document: examples without schemas, files, text, XML, no content."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_app_type import ServeApp
from starlette.testclient import TestClient

from mockserver.openapi.loader import load
from mockserver.serving.config import ServerConfig

SPEC = """
openapi: 3.0.3
info: {title: Media, version: "1"}
paths:
  /greeting:
    get:
      responses:
        "200":
          description: an example and no schema (OAI api-with-examples)
          content:
            application/json:
              examples:
                hello: {value: {versions: [{status: CURRENT, id: v2.0}]}}
  /avatar.png:
    get:
      responses:
        "200": {description: a picture, content: {image/png: {schema: {type: string, format: binary}}}}
  /report:
    get:
      responses:
        "200": {description: a PDF, content: {application/pdf: {schema: {type: string, format: binary}}}}
  /blob:
    get:
      responses:
        "200": {description: bytes, content: {application/octet-stream: {}}}
  /rows:
    get:
      responses:
        "200":
          description: CSV or JSON, as Accept asks
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Rows"}
            text/csv:
              schema: {$ref: "#/components/schemas/Rows"}
  /pet:
    get:
      responses:
        "200":
          description: XML first, JSON second
          content:
            application/xml: {schema: {$ref: "#/components/schemas/Pet"}}
            application/json: {schema: {$ref: "#/components/schemas/Pet"}}
  /ping:
    get:
      responses:
        "200": {description: text, content: {text/plain: {schema: {type: string}}}}
  /events:
    get:
      responses:
        "200":
          description: a stream of events, as JSON lines or server-sent events
          content:
            application/x-ndjson: {schema: {type: array, items: {$ref: "#/components/schemas/Event"}}}
            text/event-stream: {schema: {type: array, items: {$ref: "#/components/schemas/Event"}}}
        "500":
          description: an error, in the stream's own type (Docker)
          content:
            application/jsonl: {schema: {type: object, required: [message], properties: {message: {type: string}}}}
  /things/{id}:
    delete:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "204":
          description: gone
          headers:
            X-Request-Id: {schema: {type: string, format: uuid}, required: true}
            X-RateLimit-Remaining: {schema: {type: integer, minimum: 0}}
components:
  schemas:
    Event: {type: object, required: [id], properties: {id: {type: integer}}}
    Rows:
      type: array
      items: {type: object, required: [id, name], properties: {id: {type: integer}, name: {type: string}}}
    Pet:
      type: object
      xml: {name: Pet}
      required: [id, name, tags]
      properties:
        id: {type: integer, xml: {attribute: true}}
        name: {type: string}
        tags:
          type: array
          xml: {wrapped: true}
          items: {type: string, xml: {name: tag}}
"""


@pytest.fixture(scope="module")
def client(serve_app: ServeApp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path: Path = tmp_path_factory.mktemp("specs") / "media.yaml"
    path.write_text(SPEC)
    with serve_app([load(path, strict=True)], ServerConfig(access_log=False)) as test_client:
        yield test_client


def test_an_example_without_a_schema_is_served_as_the_answer(client: TestClient) -> None:
    response = client.get("/media/greeting")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"versions": [{"status": "CURRENT", "id": "v2.0"}]}


@pytest.mark.parametrize(
    ("path", "media", "magic"),
    [("/media/avatar.png", "image/png", b"\x89PNG\r\n\x1a\n"), ("/media/report", "application/pdf", b"%PDF-")],
)
def test_a_file_response_is_a_real_file_of_its_type(client: TestClient, path: str, media: str, magic: bytes) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == media
    assert response.content.startswith(magic)


def test_bytes_without_a_schema_are_some_bytes_with_the_documented_type(client: TestClient) -> None:
    response = client.get("/media/blob")
    assert response.headers["content-type"] == "application/octet-stream"
    assert len(response.content) > 0


def test_accept_picks_among_the_documented_media_types(client: TestClient) -> None:
    as_csv = client.get("/media/rows", headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert rows and all(row["id"].lstrip("-").isdigit() for row in rows)
    as_json = client.get("/media/rows", headers={"Accept": "application/json"})
    assert as_json.headers["content-type"] == "application/json"
    assert isinstance(as_json.json(), list)


def test_json_is_the_default_and_xml_is_served_when_asked_for(client: TestClient) -> None:
    for accept in ("", "*/*", "image/webp"):
        default = client.get("/media/pet", headers={"Accept": accept} if accept else {})
        assert default.status_code == 200 and default.headers["content-type"] == "application/json"
    response = client.get("/media/pet", headers={"Accept": "application/xml"})
    assert response.headers["content-type"].startswith("application/xml")
    pet = ET.fromstring(response.text)
    assert pet.tag == "Pet" and pet.get("id", "").lstrip("-").isdigit()
    assert pet.find("name") is not None and pet.find("tags") is not None
    assert all(tag.tag == "tag" for tag in pet.find("tags"))  # type: ignore[union-attr]


def test_text_plain_is_text(client: TestClient) -> None:
    response = client.get("/media/ping")
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text and not response.text.startswith('"')


def test_no_content_is_an_empty_body_without_content_type_but_with_documented_headers(client: TestClient) -> None:
    response = client.delete("/media/things/7")
    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers
    assert len(response.headers["x-request-id"]) == 36
    assert int(response.headers["x-ratelimit-remaining"]) >= 0


def test_errors_of_an_api_documenting_none_are_rfc9457_problem_details(client: TestClient) -> None:
    response = client.get("/media/no/such/thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = json.loads(response.text)
    assert body["status"] == 404 and body["title"] and "/media/no/such/thing" in body["detail"]


def test_json_lines_carry_one_item_per_line(client: TestClient) -> None:
    response = client.get("/media/events")
    assert response.headers["content-type"] == "application/x-ndjson"
    lines = response.text.splitlines()
    assert lines and all(isinstance(json.loads(line)["id"], int) for line in lines)


def test_server_sent_events_carry_one_item_per_data_line(client: TestClient) -> None:
    response = client.get("/media/events", headers={"Accept": "text/event-stream"})
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [block for block in response.text.split("\n\n") if block]
    assert events and all(isinstance(json.loads(block.removeprefix("data: "))["id"], int) for block in events)


def test_an_error_documented_as_json_lines_is_one_line_not_a_crash(client: TestClient) -> None:
    response = client.get("/media/events", headers={"Prefer": "code=500"})
    assert response.status_code == 500 and response.headers["content-type"] == "application/jsonl"
    assert json.loads(response.text)["message"]
