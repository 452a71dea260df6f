"""`mockserver serve --header-timeout/--body-timeout/--max-connections`: the limits reach the real server.

(The limits themselves are pinned in tests/hostile/test_server.py; here, that the flags are honoured.)
"""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
from serve_support import serving, until

ROOT = Path(__file__).resolve().parent.parent
SPEC = """\
openapi: 3.0.3
info: {title: items, version: '1'}
paths:
  /items:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object}
      responses:
        '201': {description: created}
"""
ANSWER = 10  # seconds: "answers", generously; the bug was "never answers"


def read_all(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_serve_answers_a_stalled_body_408_and_a_slow_head_408_with_the_given_timeouts(tmp_path: Path) -> None:
    (tmp_path / "items.yaml").write_text(SPEC, encoding="utf-8")
    with serving("items.yaml", "--quiet", "--header-timeout", "1", "--body-timeout", "1", cwd=tmp_path) as served:
        with socket.create_connection(("127.0.0.1", served.port), timeout=ANSWER) as stalled:
            stalled.sendall(
                b"POST /items/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b'Content-Length: 100\r\n\r\n{"name": "ab"'
            )
            assert httpx.get(served.base + "/", timeout=ANSWER).status_code == 200  # meanwhile
            assert read_all(stalled).startswith(b"HTTP/1.1 408 ")
        with socket.create_connection(("127.0.0.1", served.port), timeout=ANSWER) as slow:
            slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            assert read_all(slow).startswith(b"HTTP/1.1 408 ")


def test_serve_refuses_connections_past_max_connections_with_503_and_serves_again_after() -> None:
    with serving("specs/lightdash.yaml", "--quiet", "--max-connections", "4", cwd=ROOT) as served:
        flood = [socket.create_connection(("127.0.0.1", served.port), timeout=ANSWER) for _ in range(10)]
        try:
            assert flood[-1].recv(65536).startswith(b"HTTP/1.1 503 ")
            refused = httpx.get(served.base + "/", timeout=ANSWER)
            assert refused.status_code == 503 and "limit 4" in refused.text
        finally:
            for sock in flood:
                sock.close()
        assert until(lambda: httpx.get(served.base + "/", timeout=ANSWER).status_code == 200, ANSWER)
