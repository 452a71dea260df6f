"""How the mock runs under uvicorn: the listening socket, read timeouts and the connection limit.

uvicorn times out idle keep-alive connections only: a client that sends half a request head, or a
body shorter than its Content-Length, holds its connection (and a file descriptor) forever, and
enough of them starve everyone else. `GuardedProtocol` is uvicorn's httptools protocol with three
limits added where only the protocol can see them (an ASGI app runs after the head is complete):

- the request head must be complete within `header_timeout` seconds of the connection opening
  (first request) or of its first byte (later requests on a kept-alive connection);
- the body must be complete within `body_timeout` seconds of the head; a deadline that passes while
  the server itself holds the body back (a large body waiting for a slow answer, `100 Continue` not
  sent yet) starts again;
- at most `max_connections` connections are open; one more is answered 503 and closed at once;
- a request head may take at most `MAX_HEAD_BYTES` on the wire (431 and closed past it): the parser would
  otherwise buffer a 100 MB header whole before any limit of the app could look at it.

A timed-out request is answered 408 when nothing has been answered on it yet, else just closed.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import sys
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState
from uvicorn.supervisors import Multiprocess

from mockserver.errors import ListenError  # defined in the errors tree; importable from here too

# Descriptors a process needs besides its connections: specs, fixtures, logs, the event loop.
FD_RESERVE = 64
# How long a refused connection is kept half-open so that the client reads the 503 (closing at
# once with the client's request unread would reset the connection and lose the answer).
LINGER = 2.0
# Bytes a request head may take on the wire, counted as they arrive, before the parser has buffered it. A
# backstop: the app answers precisely (414 past 32 KiB of URL, 431 past 64 KiB of headers, in the API's
# envelope) below it; the margin covers the body bytes that arrive in the same read as the head's end.
MAX_HEAD_BYTES = 512 * 1024


@dataclass(frozen=True)
class Limits:
    header_timeout: float = 10.0  # seconds for a complete request head
    body_timeout: float = 30.0  # seconds for a complete request body, after its head
    max_connections: int = 1000  # open connections per process; more are answered 503

    def describe(self) -> str:
        return (
            f"request head within {self.header_timeout:g} s, body within {self.body_timeout:g} s, "
            f"at most {self.max_connections} connections"
        )


class MockConfig(uvicorn.Config):
    """uvicorn's configuration plus the mock's limits (a class of its own so that workers, which
    receive the configuration pickled, get the limits too)."""

    def __init__(self, app: Any, limits: Limits, **kwargs: Any) -> None:
        super().__init__(app, http=GuardedProtocol, **kwargs)
        self.limits = limits


def _response(status: bytes, text: str, extra: bytes = b"") -> bytes:
    body = text.encode()
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: text/plain; charset=utf-8\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n" + extra + b"connection: close\r\n\r\n" + body
    )


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol with head and body deadlines and a connection limit (see the module)."""

    def __init__(self, config: uvicorn.Config, server_state: ServerState, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, server_state, *args, **kwargs)
        self.limits: Limits = config.limits if isinstance(config, MockConfig) else Limits()
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._in_head = False  # some bytes of a request head have come, not all
        self._head_bytes: int | None = 0  # bytes received of the current request's head (None: head complete)
        self._refused = False
        self._discarding = False  # the head was too large: the rest of this connection is not parsed

    # -- connection ---------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.limits.max_connections:
            self._refuse(transport)
            return
        super().connection_made(transport)
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def _refuse(self, transport: asyncio.Transport) -> None:
        self._refused = True
        self.transport = transport
        text = f"mockserver: too many open connections (limit {self.limits.max_connections}); try again\n"
        transport.write(_response(b"503 Service Unavailable", text, b"retry-after: 1\r\n"))
        if transport.can_write_eof():
            transport.write_eof()
        self._head_timer = self.loop.call_later(LINGER, transport.close)

    def data_received(self, data: bytes) -> None:
        if self._refused or self._discarding:
            return  # the request of a refused connection: read and dropped
        if self._head_bytes is not None:
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._head_too_large()
                return
        super().data_received(data)

    def _head_too_large(self) -> None:
        self._discarding = True
        self._cancel_timers()
        if self._answered_all():
            text = f"mockserver: request head larger than {MAX_HEAD_BYTES} bytes\n"
            self.transport.write(_response(b"431 Request Header Fields Too Large", text))
        # Half-closed, then closed a moment later, as a refused connection: what the client still sends is
        # read and dropped meanwhile, so the answer is not lost to a reset.
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._head_timer = self.loop.call_later(LINGER, self.transport.close)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        if self._refused:
            return
        super().connection_lost(exc)

    def _cancel_timers(self) -> None:
        for timer in (self._head_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._body_timer = None

    # -- parser callbacks ---------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        if self._head_timer is None:  # a later request on a kept-alive connection
            self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = None
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        upgrading = self.parser.should_upgrade() and self._should_upgrade()
        super().on_headers_complete()
        if not upgrading:  # (a WebSocket is another protocol's from here)
            self._body_timer = self.loop.call_later(self.limits.body_timeout, self._body_timed_out)

    def on_message_complete(self) -> None:
        self._head_bytes = 0  # the next request on this connection: its head is counted afresh
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        super().on_message_complete()

    # -- deadlines ----------------------------------------------------------------------------------

    def _answered_all(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _held_back(self) -> bool:
        """The server, not the client, is why the request is not complete: it has stopped reading
        (a large body waits for a slow answer; a pipelined request for the one before), or the client
        waits for the `100 Continue` the app has not asked for yet."""
        return self.flow.read_paused or (self.cycle is not None and self.cycle.waiting_for_100_continue)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self.flow.read_paused:
            self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)
            return
        if self._in_head and self._answered_all():
            self.transport.write(_response(b"408 Request Timeout", "mockserver: request head not complete in time\n"))
        # (a connection that never sent a byte is closed without an answer, as an idle keep-alive one)
        self.transport.close()

    def _body_timed_out(self) -> None:
        self._body_timer = None
        if self.transport.is_closing():
            return
        if self._held_back():  # counted again from when the server reads (or asks for the body) again
            self._body_timer = self.loop.call_later(self.limits.body_timeout, self._body_timed_out)
            return
        cycle = self.cycle
        if not cycle.response_started:
            self.transport.write(_response(b"408 Request Timeout", "mockserver: request body not complete in time\n"))
        # The app still waiting for the body now reads a disconnect, and whatever it answers is dropped.
        cycle.disconnected = True
        cycle.message_event.set()
        self.transport.close()


def fit_connections(wanted: int) -> int:
    """The connection limit this process can honour: the soft descriptor limit is raised to fit
    `wanted` where the hard limit allows, else the limit shrinks to what the descriptors allow."""
    if sys.platform == "win32":  # pragma: no cover - no RLIMIT_NOFILE
        return wanted
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + FD_RESERVE
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - FD_RESERVE))


def listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound before anything else happens, so that a busy port is one line, at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ListenError(f"{host}:{port} is already in use") from None
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)  # workers are separate processes serving this very socket
    return sock


def run(app: Any, sock: socket.socket, limits: Limits, *, workers: int = 1) -> None:
    """Serve `app` (an ASGI app, or with `workers` > 1 the import string of a factory) on `sock`."""
    options: dict[str, Any] = {"log_level": "warning", "access_log": False}
    if workers > 1:
        config = MockConfig(app, limits, factory=True, workers=workers, **options)
        Multiprocess(config, sockets=[sock]).run()
        return
    uvicorn.Server(MockConfig(app, limits, **options)).run(sockets=[sock])
