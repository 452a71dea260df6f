"""State from the spec over real HTTP: `mockserver serve examples/tasks/tasks.yaml` remembers what clients write."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_support import serving
from test_workers_http import _answering_worker

ROOT = Path(__file__).resolve().parent.parent
TASKS = str(ROOT / "examples" / "tasks" / "tasks.yaml")
BASE = "/tasks/v1/tasks"
AUTH = {"Authorization": "Bearer x"}


def test_a_task_is_created_read_listed_patched_and_deleted_over_http() -> None:
    with serving(TASKS, "--quiet", "--seed", "3", cwd=ROOT) as served, httpx.Client(base_url=served.base) as client:
        created = client.post(BASE, json={"title": "buy milk", "status": "todo"}, headers=AUTH, timeout=10)
        assert created.status_code == 201, created.text
        task = created.json()
        assert task["title"] == "buy milk" and created.headers["location"] == f"{served.base}{BASE}/{task['id']}"
        url = created.headers["location"]
        assert client.get(url, headers=AUTH, timeout=10).json() == task
        listed = client.get(BASE, params={"limit": 100, "status": "todo"}, headers=AUTH, timeout=10).json()
        pages = [listed]
        while pages[-1]["next_cursor"] is not None:
            cursor = pages[-1]["next_cursor"]
            params = {"limit": 100, "status": "todo", "cursor": cursor}
            pages.append(client.get(BASE, params=params, headers=AUTH, timeout=10).json())
        assert task in [item for page in pages for item in page["data"]]
        patched = client.patch(url, json={"title": "buy oat milk"}, headers=AUTH, timeout=10).json()
        assert patched == {**task, "title": "buy oat milk", "updated_at": patched["updated_at"]}
        assert client.delete(url, headers=AUTH, timeout=10).status_code == 204
        gone = client.get(url, headers=AUTH, timeout=10)
        assert gone.status_code == 404
        assert gone.json()["error"]["code"] == "not_found"


def test_137_tasks_walked_with_limit_10_are_each_seen_exactly_once_over_http() -> None:
    with serving(TASKS, "--quiet", cwd=ROOT) as served, httpx.Client(base_url=served.base) as client:
        ids: list[str] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": 10, **({"cursor": cursor} if cursor else {})}
            body = client.get(BASE, params=params, headers=AUTH, timeout=10).json()
            pages += 1
            ids += [item["id"] for item in body["data"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
            assert len(body["data"]) == 10
        assert pages == 14 and len(ids) == len(set(ids)) == 137
        forged = client.get(BASE, params={"cursor": "not-ours"}, headers=AUTH, timeout=10)
        assert forged.status_code == 400 and "not issued" in forged.json()["error"]["message"]


def _get_on_fresh_connection(server_pid: int, port: int, path: str) -> tuple[int, Any, int | None]:
    """(status, JSON body, the worker that answered) for a GET on a new connection, kept open while asking /proc."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            data += client.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        )
        while len(body) < length:
            body += client.recv(65536)
        return int(head.split()[1]), json.loads(body), _answering_worker(server_pid, port, client)


@pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="reads which process holds a connection from /proc")
def test_a_task_written_via_one_worker_is_read_via_the_others() -> None:
    with serving(TASKS, "--workers", "2", "--quiet", cwd=ROOT) as served:
        task = httpx.post(served.base + BASE, json={"title": "shared"}, headers=AUTH, timeout=10).json()
        url = f"{BASE}/{task['id']}"
        workers: set[int] = set()
        # Fresh connections until both workers have answered one (a few do it; a per-process state never would).
        for _ in range(200):
            status, body, worker = _get_on_fresh_connection(served.process.pid, served.port, url)
            assert (status, body) == (200, task), f"worker {worker} answered {status} {body}"
            assert worker is not None and worker != served.process.pid
            workers.add(worker)
            if len(workers) == 2:
                break
        assert len(workers) == 2, f"only worker {workers} answered"
        assert httpx.delete(served.base + url, headers=AUTH, timeout=10).status_code == 204
        for _ in range(6):
            status, _body, _worker = _get_on_fresh_connection(served.process.pid, served.port, url)
            assert status == 404


def test_the_stateful_tasks_mock_passes_its_own_contract() -> None:
    # schemathesis (every check, the stateful phase too) against the mock with state on: answers stay schema-valid.
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "contract", TASKS, "--seed", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "tasks: conforms" in result.stdout


def test_stateless_serves_without_state_over_http() -> None:
    with serving(TASKS, "--stateless", "--quiet", cwd=ROOT) as served, httpx.Client(base_url=served.base) as client:
        created = client.post(BASE, json={"title": "forgotten"}, headers=AUTH, timeout=10)
        assert created.status_code == 201
        read = client.get(f"{BASE}/{created.json()['id']}", headers=AUTH, timeout=10)
        assert read.status_code == 200 and read.json()["id"] != created.json()["id"]
