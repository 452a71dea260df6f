"""Stored entities in Redis (`--state-url redis://…`): what entities.py keeps in SQLite, with its bounds.

Per collection (API, resource): a hash of id → entity (JSON) and a sorted set of ids scored by their number
(creation order, what a page cursor names). `resource_sets` is a hash of collection → next number, with a
sorted set of the collections in the order they were made (the first made are forgotten first past
`MAX_TOTAL` or `MAX_BYTES`); two counters hold the entities of every collection together and their bytes
(UTF-8: Lua's `string.len` and HSTRLEN count bytes). Every write is one Lua script.
A page without filters is read by number (ZRANGEBYSCORE … LIMIT), in one step. A filtered page, a filtered
count and a filtered look back load the collection's entities from the cursor on (at most `MAX_ENTITIES`,
10,000) and filter in Python, the same way SQLite's `json_extract(…) IN (…)` does (`matches`): on a full
collection that is some megabytes read per request, so filtered lists on Redis cost milliseconds, not
microseconds.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mockserver.serving import entities as bounds  # read at each call: tests may lower the bounds
from mockserver.serving.entities import first_free
from mockserver.serving.repositories import Filters

if TYPE_CHECKING:
    from mockserver.serving.redis_store import RedisStore

# A collection's keys, from the prefix and the collection's name (computed here and in the scripts).
_BODIES, _ORDER = "state:entities:", "state:entity-order:"
# KEYS: sets (hash), sets' order (zset), total, clock, bytes. ARGV: prefix, name, then the script's own.
# A collection's bytes are summed from its entities' lengths when it is forgotten (at most `MAX_ENTITIES`
# HSTRLENs, as many steps as deleting its hash takes anyway) rather than kept in a counter of its own:
# nothing more to keep right on every write, and no values (tens of KB each) copied into the script.
_FORGET_OLDEST = (
    """
local function size_of(bodies)
  local size = 0
  for _, id in ipairs(redis.call('HKEYS', bodies)) do size = size + redis.call('HSTRLEN', bodies, id) end
  return size
