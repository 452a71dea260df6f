"""Chaos for client resilience: documented errors, latency and transport faults, reproducible by seed.

Each decision draws from a random source seeded by (seed, the request's identity, how many times this
identical request was seen before), so a seeded run gives each request the same fate whatever else is
sent, in whatever order or concurrency; `Prefer: seed=N` pins the draw completely (the n-th time is not
counted), so the same request with the same preference always meets the same fate. The identity is the
method, the path and the query (the body is not read before chaos decides). The counts live in the
shared store, so workers agree.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from random import Random

from starlette.types import Message, Scope, Send

from mockserver.generation.context import stable_seed
from mockserver.openapi.model import Operation
from mockserver.serving.config import ServerConfig
from mockserver.serving.prefer import FAULTS, Preferences
from mockserver.serving.repositories import StateStore
from mockserver.serving.store import Store

# Scope extension set by a layer in front of the mock (the proxy) that has drawn this request's chaos already:
# the mock draws none of its own, so a request meets one fate, not two.
DRAWN = "mockserver.chaos_drawn"
TRICKLE_CHUNK = 64  # bytes per write in a slow trickle
TRICKLE_PAUSE = 0.05  # seconds between writes


class DroppedConnection(Exception):
    """Raised after the status line on purpose: the server closes the connection mid-response."""


_TRUNCATED = ("shorter than Content-Length", "Too little data for declared Content-Length")


def is_fault(exc: BaseException | None) -> bool:
    """Whether `exc` is, or was caused by, a transport fault the mock made on purpose."""
    while exc is not None:
        if isinstance(exc, DroppedConnection) or any(text in str(exc) for text in _TRUNCATED):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class QuietDrops(logging.Filter):
    """Keeps the server's error log free of the faults the mock made on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "without completing response" in record.getMessage():
            return False  # what uvicorn says when the journal ends a faulted response
        return not is_fault(record.exc_info[1] if record.exc_info else None)


@dataclass(frozen=True)
class Decision:
    error_status: int | None = None
    latency_ms: int = 0
    fault: str | None = None


class Chaos:
    """Decides, per request, what goes wrong; counts identical requests so that a run replays the same."""

    def __init__(
        self, config: ServerConfig, store: StateStore | None = None, current: Callable[[], ServerConfig] | None = None
    ) -> None:
        self.config = config
        self.store: StateStore = store or Store()
        # The settings in force, when they can change while the server runs (`/__mock/chaos`, chaos_settings.py).
        self.current = current or (lambda: self.config)

    def decide(self, scope: Scope, op: Operation, prefs: Preferences) -> Decision:
        config = self.current()
        rate = config.chaos if prefs.chaos is None else prefs.chaos
        latency = prefs.latency or config.latency
        if not rate and latency == (0, 0) and prefs.fault is None and not config.fault_rate:
            return Decision()
        identity = (scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"))
        if prefs.seed is None:
            seed, repeat = config.seed, self.store.seen(f"chaos:{stable_seed(*identity)}")
        else:
            seed, repeat = prefs.seed, 0
        rng = Random(stable_seed(seed, "chaos", repeat, *identity))
        errors = _error_statuses(op)
        status = rng.choice(errors) if errors and rng.random() < rate else None
        if prefs.code is not None or prefs.example is not None:
            status = None  # the client asked for this answer by name: chance does not overrule it
        fault = prefs.fault
        kinds = [k for k in config.faults if k in FAULTS]
        if fault is None and kinds and rng.random() < config.fault_rate:
            fault = rng.choice(kinds)
        return Decision(status, rng.randint(*latency) if latency != (0, 0) else 0, fault)


async def pause(decision: Decision) -> None:
    if decision.latency_ms:
        await asyncio.sleep(decision.latency_ms / 1000)


def faulty(kind: str, send: Send) -> Send:
    """A `send` that breaks the response the way `kind` says."""
    body_sent = False

    async def faulty_send(message: Message) -> None:
        nonlocal body_sent
        if message["type"] == "http.response.start":
            await send(message)
            if kind == "drop":
                raise DroppedConnection("mockserver fault: connection dropped after the status line")
            return
        if message["type"] != "http.response.body" or body_sent:
            await send(message)
            return
        body = bytes(message.get("body", b""))
        body_sent = True
        if kind == "truncate":
            # Fewer bytes than Content-Length announced, then the end: the server closes the connection.
            await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": False})
            return
        for start in range(0, len(body), TRICKLE_CHUNK):
            await send({"type": "http.response.body", "body": body[start : start + TRICKLE_CHUNK], "more_body": True})
            await asyncio.sleep(TRICKLE_PAUSE)
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    return faulty_send


# Statuses a range or `default` stands for, as flaky upstreams send them.
_STANDS_FOR = {"4XX": (400, 404, 409, 429), "5XX": (500, 502, 503), "default": (400, 404, 429, 500, 503)}


def _error_statuses(op: Operation) -> list[int]:
    found: list[int] = []
    for key in op.documented_statuses:
        if key.isdigit():
            found += [int(key)] if int(key) >= 400 else []
        else:
            found += [
                s for s in _STANDS_FOR.get(key.upper() if key != "default" else key, ()) if str(s) not in op.responses
            ]
    return sorted(set(found))
