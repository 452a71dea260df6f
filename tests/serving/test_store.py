"""The shared store: bounded journal and counters, shared by every process that opens the same file."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mockserver.errors import StoreError
from mockserver.serving.store import Store, masked


def _entry(i: int) -> dict[str, object]:
    return {"path": f"/{i}", "status": 200}


def test_the_journal_keeps_the_newest_entries_up_to_its_size_newest_first() -> None:
    store = Store(journal_size=3)
    for i in range(5):
        store.add_request(_entry(i), 10)
    assert [e["path"] for e in store.requests()] == ["/4", "/3", "/2"]
    store.clear_requests()
    assert store.requests() == []


def test_one_entry_larger_than_the_byte_budget_is_still_kept_alone() -> None:
    store = Store(journal_bytes=100)
    store.add_request(_entry(1), 10)
    store.add_request(_entry(2), 1000)
    assert [e["path"] for e in store.requests()] == ["/2"]


def test_seen_counts_each_key_separately_from_zero() -> None:
    store = Store()
    assert [store.seen("a"), store.seen("a"), store.seen("b"), store.seen("a")] == [0, 1, 0, 2]
    store.reset()
    assert store.seen("a") == 0


def test_counters_stay_within_their_bound_forgetting_the_least_recently_seen() -> None:
    store = Store(counter_keys=500)
    for i in range(5000):
        store.seen(f"k{i}")
        store.seen("hot")  # seen all along: never the least recently seen
    assert store.counted() <= 500 + 1000
    assert store.seen("hot") == 5000


def _write(location: str, worker: int) -> None:
    store = Store(location)
    for i in range(50):
        store.add_request({"path": f"/{worker}/{i}"}, 10)
        store.seen("shared")


def test_processes_sharing_a_file_share_one_journal_and_one_count(tmp_path: Path) -> None:
    location = str(tmp_path / "state.sqlite")
    Store(location)  # as `serve` does: the parent creates it before the workers start
    workers = [multiprocessing.get_context("spawn").Process(target=_write, args=(location, w)) for w in range(2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    store = Store(location)
    assert len(store.requests()) == 100
    assert store.seen("shared") == 100


def test_a_state_file_that_cannot_be_opened_is_a_store_error_naming_it(tmp_path: Path) -> None:
    where = tmp_path / "no-such-folder" / "state.sqlite"
    with pytest.raises(StoreError, match="no-such-folder"):
        Store(where)


def test_a_feature_adds_its_tables_and_reset_empties_its_state_tables() -> None:
    store = Store()
    store.extend(
        "CREATE TABLE IF NOT EXISTS things (id TEXT PRIMARY KEY); CREATE TABLE IF NOT EXISTS kept (id TEXT);",
        state_tables=("things",),
    )
    with store.write() as db:
        db.execute("INSERT INTO things VALUES ('a')")
        db.execute("INSERT INTO kept VALUES ('b')")
    assert store.read("SELECT id FROM things") == [("a",)]
    store.reset()
    assert store.read("SELECT id FROM things") == []
    assert store.read("SELECT id FROM kept") == [("b",)]


def test_a_failed_write_leaves_nothing_behind() -> None:
    store = Store()
    store.extend("CREATE TABLE IF NOT EXISTS things (id TEXT PRIMARY KEY);")
    with pytest.raises(RuntimeError), store.write() as db:
        db.execute("INSERT INTO things VALUES ('a')")
        raise RuntimeError("half way")
    assert store.read("SELECT id FROM things") == []


def test_a_reset_through_a_process_that_never_used_a_feature_empties_its_tables_too(tmp_path: Path) -> None:
    location = str(tmp_path / "state.sqlite")
    user, other = Store(location), Store(location)  # two workers; only the first extended the store
    user.extend("CREATE TABLE IF NOT EXISTS things (id TEXT PRIMARY KEY);", state_tables=("things",))
    with user.write() as db:
        db.execute("INSERT INTO things VALUES ('a')")
    other.reset()
    assert user.read("SELECT id FROM things") == []


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://localhost:6379/0", "redis://localhost:6379/0"),
        ("redis://:hunter2@cache.internal:6380/2", "redis://:***@cache.internal:6380/2"),
        ("rediss://team:hunter2@cache.internal/1", "rediss://team:***@cache.internal/1"),
        ("redis://cache/0?password=hunter2&socket_timeout=3", "redis://cache/0?password=***&socket_timeout=3"),
        ("unix:///run/redis.sock?db=1", "unix:///run/redis.sock?db=1"),
    ],
)
def test_a_state_url_is_shown_with_its_password_masked(url: str, shown: str) -> None:
    assert masked(url) == shown


def test_the_default_store_needs_no_redis_client() -> None:
    script = "import sys; from mockserver.serving.app import build_app; build_app([]); sys.exit('redis' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", script], check=False).returncode == 0


def test_a_journal_entry_never_waits_for_another_process_holding_the_state_lock(tmp_path: Path) -> None:
    # Each process writes its journal to a file of its own: a request's entry is never queued behind another
    # worker's write (SQLite's busy wait sleeps in steps of milliseconds; a worker was seen frozen 131 ms).
    location = tmp_path / "state.sqlite"
    store = Store(location)
    other = Store(location)
    other.add_request(_entry(0), 10)
    holder = sqlite3.connect(location, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another worker in the middle of a state write
    try:
        started = time.monotonic()
        store.add_request(_entry(1), 10)
        assert time.monotonic() - started < 1.0  # the lock's wait is 5 s: this did not wait for it
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [e["path"] for e in store.requests()] == ["/1", "/0"]  # both processes' entries, newest first
    other.clear_requests()
    assert store.requests() == []
