"""What the contract suites share: the bundled specs, the in-process mock, and how to read a request as sent.

Kept out of conftest.py so that test modules can import it by a name no other directory uses.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from mockserver.openapi.loader import load_all
from mockserver.openapi.model import ApiSpec
from mockserver.serving.app import build_app
from mockserver.serving.config import ServerConfig

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
TOKEN = "test"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# The mock's clock, pinned so that date rules ("within the last 30 days") do not move with the run date.
TODAY = date(2026, 3, 15)
SEED = 1

APIS: dict[str, ApiSpec] = {api.name: api for api in load_all([SPECS])}


def make_app(*, seed: int = SEED, tokens: frozenset[str] = frozenset({TOKEN})) -> Any:
    """The mock as `mockserver serve --token test` would run it, with its clock at TODAY.

    Only one token is accepted so that a wrong token is refused: by default the mock accepts any token, and
    schemathesis' `ignored_auth` check (rightly) reports an API that accepts invalid credentials.
    """
    return build_app(list(APIS.values()), ServerConfig(seed=seed, tokens=tokens, today=lambda: TODAY))


def api_for_location(location: str | None) -> ApiSpec:
    """The loaded spec a schemathesis schema was read from (its `location` is the file's URI)."""
    stem = Path(unquote(urlsplit(location or "").path)).stem
    return APIS[stem]
