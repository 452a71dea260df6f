"""The vendor's own Python SDK, pointed at the mock by changing only its base URL, over real HTTP."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from openrouter import OpenRouter, errors

from mockserver.openapi.loader import load_all
from mockserver.serving.app import build_app
from mockserver.serving.config import ServerConfig

SPECS = Path(__file__).resolve().parent.parent / "specs"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = build_app(load_all([SPECS]), ServerConfig(seed=7, tokens=frozenset({"sk-or-v1-good"})))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(200):  # server.started flips once the socket listens; bounded wait, no fixed sleep
        if server.started:
            started.set()
            break
        started.wait(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}/openrouter/api/v1"
    server.should_exit = True
    thread.join(timeout=10)


def test_sdk_parses_the_mock_activity_into_its_typed_models(base_url: str) -> None:
    sdk = OpenRouter(api_key="sk-or-v1-good", server_url=base_url)
    result = sdk.analytics.get_user_activity()
    assert result.data, "the mock returned no activity"
    for item in result.data:
        assert "/" in item.model and item.requests >= 0 and item.prompt_tokens >= 0
        datetime.strptime(item.date_, "%Y-%m-%d")


def test_sdk_date_filter_returns_only_that_day(base_url: str) -> None:
    day = (datetime.now(UTC).date() - timedelta(days=3)).isoformat()
    result = OpenRouter(api_key="sk-or-v1-good", server_url=base_url).analytics.get_user_activity(request={"date": day})
    assert {item.date_ for item in result.data} == {day}


def test_sdk_raises_its_typed_bad_request_error_for_an_old_date(base_url: str) -> None:
    sdk = OpenRouter(api_key="sk-or-v1-good", server_url=base_url)
    with pytest.raises(errors.BadRequestResponseError) as raised:
        sdk.analytics.get_user_activity(request={"date": "2020-01-01"})
    assert raised.value.data.error.code == 400
    assert "30 days" in raised.value.data.error.message


def test_sdk_raises_its_typed_unauthorized_error_for_a_refused_key(base_url: str) -> None:
    sdk = OpenRouter(api_key="sk-or-v1-wrong", server_url=base_url)
    with pytest.raises(errors.UnauthorizedResponseError) as raised:
        sdk.analytics.get_user_activity()
    assert raised.value.data.error.code == 401
