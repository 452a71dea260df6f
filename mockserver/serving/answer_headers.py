"""What a response's headers need from beyond one request: the server's own URL, and rate-limit counters.

Rate-limit headers a spec documents (`X-RateLimit-Remaining`, `RateLimit-Limit`, …; marked by
generation/headers.py) count down per credential: `LIMIT` requests per `WINDOW` seconds, the window starting
at a credential's first request. Counting only says what is left; refusing with 429 once nothing is left is
the rate limiter's job (`--rate-limit`): when it is on, the headers tell its counts instead (`ratelimit.COUNTS`).
Credentials are kept only as a hash, and at most `CAPACITY` of them (the least recently seen is forgotten).
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from weakref import WeakKeyDictionary

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

from mockserver.generation.responses import Rendered
from mockserver.openapi.model import Operation
from mockserver.serving.answers import to_response
from mockserver.serving.auth import credential_key
from mockserver.serving.ratelimit import COUNTS
from mockserver.serving.state import MockState, query_items

LIMIT = 60  # requests a credential may make per window, as the rate-limit headers tell it
WINDOW = 60.0  # seconds
CAPACITY = 4096  # credentials counted at once
_HOST = re.compile(r"[A-Za-z0-9.\-]+(?::[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?")


class RateCounters:
    """Requests per credential in the current window; bounded, thread-safe."""

    def __init__(
        self,
        limit: int = LIMIT,
        window: float = WINDOW,
        capacity: int = CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.capacity, self.clock = limit, window, capacity, clock
        self._seen: OrderedDict[str, tuple[float, int]] = OrderedDict()  # credential hash: (window start, count)
        self._lock = threading.Lock()

    def take(self, credential: str) -> tuple[int, int, int]:
        """Count one request of `credential`: (limit, remaining, seconds until the window resets)."""
        now = self.clock()
        with self._lock:
            start, count = self._seen.pop(credential, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            self._seen[credential] = (start, count + 1)
            while len(self._seen) > self.capacity:
                self._seen.popitem(last=False)
        reset = max(0, int(start + self.window - now + 0.999))
        return self.limit, max(0, self.limit - count - 1), reset


_COUNTERS: WeakKeyDictionary[MockState, RateCounters] = WeakKeyDictionary()
_COUNTERS_LOCK = threading.Lock()


def counters(state: MockState) -> RateCounters:
    """The server's counters (one per `MockState`, gone with it)."""
    with _COUNTERS_LOCK:
        found = _COUNTERS.get(state)
        if found is None:
            found = _COUNTERS[state] = RateCounters()
        return found


def origin(scope: Scope) -> str:
    """`scheme://host[:port]` the client used (its Host header), or "" when that is not a plain host."""
    host = Headers(scope=scope).get("host", "")
    if not _HOST.fullmatch(host):
        return ""
    return f"{scope.get('scheme', 'http')}://{host}"


def answer(
    state: MockState, op: Operation, scope: Scope, rendered: Rendered, extra: dict[str, str] | None = None
) -> Response:
    """`rendered` as a response, its rate-limit headers counted for the request's credential."""
    if rendered.rate:
        counted = scope.get("extensions", {}).get(COUNTS)  # the rate limiter's own counts, when it is on
        limit, remaining, reset = counted or counters(state).take(credential_key(op, scope, query_items(scope)))
        counts = {"limit": limit, "remaining": remaining, "reset": reset}
        headers = {**rendered.headers, **{name: str(counts[kind]) for name, kind in rendered.rate}}
        rendered = Rendered(rendered.status, rendered.body, rendered.media_type, headers, rendered.rate)
    return to_response(rendered, extra)
