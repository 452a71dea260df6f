"""The stored entities of every resource, in the SQLite store: the SQL, nothing else (Redis: redis_entities.py).

One row per entity (JSON text), keyed by API (its mount path), resource (its collection path) and id; `seq`
orders a collection's entities by creation, and is what a page cursor names. A nested collection
(`/users/{userId}/posts`) is one collection per parent id. Bounded: `MAX_ENTITIES` per collection, past
which creating is refused, and `MAX_TOTAL` entities and `MAX_BYTES` of JSON text in all, past which creating
is refused too and making another collection's initial entities forgets the collections made first. A
resource's row in `resource_sets` says its initial entities are made; `entity_bytes` holds the byte count
(one row, kept in the transaction of each write: counting is never a scan). `DELETE /__mock/state` empties
the three tables, so the next request makes the entities again (the same ones: they come from the seed).
"""

from __future__ import annotations

import json
import math
import sqlite3
from typing import TYPE_CHECKING, Any

from mockserver.serving.repositories import Filters

if TYPE_CHECKING:
    from mockserver.serving.store import Store

MAX_ENTITIES = 10_000  # entities one collection holds at most (initial ones included)
MAX_TOTAL = 200_000  # entities the server holds at most, every API and collection together
# Bytes of JSON text the server holds at most, every API and collection together: a count alone lets large
# entities (Discord's message is about 30 KB) take gigabytes.
MAX_BYTES = 256 * 2**20

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    api TEXT NOT NULL, resource TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (api, resource, id));
CREATE INDEX IF NOT EXISTS entities_order ON entities (api, resource, seq);
CREATE TABLE IF NOT EXISTS resource_sets (
    api TEXT NOT NULL, resource TEXT NOT NULL, next_seq INTEGER NOT NULL, PRIMARY KEY (api, resource));
CREATE TABLE IF NOT EXISTS entity_bytes (one INTEGER PRIMARY KEY CHECK (one = 1), n INTEGER NOT NULL);
INSERT OR IGNORE INTO entity_bytes
    SELECT 1, (SELECT sum(length(CAST(body AS BLOB))) FROM entities)
    WHERE NOT EXISTS (SELECT 1 FROM entity_bytes) AND EXISTS (SELECT 1 FROM entities);
