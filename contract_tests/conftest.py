"""Fixtures for the contract suites (see contract_support.py for what they are built from)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from contract_support import APIS, make_app
from starlette.testclient import TestClient

from mockserver.openapi.model import ApiSpec


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
def mock_app() -> Any:
    return make_app()


@pytest.fixture(scope="session")
def http(mock_app: Any) -> Iterator[TestClient]:
    """The mock over HTTP semantics (in process): real status lines, headers and bodies."""
    with TestClient(mock_app) as client:
        yield client
