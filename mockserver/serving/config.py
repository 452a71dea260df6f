"""The server's settings: what `mockserver serve`'s options set (workers get every field, see `factory`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime


@dataclass(frozen=True)
class ServerConfig:
    seed: int = 0
    tokens: frozenset[str] = frozenset()
    today: Callable[[], date] = field(default=lambda: datetime.now(UTC).date())
    chaos: float = 0.0  # probability that an operation answers one of its documented error statuses
    latency: tuple[int, int] = (0, 0)  # milliseconds added to every answer, drawn per request
    faults: tuple[str, ...] = ()  # transport faults to inject (drop, truncate, trickle) ...
    fault_rate: float = 0.0  # ... with this probability per request
    edge: float = 0.0  # probability per generated value of a schema-valid edge case (see GenContext.edge)
    cors: bool = True  # browser clients may call the mock from any origin
    admin_cors: bool = False  # ... and its /__mock/ endpoints too (else those answer same-origin requests only)
    # /__mock/ refuses a Host that is a DNS name other than localhost: a page that rebinds its own name to
    # 127.0.0.1 is "same-origin" with the mock. `serve` turns it on; in-process test clients use `testserver`.
    admin_host_guard: bool = False
    access_log: bool = True  # one line per request on the `mockserver.access` logger
    journal_size: int = 500  # requests kept for GET /__mock/requests
    # The state database (journal, counters) every worker shares: a SQLite file; None keeps it in this
    # process's memory (one worker). `serve --workers N` makes a temporary one; `--state-file` names one.
    state_file: str | None = None
    # ... or a Redis server every instance shares (`--state-url redis://host:port/db`, serving/redis_store.py),
    # for several mock instances behind one load balancer. Takes the place of `state_file` when set.
    state_url: str | None = None
    # Resources inferred from the spec remember what is written to them (serving/resources.py); `--stateless`
    # switches that off: every answer generated afresh, as before.
    stateless: bool = False
    max_body: int = 10 * 1024 * 1024  # bytes of request body read at most; larger bodies get 413
    max_answer: int = 32 * 1024 * 1024  # about the memory (bytes) one answer may take to make; past it, a 501
    # Requests per credential in a period, as (requests, seconds); past it, 429 with Retry-After. (0, 0): off.
    rate_limit: tuple[int, int] = (0, 0)
    request_budget: float = 5.0  # seconds a request's checks and answer may take; past it, the mock's own 503
    # Whether the mock draws chaos, latency and faults itself (the options above and `/__mock/chaos`); off for the
    # mock behind `mockserver proxy`, where the proxy draws them once per request, for forwarded and mocked alike.
    draws_chaos: bool = True