"""
# The last statement: a state file from before the byte count has entities and no row; they are counted once,
# when it is opened. Otherwise there is a row, or no entities (a missing row is 0: after a reset), and the
# scan never runs (the WHERE is decided before the select list is computed; OR IGNORE: two workers at once).
_ONE = "api = ? AND resource = ?"
_SIZE = "length(CAST(body AS BLOB))"  # bytes (SQLite's `length` of text counts characters)


def entity_key(value: Any) -> str:
    """An id as the store keys it: `5` in a path and `5` in a body are one entity."""
    return value if isinstance(value, str) else json.dumps(value)


class SqliteEntities:
    """Entities by (API, resource, id), in creation order (the `EntityRepo` of repositories.py)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.extend(_SCHEMA, state_tables=("entities", "resource_sets", "entity_bytes"))

    def made(self, api: str, resource: str) -> bool:
        """Whether the resource's initial entities are made (since the last reset)."""
        return bool(self.store.read(f"SELECT 1 FROM resource_sets WHERE {_ONE}", (api, resource)))

    def make(
        self, api: str, resource: str, initial: list[tuple[str, dict[str, Any]]], *, next_seq: int | None = None
    ) -> None:
        """Store the initial (id, entity) pairs, numbered from 1, unless another worker just did (the same ones);
        `next_seq`: the number of the next entity created (default: the one after them)."""
        rows = [(api, resource, key, seq, json.dumps(entity)) for seq, (key, entity) in enumerate(initial, 1)]
        size = sum(len(row[4]) for row in rows)  # json.dumps writes ASCII: characters are bytes
        with self.store.write() as db:
            if not db.execute(f"SELECT 1 FROM resource_sets WHERE {_ONE}", (api, resource)).fetchone():
                # What a write racing a reset left in the collection goes: a made collection is its initial ones.
                _delete(db, f"DELETE FROM entities WHERE {_ONE}", (api, resource))
                # Past the server's bounds, the collections made first are forgotten (made again when asked);
                # with none left, the collection is kept alone even when it is past them by itself.
                total, stored = db.execute("SELECT count(*) FROM entities").fetchone()[0], _stored(db)
                while total + len(rows) > MAX_TOTAL or stored + size > MAX_BYTES:
                    oldest = db.execute(
                        "SELECT rowid, api, resource FROM resource_sets ORDER BY rowid LIMIT 1"
                    ).fetchone()
                    if oldest is None:
                        break
                    db.execute("DELETE FROM resource_sets WHERE rowid = ?", (oldest[0],))
                    count, gone = _delete(db, f"DELETE FROM entities WHERE {_ONE}", oldest[1:])
                    total, stored = total - count, stored - gone
                db.executemany("INSERT INTO entities VALUES (?, ?, ?, ?, ?)", rows)
                _add(db, size)
                db.execute("INSERT INTO resource_sets VALUES (?, ?, ?)", (api, resource, next_seq or len(rows) + 1))

    def replace(self, api: str, resource: str, entities: list[tuple[str, dict[str, Any]]]) -> bool:
        """Make `entities` the collection's only ones, numbered from 1 (`PUT /__mock/state/…`); False, and nothing
        changed, when the server would then hold more than `MAX_TOTAL` entities or `MAX_BYTES`."""
        rows = [(api, resource, key, seq, json.dumps(entity)) for seq, (key, entity) in enumerate(entities, 1)]
        size = sum(len(row[4]) for row in rows)
        with self.store.write() as db:
            total = db.execute("SELECT count(*) FROM entities").fetchone()[0]
            kept, kept_size = db.execute(
                f"SELECT count(*), coalesce(sum({_SIZE}), 0) FROM entities WHERE {_ONE}", (api, resource)
            ).fetchone()
            if total - kept + len(rows) > MAX_TOTAL or _stored(db) - kept_size + size > MAX_BYTES:
                return False
            _delete(db, f"DELETE FROM entities WHERE {_ONE}", (api, resource))
            db.execute(f"DELETE FROM resource_sets WHERE {_ONE}", (api, resource))
            db.executemany("INSERT INTO entities VALUES (?, ?, ?, ?, ?)", rows)
            _add(db, size)
            db.execute("INSERT INTO resource_sets VALUES (?, ?, ?)", (api, resource, first_free(entities)))
        return True

    def forget(self, api: str, resource: str) -> None:
        """Forget the collection: its next request makes its initial entities again."""
        with self.store.write() as db:
            _delete(db, f"DELETE FROM entities WHERE {_ONE}", (api, resource))
            db.execute(f"DELETE FROM resource_sets WHERE {_ONE}", (api, resource))

    def get(self, api: str, resource: str, key: str) -> dict[str, Any] | None:
        rows = self.store.read(f"SELECT body FROM entities WHERE {_ONE} AND id = ?", (api, resource, key))
        found: dict[str, Any] | None = json.loads(rows[0][0]) if rows else None
        return found

    def number(self, api: str, resource: str, key: str) -> int | None:
        """The creation number of the entity with id `key`, if kept."""
        rows = self.store.read(f"SELECT seq FROM entities WHERE {_ONE} AND id = ?", (api, resource, key))
        return int(rows[0][0]) if rows else None

    def reserve(self, api: str, resource: str) -> int | None:
        """The number of a new entity, or None when the resource holds `MAX_ENTITIES` already (or the server
        `MAX_TOTAL`, or `MAX_BYTES`)."""
        with self.store.write() as db:
            count = db.execute(f"SELECT count(*) FROM entities WHERE {_ONE}", (api, resource)).fetchone()[0]
            if count >= MAX_ENTITIES or db.execute("SELECT count(*) FROM entities").fetchone()[0] >= MAX_TOTAL:
                return None
            if _stored(db) >= MAX_BYTES:
                return None
            row = db.execute(
                f"UPDATE resource_sets SET next_seq = next_seq + 1 WHERE {_ONE} RETURNING next_seq - 1", (api, resource)
            ).fetchone()
        return int(row[0]) if row else None

    def put(self, api: str, resource: str, key: str, entity: dict[str, Any], seq: int | None = None) -> bool:
        """Store `entity` under `key`: a new one numbered `seq`, or in place of the one kept (keeping its place).
        False, and nothing changed, when it would grow the server's bytes past `MAX_BYTES` (updates in place
        count too: a client's PATCHes could otherwise make every kept entity as large as a request body)."""
        body = json.dumps(entity)
        with self.store.write() as db:
            old = db.execute(f"SELECT {_SIZE} FROM entities WHERE {_ONE} AND id = ?", (api, resource, key)).fetchone()
            grown = len(body) - (old[0] if old else 0)
            if grown > 0 and _stored(db) + grown > MAX_BYTES:
                return False
            db.execute(
                "INSERT INTO entities VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (api, resource, id) DO UPDATE SET body = excluded.body",
                (api, resource, key, seq or 0, body),
            )
            _add(db, grown)
        return True

    def delete(self, api: str, resource: str, key: str) -> None:
        with self.store.write() as db:
            _delete(db, f"DELETE FROM entities WHERE {_ONE} AND id = ?", (api, resource, key))

    def page(
        self, api: str, resource: str, filters: Filters, *, after: int, skip: int, size: int
    ) -> list[tuple[int, dict[str, Any]]]:
        """Up to `size` (seq, entity) pairs after number `after`, `skip` of them skipped, `filters` holding."""
        where, params = _where(filters)
        rows = self.store.read(
            f"SELECT seq, body FROM entities WHERE {_ONE} AND seq > ?{where} ORDER BY seq LIMIT ? OFFSET ?",
            (api, resource, after, *params, size, skip),
        )
        return [(int(seq), json.loads(body)) for seq, body in rows]

    def before(self, api: str, resource: str, filters: Filters, *, before: int, size: int) -> list[int]:
        """The numbers of up to `size` entities before number `before`, `filters` holding, nearest first."""
        where, params = _where(filters)
        rows = self.store.read(
            f"SELECT seq FROM entities WHERE {_ONE} AND seq < ?{where} ORDER BY seq DESC LIMIT ?",
            (api, resource, before, *params, size),
        )
        return [int(row[0]) for row in rows]

    def count(self, api: str, resource: str, filters: Filters) -> int:
        where, params = _where(filters)
        return int(
            self.store.read(f"SELECT count(*) FROM entities WHERE {_ONE}{where}", (api, resource, *params))[0][0]
        )