end
local function forget(name)
  local bodies, order = ARGV[1] .. '"""
    + _BODIES
    + """' .. name, ARGV[1] .. '"""
    + _ORDER
    + """' .. name
  redis.call('DECRBY', KEYS[3], redis.call('HLEN', bodies))
  redis.call('DECRBY', KEYS[5], size_of(bodies))
  redis.call('DEL', bodies, order)
  redis.call('HDEL', KEYS[1], name)
  redis.call('ZREM', KEYS[2], name)
end
local function store_all(bodies, order, items, from)
  for i = from, #items, 600 do
    local fields, scores = {}, {}
    for j = i, math.min(i + 597, #items), 3 do
      fields[#fields + 1] = items[j]; fields[#fields + 1] = items[j + 2]
      scores[#scores + 1] = items[j + 1]; scores[#scores + 1] = items[j]
    end
    redis.call('HSET', bodies, unpack(fields))
    redis.call('ZADD', order, unpack(scores))
  end
end
local function size_given(items, from)
  local size = 0
  for j = from + 2, #items, 3 do size = size + string.len(items[j]) end
  return size
end
local function stored(key) return tonumber(redis.call('GET', key) or '0') end
"""
)
# ARGV: prefix, name, next number, most entities in all, most bytes in all, then (id, number, entity) triples.
# Nothing when already made.
_MAKE = (
    _FORGET_OLDEST
    + """
if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1 then return 0 end
forget(ARGV[2])  -- what a write racing a reset left there: a made collection is its initial entities
local count, size = (#ARGV - 5) / 3, size_given(ARGV, 6)
while stored(KEYS[3]) + count > tonumber(ARGV[4]) or stored(KEYS[5]) + size > tonumber(ARGV[5]) do
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #oldest == 0 then break end
  forget(oldest[1])
end
local bodies, order = ARGV[1] .. '"""
    + _BODIES
    + """' .. ARGV[2], ARGV[1] .. '"""
    + _ORDER
    + """' .. ARGV[2]
store_all(bodies, order, ARGV, 6)
redis.call('INCRBY', KEYS[3], count)
redis.call('INCRBY', KEYS[5], size)
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[2])
return 1
"""
)
# ARGV: as for make. 0 (nothing changed) past a bound.
_REPLACE = (
    _FORGET_OLDEST
    + """
local bodies, order = ARGV[1] .. '"""
    + _BODIES
    + """' .. ARGV[2], ARGV[1] .. '"""
    + _ORDER
    + """' .. ARGV[2]
local count, size = (#ARGV - 5) / 3, size_given(ARGV, 6)
if stored(KEYS[3]) - redis.call('HLEN', bodies) + count > tonumber(ARGV[4]) then return 0 end
if stored(KEYS[5]) - size_of(bodies) + size > tonumber(ARGV[5]) then return 0 end
forget(ARGV[2])
store_all(bodies, order, ARGV, 6)
redis.call('INCRBY', KEYS[3], count)
redis.call('INCRBY', KEYS[5], size)
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[2])
return 1
"""
)
_FORGET = _FORGET_OLDEST + "forget(ARGV[2])\nreturn 1\n"
# KEYS: sets, bodies, total, bytes. ARGV: name, most in a collection, most in all, most bytes. -1: full, or
# not made.
_RESERVE = """
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[2]) then return -1 end
if tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[3]) then return -1 end
if tonumber(redis.call('GET', KEYS[4]) or '0') >= tonumber(ARGV[4]) then return -1 end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return -1 end
return redis.call('HINCRBY', KEYS[1], ARGV[1], 1) - 1
"""
# KEYS: bodies, order, total, bytes. ARGV: id, entity, number (a new entity's; one kept keeps its place),
# most bytes in all. 0 (nothing changed) when it would grow the bytes past the bound.
_PUT = """
local grown = string.len(ARGV[2]) - redis.call('HSTRLEN', KEYS[1], ARGV[1])
if grown > 0 and tonumber(redis.call('GET', KEYS[4]) or '0') + grown > tonumber(ARGV[4]) then return 0 end
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
  redis.call('INCR', KEYS[3])
end
redis.call('INCRBY', KEYS[4], grown)
return 1
"""
_DELETE = """
local old = redis.call('HSTRLEN', KEYS[1], ARGV[1])
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('DECR', KEYS[3])
  redis.call('DECRBY', KEYS[4], old)
end
"""
# KEYS: order, bodies. ARGV: 'up' or 'down', from, to (exclusive bounds as '(n'), offset, count (-1: all).
# One consistent read: [id, number, entity, …].
_RANGE = """
local ids
if ARGV[1] == 'up' then
  ids = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[3], 'WITHSCORES', 'LIMIT', ARGV[4], ARGV[5])
else
  ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[3], 'WITHSCORES', 'LIMIT', ARGV[4], ARGV[5])
end
local out = {}
for i = 1, #ids, 2 do
  out[#out + 1] = ids[i]; out[#out + 1] = ids[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], ids[i]) or 'null'
end
return out
"""
_SCRIPTS = {
    "make": _MAKE,
    "replace": _REPLACE,
    "forget": _FORGET,
    "reserve": _RESERVE,
    "put": _PUT,
    "delete": _DELETE,
    "range": _RANGE,
}


def matches(entity: Any, filters: Filters) -> bool:
    """Whether `entity` holds every filter, as SQLite's `json_extract(body, path) IN (values)` decides: a missing
    or null field never does, true is 1 and false 0, 1 equals 1.0 but not "1", an object or array compares as its
    compact JSON text."""
    for path, values in filters:
        found = entity
        for step in path:
            if not isinstance(found, dict) or step not in found:
                return False
            found = found[step]
        if found is None:
            return False
        value = _as_sql(found)
        if not any(_same(value, _as_sql(v)) for v in values if v is not None):
            return False
    return True


