"""What the running mock remembers, in one SQLite database that every worker process shares.

The journal, the per-request counters that make chaos reproducible, and what other features keep
(overrides, stored entities: each in its own module, with its own tables, see `Store.extend`) live here
rather than in a process's memory, so that `serve --workers N`
answers `GET /__mock/requests` with every worker's requests and one worker sees what another counted.
One worker: a private in-memory database. Several: one file in WAL mode (readers never wait for the
writer; writers queue on SQLite's lock, each write a few microseconds). Everything is bounded: the
journal by entries and bytes, the counters by keys (the least recently used go first).
Features reach their tables through repositories (repositories.py; their SQL in sqlite_repos.py and
entities.py); `open_store` gives this store, or the Redis one (redis_store.py) for `--state-url redis://…`.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from mockserver.errors import StoreError
from mockserver.serving.entities import SqliteEntities
from mockserver.serving.journal_store import Journal, JournalFiles, MemoryJournal
from mockserver.serving.repositories import EntityRepo, OverrideRepo, RateRepo, SettingsRepo, StateStore
from mockserver.serving.sqlite_repos import SqliteOverrides, SqliteRates, SqliteSettings

JOURNAL_SIZE = 500  # requests kept
JOURNAL_BYTES = 4 * 1024 * 1024  # the journal, roughly (see journal._size)
COUNTER_KEYS = 100_000  # distinct requests counted; past it the least recently seen 10 % are forgotten
# The counters' bound is enforced every so many counts (per process), not on each: a count is one statement.
COUNT_EVERY = 1000
BUSY_TIMEOUT_MS = 5000  # how long a write waits for another worker's before giving up
SQLITE_URL = "sqlite://"  # `--state-url sqlite:///var/state.sqlite`: the file /var/state.sqlite
REDIS_SCHEMES = ("redis", "rediss", "unix")  # `--state-url` of a Redis server (redis_store.py)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, n INTEGER NOT NULL, touched INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS state_tables (name TEXT PRIMARY KEY);
INSERT OR IGNORE INTO state_tables VALUES ('counters');
"""


