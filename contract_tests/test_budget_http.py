"""One request that keeps the mock busy does not stop it serving the others, over REAL HTTP (issue 10, item 5).

The mock answers on one event loop: while a request is checked and its answer made, no other is served.
Patterns now match in linear time, and each request has a time budget (`--request-budget`), so a hostile
pattern answers at once and a too-heavy answer stops at the budget with the mock's own 503. Here the mock
runs under uvicorn on a loopback port; a thread sends the heavy request first (on a raw socket, so that it
is on the wire before the other), and the main thread asks another API for an ordinary answer.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from serve_support import serving

from mockserver.openapi.loader import load_all
from mockserver.serving.app import build_app
from mockserver.serving.budget import BUDGET_EXCEEDED
from mockserver.serving.config import ServerConfig

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "hostile" / "budget.yaml"
APIS = load_all([ROOT / "specs", HOSTILE])
NORMAL = "/lightdash/api/v1/analytics/user-activity/3c6a0b0e-8f7e-4a43-9d1e-2a1b5c9e7f10"
EVIL = "a" * 40 + "!"  # `^(a+)+$` backtracks 2**40 times in Python's `re`: hours, during which nothing was served
TIMEOUT = 30.0  # seconds a client waits; the old code kept every other request waiting for minutes or hours


@contextmanager
def serve(config: ServerConfig) -> Iterator[tuple[str, int]]:
    """The mock (bundled specs and the hostile one) under uvicorn on a free loopback port, in a thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(build_app(APIS, config), log_config=None, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"mock:{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + TIMEOUT
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the mock did not start"
            thread.join(timeout=0.01)
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _while_busy(address: tuple[str, int], heavy_target: str) -> tuple[bytes, httpx.Response]:
    """Send `heavy_target` from a thread, then an ordinary request from here: both answers."""
    sent = threading.Event()
    heavy: list[bytes] = []

    def send_heavy() -> None:
        with socket.create_connection(address, timeout=TIMEOUT) as conn:
            conn.sendall(f"GET {heavy_target} HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n".encode())
            sent.set()
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
            heavy.append(b"".join(chunks))

    thread = threading.Thread(target=send_heavy, name="heavy request", daemon=True)
    thread.start()
    assert sent.wait(TIMEOUT), "the heavy request was not sent"
    host, port = address
    normal = httpx.get(f"http://{host}:{port}{NORMAL}", timeout=TIMEOUT)
    thread.join(TIMEOUT)
    assert heavy, "the heavy request got no answer"
    return heavy[0], normal


def test_another_api_answers_while_a_request_runs_over_its_budget() -> None:
    # No size budget: the answer must run out of time, not of room (tests/hostile/test_answer_size.py).
    with serve(ServerConfig(access_log=False, request_budget=1.0, max_answer=0)) as address:
        heavy, normal = _while_busy(address, "/budget/report")
    assert normal.status_code == 200
    assert heavy.startswith(b"HTTP/1.1 503 ")
    assert b"retry-after: 1" in heavy.lower() and BUDGET_EXCEEDED.encode() in heavy


def test_another_api_answers_while_a_redos_pattern_is_checked() -> None:
    with serve(ServerConfig(access_log=False)) as address:
        heavy, normal = _while_busy(address, f"/budget/search?q={EVIL}")
    assert normal.status_code == 200
    assert heavy.startswith(b"HTTP/1.1 400 ")


def test_serve_takes_the_request_budget_from_the_command_line() -> None:
    with serving(str(HOSTILE), "--quiet", "--request-budget", "0.5", "--max-answer-size", "0", cwd=ROOT) as served:
        response = httpx.get(served.base + "/budget/report", timeout=TIMEOUT)
        assert response.status_code == 503 and response.json()["type"] == BUDGET_EXCEEDED
        assert response.json()["budget_seconds"] == 0.5
