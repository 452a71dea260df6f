"""`--rate-limit N/PERIOD` and `Prefer: rate-limit=`: 429 with Retry-After once a credential exceeds its rate."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_app_type import ServeApp
from starlette.testclient import TestClient
from test_overrides import JOBS, KEY, jobs_spec

from mockserver.openapi.loader import load_all
from mockserver.serving.config import ServerConfig
from mockserver.serving.prefer import PreferError, parse_prefer, parse_rate_limit

ROOT = Path(__file__).resolve().parents[2]
ACTIVITY = "/openrouter/api/v1/activity"


@pytest.fixture
def limited(serve_app: ServeApp, tmp_path: Path) -> Iterator[TestClient]:
    # Two a minute: both at once, then one every 30 s. A test takes far less than 30 s, so counts are exact.
    with serve_app(jobs_spec(tmp_path), ServerConfig(rate_limit=(2, 60))) as client:
        yield client


def test_past_the_rate_a_credential_gets_the_documented_429_with_retry_after(limited: TestClient) -> None:
    statuses = [limited.get(JOBS, headers=KEY).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = limited.get(JOBS, headers=KEY)
    assert list(refused.json()) == ["error"]  # the API's own envelope, saying why
    assert refused.json()["error"]["message"].startswith("Rate limit exceeded: 2 requests per 60 s; retry after")
    assert 1 <= int(refused.headers["retry-after"]) <= 30
    assert "x-mock-error" not in refused.headers


def test_each_credential_has_its_own_count(limited: TestClient) -> None:
    for _ in range(2):
        limited.get(JOBS, headers=KEY)
    assert limited.get(JOBS, headers=KEY).status_code == 429
    assert limited.get(JOBS, headers={"X-Api-Key": "another"}).status_code == 200


def test_the_credential_is_never_stored(serve_app: ServeApp, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with serve_app(jobs_spec(tmp_path), ServerConfig(rate_limit=(2, 60), state_file=str(state))) as client:
        client.get(JOBS, headers=KEY)
        with sqlite3.connect(state) as db:
            keys = [key for (key,) in db.execute("SELECT key FROM rate_limits")]
    assert len(keys) == 1 and KEY["X-Api-Key"] not in keys[0]
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]  # the state file, its WAL, the journal files
    assert stored and KEY["X-Api-Key"].encode() not in b"".join(p.read_bytes() for p in stored)


def test_resetting_the_state_forgets_the_counts(limited: TestClient) -> None:
    for _ in range(3):
        limited.get(JOBS, headers=KEY)
    limited.delete("/__mock/state")
    assert limited.get(JOBS, headers=KEY).status_code == 200


def test_prefer_sets_a_rate_for_the_request_and_an_undocumented_429_is_the_mocks_own(
    serve_app: ServeApp,
) -> None:
    apis = load_all([ROOT / "specs" / "openrouter.yaml"])
    auth = {"Authorization": "Bearer sk-1", "Prefer": "rate-limit=1/min"}
    with serve_app(apis) as client:
        assert client.get(ACTIVITY, headers=auth).status_code == 200
        refused = client.get(ACTIVITY, headers=auth)
        assert client.get(ACTIVITY, headers={"Authorization": "Bearer sk-1"}).status_code == 200  # no limit
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["x-mock-error"] == "true"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "sk-1" not in refused.text


def test_rate_limit_spellings() -> None:
    assert parse_rate_limit("10/s", "x") == (10, 1)
    assert parse_rate_limit("100/min", "x") == (100, 60)
    assert parse_rate_limit("1000/h", "x") == (1000, 3600)
    assert parse_prefer("rate-limit=5/s").rate_limit == (5, 1)
    for bad in ("0/s", "ten/s", "5/day", "5", "-1/s"):
        with pytest.raises(PreferError, match="must be requests per period"):
            parse_rate_limit(bad, "--rate-limit")
