"""Upstreams that misbehave at the transport level, on raw sockets, counting what they manage to send.

    with misbehaving("endless") as upstream:   # a chunked 200 that never ends
    with misbehaving("huge") as upstream:      # Content-Length: 500 MB, zeros as fast as the client takes them
    with misbehaving("trickle") as upstream:   # the status line, headers and body one byte at a time, slowly
    with misbehaving("echo") as upstream:      # a 200 whose JSON body echoes the URL and every header value

`upstream.url` is the base URL; `upstream.sent` the bytes written so far; `upstream.finished()` whether
every connection has been closed (by the client giving up, for the first three). A HEAD gets the
status line and headers only (trickled too in "trickle" mode). Each upstream gives up by itself past
a budget (`BYTE_BUDGET` sent, `TRICKLE_BUDGET` seconds of trickling), closing the connection and
setting `overrun`: a checker that does not stop early then fails its test instead of eating the
machine's memory or hanging it. `write_spec(folder)` writes the API they all pretend to serve.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HUGE = 500 * 1024 * 1024
BYTE_BUDGET = 32 * 1024 * 1024  # far above any limit the tests set, plus what loopback socket buffers hold
TRICKLE_PAUSE = 0.1  # seconds between bytes: 260 bytes take about half a minute
TRICKLE_BUDGET = 20.0  # seconds of trickling in all, over every connection
SPEC = """\
openapi: 3.0.3
info: {title: Hostile, version: "1"}
servers: [{url: /}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
security: [{bearer: []}]
paths:
  /items:
    get:
      operationId: listItems
      responses:
        "200":
          description: the items
          content:
            application/json:
              schema: {type: object, required: [items], properties: {items: {type: array}}}
        "401":
          description: no credentials
          content:
            application/json:
              schema: {type: object, required: [error], properties: {error: {type: string}}}
"""
_BLOCK = b"0" * 65536


@dataclass
class Upstream:
    url: str
    mode: str
    sent: int = 0
    open: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[str] = field(default_factory=list)
    overrun: bool = False  # the client kept reading past the budget
    trickled: float = 0.0

    def finished(self) -> bool:
        with self.lock:
            return self.open == 0

    def wait_finished(self, within: float) -> bool:
        """Poll until every connection is closed, for at most `within` seconds."""
        end = time.monotonic() + within
        while time.monotonic() < end:
            if self.finished():
                return True
            time.sleep(0.02)
        return self.finished()


def _read_head(conn: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1 << 20:
            return None
    return data.split(b"\r\n\r\n", 1)[0]


def _handle(upstream: Upstream, conn: socket.socket) -> None:
    with upstream.lock:
        upstream.open += 1
    try:
        with conn:
            conn.settimeout(120)
            while True:  # keep-alive: one answer per request until the client goes
                head = _read_head(conn)
                if head is None:
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target = lines[0].split(" ")[:2]
                with upstream.lock:
                    upstream.requests.append(head.decode("latin-1"))
                if not _answer(upstream, conn, method, target, lines[1:]):
                    return
    except (OSError, _Overrun):
        return  # the client gave up (what these upstreams are for), or would not
    finally:
        with upstream.lock:
            upstream.open -= 1


def write_spec(folder: Path) -> Path:
    """The spec of the API these upstreams pretend to serve, as `folder`/hostile.yaml (API name `hostile`)."""
    path = folder / "hostile.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


class _Overrun(Exception):
    pass


def _send(upstream: Upstream, conn: socket.socket, data: bytes) -> None:
    with upstream.lock:
        if upstream.sent > BYTE_BUDGET or upstream.trickled > TRICKLE_BUDGET:
            upstream.overrun = True
            raise _Overrun
    conn.sendall(data)
    with upstream.lock:
        upstream.sent += len(data)


def _answer(upstream: Upstream, conn: socket.socket, method: str, target: str, headers: list[str]) -> bool:
    head_only = method == "HEAD"
    if upstream.mode == "echo":
        body = json.dumps({"url": target, "seen": [h.partition(":")[2].strip() for h in headers]}).encode()
        _send(upstream, conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        _send(upstream, conn, b"Content-Length: %d\r\n\r\n" % len(body) + (b"" if head_only else body))
        return True
    if upstream.mode == "endless":
        _send(
            upstream, conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        if head_only:
            return True
        _send(upstream, conn, b"1\r\n[\r\n")
        while True:
            _send(upstream, conn, b"%x\r\n" % (len(_BLOCK) + 1) + b"0," + _BLOCK[1:] + b"\r\n")
    if upstream.mode == "huge":
        _send(upstream, conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % HUGE)
        if head_only:
            return True
        left = HUGE
        while left > 0:
            _send(upstream, conn, _BLOCK[: min(left, len(_BLOCK))])
            left -= len(_BLOCK)
        return False
    # trickle: 260 bytes in all, one at a time
    body = b'{"data": [' + b"1, " * 80 + b"1]}"
    response = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
    for byte in response + (b"" if head_only else body):
        _send(upstream, conn, bytes([byte]))
        time.sleep(TRICKLE_PAUSE)  # the misbehaviour under test, not a wait for a condition
        with upstream.lock:
            upstream.trickled += TRICKLE_PAUSE
    return True


@contextmanager
def misbehaving(mode: str) -> Iterator[Upstream]:
    """A raw HTTP/1.1 server on 127.0.0.1 in `mode`, one thread per connection, for the `with` block."""
    if mode not in ("endless", "huge", "trickle", "echo"):
        raise ValueError(f"unknown mode {mode!r}")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    upstream = Upstream(url=f"http://127.0.0.1:{listener.getsockname()[1]}", mode=mode)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=_handle, args=(upstream, conn), daemon=True).start()

    thread = threading.Thread(target=accept, name=f"hostile-{mode}", daemon=True)
    thread.start()
    try:
        yield upstream
    finally:
        stop.set()
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        listener.close()
        thread.join(timeout=5)
