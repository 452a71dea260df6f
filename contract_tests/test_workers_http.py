"""`mockserver serve --workers N`: several processes, one answer per seed and request."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
URL = "/openrouter/api/v1/activity"
AUTH = {"Authorization": "Bearer x"}


def _up(base: str) -> bool:
    try:
        return httpx.get(base + "/", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_workers_answer_the_same_request_identically_and_keep_the_read_timeouts() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            *[sys.executable, "-m", "mockserver", "serve", "--workers", "2", "--quiet", "--seed", "3"],
            *["--header-timeout", "1", "--port", str(port)],
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):  # bounded wait for the workers to listen
            if _up(base):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the workers did not come up")
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
    finally:
        server.terminate()
        server.wait(timeout=15)


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
