"""The store's contract, held by both backends: SQLite (a file) and Redis (a real redis-server)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from redis_support import running_redis

from mockserver.errors import StoreError
from mockserver.serving.repositories import EntityRepo, StateStore
from mockserver.serving.store import COUNT_EVERY, Store

MakeStore = Callable[..., StateStore]


@pytest.fixture(params=["sqlite", "redis"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeStore]:
    """Stores with the bounds given, all on one location: two made are two instances sharing it."""
    made: list[StateStore] = []
    if request.param == "sqlite":
        location = str(tmp_path / "state.sqlite")

        def make(**bounds: Any) -> StateStore:
            made.append(Store(location, **bounds))
            return made[-1]

        yield make
    else:
        from mockserver.serving.redis_store import RedisStore

        with running_redis() as server:

            def make(**bounds: Any) -> StateStore:
                made.append(RedisStore(server.url, **bounds))
                return made[-1]

            yield make
    for store in made:
        store.close()


def _entry(i: int) -> dict[str, object]:
    return {"path": f"/{i}", "status": 200}


def test_the_journal_keeps_the_newest_entries_up_to_its_size_newest_first(make_store: MakeStore) -> None:
    store = make_store(journal_size=3)
    for i in range(5):
        store.add_request(_entry(i), 10)
    assert [e["path"] for e in store.requests()] == ["/4", "/3", "/2"]
    store.clear_requests()
    assert store.requests() == []


def test_the_journal_keeps_within_its_bytes_and_one_larger_entry_alone(make_store: MakeStore) -> None:
    store = make_store(journal_bytes=100)
    for i in range(40):
        store.add_request(_entry(i), 10)
    assert [e["path"] for e in store.requests()] == [f"/{i}" for i in range(39, 29, -1)]
    store.add_request(_entry(99), 1000)
    assert [e["path"] for e in store.requests()] == ["/99"]


def test_seen_counts_each_key_separately_from_zero_and_reset_forgets(make_store: MakeStore) -> None:
    store = make_store()
    assert [store.seen("a"), store.seen("a"), store.seen("b"), store.seen("a")] == [0, 1, 0, 2]
    assert store.counted() == 2
    store.reset()
    assert store.seen("a") == 0


def test_counters_stay_within_their_bound_forgetting_the_least_recently_seen(make_store: MakeStore) -> None:
    store = make_store(counter_keys=200)
    for i in range(2500):
        store.seen(f"k{i}")
        store.seen("hot")  # seen all along: never the least recently seen
    assert store.counted() <= 200 + COUNT_EVERY  # SQLite bounds them every COUNT_EVERY counts; Redis on each
    assert store.seen("hot") == 2500


def test_two_stores_on_one_location_share_the_journal_the_counts_and_the_state(make_store: MakeStore) -> None:
    one, other = make_store(), make_store()
    one.add_request(_entry(1), 10)
    other.add_request(_entry(2), 10)
    assert [e["path"] for e in one.requests()] == ["/2", "/1"]
    assert [one.seen("k"), other.seen("k"), one.seen("k")] == [0, 1, 2]
    ident = one.overrides().add("api", "op", "{}", 2, 10)
    assert ident is not None
    assert [r.id for r in other.overrides().rows()] == [ident]


def test_settings_are_shared_by_instances_and_kept_by_a_reset(make_store: MakeStore) -> None:
    one, other = make_store(), make_store()
    assert one.settings().get("chaos") is None
    one.settings().put("chaos", '{"chaos":1}')
    assert other.settings().get("chaos") == '{"chaos":1}'
    other.reset()
    assert one.settings().get("chaos") == '{"chaos":1}'
    one.settings().put("chaos", None)
    assert other.settings().get("chaos") is None


def test_reset_forgets_the_state_but_keeps_the_journal_and_summary_counts_it(make_store: MakeStore) -> None:
    store = make_store()
    overrides, rates = store.overrides(), store.rate_limits()
    store.add_request(_entry(1), 10)
    store.seen("k")
    overrides.add(None, None, "{}", None, 10)
    rates.advance("credential", time.time(), 1.0, 0.0, 100)
    assert {k: v for k, v in store.summary().items() if v} == {"counters": 1, "overrides": 1, "rate_limits": 1}
    store.reset()
    assert not any(store.summary().values())
    assert overrides.rows() == []
    assert [e["path"] for e in store.requests()] == ["/1"]


def test_override_ids_are_never_reused_and_at_most_the_bound_are_kept(make_store: MakeStore) -> None:
    repo = make_store().overrides()
    first = repo.add("api", "op", '{"a": 1}', None, 2)
    second = repo.add(None, None, '{"b": 2}', 1, 2)
    assert first is not None and second is not None and second > first
    assert repo.add("api", "op", "{}", None, 2) is None  # full
    assert repo.delete(first) and not repo.delete(first)
    third = repo.add("api", "op", "{}", None, 2)
    repo.clear()
    fourth = repo.add("api", "op", "{}", None, 2)
    assert third is not None and fourth is not None and second < third < fourth
    assert [(r.id, r.api, r.operation, r.times, r.used) for r in repo.rows()] == [(fourth, "api", "op", None, 0)]


def test_taking_an_override_steps_it_once_per_take_across_instances_until_spent(make_store: MakeStore) -> None:
    one, other = make_store().overrides(), make_store().overrides()
    ident = one.add("api", "op", '{"sequence": [503, 503, 200]}', 3, 10)
    always = lambda ident, text: True  # noqa: E731
    taken = [one.take("api", "op", always), other.take("api", "op", always), one.take("api", "op", always)]
    assert taken == [(ident, '{"sequence": [503, 503, 200]}', used) for used in (0, 1, 2)]
    assert other.take("api", "op", always) is None  # spent
    assert one.take("api", "another", always) is None
    assert [r.used for r in other.rows()] == [3]


def test_taking_skips_overrides_whose_conditions_do_not_hold_newest_first(make_store: MakeStore) -> None:
    repo = make_store().overrides()
    older = repo.add(None, None, "older", None, 10)
    newer = repo.add("api", None, "newer", None, 10)
    assert repo.take("api", "op", lambda ident, text: True) == (newer, "newer", 0)
    assert repo.take("api", "op", lambda ident, text: text == "older") == (older, "older", 0)
    assert repo.take("other-api", "op", lambda ident, text: True) == (older, "older", 1)
    assert repo.take("api", "op", lambda ident, text: False) is None


def test_the_rate_step_lets_a_burst_through_then_says_when_the_key_is_due(make_store: MakeStore) -> None:
    rates = make_store().rate_limits()
    now = 1_700_000_000.25
    steps = [rates.advance("key", now, 0.5, 1.0, 100) for _ in range(4)]
    assert steps == [(now, True), (now + 0.5, True), (now + 1.0, True), (now + 1.5, False)]
    assert rates.advance("key", now + 0.5, 0.5, 1.0, 100) == (now + 1.5, True)


def test_rate_keys_stay_within_their_bound_those_already_due_first(make_store: MakeStore) -> None:
    store = make_store()
    rates = store.rate_limits()
    for i in range(30):
        rates.advance(f"old{i}", 100.0, 1.0, 0.0, 20)
    for i in range(10):
        rates.advance(f"new{i}", 1000.0, 1.0, 0.0, 20)
    assert store.summary()["rate_limits"] <= 20
    assert rates.advance("new0", 1000.0, 1.0, 0.0, 20) == (1001.0, False)  # still counted


# Redis only --------------------------------------------------------------------------------------------


def test_redis_keys_carry_the_prefix_and_reset_leaves_other_keys_alone() -> None:
    import redis

    from mockserver.serving.redis_store import RedisStore

    with running_redis() as server:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        client.set("theirs:key", "kept")
        client.set("mockserver:statement", "kept")  # starts like a state key but is not one
        store = RedisStore(server.url, prefix="team-a:")
        store.add_request(_entry(1), 10)
        store.seen("k")
        store.overrides().add(None, None, "{}", None, 10)
        store.rate_limits().advance("credential", 1.0, 1.0, 0.0, 10)
        assert all(
            k.startswith("team-a:") for k in client.scan_iter() if k not in ("theirs:key", "mockserver:statement")
        )
        store.reset()
        assert sorted(k for k in client.scan_iter() if not k.startswith("team-a:journal")) == [
            "mockserver:statement",
            "team-a:ids:overrides",
            "theirs:key",
        ]
        assert [e["path"] for e in store.requests()] == ["/1"]
        store.close()
        client.close()


def test_a_redis_that_cannot_be_reached_is_a_store_error_naming_it_without_its_password(tmp_path: Path) -> None:
    pytest.importorskip("redis")
    from mockserver.serving.redis_store import RedisStore

    started = time.monotonic()
    with pytest.raises(StoreError, match=r"cannot reach the state store unix://:\*\*\*@.*nothing\.sock") as caught:
        RedisStore(f"unix://:hunter2@{tmp_path}/nothing.sock")
    assert "hunter2" not in str(caught.value)
    assert time.monotonic() - started < 10


def test_a_redis_that_goes_away_is_a_store_error_not_a_hang() -> None:
    from mockserver.serving.redis_store import RedisStore

    with running_redis() as server:
        store = RedisStore(server.url)
        store.seen("k")
        server.stop()
        started = time.monotonic()
        with pytest.raises(StoreError, match="cannot use the state store unix://"):
            store.seen("k")
        assert time.monotonic() - started < 10


# Entities ----------------------------------------------------------------------------------------------

API, THINGS = "/api", "/things"


def _things(n: int, **extra: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(f"t{i}", {"id": f"t{i}", "n": i, **extra}) for i in range(1, n + 1)]


def test_initial_entities_are_numbered_from_one_and_made_once(make_store: MakeStore) -> None:
    one, other = make_store().entities(), make_store().entities()
    assert not one.made(API, THINGS)
    one.make(API, THINGS, _things(3))
    other.make(API, THINGS, _things(5))  # another instance made them a moment later: the first ones stay
    assert other.made(API, THINGS) and other.count(API, THINGS, []) == 3
    assert other.get(API, THINGS, "t2") == {"id": "t2", "n": 2} and other.get(API, THINGS, "t9") is None
    assert [other.number(API, THINGS, k) for k in ("t1", "t3", "t9")] == [1, 3, None]
    assert [n for n, _ in one.page(API, THINGS, [], after=0, skip=0, size=10)] == [1, 2, 3]
    assert [e["id"] for _, e in one.page(API, THINGS, [], after=1, skip=1, size=1)] == ["t3"]
    one.make(API, "/others", [], next_seq=7)
    assert one.reserve(API, "/others") == 7


def test_created_entities_take_the_next_numbers_and_keep_their_place_when_replaced(make_store: MakeStore) -> None:
    repo = make_store().entities()
    assert repo.reserve(API, THINGS) is None  # not made yet
    repo.make(API, THINGS, _things(2))
    seq = repo.reserve(API, THINGS)
    assert seq == 3 and make_store().entities().reserve(API, THINGS) == 4  # shared: never the same number twice
    repo.put(API, THINGS, "new", {"id": "new"}, seq)
    repo.put(API, THINGS, "t1", {"id": "t1", "n": 100})  # in place: keeps number 1
    assert [(n, e["id"]) for n, e in repo.page(API, THINGS, [], after=0, skip=0, size=10)] == [
        (1, "t1"),
        (2, "t2"),
        (3, "new"),
    ]
    repo.delete(API, THINGS, "t2")
    repo.delete(API, THINGS, "t2")
    assert repo.count(API, THINGS, []) == 2 and repo.get(API, THINGS, "t2") is None


def test_a_collection_holds_at_most_its_bound_and_the_server_its_total(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockserver.serving import entities

    monkeypatch.setattr(entities, "MAX_ENTITIES", 3)
    monkeypatch.setattr(entities, "MAX_TOTAL", 5)
    repo = make_store().entities()
    repo.make(API, THINGS, _things(2))
    assert repo.reserve(API, THINGS) == 3
    repo.put(API, THINGS, "t3", {"id": "t3"}, 3)
    assert repo.reserve(API, THINGS) is None  # the collection is full
    repo.make(API, "/b", _things(2))  # 5 in all
    assert repo.reserve(API, "/b") is None  # the server is full
    assert not repo.replace(API, "/b", _things(3))  # 6 in all: refused, nothing changed
    assert repo.count(API, "/b", []) == 2
    repo.make(API, "/c", _things(2))  # past the total: the collection made first is forgotten
    assert not repo.made(API, THINGS) and repo.count(API, THINGS, []) == 0
    assert repo.made(API, "/b") and repo.made(API, "/c")


def _blobs(n: int, size: int, prefix: str = "t") -> list[tuple[str, dict[str, Any]]]:
    """`n` entities whose JSON text is `size` bytes each (ASCII: the same in both backends)."""
    found = []
    for i in range(1, n + 1):
        key = f"{prefix}{i}"
        bare = len(json.dumps({"id": key, "pad": ""}))
        found.append((key, {"id": key, "pad": "x" * (size - bare)}))
        assert len(json.dumps(found[-1][1])) == size
    return found


def _stored_bytes(repo: EntityRepo) -> int:
    """The bytes the store counts (up to `MAX_BYTES` - 64), as its bounds see them: `MAX_BYTES` less the most
    one more collection may take (seeded through `replace`, then forgotten)."""
    from mockserver.serving import entities

    low, high = 0, entities.MAX_BYTES - 64  # the probe's one entity is 64 bytes at least
    while low < high:  # the largest room that fits
        room = (low + high + 1) // 2
        if repo.replace(API, "/probe", _blobs(1, 64 + room, "p")):
            repo.forget(API, "/probe")
            low = room
        else:
            high = room - 1
    return entities.MAX_BYTES - 64 - low


def test_past_the_byte_bound_making_forgets_the_collections_made_first_and_keeps_one_too_large_alone(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockserver.serving import entities

    monkeypatch.setattr(entities, "MAX_BYTES", 1000)
    repo = make_store().entities()
    repo.make(API, "/a", _blobs(3, 100))
    repo.make(API, "/b", _blobs(3, 100))
    repo.make(API, "/c", _blobs(5, 100))  # 1,100 bytes: /a goes
    assert [repo.made(API, name) for name in ("/a", "/b", "/c")] == [False, True, True]
    assert repo.count(API, "/a", []) == 0 and _stored_bytes(repo) == 800
    repo.make(API, "/big", _blobs(12, 100))  # past the bound by itself: kept, alone
    assert [repo.made(API, name) for name in ("/b", "/c", "/big")] == [False, False, True]
    assert repo.count(API, "/big", []) == 12
    assert repo.reserve(API, "/big") is None  # the server is full


def test_past_the_byte_bound_replace_and_reserve_refuse_and_change_nothing(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockserver.serving import entities

    monkeypatch.setattr(entities, "MAX_BYTES", 1000)
    repo = make_store().entities()
    repo.make(API, THINGS, _blobs(5, 100))
    assert not repo.replace(API, "/b", _blobs(6, 100))  # 1,100 bytes in all: refused, nothing changed
    assert not repo.made(API, "/b") and repo.count(API, THINGS, []) == 5
    assert repo.replace(API, THINGS, _blobs(10, 100))  # the collection's own 500 bytes go: 1,000 in all
    assert repo.reserve(API, THINGS) is None  # at the bound
    assert not repo.replace(API, THINGS, _blobs(10, 100) + _blobs(1, 64, "u"))
    assert repo.count(API, THINGS, []) == 10
    assert repo.replace(API, THINGS, _blobs(9, 100))
    assert repo.reserve(API, THINGS) == 10


def test_past_the_byte_bound_put_refuses_to_grow_the_bytes_and_changes_nothing_but_may_shrink_them(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockserver.serving import entities

    monkeypatch.setattr(entities, "MAX_BYTES", 1000)
    repo = make_store().entities()
    repo.make(API, THINGS, _blobs(9, 100))
    seq = repo.reserve(API, THINGS)
    key, entity = _blobs(1, 101, "new")[0]
    assert not repo.put(API, THINGS, key, entity, seq)  # 1,001 bytes: refused
    assert repo.get(API, THINGS, key) is None and repo.count(API, THINGS, []) == 9
    assert repo.put(API, THINGS, "t1", _blobs(1, 200)[0][1])  # in place, 1,000 bytes in all: fits
    assert not repo.put(API, THINGS, "t2", _blobs(2, 101)[1][1])  # one byte more: refused
    assert repo.get(API, THINGS, "t2") == _blobs(2, 100)[1][1]
    assert repo.put(API, THINGS, "t1", _blobs(1, 50)[0][1])  # shrinking fits, even at the bound
    assert _stored_bytes(repo) == 850


def test_the_byte_count_follows_puts_updates_deletes_forget_and_reset(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockserver.serving import entities

    monkeypatch.setattr(entities, "MAX_BYTES", 10_000)
    store = make_store()
    repo = store.entities()
    repo.make(API, THINGS, _blobs(5, 100))
    assert _stored_bytes(repo) == 500
    seq = repo.reserve(API, THINGS)
    key, entity = _blobs(1, 200, "new")[0]
    repo.put(API, THINGS, key, entity, seq)
    assert _stored_bytes(repo) == 700
    repo.put(API, THINGS, "t1", _blobs(1, 400)[0][1])  # in place: 100 bytes become 400
    repo.put(API, THINGS, "t2", _blobs(2, 50)[1][1])  # and 100 become 50
    assert _stored_bytes(repo) == 950
    repo.delete(API, THINGS, "t1")
    repo.delete(API, THINGS, "t1")  # nothing to delete: nothing taken off
    assert _stored_bytes(repo) == 550
    for key in ("t2", "t3", "t4", "t5", "new1"):
        repo.delete(API, THINGS, key)
    assert _stored_bytes(repo) == 0
    repo.make(API, "/b", _blobs(3, 100))
    repo.forget(API, "/b")
    assert _stored_bytes(repo) == 0
    repo.make(API, "/b", _blobs(3, 100))
    store.reset()
    assert _stored_bytes(make_store().entities()) == 0
    repo.make(API, "/c", _blobs(99, 100))  # 9,900 bytes fit only when nothing else is counted
    repo.make(API, "/d", _blobs(1, 100))
    assert repo.made(API, "/c") and repo.made(API, "/d")


def test_an_older_state_file_without_a_byte_count_is_counted_when_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockserver.serving import entities

    monkeypatch.setattr(entities, "MAX_BYTES", 10_000)
    location = tmp_path / "state.sqlite"
    old = Store(location)
    old.entities().make(API, THINGS, _blobs(4, 100))
    old.close()
    with sqlite3.connect(location) as db:  # as a version before the byte bound left it
        db.execute("DROP TABLE entity_bytes")
        db.execute("DELETE FROM state_tables WHERE name = 'entity_bytes'")
    db.close()
    store = Store(location)
    assert _stored_bytes(store.entities()) == 400
    store.close()
    again = Store(location)  # counted once: the row kept is not counted again
    assert _stored_bytes(again.entities()) == 400
    again.close()


def test_replace_numbers_from_one_past_whole_number_ids_and_forget_unmakes(make_store: MakeStore) -> None:
    repo = make_store().entities()
    repo.make(API, THINGS, _things(4))
    assert repo.replace(API, THINGS, [("40", {"id": 40}), ("x", {"id": "x"})])
    assert [(n, e["id"]) for n, e in repo.page(API, THINGS, [], after=0, skip=0, size=10)] == [(1, 40), (2, "x")]
    assert repo.reserve(API, THINGS) == 41
    repo.forget(API, THINGS)
    assert not repo.made(API, THINGS) and repo.count(API, THINGS, []) == 0


FILTERED = [
    ("a", {"id": "a", "status": "todo", "n": 1, "done": True, "user": {"id": 7}}),
    ("b", {"id": "b", "status": "done", "n": 1.0, "done": False, "user": {"id": "7"}}),
    ("c", {"id": "c", "status": "todo", "n": "1", "done": None, "user": None}),
    ("d", {"id": "d", "status": ["todo"], "user": {"id": 8, "x": [1]}}),
    ("e", {"id": "e", "status": "todo", "n": 2, "tags": {"a": 1}}),
]


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        ([(("status",), ["todo"])], ["a", "c", "e"]),
        ([(("status",), ["todo", "done"])], ["a", "b", "c", "e"]),
        ([(("n",), [1])], ["a", "b"]),  # 1 is 1.0, not "1"
        ([(("n",), ["1"])], ["c"]),
        ([(("done",), [True])], ["a"]),  # and true is 1
        ([(("done",), [1])], ["a"]),
        ([(("done",), [None])], []),  # null never matches
        ([(("user", "id"), [7])], ["a"]),
        ([(("user", "id"), ["7", 8])], ["b", "d"]),
        ([(("user", "x"), ["[1]"])], ["d"]),  # an array compares as its JSON text
        ([(("tags",), ['{"a":1}'])], ["e"]),
        ([(("status",), ["todo"]), (("n",), [2])], ["e"]),
        ([(("missing",), ["todo"])], []),
    ],
)
def test_filters_hold_as_sqlites_json_extract_in_decides(
    make_store: MakeStore, filters: list[tuple[tuple[str, ...], list[Any]]], ids: list[str]
) -> None:
    repo = make_store().entities()
    repo.make(API, THINGS, FILTERED)
    assert [e["id"] for _, e in repo.page(API, THINGS, filters, after=0, skip=0, size=10)] == ids
    assert repo.count(API, THINGS, filters) == len(ids)


def test_filtered_pages_skip_and_look_back_nearest_first(make_store: MakeStore) -> None:
    repo = make_store().entities()
    repo.make(API, THINGS, [(f"t{i}", {"id": f"t{i}", "even": i % 2 == 0}) for i in range(1, 11)])
    even = [(("even",), [True])]
    assert [n for n, _ in repo.page(API, THINGS, even, after=3, skip=1, size=2)] == [6, 8]
    assert repo.before(API, THINGS, even, before=9, size=3) == [8, 6, 4]
    assert repo.before(API, THINGS, [], before=3, size=5) == [2, 1]


def test_reset_forgets_entities_and_summary_counts_them(make_store: MakeStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from mockserver.serving import entities

    monkeypatch.setattr(entities, "MAX_BYTES", 10_000)  # `_stored_bytes` searches below it: kept small, kept fast
    store = make_store()
    repo = store.entities()
    repo.make(API, THINGS, _things(3))
    repo.make(API, "/b", _things(2))
    summary = store.summary()
    assert (summary["entities"], summary["resource_sets"]) == (5, 2)
    assert summary["entity_bytes"] == _stored_bytes(repo) > 0  # both backends say the bytes the bound counts
    store.reset()
    assert not repo.made(API, THINGS) and (store.summary()["entities"], store.summary()["resource_sets"]) == (0, 0)
    assert store.summary()["entity_bytes"] == 0
