"""Clients that never finish, and too many of them: the real uvicorn server, on loopback, with short limits."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from mockserver.openapi.loader import load
from mockserver.serving.app import build_app
from mockserver.serving.config import ServerConfig
from mockserver.serving.server import Limits, MockConfig, listen

SPEC = """\
openapi: 3.0.3
info: {title: items, version: '1'}
paths:
  /items:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, required: [n], properties: {n: {type: integer, enum: [1]}}}
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string}}}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: integer, enum: [1]}}}
"""
TIMEOUTS = Limits(header_timeout=0.5, body_timeout=0.5, max_connections=100)
# Long timeouts here, so that the connections holding the slots stay open for the whole test.
CONNECTIONS = Limits(header_timeout=60, body_timeout=60, max_connections=8)
ANSWER = 10  # seconds: the bound for "answers"; the bug was "never answers"


@contextmanager
def serving(spec: Path, limits: Limits, mock: ServerConfig | None = None) -> Iterator[int]:
    """The mock for `spec` under the real uvicorn, in a thread, on a free loopback port."""
    sock = listen("127.0.0.1", 0)
    config = MockConfig(build_app([load(spec)], mock), limits, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the server did not start"
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "items.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def port(spec: Path) -> Iterator[int]:
    with serving(spec, TIMEOUTS) as bound:
        yield bound


@pytest.fixture(scope="module")
def limited(spec: Path) -> Iterator[int]:
    with serving(spec, CONNECTIONS) as bound:
        yield bound


@pytest.fixture(scope="module")
def slow(spec: Path) -> Iterator[int]:
    """Every answer 1.5 s late (--latency), and bodies due within 0.5 s."""
    with serving(spec, TIMEOUTS, ServerConfig(latency=(1500, 1500), access_log=False)) as bound:
        yield bound


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=ANSWER)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (a socket timeout fails the test: it never closed)."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def served(port: int) -> int:
    # A fresh client each time: a normal request on a connection of its own.
    return httpx.get(f"http://127.0.0.1:{port}/items/items", timeout=ANSWER).status_code


def test_a_stalled_body_is_answered_408_and_closed_while_other_requests_are_served(port: int) -> None:
    with connect(port) as stalled:
        # Content-Length 100, 14 bytes sent, then nothing.
        stalled.sendall(
            b"POST /items/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"name": "ab"'
        )
        assert served(port) == 200  # meanwhile, on another connection
        answer = read_all(stalled)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b"body not complete" in answer


def test_a_request_head_that_never_completes_is_answered_408_and_closed(port: int) -> None:
    with connect(port) as slow:
        slow.sendall(b"GET /items/items HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        assert served(port) == 200
        answer = read_all(slow)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b"head not complete" in answer


def test_a_connection_that_sends_nothing_is_closed(port: int) -> None:
    with connect(port) as idle:
        assert read_all(idle) == b""


def test_a_body_sent_in_time_is_answered_normally(port: int) -> None:
    with connect(port) as client:
        client.sendall(
            b"POST /items/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 14\r\nConnection: close\r\n\r\n"
        )
        client.sendall(b'{"name": "ab"}')
        answer = read_all(client)
    assert answer.startswith(b"HTTP/1.1 201 "), answer[:200]


def test_connections_past_the_limit_are_refused_503_and_a_request_after_the_flood_is_served(limited: int) -> None:
    port = limited
    flood = [connect(port) for _ in range(CONNECTIONS.max_connections + 12)]
    try:
        # The connections past the limit are answered at once, before they send anything.
        refused = [sock.recv(65536) for sock in flood[CONNECTIONS.max_connections :]]
        assert all(answer.startswith(b"HTTP/1.1 503 ") for answer in refused), refused[0][:200]
        assert all(b"too many open connections (limit 8)" in answer for answer in refused)
        assert httpx.get(f"http://127.0.0.1:{port}/items/items", timeout=ANSWER).status_code == 503
    finally:
        for sock in flood:
            sock.close()
    deadline = time.monotonic() + ANSWER  # the server notices the closed connections: poll, no fixed sleep
    while served(port) != 200:
        assert time.monotonic() < deadline, "still refused after the flood"
        time.sleep(0.02)


def test_a_refused_client_that_sent_its_request_still_reads_the_503(limited: int) -> None:
    port = limited
    flood = [connect(port) for _ in range(CONNECTIONS.max_connections)]
    try:
        with connect(port) as extra:
            extra.sendall(b"GET /items/items HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = read_all(extra)
        assert answer.startswith(b"HTTP/1.1 503 "), answer[:200]
    finally:
        for sock in flood:
            sock.close()


def test_listen_on_a_port_in_use_is_one_clear_error() -> None:
    from mockserver.serving.server import ListenError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        with pytest.raises(ListenError, match=rf"^127\.0\.0\.1:{busy} is already in use$"):
            listen("127.0.0.1", busy)


def test_a_large_body_the_server_holds_back_for_a_slow_answer_is_not_timed_out(slow: int) -> None:
    # Past 64 KiB uvicorn stops reading until the app asks for the body, which the mock does after its
    # --latency pause: the client sent everything at once, so the wait is the server's, not a stall.
    body = b'{"name": "' + b"a" * 200_000 + b'"}'
    head = f"POST /items/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    with connect(slow) as client:
        client.sendall(head.encode() + b"Connection: close\r\n\r\n" + body)
        answer = read_all(client)
    assert answer.startswith(b"HTTP/1.1 201 "), answer[:200]


def _fitted(soft: int, hard: int, wanted: int) -> tuple[int, int]:
    """fit_connections(wanted) in a process whose descriptor limits are (soft, hard): (limit, new soft)."""
    code = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_NOFILE, ({soft}, {hard}))\n"
        "from mockserver.serving.server import fit_connections\n"
        f"print(fit_connections({wanted}), resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
    limit, new_soft = out.split()
    return int(limit), int(new_soft)


@pytest.mark.skipif(sys.platform == "win32", reason="no RLIMIT_NOFILE")
def test_the_connection_limit_fits_the_descriptors_the_process_may_open() -> None:
    # The soft limit is raised to fit the connections where the hard limit allows ...
    assert _fitted(256, 4096, 1000) == (1000, 1064)
    # ... else the connection limit shrinks, so that connections never take the last descriptors.
    assert _fitted(256, 256, 1000) == (192, 256)


@pytest.mark.parametrize("where", ["header", "url"])
def test_a_huge_request_head_is_refused_431_at_once_not_buffered_until_it_ends(port: int, where: str) -> None:
    # 1 MiB of a head that never ends: before, the parser buffered it and waited (a 408 at the timeout; a
    # 100 MB header was parsed for 16 s); now the bytes are counted as they come and refused past the cap.
    start = b"GET /items/items HTTP/1.1\r\nHost: x\r\nX-Big: " if where == "header" else b"GET /items/items?q="
    with connect(port) as big:
        big.sendall(start + b"a" * (1024 * 1024))
        answer = read_all(big)
        assert served(port) == 200
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]


def test_a_head_under_the_backstop_gets_the_apps_precise_431(port: int) -> None:
    response = httpx.get(f"http://127.0.0.1:{port}/items/items", headers={"X-Big": "a" * 100_000}, timeout=ANSWER)
    assert response.status_code == 431 and "65536" in response.text