class Store:
    """The shared memory of one server: `location` is a database file (shared by workers) or None."""

    def __init__(
        self,
        location: str | Path | None = None,
        *,
        journal_size: int = JOURNAL_SIZE,
        journal_bytes: int = JOURNAL_BYTES,
        counter_keys: int = COUNTER_KEYS,
    ) -> None:
        self.location = str(location) if location is not None else None
        self.journal_size = journal_size
        self.journal_bytes = journal_bytes
        self.counter_keys = counter_keys
        # One connection per process, used under a lock: the app's event loop and a test client's thread
        # may both reach it, and each call is short.
        self._lock = threading.Lock()
        self._counts = 0  # counts this process made since it last bounded the counters
        try:
            self._db = sqlite3.connect(
                self.location or ":memory:",
                timeout=BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
                isolation_level=None,
            )
            if self.location:
                self._db.execute("PRAGMA journal_mode=WAL")
                # A mock's state is disposable: no fsync per write (WAL keeps the file consistent anyway).
                self._db.execute("PRAGMA synchronous=OFF")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the state database {self.location or '(memory)'}: {exc}") from exc
        # The journal is written on every request: each process to a file of its own (see journal_store.py).
        self._journal: Journal
        if self.location:
            folder = Path(f"{self.location}-requests")  # not "-journal": SQLite's own
            self._journal = JournalFiles(folder, journal_size, journal_bytes)
        else:
            self._journal = MemoryJournal(journal_size, journal_bytes)

    def extend(self, schema: str, state_tables: tuple[str, ...] = ()) -> None:
        """Add a feature's tables (`CREATE TABLE IF NOT EXISTS …`); `state_tables` are emptied by `reset`."""
        with self._lock:
            try:
                self._db.executescript(schema)
                # Kept in the database, not in this process: a worker that never used a feature empties its
                # tables too when it is the one asked to reset.
                self._db.executemany("INSERT OR IGNORE INTO state_tables VALUES (?)", [(t,) for t in state_tables])
            except sqlite3.Error as exc:
                raise StoreError(f"cannot set up the state database {self.location or '(memory)'}: {exc}") from exc

    def read(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows of one query (a consistent snapshot)."""
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, holding the database's write lock (other workers wait): keep it short."""
        with self._write() as db:
            yield db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # The journal ------------------------------------------------------------------------------------

    def add_request(self, entry: dict[str, Any], size: int) -> None:
        """Append a journal entry (`size`: its rough byte count); the oldest go past the bounds."""
        self._journal.add(entry, size)

    def requests(self) -> list[dict[str, Any]]:
        """The journal, every process's entries, newest first, within its bounds."""
        return self._journal.entries()

    def clear_requests(self) -> None:
        self._journal.clear()

    # Counters ---------------------------------------------------------------------------------------

    def seen(self, key: str) -> int:
        """How many times `key` was counted before this call (0 the first time), counting this one."""
        now = time.time_ns()  # "when last seen", comparable across the workers of one machine
        with self._lock:
            n = self._db.execute(
                "INSERT INTO counters VALUES (?, 1, ?) ON CONFLICT(key) DO UPDATE SET n = n + 1, touched = ? "
                "RETURNING n",
                (key, now, now),
            ).fetchone()[0]
            self._counts += 1
            if self._counts < COUNT_EVERY:
                return int(n) - 1
            self._counts = 0
        with self._write() as db:  # now and then (counting rows costs a scan): keep the table within its bound
            keys = db.execute("SELECT count(*) FROM counters").fetchone()[0]
            if keys > self.counter_keys:
                forget = keys - self.counter_keys + self.counter_keys // 10
                db.execute(
                    "DELETE FROM counters WHERE key IN (SELECT key FROM counters ORDER BY touched LIMIT ?)", (forget,)
                )
        return int(n) - 1

    def counted(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM counters").fetchone()[0])

    # The whole state --------------------------------------------------------------------------------

    def summary(self) -> dict[str, int]:
        """How many rows each state table holds (what `reset` would forget), by table; `entity_bytes` is the
        stored entities' bytes (its one row holds the count), as the Redis store says it too."""
        with self._lock:
            tables = [name for (name,) in self._db.execute("SELECT name FROM state_tables ORDER BY name")]
            # Names come from code (`extend`), never from a request.
            found = {t: int(self._db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}
            if "entity_bytes" in found:
                found["entity_bytes"] = int(
                    self._db.execute("SELECT coalesce(sum(n), 0) FROM entity_bytes").fetchone()[0]
                )
            return found

    def reset(self) -> None:
        """Forget the state (`DELETE /__mock/state`): counters and what features keep; not the journal."""
        with self._write() as db:
            for (table,) in db.execute("SELECT name FROM state_tables").fetchall():
                db.execute(f'DELETE FROM "{table}"')  # names come from code (`extend`), never from a request

    def close(self) -> None:
        self._journal.close()
        with self._lock:
            self._db.close()

    # The features' repositories ---------------------------------------------------------------------

    def overrides(self) -> OverrideRepo:
        return SqliteOverrides(self)

    def rate_limits(self) -> RateRepo:
        return SqliteRates(self)

    def entities(self) -> EntityRepo:
        return SqliteEntities(self)

    def settings(self) -> SettingsRepo:
        return SqliteSettings(self)


def open_store(state_file: str | None, state_url: str | None, *, journal_size: int = JOURNAL_SIZE) -> StateStore:
    """The server's store: Redis at `state_url` (`redis://`, `rediss://`, `unix://`), else SQLite in `state_file`
    (None: this process's memory). Redis's client is imported only here, when a URL asks for it."""
    if state_url:
        from mockserver.serving.redis_store import RedisStore

        return RedisStore(state_url, journal_size=journal_size)
    return Store(state_file, journal_size=journal_size)


def masked(url: str) -> str:
    """`url` as it may be shown: a password (in the address or a `password=` parameter) as `***`."""
    try:
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        secret = parts.password is not None or any(k.lower() == "password" for k, _ in pairs)
        if not secret:
            return url
        netloc = parts.netloc
        if parts.password is not None:
            netloc = f"{parts.username or ''}:***@{netloc.rpartition('@')[2]}"
        query = urlencode([(k, "***" if k.lower() == "password" else v) for k, v in pairs], safe="*")
        return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")
    except ValueError:
        return "(a state URL that cannot be parsed)"
