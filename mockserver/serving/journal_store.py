"""The journal's SQLite storage: one database per writing process, read together.

Every request writes a journal entry; with `--workers N` sharing one database those writes queued on its
lock, and SQLite's busy wait sleeps in steps of milliseconds (one worker was seen frozen 131 ms). So each
process writes only to its own file (`<state file>-requests/<pid>.sqlite`): the hot path never waits for
another process. Reading (`GET /__mock/requests`) merges every file's newest entries by time, within the
journal's bounds; clearing empties them all. One process alone (no state file) keeps its journal in
`MemoryJournal`: a bounded deque of the entries themselves, no SQLite and no JSON on the hot path.
"""

from __future__ import annotations

import copy
import heapq
import json
import os
import sqlite3
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, Protocol

from mockserver.errors import StoreError

TRIM_EVERY = 32  # entries a process adds between trims (its file may hold that many more in between)
MAX_FILES = 64  # journal files read; past it, those of processes gone are removed (oldest first)
BUSY_TIMEOUT_S = 5.0  # a reader or a clear waits at most this long for a file's writer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT, t INTEGER NOT NULL, entry TEXT NOT NULL, size INTEGER NOT NULL);
"""


class Journal(Protocol):
    def add(self, entry: dict[str, Any], size: int) -> None: ...

    def entries(self) -> list[dict[str, Any]]: ...

    def clear(self) -> None: ...

    def close(self) -> None: ...


class MemoryJournal:
    """One process's journal in memory: the newest `size` entries, at most `byte_limit` bytes (the newest
    entry is kept whatever its size, as the files do)."""

    def __init__(self, size: int, byte_limit: int) -> None:
        self.size = size
        self.byte_limit = byte_limit
        self._lock = threading.Lock()  # the app's event loop and a test client's thread may both reach it
        self._kept: deque[tuple[dict[str, Any], int]] = deque()
        self._bytes = 0

    def add(self, entry: dict[str, Any], size: int) -> None:
        with self._lock:
            self._kept.append((entry, size))
            self._bytes += size
            while len(self._kept) > 1 and (len(self._kept) > self.size or self._bytes > self.byte_limit):
                self._bytes -= self._kept.popleft()[1]

    def entries(self) -> list[dict[str, Any]]:
        """Newest first; copies, so that a reader cannot change what is kept."""
        with self._lock:
            kept = [entry for entry, _ in reversed(self._kept)]
        return copy.deepcopy(kept)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._bytes = 0

    def close(self) -> None:
        self.clear()


def _connect(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None)
    if path != ":memory:":
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")  # disposable, like the rest of the state
    db.executescript(_SCHEMA)
    return db


class JournalFiles:
    """This process's journal file, and every other process's beside it (`folder`; None: an SQLite database
    in memory, which `MemoryJournal` does cheaper)."""

    def __init__(self, folder: Path | None, size: int, byte_limit: int) -> None:
        self.folder = folder
        self.size = size
        self.byte_limit = byte_limit
        self._lock = threading.Lock()
        self._added = 0
        try:
            if folder is None:
                self._own_path = ":memory:"
            else:
                folder.mkdir(parents=True, exist_ok=True)
                self._own_path = str(folder / f"{os.getpid()}.sqlite")
                self._forget_old_files()
            self._own = _connect(self._own_path)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the journal in {folder or '(memory)'}: {exc}") from exc
        self._others: dict[str, sqlite3.Connection] = {}

    def add(self, entry: dict[str, Any], size: int) -> None:
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            self._own.execute("INSERT INTO journal (t, entry, size) VALUES (?, ?, ?)", (time.time_ns(), text, size))
            self._added += 1
            if self._added < TRIM_EVERY and size < self.byte_limit // TRIM_EVERY:
                return
            self._added = 0
            _trim(self._own, self.size, self.byte_limit)

    def entries(self) -> list[dict[str, Any]]:
        """Every process's entries, newest first, within the journal's entry and byte bounds."""
        with self._lock:
            rows = [self._newest(db) for db in self._files()]
        merged = heapq.merge(*rows, key=lambda row: -row[0])
        kept: list[dict[str, Any]] = []
        total = 0
        for _, text, size in merged:
            total += size
            if len(kept) >= self.size or (kept and total > self.byte_limit):
                break
            kept.append(json.loads(text))
        return kept

    def clear(self) -> None:
        with self._lock:
            for db in self._files():
                db.execute("DELETE FROM journal")

    def close(self) -> None:
        with self._lock:
            for db in [self._own, *self._others.values()]:
                db.close()
            self._others.clear()

    def _newest(self, db: sqlite3.Connection) -> list[tuple[int, str, int]]:
        query = "SELECT t, entry, size FROM journal ORDER BY id DESC LIMIT ?"
        return [(int(t), str(text), int(size)) for t, text, size in db.execute(query, (self.size,))]

    def _files(self) -> list[sqlite3.Connection]:
        """This process's database and a connection to each other journal file in the folder now."""
        if self.folder is None:
            return [self._own]
        found = {str(p) for p in self.folder.glob("*.sqlite")} - {self._own_path}
        for gone in set(self._others) - found:
            self._others.pop(gone).close()
        for path in sorted(found - set(self._others))[:MAX_FILES]:
            try:
                self._others[path] = _connect(path)
            except sqlite3.Error:
                continue  # a file being removed, or not a journal: its entries are not shown
        return [self._own, *self._others.values()]

    def _forget_old_files(self) -> None:
        """Past MAX_FILES journal files, remove those of processes that are gone (earlier runs of a kept
        `--state-file`), least recently written first; a running process's file is never removed."""
        assert self.folder is not None
        files = sorted(self.folder.glob("*.sqlite"), key=lambda p: p.stat().st_mtime)
        excess = len(files) - MAX_FILES + 1
        for old in files:
            if excess <= 0:
                break
            if _running(old.stem):
                continue
            for suffix in ("", "-wal", "-shm"):
                Path(f"{old}{suffix}").unlink(missing_ok=True)
            excess -= 1


def _running(stem: str) -> bool:
    if not stem.isdigit():
        return False
    try:
        os.kill(int(stem), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process: running
    return True


def _trim(db: sqlite3.Connection, size: int, byte_limit: int) -> None:
    """Keep a file's newest entries within `size` and `byte_limit` (the newest one always)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        count = db.execute("SELECT count(*) FROM journal").fetchone()[0]
        if count > size:  # the usual case once the journal is full: drop by id, no scan
            db.execute(
                "DELETE FROM journal WHERE id <= (SELECT id FROM journal ORDER BY id DESC LIMIT 1 OFFSET ?)", (size,)
            )
        if db.execute("SELECT total(size) FROM journal").fetchone()[0] > byte_limit:
            total = 0
            for position, (entry_id, entry_size) in enumerate(
                db.execute("SELECT id, size FROM journal ORDER BY id DESC").fetchall()
            ):
                total += entry_size
                if total > byte_limit and position > 0:
                    db.execute("DELETE FROM journal WHERE id <= ?", (entry_id,))
                    break
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
