"""Fixtures for the contract suites (see contract_support.py for what they are built from)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from browser_support import browser_page, chromium  # noqa: F401  (fixtures: a headless chromium, browser_support.py)
from contract_support import APIS, SEED, TODAY, TOKEN
from starlette.testclient import TestClient

from mockserver.openapi.model import ApiSpec
from mockserver.serving.app import build_app
from mockserver.serving.config import ServerConfig

# `serve_app(apis, config=None, *, raise_server_exceptions=True, base_url=...)`: see the fixture.
ServeApp = Callable[..., AbstractContextManager[TestClient]]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockserver contract")
    group.addoption(
        "--api",
        action="append",
        default=[],
        metavar="NAME",
        help="check only this bundled API (repeatable); default: all",
    )
    group.addoption(
        "--base-url",
        default=None,
        metavar="URL",
        help="check this server (e.g. the real API) instead of the mock; needs exactly one --api",
    )
    group.addoption(
        "--contract-header",
        action="append",
        default=[],
        metavar="'Name: value'",
        help="sent with every contract request; <API>_API_KEY in the environment works too",
    )
    group.addoption("--max-examples", type=int, default=25, help="examples per operation and phase")


@pytest.fixture(scope="session")
def apis() -> dict[str, ApiSpec]:
    return APIS


@pytest.fixture(scope="session")
def serve_app() -> ServeApp:
    """`with serve_app(apis, config) as client:` the mock in process, started, closed when the block ends.

    The one place the contract suites build an in-process client (tests/conftest.py has the same for tests/,
    which this directory cannot see)."""

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
def http(serve_app: ServeApp) -> Iterator[TestClient]:
    """The mock over HTTP semantics (in process): real status lines, headers and bodies.

    Configured as contract_support.make_app configures it: one token, the clock at TODAY."""
    config = ServerConfig(seed=SEED, tokens=frozenset({TOKEN}), today=lambda: TODAY)
    with serve_app(list(APIS.values()), config) as client:
        yield client
