"""`mockserver serve --workers N`: several processes, one answer per seed and request."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from serve_support import serving

ROOT = Path(__file__).resolve().parent.parent
URL = "/openrouter/api/v1/activity"
AUTH = {"Authorization": "Bearer x"}


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc: Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The fields after the command's closing parenthesis: state, then the parent's pid.
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # ended meanwhile
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _answering_worker(server_pid: int, server_port: int, client: socket.socket) -> int | None:
    """Which child of the server holds the other end of `client`'s connection: the kernel's socket table
    (/proc/net/tcp) gives that end's inode, and the process with that socket among its descriptors has it."""
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client.getsockname()[1]:04X}"
    inode = next(
        (
            fields[9]
            for fields in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
            if fields[1] == local and fields[2] == remote
        ),
        None,
    )
    for child in _children(server_pid):
        try:
            descriptors = list(Path(f"/proc/{child}/fd").iterdir())
        except OSError:
            continue
        for fd in descriptors:
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return child
            except OSError:
                continue
    return None


def _answered_by(server_pid: int, port: int) -> int | None:
    """A request on a fresh connection, answered; then the pid of the worker holding that connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # kept alive: the worker keeps the connection
        assert client.recv(65536).startswith(b"HTTP/1.1 200 ")
        return _answering_worker(server_pid, port, client)


@pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="reads which process holds a connection from /proc")
def test_several_worker_processes_answer() -> None:
    with serving("--workers", "2", "--quiet", cwd=ROOT) as served:
        workers: set[int] = set()
        # Fresh connections, until the kernel has handed them to two different workers (bounded: with two workers
        # waiting on one socket, a few connections do it; a mock that served from one process never would).
        for _ in range(200):
            pid = _answered_by(served.process.pid, served.port)
            assert pid is not None and pid != served.process.pid, "no worker process holds the connection"
            workers.add(pid)
            if len(workers) == 2:
                break
        assert len(workers) == 2, f"only worker {workers} answered 200 connections"


def test_workers_answer_the_same_request_identically_and_keep_the_read_timeouts() -> None:
    with serving("--workers", "2", "--quiet", "--seed", "3", "--header-timeout", "1", cwd=ROOT) as served:
        base, port = served.base, served.port
        # Fresh connections each time, so that the kernel spreads them over both workers.
        bodies = {httpx.get(base + URL, headers=AUTH, timeout=5).content for _ in range(30)}
        assert len(bodies) == 1
        other = httpx.get(
            base + URL,
            params={"date": time.strftime("%Y-%m-%d", time.gmtime(time.time() - 3 * 86400))},
            headers=AUTH,
            timeout=5,
        ).content
        assert other not in bodies
        # The limits reach the workers too: a request head that never completes is answered 408.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            answer = b""
            while chunk := slow.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]


def test_reload_with_several_workers_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--reload", "--workers", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="reads which process holds a connection from /proc")
def test_every_workers_requests_reach_one_journal_and_one_chaos_count() -> None:
    with serving("--workers", "2", "--quiet", "--seed", "11", cwd=ROOT) as served:
        workers = {_answered_by(served.process.pid, served.port) for _ in range(200)}
        assert len(workers) == 2, f"only worker {workers} answered 200 connections"
        journal = httpx.get(served.base + "/__mock/requests", timeout=10).json()["requests"]
        assert len([e for e in journal if e["path"] == "/"]) == 200
        # Chaos counts identical requests in the shared store: the n-th repetition is the n-th wherever it lands.
        chaos = {**AUTH, "Prefer": "chaos=1"}
        first = [httpx.get(served.base + URL, headers=chaos, timeout=10).status_code for _ in range(12)]
        httpx.delete(served.base + "/__mock/state", timeout=10)
    with serving("--workers", "2", "--quiet", "--seed", "11", cwd=ROOT) as again:
        second = [httpx.get(again.base + URL, headers=chaos, timeout=10).status_code for _ in range(12)]
    assert first == second and len(set(first)) > 1


def _status_and_worker(server_pid: int, port: int, request: bytes) -> tuple[int, int | None]:
    """`request` on a fresh connection: the status it got, and the pid of the worker that answered it."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(request)
        head = client.recv(65536)
        return int(head.split(b" ", 2)[1]), _answering_worker(server_pid, port, client)


@pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="reads which process holds a connection from /proc")
def test_chaos_switched_on_at_run_time_reaches_every_worker() -> None:
    request = f"GET {URL} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\n\r\n".encode()
    with serving("--workers", "2", "--quiet", cwd=ROOT) as served:
        assert httpx.put(served.base + "/__mock/chaos", json={"chaos": 1}, timeout=10).status_code == 200
        deadline = time.monotonic() + 30  # each worker re-reads the setting within a second (chaos_settings.REFRESH)
        failed_by: set[int] = set()
        while len(failed_by) < 2 and time.monotonic() < deadline:
            status, worker = _status_and_worker(served.process.pid, served.port, request)
            if status >= 400 and worker is not None:
                failed_by.add(worker)
        assert len(failed_by) == 2, f"only workers {failed_by} followed the setting"
        httpx.delete(served.base + "/__mock/chaos", timeout=10)
        statuses = {_status_and_worker(served.process.pid, served.port, request)[0] for _ in range(40)}
        # Back to the options: after the re-read, every worker answers 200 again (the first second may not).
        assert 200 in statuses
