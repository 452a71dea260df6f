"""Bounds on what one response from the checked server may cost: its size in bytes and its total time.

`requests` only bounds each socket read, so a server that streams forever, sends a huge body or
trickles a byte a second holds the checker for ever (or until memory runs out). Every `requests`
send (each hop of a redirect) in a run goes through `bounded_responses`: the body is read here, chunk by chunk, and reading
stops at `max_bytes`; a watchdog shuts the connection's socket at the deadline, which ends any read
(status line, headers or body) blocked on it. Either becomes a `ResponseLimitExceeded`, which the
runner reports as a one-line run error.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection

from mockserver.errors import ResponseLimitError

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ResponseLimits:
    max_bytes: int = DEFAULT_MAX_BYTES  # decoded body bytes kept per response
    timeout: float = DEFAULT_TIMEOUT  # seconds from sending the request to the body's last byte


class ResponseLimitExceeded(ResponseLimitError, requests.RequestException):
    """A response broke a `ResponseLimits` bound; its message is the one line the report shows."""


def describe_size(n: int) -> str:
    """`n` bytes for a person: 8 MB, 512 KB, 300 bytes."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} bytes"


@dataclass
class _Deadline:
    """One send's watchdog: at `at`, shut every socket the send used (unless it finished first)."""

    connections: list[Any] = field(default_factory=list)
    expired: bool = False
    done: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fire(self) -> None:
        with self.lock:
            if self.done:
                return
            self.expired = True
            for conn in self.connections:
                sock = getattr(conn, "sock", None)
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked read at once

    def finish(self) -> bool:
        """Stop the watchdog; whether it had already fired."""
        with self.lock:
            self.done = True
            return self.expired


_local = threading.local()


class _CountingRaw:
    """`response.raw` for an event stream, which schemathesis reads itself: read1 stops at the byte bound."""

    def __init__(self, raw: Any, limit: int, on_exceeded: Any) -> None:
        self._raw, self._limit, self._on_exceeded, self._read = raw, limit, on_exceeded, 0

    def read1(self, amt: int = -1, **kwargs: Any) -> bytes:
        chunk: bytes = self._raw.read1(amt, **kwargs)
        self._read += len(chunk)
        if self._read > self._limit:
            self._raw.close()
            raise self._on_exceeded()
        return chunk

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


@contextmanager
def bounded_responses(limits: ResponseLimits, *, label: str = "the server") -> Iterator[None]:
    """For the duration, every `requests` response is read within `limits` (or raises `ResponseLimitExceeded`).

    `label` names the server in messages (its URL with any password masked)."""
    original_send = HTTPAdapter.send
    original_request = HTTPConnection.request
    size = describe_size(limits.max_bytes)

    def too_large(request: Any) -> ResponseLimitExceeded:
        return ResponseLimitExceeded(
            f"{_what(request, label)}: the response body exceeded {size} (--max-response-bytes); stopped reading",
            request=request,
        )

    def too_slow(request: Any) -> ResponseLimitExceeded:
        return ResponseLimitExceeded(
            f"{_what(request, label)}: no complete response within {limits.timeout:g} s (--response-timeout)",
            request=request,
        )

    def request(conn: HTTPConnection, *args: Any, **kwargs: Any) -> None:
        deadline: _Deadline | None = getattr(_local, "deadline", None)
        if deadline is not None:
            with deadline.lock:
                deadline.connections.append(conn)
        original_request(conn, *args, **kwargs)

    def send(adapter: HTTPAdapter, prepared: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        # One hop (a followed redirect is another): the deadline covers its status line, headers and body.
        deadline = _Deadline()
        timer = threading.Timer(limits.timeout, deadline.fire)
        timer.daemon = True
        _local.deadline = deadline
        timer.start()
        try:
            response = _read(adapter, prepared, kwargs, deadline)
        except ResponseLimitExceeded:
            raise
        except (requests.RequestException, OSError) as exc:
            if deadline.finish():
                raise too_slow(prepared) from exc
            raise
        finally:
            timer.cancel()
            _local.deadline = None
        if deadline.finish():
            response.close()
            raise too_slow(prepared)
        return response

    def _read(
        adapter: HTTPAdapter, prepared: requests.PreparedRequest, kwargs: dict[str, Any], deadline: _Deadline
    ) -> requests.Response:
        streaming = kwargs.get("stream", False)
        response = original_send(adapter, prepared, **{**kwargs, "stream": True})
        content_type = response.headers.get("Content-Type", "")
        if streaming and content_type.split(";")[0].strip().lower() == "text/event-stream":
            # schemathesis reads an event stream itself, until its own total timeout or event count.
            response.raw = _CountingRaw(response.raw, limits.max_bytes, lambda: too_large(prepared))
            return response
        chunks: list[bytes] = []
        total = 0
        try:
            for chunk in response.iter_content(_CHUNK):
                total += len(chunk)
                if total > limits.max_bytes:
                    raise too_large(prepared)
                chunks.append(chunk)
        except ResponseLimitExceeded:
            response.close()  # closes the connection without draining the rest
            raise
        except (requests.RequestException, OSError):
            response.close()
            if deadline.expired:
                raise too_slow(prepared) from None
            raise
        response._content = b"".join(chunks)
        response._content_consumed = True
        return response

    HTTPAdapter.send = send  # type: ignore[method-assign,assignment]
    HTTPConnection.request = request  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        HTTPAdapter.send = original_send  # type: ignore[method-assign]
        HTTPConnection.request = original_request  # type: ignore[method-assign]


def _what(request: Any, label: str) -> str:
    """ "GET /path" of the request, without the server part (which may hold a password)."""
    from urllib.parse import urlsplit

    url = urlsplit(getattr(request, "url", "") or "")
    return f"{getattr(request, 'method', '') or 'request'} {url.path or '/'} on {label}"
