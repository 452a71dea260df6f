"""`--rate-limit N/s` (and `Prefer: rate-limit=N/s`): 429 with `Retry-After` once a credential exceeds it.

Each credential (the Authorization header, else the operation's API key, else the client's address) is
counted by GCRA, the generic cell rate algorithm: N requests may come at once, then one every period/N.
It keeps one number per credential (when its next request is due, in the store, so every worker counts
together) and says exactly how long to wait. Only a hash of the credential is stored, never the value.
The 429 comes in the operation's documented envelope when it documents one (a 429, `4XX` or `default`),
else as the mock's own problem+json marked `X-Mock-Error`.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable

from starlette.responses import Response
from starlette.types import Scope

from mockserver.generation.context import Problem
from mockserver.generation.statuses import status_phrase
from mockserver.serving.answers import mock_error
from mockserver.serving.auth import credential_key
from mockserver.serving.budget import bounded
from mockserver.serving.envelopes import error_response
from mockserver.serving.overrides import annotate
from mockserver.serving.prefer import Preferences
from mockserver.serving.state import BoundOperation, MockState, query_items

COUNTS = "mockserver.rate"  # scope extension: (limit, remaining, reset seconds) of an allowed request, for headers
RATE_KEYS = 10_000  # credentials counted at once; past it, those not due to be limited are forgotten first


class RateLimiter:
    """Counts each credential's requests against the server's (or the request's) rate."""

    def __init__(self, state: MockState, clock: Callable[[], float] = time.time) -> None:
        self.state = state
        self.clock = clock
        self.repo = state.store.rate_limits()  # one due time per key (repositories.py)

    def check(self, scope: Scope, bound: BoundOperation, prefs: Preferences) -> Response | None:
        """None when the request is within its credential's rate, else the 429 to answer."""
        count, period = prefs.rate_limit or self.state.config.rate_limit
        if not count:
            return None
        wait, remaining, reset = self._wait(_key(scope, bound, count, period), period / count, period)
        if wait is None:
            # What the API's documented rate-limit headers say, if it has any (serving/answer_headers.py).
            scope.setdefault("extensions", {})[COUNTS] = (count, remaining, reset)
            return None
        annotate(scope, "rate_limited", True)
        seconds = max(1, math.ceil(wait))
        headers = {"Retry-After": str(seconds)}
        message = f"Rate limit exceeded: {count} requests per {period} s; retry after {seconds} s"
        if not bound.mock.documents(429):
            answer = mock_error(429, "Too Many Requests", message)
            answer.headers.update(headers)
            return answer
        problem = Problem(status=429, message=message, code=status_phrase(429)[0])
        config = self.state.config
        make = lambda: error_response(self.state, bound.api, bound, scope, problem, headers)  # noqa: E731
        return bounded(config.request_budget, config.max_answer, scope, make)

    def _wait(self, key: str, interval: float, period: float) -> tuple[float | None, int, int]:
        """Seconds until `key` may send again (None: now, and it is counted), in one atomic step of the store;
        and how many more it may send at once, and in how many seconds it may send the whole burst again."""
        now = self.clock()
        burst = period - interval  # how far ahead of now a credential's due time may run: `count` at once
        due, allowed = self.repo.advance(key, now, interval, burst, RATE_KEYS)
        if not allowed:
            return due - burst - now, 0, math.ceil(due - now)
        after = due + interval
        return None, max(0, math.floor((now + burst - after) / interval + 1e-9) + 1), math.ceil(after - now)


def _key(scope: Scope, bound: BoundOperation, count: int, period: float) -> str:
    """A hash of (API, rate, credential): the credential itself is never kept."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (bound.api.api.name, str(count), str(period), credential_key(bound.op, scope, query_items(scope))):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x1f")
    return digest.hexdigest()
