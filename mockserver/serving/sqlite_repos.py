"""The features' repositories (repositories.py) in the SQLite store: the SQL of overrides and rate limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mockserver.serving.repositories import OverrideRow

if TYPE_CHECKING:
    from mockserver.serving.store import Store

_OVERRIDES = """
CREATE TABLE IF NOT EXISTS overrides (
  id INTEGER PRIMARY KEY AUTOINCREMENT, api TEXT, operation TEXT, document TEXT NOT NULL,
  used INTEGER NOT NULL DEFAULT 0, times INTEGER
);
"""
_LIVE = "(api IS NULL OR api = ?) AND (operation IS NULL OR operation = ?) AND (times IS NULL OR used < times)"
_SETTINGS = "CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
_RATES = "CREATE TABLE IF NOT EXISTS rate_limits (key TEXT PRIMARY KEY, due REAL NOT NULL);"


class SqliteOverrides:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.extend(_OVERRIDES, state_tables=("overrides",))

    def add(self, api: str | None, operation: str | None, document: str, times: int | None, most: int) -> int | None:
        with self.store.write() as db:
            if db.execute("SELECT count(*) FROM overrides").fetchone()[0] >= most:
                return None
            row = db.execute(
                "INSERT INTO overrides (api, operation, document, times) VALUES (?, ?, ?, ?) RETURNING id",
                (api, operation, document, times),
            ).fetchone()
        return int(row[0])

    def delete(self, ident: int) -> bool:
        with self.store.write() as db:
            return bool(db.execute("DELETE FROM overrides WHERE id = ?", (ident,)).rowcount)

    def clear(self) -> None:
        with self.store.write() as db:
            db.execute("DELETE FROM overrides")

    def rows(self) -> list[OverrideRow]:
        rows = self.store.read("SELECT id, api, operation, document, used, times FROM overrides ORDER BY id")
        return [OverrideRow(*row) for row in rows]

    def take(self, api: str, operation: str, applies: Callable[[int, str], bool]) -> tuple[int, str, int] | None:
        where = (api, operation)
        if not self.store.read(f"SELECT 1 FROM overrides WHERE {_LIVE} LIMIT 1", where):
            return None  # the common case: one read, no write lock
        with self.store.write() as db:
            rows = db.execute(f"SELECT id, document, used FROM overrides WHERE {_LIVE} ORDER BY id DESC", where)
            for ident, text, used in rows.fetchall():
                if applies(ident, text):
                    db.execute("UPDATE overrides SET used = used + 1 WHERE id = ?", (ident,))
                    return int(ident), text, int(used)
        return None


class SqliteRates:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.extend(_RATES, state_tables=("rate_limits",))

    def advance(self, key: str, now: float, interval: float, burst: float, most: int) -> tuple[float, bool]:
        with self.store.write() as db:
            row = db.execute("SELECT due FROM rate_limits WHERE key = ?", (key,)).fetchone()
            due = max(float(row[0]), now) if row else now
            if due - now > burst + 1e-9:
                return due, False
            db.execute(
                "INSERT INTO rate_limits VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET due = excluded.due",
                (key, due + interval),
            )
            if row is None and db.execute("SELECT count(*) FROM rate_limits").fetchone()[0] > most:
                db.execute("DELETE FROM rate_limits WHERE due <= ?", (now,))  # these count from zero anyway
                db.execute(
                    "DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits ORDER BY due LIMIT "
                    "max(0, (SELECT count(*) FROM rate_limits) - ?))",
                    (most,),
                )
        return due, True


class SqliteSettings:
    """Not a state table: `DELETE /__mock/state` forgets what requests did, not how the server was set to run."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.extend(_SETTINGS)

    def get(self, name: str) -> str | None:
        rows = self.store.read("SELECT value FROM settings WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else None

    def put(self, name: str, value: str | None) -> None:
        with self.store.write() as db:
            if value is None:
                db.execute("DELETE FROM settings WHERE name = ?", (name,))
            else:
                db.execute(
                    "INSERT INTO settings VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    (name, value),
                )
