"""One shared client factory: the bundled specs served in process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
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
def client(bundled: list[ApiSpec]) -> Iterator[TestClient]:
    with TestClient(build_app(bundled, ServerConfig(seed=1))) as test_client:
        yield test_client
