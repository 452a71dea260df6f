"""A spec cannot make the mock build an answer of unbounded size: past `--max-answer-size` (about the
memory one answer takes to make) the mock stops and answers its own 501, in a bounded time and memory
(issue 10, item 4). Before, `minItems: 10000000` of integers was a 39 MB body and about 1 GB of memory,
`minLength: 100000000` a 100 MB body."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_app_type import ServeApp
from starlette.testclient import TestClient

from mockserver.openapi.loader import load
from mockserver.serving.budget import ANSWER_TOO_LARGE
from mockserver.serving.config import ServerConfig

SPEC = """
openapi: 3.0.3
info: {title: Big, version: "1"}
paths:
  /ints:
    get:
      responses:
        "200":
          description: ten million integers
          content:
            application/json:
              schema: {type: array, minItems: 10000000, items: {type: integer}}
  /text:
    get:
      responses:
        "200":
          description: a hundred million characters
          content:
            application/json:
              schema: {type: object, required: [t], properties: {t: {type: string, minLength: 100000000}}}
  /objects:
    get:
      responses:
        "200":
          description: a million objects
          content:
            application/json:
              schema:
                type: array
                minItems: 1000000
                items: {type: object, required: [id], properties: {id: {type: integer}}}
  /guarded:
    get:
      security: [{key: []}]
      responses:
        "200":
          description: fine
          content:
            application/json:
              schema: {type: object}
        "401":
          description: an error envelope far too large to make
          content:
            application/json:
              schema: {type: array, minItems: 10000000, items: {type: integer}}
  /small:
    get:
      responses:
        "200":
          description: an ordinary answer
          content:
            application/json:
              schema: {type: array, minItems: 100, items: {type: object, properties: {id: {type: integer}}}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
"""
LIMIT = 4 * 1024 * 1024
BOUND_S = 10.0  # the old code took seconds and a gigabyte on these; the new one stops within a few MB
PEAK_BYTES = 64 * 1024 * 1024


@pytest.fixture(scope="module")
def client(serve_app: ServeApp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path: Path = tmp_path_factory.mktemp("big") / "big.yaml"
    path.write_text(SPEC)
    config = ServerConfig(access_log=False, max_answer=LIMIT)
    with serve_app([load(path)], config, raise_server_exceptions=False) as test_client:
        yield test_client


def traced_get(client: TestClient, path: str) -> tuple[Any, float, int]:
    tracemalloc.start()
    started = time.monotonic()
    try:
        response = client.get(path)
        return response, time.monotonic() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("path", ["/big/ints", "/big/text", "/big/objects", "/big/guarded"])
def test_an_answer_too_large_to_make_is_the_mocks_own_501_in_bounded_time_and_memory(
    client: TestClient, path: str
) -> None:
    response, took, peak = traced_get(client, path)
    assert response.status_code == 501, response.text[:300]
    body = response.json()
    assert body["type"] == ANSWER_TOO_LARGE and body["max_answer_size"] == LIMIT
    assert response.headers["x-mock-error"] == "true"
    assert took < BOUND_S
    assert peak < PEAK_BYTES, f"{peak / 2**20:.0f} MiB allocated at the peak"


def test_an_ordinary_answer_is_made_as_before(client: TestClient) -> None:
    response = client.get("/big/small")
    assert response.status_code == 200 and len(response.json()) >= 100


def test_no_size_limit_when_it_is_off(serve_app: ServeApp, tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(SPEC.replace("minLength: 100000000", "minLength: 5000000"))
    with serve_app([load(path)], ServerConfig(access_log=False, max_answer=0)) as client:
        response = client.get("/big/text")
    assert response.status_code == 200 and len(response.json()["t"]) == 5_000_000
