"""A bound on the rate of requests the proxy sends upstream, so a runaway client loop cannot flood a real API.

Requests beyond the rate wait for their turn (evenly spaced, like GCRA); one that would wait longer than
`max_wait` is refused at once (the proxy's own 429), so a client is never left hanging.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Pacer:
    def __init__(self, per_second: float, max_wait: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.max_wait = max_wait
        self.clock = clock
        self._next = 0.0  # when the next request may go

    def slot(self) -> float | None:
        """Seconds this request must wait before it goes (0: now), or None: refuse it, the queue is too long.
        Taking a slot reserves it: call once per request."""
        if not self.interval:
            return 0.0
        now = self.clock()
        start = max(self._next, now)
        wait = start - now
        if wait > self.max_wait:
            return None
        self._next = start + self.interval
        return wait
