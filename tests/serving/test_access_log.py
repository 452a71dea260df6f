"""One readable line per request (method, path, status, milliseconds), unless switched off."""

from __future__ import annotations

import re

import pytest
from serve_app_type import ServeApp

from mockserver.openapi.model import ApiSpec
from mockserver.serving.config import ServerConfig


def test_each_request_logs_method_path_status_and_ms(
    serve_app: ServeApp, bundled: list[ApiSpec], caplog: pytest.LogCaptureFixture
) -> None:
    with serve_app(bundled, ServerConfig()) as client, caplog.at_level("INFO", logger="mockserver.access"):
        client.get("/openrouter/api/v1/activity?api_key=sk-live-secret")
    [line] = [r.getMessage() for r in caplog.records if r.name == "mockserver.access"]
    assert re.fullmatch(r"GET /openrouter/api/v1/activity\?api_key=\*\*\* 401 \d+\.\dms", line), line


def test_quiet_server_logs_nothing(
    serve_app: ServeApp, bundled: list[ApiSpec], caplog: pytest.LogCaptureFixture
) -> None:
    with serve_app(bundled, ServerConfig(access_log=False)) as client, caplog.at_level("INFO", "mockserver.access"):
        client.get("/")
    assert not [r for r in caplog.records if r.name == "mockserver.access"]