def _as_sql(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return value


def _same(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


class RedisEntities:
    """Entities by (API, resource, id), in creation order (entities.py's `EntityRepo` in Redis)."""

    def __init__(self, store: RedisStore) -> None:
        self.store = store
        for name, text in _SCRIPTS.items():
            store.add_script(f"entities.{name}", text)
        self.sets, self.sets_order = store.key("state:resource_sets"), store.key("state:resource_sets:order")
        self.total, self.clock = store.key("state:entities:total"), store.key("state:resource_sets:clock")
        self.bytes = store.key("state:entities:bytes")  # under `state:`: a reset deletes it with the rest

    def _name(self, api: str, resource: str) -> str:
        return json.dumps([api, resource], ensure_ascii=False)

    def _keys(self, api: str, resource: str) -> tuple[str, str]:
        name = self._name(api, resource)
        return self.store.key(_BODIES + name), self.store.key(_ORDER + name)

    def _triples(self, entities: list[tuple[str, dict[str, Any]]]) -> list[Any]:
        return [x for seq, (key, e) in enumerate(entities, 1) for x in (key, seq, json.dumps(e, ensure_ascii=False))]

    def _all_keys(self) -> list[str]:
        return [self.sets, self.sets_order, self.total, self.clock, self.bytes]

    def _bounds(self) -> tuple[int, int]:
        return bounds.MAX_TOTAL, bounds.MAX_BYTES

    def made(self, api: str, resource: str) -> bool:
        with self.store.calls():
            return bool(self.store.client.hexists(self.sets, self._name(api, resource)))

    def make(
        self, api: str, resource: str, initial: list[tuple[str, dict[str, Any]]], *, next_seq: int | None = None
    ) -> None:
        args = [self.store.prefix, self._name(api, resource), next_seq or len(initial) + 1, *self._bounds()]
        self.store.run("entities.make", self._all_keys(), args + self._triples(initial))

    def replace(self, api: str, resource: str, entities: list[tuple[str, dict[str, Any]]]) -> bool:
        args = [self.store.prefix, self._name(api, resource), first_free(entities), *self._bounds()]
        return bool(self.store.run("entities.replace", self._all_keys(), args + self._triples(entities)))

    def forget(self, api: str, resource: str) -> None:
        self.store.run("entities.forget", self._all_keys(), [self.store.prefix, self._name(api, resource)])

    def get(self, api: str, resource: str, key: str) -> dict[str, Any] | None:
        with self.store.calls():
            text = self.store.client.hget(self._keys(api, resource)[0], key)
        found: dict[str, Any] | None = json.loads(text) if isinstance(text, str) else None
        return found

    def number(self, api: str, resource: str, key: str) -> int | None:
        with self.store.calls():
            score = self.store.client.zscore(self._keys(api, resource)[1], key)
        return None if score is None else int(score)

    def reserve(self, api: str, resource: str) -> int | None:
        keys = [self.sets, self._keys(api, resource)[0], self.total, self.bytes]
        args = [self._name(api, resource), bounds.MAX_ENTITIES, *self._bounds()]
        number = int(self.store.run("entities.reserve", keys, args))
        return None if number < 0 else number

    def put(self, api: str, resource: str, key: str, entity: dict[str, Any], seq: int | None = None) -> bool:
        bodies, order = self._keys(api, resource)
        args = [key, json.dumps(entity), seq or 0, bounds.MAX_BYTES]
        return bool(self.store.run("entities.put", [bodies, order, self.total, self.bytes], args))

    def delete(self, api: str, resource: str, key: str) -> None:
        bodies, order = self._keys(api, resource)
        self.store.run("entities.delete", [bodies, order, self.total, self.bytes], [key])

    def _range(self, api: str, resource: str, up: bool, low: str, high: str, skip: int, size: int) -> list[Any]:
        bodies, order = self._keys(api, resource)
        args = ["up", low, high, skip, size] if up else ["down", high, low, skip, size]
        flat = self.store.run("entities.range", [order, bodies], args)
        return [(int(float(flat[i + 1])), json.loads(flat[i + 2])) for i in range(0, len(flat), 3)]

    def page(
        self, api: str, resource: str, filters: Filters, *, after: int, skip: int, size: int
    ) -> list[tuple[int, dict[str, Any]]]:
        if not filters:
            return self._range(api, resource, True, f"({after}", "+inf", skip, size)
        found = [(n, e) for n, e in self._range(api, resource, True, f"({after}", "+inf", 0, -1) if matches(e, filters)]
        return found[skip : skip + size]

    def before(self, api: str, resource: str, filters: Filters, *, before: int, size: int) -> list[int]:
        wanted = size if not filters else -1
        found = self._range(api, resource, False, "-inf", f"({before}", 0, wanted)
        return [n for n, e in found if not filters or matches(e, filters)][:size]

    def count(self, api: str, resource: str, filters: Filters) -> int:
        if not filters:
            with self.store.calls():
                return int(self.store.client.zcard(self._keys(api, resource)[1]))
        return sum(1 for _, e in self._range(api, resource, True, "-inf", "+inf", 0, -1) if matches(e, filters))
