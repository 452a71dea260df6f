"""Fixtures for the contract suites (see contract_support.py for what they are built from)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from contract_support import APIS, make_app
from starlette.testclient import TestClient

from mockserver.spec.model import ApiSpec


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
