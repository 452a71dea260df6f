"""The type of the `serve_app` fixture (tests/conftest.py), for the signatures of the tests that take it."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from starlette.testclient import TestClient

from mockserver.openapi.model import ApiSpec
from mockserver.serving.config import ServerConfig


class ServeApp(Protocol):
    def __call__(
        self,
        apis: list[ApiSpec],
        config: ServerConfig | None = None,
        *,
        raise_server_exceptions: bool = True,
        base_url: str = "http://testserver",
    ) -> AbstractContextManager[TestClient]: ...
