"""What one generation call knows: its random source, the clock it pretends to read, the problem it reports."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from random import Random
from typing import Any

from mockserver.openapi.requests import FieldError

__all__ = ["FieldError", "GenContext", "Problem", "make_context", "stable_seed"]


@dataclass(frozen=True)
class Problem:
    """Why an error response is sent; fills the message/code fields of the API's error envelope."""

    status: int
    message: str
    code: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    errors: tuple[FieldError, ...] = ()


@dataclass
class GenContext:
    """Per-call state; generators only read `rng`, `today`, `now`, `status` and `problem`."""

    rng: Random
    today: date
    now: datetime
    status: int = 200
    problem: Problem | None = None
    # Probability, per decision, of an edge case the schema still allows: empty or full arrays, bounds,
    # length limits, unicode, nulls, absent optional fields. 0 draws realistic middles only.
    edge: float = 0.0
    # One record (person, model, …) per object, so that sibling fields agree with each other.
    frames: list[dict[str, int]] = field(default_factory=list)

    def on_edge(self) -> bool:
        """Whether this decision goes to an edge case (never when edge cases are off)."""
        return self.edge > 0 and self.rng.random() < self.edge

    def record(self, kind: str, size: int) -> int:
        """The index of the `kind` record chosen for the object being generated."""
        frame = self.frames[-1] if self.frames else {}
        index = frame.get(kind)
        if index is None:
            index = frame[kind] = int(self.rng.random() * size)
        return index


def stable_seed(*parts: object) -> int:
    """A seed from `parts` that is the same in every process (unlike `hash`)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "big")


def make_context(
    seed: int,
    *parts: object,
    today: date | None = None,
    status: int = 200,
    problem: Problem | None = None,
    edge: float = 0.0,
) -> GenContext:
    """A context whose random draws depend only on `seed` and `parts` (for example the request)."""
    day = today or datetime.now(UTC).date()
    rng = Random(stable_seed(seed, *parts))
    return GenContext(rng=rng, today=day, now=_midnight(day), status=status, problem=problem, edge=edge)


@lru_cache(maxsize=16)
def _midnight(day: date) -> datetime:
    # The clock is pinned to midnight of `day`, so that a seed gives the same answer all day long.
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
