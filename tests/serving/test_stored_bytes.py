"""The byte bound on stored entities, over HTTP in process: what a client sees past `MAX_BYTES` (the store's
side, on both backends: contract_tests/test_store_backends.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from serve_app_type import ServeApp

from mockserver.openapi.loader import load
from mockserver.serving import entities
from mockserver.serving.config import ServerConfig

ROOT = Path(__file__).resolve().parents[2]
TASKS = ROOT / "examples" / "tasks" / "tasks.yaml"
SHELF = Path(__file__).resolve().parent / "seeding_api" / "specs" / "shelf.yaml"
AUTH = {"Authorization": "Bearer t"}


def test_past_the_servers_bytes_creating_is_refused_with_507_in_the_envelope(
    serve_app: ServeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_app([load(TASKS)], ServerConfig(seed=5)) as client:
        assert client.get("/tasks/v1/tasks", headers=AUTH).status_code == 200  # 137 kept
        monkeypatch.setattr(entities, "MAX_BYTES", 1)
        refused = client.post("/tasks/v1/tasks", json={"title": "one too many"}, headers=AUTH)
        assert refused.status_code == 507 and refused.headers["x-mock-error"] == "true"
        assert "1 bytes of JSON" in refused.json()["error"]["message"]


def test_past_the_servers_bytes_an_update_that_grows_an_entity_is_a_507_and_changes_nothing(
    serve_app: ServeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_app([load(TASKS)], ServerConfig(seed=5)) as client:
        task = client.get("/tasks/v1/tasks", headers=AUTH).json()["data"][0]
        monkeypatch.setattr(entities, "MAX_BYTES", 1)
        item = f"/tasks/v1/tasks/{task['id']}"
        refused = client.patch(item, json={"notes": "n" * 2000}, headers=AUTH)
        assert refused.status_code == 507 and refused.headers["x-mock-error"] == "true"
        assert client.get(item, headers=AUTH).json() == task


def test_asking_for_ever_new_parent_ids_keeps_the_stored_bytes_bounded(
    serve_app: ServeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(entities, "MAX_BYTES", 1)  # every collection alone is past it: each forgets the others
    with serve_app([load(SHELF)], ServerConfig(seed=5)) as client:
        first = client.get("/shelf/shelves/s0/notes").json()["data"]
        for shelf in range(1, 6):
            assert client.get(f"/shelf/shelves/s{shelf}/notes").status_code == 200
        rows = client.get("/__mock/state").json()["rows"]
        assert rows["resource_sets"] == 1 and rows["entities"] == len(first)
        assert client.get("/shelf/shelves/s0/notes").json()["data"] == first  # made again, from the seed
