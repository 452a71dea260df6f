"""A hostile spec or request cannot keep the mock busy: patterns match in linear time, and every request
has a time budget after which it gets the mock's own 503 (issue 10, item 5).

The inputs are chosen so that Python's `re` would take hours on them (`^(a+)+$` against forty `a`s and a
`!` is 2**40 steps), so a test here cannot pass by luck on the old code; the bounds are generous.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_app_type import ServeApp
from starlette.testclient import TestClient

from mockserver.generation.compiler import Compiler
from mockserver.generation.context import make_context
from mockserver.generation.regex import UnsupportedPattern, compile_pattern
from mockserver.generation.values import Pools
from mockserver.openapi import patterns
from mockserver.openapi.loader import load
from mockserver.serving.app import build_app
from mockserver.serving.budget import BUDGET_EXCEEDED
from mockserver.serving.config import ServerConfig

SPEC = Path(__file__).with_name("budget.yaml")
EVIL = "a" * 40 + "!"  # `^(a+)+$` backtracks 2**40 times in Python's `re` before it gives up
BOUND = 5.0  # seconds; the same requests took hours before
BUDGET = 1.0


@pytest.fixture(scope="module")
def client(serve_app: ServeApp) -> Iterator[TestClient]:
    # No size budget here: these tests are about time (tests/hostile/test_answer_size.py is about size).
    config = ServerConfig(access_log=False, request_budget=BUDGET, max_answer=0)
    with serve_app([load(SPEC)], config, raise_server_exceptions=False) as test_client:
        yield test_client


def _timed_get(client: TestClient, path: str, **params: str) -> tuple[Any, float]:
    started = time.monotonic()
    response = client.get(path, params=params)
    return response, time.monotonic() - started


def test_a_redos_pattern_on_a_query_parameter_is_refused_at_once(client: TestClient) -> None:
    response, took = _timed_get(client, "/budget/search", q=EVIL)
    assert response.status_code == 400 and "q" in response.text
    assert took < BOUND
    assert client.get("/budget/search", params={"q": "a" * 40}).status_code == 200


def test_a_redos_pattern_in_a_json_body_is_refused_at_once(client: TestClient) -> None:
    started = time.monotonic()
    response = client.post("/budget/things", json={"name": EVIL})
    assert response.status_code == 400 and "name" in response.text
    assert time.monotonic() - started < BOUND
    assert client.post("/budget/things", json={"name": "aaaa"}).status_code == 201


def test_a_redos_pattern_property_is_matched_at_once(client: TestClient) -> None:
    # `patternProperties` and `additionalProperties: false` both ask whether the key matches '^(x+)+$'.
    started = time.monotonic()
    response = client.post("/budget/things", json={"x" * 40 + "!": 1})
    assert response.status_code == 400
    assert time.monotonic() - started < BOUND
    assert client.post("/budget/things", json={"xxxx": 1}).status_code == 201
    assert client.post("/budget/things", json={"xxxx": "one"}).status_code == 400


def test_a_pattern_re2_cannot_run_is_checked_by_the_fallback_within_its_limit(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A lookahead: the backtracking fallback is stopped after its limit, and the value is refused.
    monkeypatch.setattr(patterns, "FALLBACK_LIMIT", 0.1)  # well inside the budget, on a busy machine too
    response, took = _timed_get(client, "/budget/search", code="a" * 60 + "!")
    assert response.status_code == 400 and "code" in response.text
    assert took < BOUND


@pytest.mark.parametrize(
    ("name", "value", "status"),
    [
        ("code", "aaa", 200),  # lookahead, through the fallback
        ("code", "baa", 400),
        ("pair", "xx", 200),  # backreference, through the fallback
        ("pair", "xy", 400),
        ("zip", "12345", 200),
        ("zip", "1234", 400),
        ("zip", "12345\n", 200),  # Python's `$` takes a final newline: as before
        ("zip", "١٢٣٤٥", 200),  # Python's `\d` is any decimal digit: as before
    ],
)
def test_patterns_match_as_python_matched_them(client: TestClient, name: str, value: str, status: int) -> None:
    assert client.get("/budget/search", params={name: value}).status_code == status


def test_an_ecma_unicode_property_pattern_is_checked_rather_than_ignored(client: TestClient) -> None:
    # Python's `re` cannot compile `\p{L}`: the check used to accept anything.
    assert client.get("/budget/search", params={"name": "Zoë"}).status_code == 200
    assert client.get("/budget/search", params={"name": "1234"}).status_code == 400


def test_an_answer_over_the_budget_is_the_mocks_own_503(client: TestClient) -> None:
    started = time.monotonic()
    response = client.get("/budget/report")
    assert time.monotonic() - started < BOUND
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-mock-error"] == "true"
    assert int(response.headers["retry-after"]) >= 1
    body = response.json()
    assert body["type"] == BUDGET_EXCEEDED and body["status"] == 503
    assert "--request-budget" in body["detail"]
    # The server goes on answering.
    assert client.get("/budget/search", params={"q": "aaa"}).status_code == 200


def test_waiting_for_a_slow_request_body_does_not_count_against_the_budget() -> None:
    app = build_app([load(SPEC)], ServerConfig(access_log=False, request_budget=0.2))
    body = json.dumps({"name": "aaa"}).encode()
    sent: list[dict[str, Any]] = []
    chunks = [body[:4], body[4:]]

    async def receive() -> dict[str, Any]:
        if len(chunks) == 1:
            await asyncio.sleep(0.4)  # the client is slow: twice the budget between two chunks
        chunk = chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/budget/things",
        "raw_path": b"/budget/things",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"mock"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("mock", 80),
    }

    async def call() -> None:
        await app(scope, receive, send)

    asyncio.run(call())
    assert sent[0]["status"] == 201


@pytest.mark.parametrize(
    "pattern", ["a{1000000000}", "(a|aa)*b{100000}", "((a?){1000}){1000}", "(((a?){1000}){1000}){1000}"]
)
def test_a_pattern_asking_for_huge_strings_is_not_generated_from(pattern: str) -> None:
    with pytest.raises(UnsupportedPattern):
        compile_pattern(pattern)


def test_a_string_with_a_huge_pattern_is_generated_quickly_and_small() -> None:
    gen = Compiler(Pools(0)).compile({"type": "string", "pattern": "^(a|aa)*b{100000}$"}, name="token")
    started = time.monotonic()
    value = gen(make_context(0, "x"), 0)
    assert time.monotonic() - started < BOUND
    assert isinstance(value, str) and len(value) < 1000
