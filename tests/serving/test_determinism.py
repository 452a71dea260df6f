"""Same seed + same request = same bytes; anything else may differ; odd bytes on the wire never crash it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from serve_app_type import ServeApp
from serving_support import (
    AUTH,
    CALL_BY_API,
    CALLS,
    LIGHTDASH,
    ONEPIN,
    OPENROUTER,
    Call,
    raw_get,
)
from starlette.testclient import TestClient

from mockserver.openapi.model import ApiSpec
from mockserver.serving.app import build_app
from mockserver.serving.config import ServerConfig

TODAY = date(2026, 3, 15)


def pinned_at(seed: int) -> ServerConfig:
    return ServerConfig(seed=seed, today=lambda: TODAY)


@pytest.fixture(scope="module")
def twins(serve_app: ServeApp, bundled: list[ApiSpec]) -> Iterator[tuple[TestClient, TestClient]]:
    """Two servers built independently with the same seed."""
    with serve_app(bundled, pinned_at(7)) as first, serve_app(bundled, pinned_at(7)) as second:
        yield first, second


@pytest.fixture(scope="module")
def other_seed(serve_app: ServeApp, bundled: list[ApiSpec]) -> Iterator[TestClient]:
    with serve_app(bundled, pinned_at(8)) as client:
        yield client


def fetch(client: TestClient, call: Call, **headers: str) -> bytes:
    response = client.get(call.path, params=call.params, headers={**call.headers, **headers})
    assert response.status_code == 200, response.text
    content: bytes = response.content
    return content


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.api)
def test_two_apps_with_the_same_seed_give_byte_identical_bodies(
    twins: tuple[TestClient, TestClient], call: Call
) -> None:
    first, second = twins
    assert fetch(first, call) == fetch(second, call)
    assert fetch(first, call) == fetch(first, call)


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.api)
def test_same_seed_same_error_body(twins: tuple[TestClient, TestClient], call: Call) -> None:
    first, second = twins
    bodies = [
        c.get(call.path, params=call.params, headers={**call.headers, "Prefer": "code=500"}).content
        for c in (first, second)
    ]
    assert bodies[0] == bodies[1]


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.api)
def test_a_different_server_seed_gives_a_different_body(
    twins: tuple[TestClient, TestClient], other_seed: TestClient, call: Call
) -> None:
    assert fetch(twins[0], call) != fetch(other_seed, call)


def test_a_different_query_gives_a_different_body(twins: tuple[TestClient, TestClient]) -> None:
    first, _ = twins
    # Not two made-up cursors: the feed pages one stored data set, and refuses a cursor it did not issue.
    a = first.get(ONEPIN, params={"limit": 5}, headers=AUTH)
    b = first.get(ONEPIN, params={"limit": 6}, headers=AUTH)
    assert a.status_code == b.status_code == 200
    assert a.content != b.content


def test_a_different_path_parameter_gives_a_different_body(twins: tuple[TestClient, TestClient]) -> None:
    first, _ = twins
    other = LIGHTDASH.rsplit("/", 1)[0] + "/5f0c6a8e-1111-4222-8333-944455556666"
    assert first.get(LIGHTDASH).content != first.get(other).content


def test_query_parameter_order_does_not_change_the_body(twins: tuple[TestClient, TestClient]) -> None:
    first, _ = twins
    a = first.get(f"{ONEPIN}?limit=5&range=60d", headers=AUTH)
    b = first.get(f"{ONEPIN}?range=60d&limit=5", headers=AUTH)
    assert a.content == b.content


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.api)
def test_prefer_seed_changes_the_body_and_is_reproducible(twins: tuple[TestClient, TestClient], call: Call) -> None:
    first, second = twins
    plain = fetch(first, call)
    seeded = fetch(first, call, Prefer="seed=5")
    assert seeded != plain
    assert fetch(second, call, Prefer="seed=5") == seeded
    assert fetch(first, call, Prefer="seed=5") == seeded


def test_prefer_seed_equal_to_the_server_seed_gives_the_plain_body(
    twins: tuple[TestClient, TestClient],
) -> None:
    first, _ = twins
    call = CALL_BY_API["openrouter"]
    assert fetch(first, call, Prefer="seed=7") == fetch(first, call)


@pytest.mark.parametrize("name", ["onepin", "lightdash"])
def test_prefer_seed_on_another_server_reproduces_that_seed(
    twins: tuple[TestClient, TestClient], other_seed: TestClient, name: str
) -> None:
    call = CALL_BY_API[name]
    assert fetch(twins[0], call, Prefer="seed=8") == fetch(other_seed, call)


def test_prefer_seed_on_another_server_reproduces_that_seed_for_openrouter(
    twins: tuple[TestClient, TestClient], other_seed: TestClient
) -> None:
    call = CALL_BY_API["openrouter"]
    assert fetch(twins[0], call, Prefer="seed=8") == fetch(other_seed, call)


# --- bytes no well-behaved client sends ------------------------------------------------------------

AUTH_RAW = (b"authorization", b"Bearer test-token")
ODD_REQUESTS = [
    pytest.param(OPENROUTER.encode(), b"date=%ff%fe", (AUTH_RAW,), id="percent-encoded-invalid-utf8-query"),
    pytest.param(OPENROUTER.encode(), b"date=\xff\xfe", (AUTH_RAW,), id="raw-invalid-utf8-query"),
    pytest.param(ONEPIN.encode(), b"cursor=%c3%28&timezone=%e2%82", (AUTH_RAW,), id="truncated-utf8-query"),
    pytest.param(ONEPIN.encode(), b"\xff=\xfe&limit=3", (AUTH_RAW,), id="invalid-utf8-query-name"),
    pytest.param(ONEPIN.encode(), b"", ((b"x-workspace-id", b"\xff\xfe"), AUTH_RAW), id="invalid-utf8-header"),
    pytest.param(ONEPIN.encode(), b"", ((b"prefer", b"seed=\xff"), AUTH_RAW), id="invalid-utf8-prefer"),
    pytest.param(ONEPIN.encode(), b"", ((b"prefer", b"example=\xe9t\xe9"), AUTH_RAW), id="latin1-prefer-example"),
    pytest.param(OPENROUTER.encode(), b"", ((b"authorization", b"Bearer \xff\xfe"),), id="invalid-utf8-token"),
    pytest.param(OPENROUTER.encode(), b"", ((b"authorization", b"\xff"),), id="invalid-utf8-authorization"),
    pytest.param(b"/lightdash/api/v1/analytics/user-activity/\xff\xfe", b"", (), id="invalid-utf8-path-param"),
    pytest.param(b"/nowhere/\xff", b"", (), id="invalid-utf8-unknown-path"),
    pytest.param(b"/onepin/\xff", b"", (AUTH_RAW,), id="invalid-utf8-path-under-api"),
]


@pytest.fixture(scope="module")
def raw_app(bundled: list[ApiSpec]) -> object:
    return build_app(bundled, ServerConfig(seed=1))


@pytest.mark.parametrize(("path", "query", "headers"), ODD_REQUESTS)
def test_non_utf8_bytes_in_path_query_or_headers_never_cause_a_500(
    raw_app: object, path: bytes, query: bytes, headers: tuple[tuple[bytes, bytes], ...]
) -> None:
    response = raw_get(raw_app, path, query, headers)
    assert response.status < 500, response.body[:300]
    response.json()  # always a JSON (or problem+json) body