def _stored(db: sqlite3.Connection) -> int:
    """The bytes of JSON text held, every collection together (no row: none, since the last reset)."""
    row = db.execute("SELECT n FROM entity_bytes").fetchone()
    return int(row[0]) if row else 0


def _add(db: sqlite3.Connection, size: int) -> None:
    if size:
        db.execute("INSERT INTO entity_bytes VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET n = n + excluded.n", (size,))


def _delete(db: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> tuple[int, int]:
    """Run a `DELETE FROM entities …`, taking the rows' bytes off the count: (rows, bytes) deleted."""
    sizes = db.execute(f"{sql} RETURNING {_SIZE}", params).fetchall()
    gone = sum(size for (size,) in sizes)
    _add(db, -gone)
    return len(sizes), gone


def first_free(entities: list[tuple[str, dict[str, Any]]]) -> int:
    """The number for the next entity created after `entities` (given, not generated): past them, and past every
    whole-number id among them, since a created entity's integer id is its number (resources.py)."""
    numbers = [int(key) for key, _ in entities if key.isascii() and key.isdigit() and len(key) < 16]
    return max([len(entities), *numbers]) + 1


def _where(filters: Filters) -> tuple[str, list[Any]]:
    where, params = "", []
    for path, values in filters:
        condition, more = field_condition(path, values)
        where += condition
        params += more
    return where, params


def field_condition(field: str | tuple[str, ...], values: list[Any]) -> tuple[str, list[Any]]:
    """An SQL condition (for `SqliteEntities.page`'s filters): the entity's `field` (a top-level name, or the path of
    a nested one: `("user", "id")`) is one of `values`. An entity without it (`user` null) is left out."""
    steps = (field,) if isinstance(field, str) else field
    path = "$" + "".join(f'."{step}"' for step in steps)
    return f" AND json_extract(body, ?) IN ({', '.join('?' * len(values))})", [path, *map(_sql_value, values)]


def _sql_value(value: Any) -> Any:
    """A filter value SQLite can bind: an integer past 64 bits as the REAL that json_extract reads such a number
    as (a query's `?rank=1e30` was an OverflowError, a 500)."""
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        try:
            return float(value)
        except OverflowError:  # past a double too (a query may spell 10**8000): matches no stored number
            return math.inf if value > 0 else -math.inf
    return value
