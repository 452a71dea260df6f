"""What each feature asks of the server's store: one small repository per feature, no logic.

The store is SQLite by default (store.py, sqlite_repos.py) or Redis with `--state-url redis://…`
(redis_store.py); features reach it only through these protocols, so both backends keep the same state the
same way. Every method that reads and then writes is atomic in both: a SQLite transaction, a Redis Lua script.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

# Filters on stored entities: each (path of a field in the entity, the values it may have); all must hold.
Filters = list[tuple[tuple[str, ...], list[Any]]]


@dataclass(frozen=True)
class OverrideRow:
    """One stored override: its document as JSON text, and how many requests it answered."""

    id: int
    api: str | None
    operation: str | None
    document: str
    used: int
    times: int | None


class OverrideRepo(Protocol):
    def add(self, api: str | None, operation: str | None, document: str, times: int | None, most: int) -> int | None:
        """The new override's id, or None (nothing stored) when `most` are kept already."""

    def delete(self, ident: int) -> bool:
        """Forget one override; False when there was none by that id."""

    def clear(self) -> None: ...

    def rows(self) -> list[OverrideRow]:
        """Every override, oldest first."""

    def take(self, api: str, operation: str, applies: Callable[[int, str], bool]) -> tuple[int, str, int] | None:
        """The newest live override of (api, operation) for which `applies(id, document)` holds, counted as used
        once more: its (id, document, uses before this one). Atomic: with several workers or instances, a
        sequence advances once per request."""


class RateRepo(Protocol):
    def advance(self, key: str, now: float, interval: float, burst: float, most: int) -> tuple[float, bool]:
        """GCRA's one step for `key`: (when it is due, max(stored, now); whether it may send now, and if so its
        due time moved on by `interval`). At most `most` keys are kept (those already due go first)."""


class EntityRepo(Protocol):
    """Entities by (API, resource, id), in creation order; what entities.py says of each method holds for both."""

    def made(self, api: str, resource: str) -> bool: ...

    def make(
        self, api: str, resource: str, initial: list[tuple[str, dict[str, Any]]], *, next_seq: int | None = None
    ) -> None: ...

    def replace(self, api: str, resource: str, entities: list[tuple[str, dict[str, Any]]]) -> bool: ...

    def forget(self, api: str, resource: str) -> None: ...

    def get(self, api: str, resource: str, key: str) -> dict[str, Any] | None: ...

    def number(self, api: str, resource: str, key: str) -> int | None: ...

    def reserve(self, api: str, resource: str) -> int | None: ...

    def put(self, api: str, resource: str, key: str, entity: dict[str, Any], seq: int | None = None) -> bool: ...

    def delete(self, api: str, resource: str, key: str) -> None: ...

    def page(
        self, api: str, resource: str, filters: Filters, *, after: int, skip: int, size: int
    ) -> list[tuple[int, dict[str, Any]]]: ...

    def before(self, api: str, resource: str, filters: Filters, *, before: int, size: int) -> list[int]: ...

    def count(self, api: str, resource: str, filters: Filters) -> int: ...


class SettingsRepo(Protocol):
    """Settings changed while the server runs (`/__mock/chaos`), by name, as JSON text; every worker reads them."""

    def get(self, name: str) -> str | None: ...

    def put(self, name: str, value: str | None) -> None:
        """Set `name` (None: forget it, back to the server's options)."""


class StateStore(Protocol):
    """The shared memory of one server: the journal, the chaos counters, and each feature's repository."""

    location: str | None  # where it is kept, as shown to users (a file, or a URL with its password masked)
    journal_size: int

    def add_request(self, entry: dict[str, Any], size: int) -> None: ...

    def requests(self) -> list[dict[str, Any]]: ...

    def clear_requests(self) -> None: ...

    def seen(self, key: str) -> int: ...

    def counted(self) -> int: ...

    def summary(self) -> dict[str, int]: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...

    def overrides(self) -> OverrideRepo: ...

    def rate_limits(self) -> RateRepo: ...

    def entities(self) -> EntityRepo: ...

    def settings(self) -> SettingsRepo: ...
