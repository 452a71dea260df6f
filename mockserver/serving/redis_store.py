"""The server's store in Redis (`serve --state-url redis://host:port/db`): several mock instances, one state.

For teams that run more than one instance behind a load balancer: each instance (and each of its workers)
talks to the one Redis, so a sequence override advances once per request whichever instance answers, a
credential's rate is counted across all of them, and the journal holds every instance's requests. Every
read-then-write step is one Lua script (atomic in Redis); the bounds are the SQLite store's. Keys start with
`prefix` (default `mockserver:`): the journal under `<prefix>journal…`, everything `DELETE /__mock/state`
forgets under `<prefix>state:…`, id counters (never reused, never reset) under `<prefix>ids:…`.
A Redis that cannot be reached is a `StoreError` (the server answers the mock's own 503), within
`TIMEOUT` seconds: never a hang.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from mockserver.errors import StoreError
from mockserver.serving.repositories import EntityRepo, OverrideRepo, OverrideRow, RateRepo, SettingsRepo
from mockserver.serving.store import COUNTER_KEYS, JOURNAL_BYTES, JOURNAL_SIZE, REDIS_SCHEMES, masked

PREFIX = "mockserver:"
TIMEOUT = 2.0  # seconds to connect, and to wait for any answer; past it, the request gets the mock's 503

# Deleting many fields at once: Lua's unpack has a stack limit (about 8000), so in chunks.
_HDEL_ALL = """
local function hdel_all(key, fields)
  for i = 1, #fields, 1000 do
    redis.call('HDEL', key, unpack(fields, i, math.min(i + 999, #fields)))
  end
end
"""
# KEYS: entries, sizes, bytes. ARGV: entry, size, most entries, most bytes. The newest entry is always kept.
_ADD_REQUEST = """
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LPUSH', KEYS[2], ARGV[2])
local total = redis.call('INCRBY', KEYS[3], ARGV[2])
local n = redis.call('LLEN', KEYS[1])
while n > 1 and (n > tonumber(ARGV[3]) or total > tonumber(ARGV[4])) do
  redis.call('RPOP', KEYS[1])
  total = redis.call('DECRBY', KEYS[3], tonumber(redis.call('RPOP', KEYS[2]) or '0'))
  n = n - 1
end
"""
# KEYS: counts (hash), recency (sorted set), clock. ARGV: key, most keys. Past the bound, the least
# recently seen tenth is forgotten (as the SQLite store does).
_SEEN = (
    _HDEL_ALL
    + """
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
local most = tonumber(ARGV[2])
local size = redis.call('ZCARD', KEYS[2])
if size > most then
  local forget = size - most + math.floor(most / 10)
  hdel_all(KEYS[1], redis.call('ZRANGE', KEYS[2], 0, forget - 1))
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, forget - 1)
end
return n
"""
)
# KEYS: meta, documents, uses (hashes by id), id counter. ARGV: meta, document, most. -1: full.
_ADD_OVERRIDE = """
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
local id = redis.call('INCR', KEYS[4])
redis.call('HSET', KEYS[1], id, ARGV[1])
redis.call('HSET', KEYS[2], id, ARGV[2])
redis.call('HSET', KEYS[3], id, 0)
return id
"""
# KEYS: meta, uses. ARGV: id, times ('' for no limit). The uses before this one, or -1: deleted or spent.
_TAKE_OVERRIDE = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return -1 end
local used = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if ARGV[2] ~= '' and used >= tonumber(ARGV[2]) then return -1 end
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
return used
"""
# KEYS: due times (hash), the same by due time (sorted set). ARGV: key, now, interval, burst, most keys.
# Floats travel as text ('%.17g'): a Lua number returned to Redis is cut to an integer.
_ADVANCE = (
    _HDEL_ALL
    + """
local now = tonumber(ARGV[2])
local stored = redis.call('HGET', KEYS[1], ARGV[1])
local due = now
if stored then due = math.max(tonumber(stored), now) end
if due - now > tonumber(ARGV[4]) + 1e-9 then return {0, string.format('%.17g', due)} end
local after = string.format('%.17g', due + tonumber(ARGV[3]))
redis.call('HSET', KEYS[1], ARGV[1], after)
redis.call('ZADD', KEYS[2], after, ARGV[1])
if not stored and redis.call('HLEN', KEYS[1]) > tonumber(ARGV[5]) then
  hdel_all(KEYS[1], redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2]))
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
  local extra = redis.call('HLEN', KEYS[1]) - tonumber(ARGV[5])
  if extra > 0 then
    hdel_all(KEYS[1], redis.call('ZRANGE', KEYS[2], 0, extra - 1))
    redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1)
  end
end
return {1, string.format('%.17g', due)}
"""
)


class RedisStore:
    """The `StateStore` (repositories.py) of every instance pointed at one Redis database."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = PREFIX,
        journal_size: int = JOURNAL_SIZE,
        journal_bytes: int = JOURNAL_BYTES,
        counter_keys: int = COUNTER_KEYS,
        timeout: float = TIMEOUT,
    ) -> None:
        self.location: str | None = masked(url)
        self.prefix = prefix
        self.journal_size = journal_size
        self.journal_bytes = journal_bytes
        self.counter_keys = counter_keys
        if urlsplit(url).scheme not in REDIS_SCHEMES:
            raise StoreError(
                f"cannot use the state URL {self.location}: its scheme must be one of {', '.join(REDIS_SCHEMES)}"
            )
        try:
            self.client: redis.Redis = redis.Redis.from_url(
                url,
                decode_responses=True,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                retry=Retry(NoBackoff(), 1),  # once, at once: a pooled connection Redis had closed
            )
        except (ValueError, redis.RedisError) as exc:
            raise StoreError(f"cannot use the state URL {self.location}: {exc}") from exc
        with self.calls("reach"):
            self.client.ping()
        self._scripts = {
            name: self.client.register_script(text)
            for name, text in (
                ("add_request", _ADD_REQUEST),
                ("seen", _SEEN),
                ("add_override", _ADD_OVERRIDE),
                ("take_override", _TAKE_OVERRIDE),
                ("advance", _ADVANCE),
            )
        }

    def key(self, name: str) -> str:
        return self.prefix + name

    @contextmanager
    def calls(self, doing: str = "use") -> Iterator[None]:
        """Redis's errors as the store's: one line naming the server (password masked) and the problem."""
        try:
            yield
        except redis.RedisError as exc:
            raise StoreError(f"cannot {doing} the state store {self.location}: {type(exc).__name__}: {exc}") from exc

    def add_script(self, name: str, text: str) -> None:
        if name not in self._scripts:
            self._scripts[name] = self.client.register_script(text)

    def run(self, script: str, keys: list[str], args: list[Any]) -> Any:
        with self.calls():
            return self._scripts[script](keys=keys, args=args)

    # The journal ------------------------------------------------------------------------------------

    def add_request(self, entry: dict[str, Any], size: int) -> None:
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        keys = [self.key("journal"), self.key("journal:sizes"), self.key("journal:bytes")]
        self.run("add_request", keys, [text, size, self.journal_size, self.journal_bytes])

    def requests(self) -> list[dict[str, Any]]:
        with self.calls():
            texts = self.client.lrange(self.key("journal"), 0, self.journal_size - 1)
        return [json.loads(text) for text in texts]

    def clear_requests(self) -> None:
        with self.calls():
            self.client.delete(self.key("journal"), self.key("journal:sizes"), self.key("journal:bytes"))

    # Counters ---------------------------------------------------------------------------------------

    def seen(self, key: str) -> int:
        keys = [self.key("state:counters"), self.key("state:counters:recent"), self.key("state:counters:clock")]
        return int(self.run("seen", keys, [key, self.counter_keys])) - 1

    def counted(self) -> int:
        with self.calls():
            return int(self.client.hlen(self.key("state:counters")))

    # The whole state --------------------------------------------------------------------------------

    def summary(self) -> dict[str, int]:
        """How many of each kind of state are kept, named as the SQLite store's tables."""
        counted = {
            "counters": "state:counters",
            "overrides": "state:overrides",
            "rate_limits": "state:rate",
            "resource_sets": "state:resource_sets",
        }
        with self.calls():
            pipe = self.client.pipeline(transaction=False)
            for name in counted.values():
                pipe.hlen(self.key(name))
            pipe.get(self.key("state:entities:total"))
            pipe.get(self.key("state:entities:bytes"))
            *numbers, entities, stored = pipe.execute()
        return dict(zip(counted, map(int, numbers), strict=True)) | {
            "entities": int(entities or 0),
            "entity_bytes": int(stored or 0),
        }

    def reset(self) -> None:
        """Forget every key under `<prefix>state:`; the journal and the id counters stay."""
        pattern = _glob_escaped(self.key("state:")) + "*"
        with self.calls():
            batch: list[str] = []
            for name in self.client.scan_iter(match=pattern, count=1000):
                batch.append(name)
                if len(batch) >= 1000:
                    self.client.unlink(*batch)
                    batch = []
            if batch:
                self.client.unlink(*batch)

    def close(self) -> None:
        self.client.close()

    # The features' repositories ---------------------------------------------------------------------

    def overrides(self) -> OverrideRepo:
        return RedisOverrides(self)

    def rate_limits(self) -> RateRepo:
        return RedisRates(self)

    def entities(self) -> EntityRepo:
        from mockserver.serving.redis_entities import RedisEntities

        return RedisEntities(self)

    def settings(self) -> SettingsRepo:
        return RedisSettings(self)


class RedisOverrides:
    """Three hashes by id: what an override applies to (`[api, operation, times]`), its document, its uses."""

    def __init__(self, store: RedisStore) -> None:
        self.store = store
        self.meta, self.docs, self.uses = (store.key(f"state:overrides{s}") for s in ("", ":documents", ":uses"))

    def add(self, api: str | None, operation: str | None, document: str, times: int | None, most: int) -> int | None:
        keys = [self.meta, self.docs, self.uses, self.store.key("ids:overrides")]
        ident = int(self.store.run("add_override", keys, [json.dumps([api, operation, times]), document, most]))
        return None if ident < 0 else ident

    def delete(self, ident: int) -> bool:
        with self.store.calls():
            pipe = self.store.client.pipeline(transaction=True)
            for name in (self.meta, self.docs, self.uses):
                pipe.hdel(name, str(ident))
            return bool(pipe.execute()[0])

    def clear(self) -> None:
        with self.store.calls():
            self.store.client.delete(self.meta, self.docs, self.uses)

    def rows(self) -> list[OverrideRow]:
        with self.store.calls():
            pipe = self.store.client.pipeline(transaction=True)
            for name in (self.meta, self.docs, self.uses):
                pipe.hgetall(name)
            meta, docs, uses = pipe.execute()
        rows = []
        for ident in sorted(meta, key=int):
            api, operation, times = json.loads(meta[ident])
            rows.append(OverrideRow(int(ident), api, operation, docs.get(ident, "{}"), int(uses.get(ident, 0)), times))
        return rows

    def take(self, api: str, operation: str, applies: Callable[[int, str], bool]) -> tuple[int, str, int] | None:
        with self.store.calls():
            pipe = self.store.client.pipeline(transaction=True)
            pipe.hgetall(self.meta)
            pipe.hgetall(self.uses)
            meta, uses = pipe.execute()
        live = []
        for ident, text in meta.items():
            a, o, times = json.loads(text)
            if a in (None, api) and o in (None, operation) and (times is None or int(uses.get(ident, 0)) < times):
                live.append((int(ident), times))
        for ident, times in sorted(live, reverse=True):
            with self.store.calls():
                document = cast("str | None", self.store.client.hget(self.docs, str(ident)))
            if document is None or not applies(ident, document):
                continue
            # Between reading and here another instance may have spent or deleted it: the script says.
            used = int(self.store.run("take_override", [self.meta, self.uses], [ident, "" if times is None else times]))
            if used >= 0:
                return ident, document, used
        return None


class RedisSettings:
    """One hash outside `state:` (so that `reset` keeps it, as the SQLite store does)."""

    def __init__(self, store: RedisStore) -> None:
        self.store = store
        self.hash = store.key("settings")

    def get(self, name: str) -> str | None:
        with self.store.calls():
            value = self.store.client.hget(self.hash, name)
        return None if value is None else str(value)

    def put(self, name: str, value: str | None) -> None:
        with self.store.calls():
            if value is None:
                self.store.client.hdel(self.hash, name)
            else:
                self.store.client.hset(self.hash, name, value)


class RedisRates:
    def __init__(self, store: RedisStore) -> None:
        self.store = store

    def advance(self, key: str, now: float, interval: float, burst: float, most: int) -> tuple[float, bool]:
        keys = [self.store.key("state:rate"), self.store.key("state:rate:due")]
        allowed, due = self.store.run("advance", keys, [key, repr(now), repr(interval), repr(burst), most])
        return float(due), bool(allowed)


def _glob_escaped(text: str) -> str:
    """`text` matched literally by SCAN's MATCH pattern."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)
