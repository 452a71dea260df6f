"""Chaos drawn per request identity: the n-th time a request is seen meets the same fate in every run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager

import pytest
from serve_app_type import ServeApp
from starlette.testclient import TestClient

from mockserver.openapi.model import ApiSpec
from mockserver.serving.config import ServerConfig

URL = "/openrouter/api/v1/activity"
OTHER = "/onepin/api/v1/usage/activity"
AUTH = {"Authorization": "Bearer t"}
CHAOS = {**AUTH, "Prefer": "chaos=1"}


def _served(serve_app: ServeApp, bundled: list[ApiSpec], seed: int = 11) -> AbstractContextManager[TestClient]:
    return serve_app(bundled, ServerConfig(seed=seed, access_log=False))


@pytest.fixture
def chaotic(serve_app: ServeApp, bundled: list[ApiSpec]) -> Iterator[TestClient]:
    with _served(serve_app, bundled) as client:
        yield client


def _statuses(client: TestClient, n: int, headers: dict[str, str] = CHAOS, url: str = URL) -> list[int]:
    return [client.get(url, headers=headers).status_code for _ in range(n)]


def test_a_pinned_seed_gives_an_identical_request_the_same_fate_every_time(chaotic: TestClient) -> None:
    pinned = {**AUTH, "Prefer": "chaos=1, seed=3"}
    assert len(set(_statuses(chaotic, 20, pinned))) == 1
    assert (
        len({s for seed in range(12) for s in _statuses(chaotic, 1, {**AUTH, "Prefer": f"chaos=1, seed={seed}"})}) > 1
    )


def test_repetitions_vary_and_replay_the_same_in_a_new_run_whatever_else_is_sent(
    serve_app: ServeApp, bundled: list[ApiSpec], chaotic: TestClient
) -> None:
    first = _statuses(chaotic, 12)
    assert len(set(first)) > 1  # the n-th repetition is a new draw
    with _served(serve_app, bundled) as again:
        replay = []
        for _ in range(12):
            again.get(OTHER, headers=CHAOS)  # other requests between do not shift this request's draws
            replay += _statuses(again, 1)
    assert replay == first
    with _served(serve_app, bundled, seed=12) as other_seed:
        assert _statuses(other_seed, 12) != first


def test_deleting_the_state_starts_the_counts_again(chaotic: TestClient) -> None:
    first = _statuses(chaotic, 8)
    assert chaotic.get("/__mock/state").json()["counted_requests"] == 1
    assert chaotic.delete("/__mock/state").status_code == 204
    assert chaotic.get("/__mock/state").json()["counted_requests"] == 0
    assert _statuses(chaotic, 8) == first
    assert chaotic.post("/__mock/state").status_code == 405
