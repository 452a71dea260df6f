"""429 handling: Retry-After parsed in both forms, requests re-sent after the pause the server asked for."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from mockserver.contract.throttle import MAX_RETRIES, Throttling, honour_retry_after, retry_after


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after("3") == 3.0
    assert retry_after(None) is None and retry_after("soon") is None
    later = retry_after(formatdate(timeval=None, usegmt=True))
    assert later is not None and 0 <= later <= 1


class _Throttled(BaseHTTPRequestHandler):
    calls = 0
    limit = 2  # the first `limit` requests are told to come back

    def do_GET(self) -> None:
        type(self).calls += 1
        throttled = type(self).calls <= type(self).limit
        self.send_response(429 if throttled else 200)
        if throttled:
            self.send_header("Retry-After", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Throttled)
    _Throttled.calls = 0
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()  # the listening socket too (else a ResourceWarning, an error under filterwarnings)


def test_throttled_request_is_sent_again_after_retry_after(server: str) -> None:
    stats = Throttling()
    with honour_retry_after(stats):
        response = requests.get(server, timeout=5)
    assert response.status_code == 200
    assert stats.retries == 2 and _Throttled.calls == 3


def test_retries_are_bounded(server: str) -> None:
    _Throttled.limit = 100
    try:
        with honour_retry_after(Throttling()):
            response = requests.get(server, timeout=5)
    finally:
        _Throttled.limit = 2
    assert response.status_code == 429 and _Throttled.calls == 1 + MAX_RETRIES


def test_outside_a_run_requests_are_untouched(server: str) -> None:
    assert requests.get(server, timeout=5).status_code == 429
