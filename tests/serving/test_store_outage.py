"""A state store that fails while serving gets the mock's own 503, never a 500."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from serve_app_type import ServeApp

from mockserver.openapi.model import ApiSpec
from mockserver.serving import store
from mockserver.serving.config import ServerConfig


def test_a_locked_sqlite_state_file_is_a_503_not_a_500(
    serve_app: ServeApp, bundled: list[ApiSpec], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 50)  # how long a write waits for the lock
    location = tmp_path / "state.sqlite"
    config = ServerConfig(state_file=str(location), access_log=False)
    with serve_app(bundled, config, raise_server_exceptions=False) as client:
        holder = sqlite3.connect(location, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another process holding the write lock, and not letting go
        try:
            answer = client.get("/openrouter/api/v1/activity", headers={"Authorization": "Bearer t"})
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    assert answer.status_code == 503, answer.text
    assert answer.headers["X-Mock-Error"] == "true"
    assert "state store" in answer.json()["title"].lower()
