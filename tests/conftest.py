"""One shared client factory: specs served in process, the bundled ones by default."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from serve_app_type import ServeApp
from starlette.testclient import TestClient

from mockserver.openapi.loader import load_all
from mockserver.openapi.model import ApiSpec
from mockserver.serving.app import build_app
from mockserver.serving.config import ServerConfig

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
AUTH = {"Authorization": "Bearer test-token"}


@pytest.fixture(scope="session")
def bundled() -> list[ApiSpec]:
    return load_all([SPECS])


@pytest.fixture(scope="session")
def serve_app() -> ServeApp:
    """`with serve_app(apis, config) as client:` the mock, started (lifespan run), closed when the block ends.

    The one place tests build an in-process client. Session-scoped so that fixtures of any scope can use it:
    each client lives exactly as long as its `with` block (a module fixture's, or one test's)."""

    @contextmanager
    def serve(
        apis: list[ApiSpec],
        config: ServerConfig | None = None,
        *,
        raise_server_exceptions: bool = True,
        base_url: str = "http://testserver",
    ) -> Iterator[TestClient]:
        app = build_app(apis, ServerConfig() if config is None else config)
        with TestClient(app, base_url=base_url, raise_server_exceptions=raise_server_exceptions) as client:
            yield client

    return serve


@pytest.fixture(scope="session")
def client(serve_app: ServeApp, bundled: list[ApiSpec]) -> Iterator[TestClient]:
    with serve_app(bundled, ServerConfig(seed=1)) as test_client:
        yield test_client
