"""Seeding over real HTTP: a seeded collection is what every worker serves; state fixtures are checked when
`mockserver serve` starts."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_support import serving, until
from test_resources_http import _get_on_fresh_connection

ROOT = Path(__file__).resolve().parent.parent
TASKS = ROOT / "examples" / "tasks" / "tasks.yaml"
LIST = "/tasks/v1/tasks"
SEED = "/__mock/state/tasks/v1/tasks"
AUTH = {"Authorization": "Bearer x"}
STAMP = "2026-01-01T00:00:00Z"


def _task(n: int, **fields: Any) -> dict[str, Any]:
    task = {"id": f"00000000-0000-4000-8000-{n:012d}", "title": f"task {n}", "status": "todo"}
    return {**task, "created_at": STAMP, "updated_at": STAMP, **fields}


@pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="reads which process holds a connection from /proc")
def test_tasks_seeded_via_one_worker_are_listed_by_every_worker() -> None:
    seeded = [_task(3), _task(1), _task(2)]
    with serving(str(TASKS), "--workers", "2", "--quiet", cwd=ROOT) as served:
        answer = httpx.put(served.base + SEED, json=seeded, timeout=10)
        assert answer.status_code == 200, answer.text
        workers: set[int] = set()
        # Fresh connections until both workers have answered one (a few do it).
        for _ in range(200):
            status, body, worker = _get_on_fresh_connection(served.process.pid, served.port, LIST)
            assert (status, body) == (200, {"data": seeded, "next_cursor": None}), f"worker {worker}: {body}"
            assert worker is not None
            workers.add(worker)
            if len(workers) == 2:
                break
        assert len(workers) == 2, f"only worker {workers} answered"


def test_state_fixtures_are_checked_when_serve_starts_and_served(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    shutil.copy(TASKS, tmp_path / "specs" / "tasks.yaml")
    state = tmp_path / "fixtures" / "tasks" / "_state"
    state.mkdir(parents=True)
    good, bad = _task(1, title="kept"), _task(2, status="someday")
    lines = [
        f"- {{id: {t['id']}, title: {t['title']}, status: {t['status']}, created_at: '{STAMP}', updated_at: '{STAMP}'}}"
        for t in (good, bad)
    ]
    (state / "tasks.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with serving(str(tmp_path / "specs" / "tasks.yaml"), "--quiet", cwd=tmp_path) as served:
        # Reported before any request (the files are read when the app starts), with the file and the entity.
        warned = until(lambda: any("entity [1]" in line and "status" in line for line in served.stderr), 10)
        assert warned, served.stderr
        assert any(str(state / "tasks.yaml") in line for line in served.stderr)
        listed = httpx.get(served.base + LIST, headers=AUTH, timeout=10)
        assert listed.json() == {"data": [good], "next_cursor": None}
