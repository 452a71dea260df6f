"""The vendor's own Python SDK, pointed at the mock by changing only its base URL, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openrouter import OpenRouter, errors
from uvicorn_thread import serving_in_thread

from mockserver.openapi.loader import load_all
from mockserver.serving.app import build_app
from mockserver.serving.config import ServerConfig

SPECS = Path(__file__).resolve().parent.parent / "specs"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    app = build_app(load_all([SPECS]), ServerConfig(seed=7, tokens=frozenset({"sk-or-v1-good"})))
    with serving_in_thread(app) as port:
        yield f"http://127.0.0.1:{port}/openrouter/api/v1"


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
