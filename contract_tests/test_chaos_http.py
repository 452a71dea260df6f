"""Chaos under concurrent clients: a seeded run gives each request identity the same fates, in any order."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from serve_support import serving

ROOT = Path(__file__).resolve().parent.parent
URL = "/openrouter/api/v1/activity"
AUTH = {"Authorization": "Bearer x"}
DATES = ("2026-11-01", "2026-11-02", "2026-11-03")


def _run() -> dict[str, Counter[int]]:
    """8 clients at once, each sending every identity 6 times; the statuses each identity got."""
    with serving("--quiet", "--seed", "11", "--chaos", "0.6", cwd=ROOT) as served:

        def client(_: int) -> list[tuple[str, int]]:
            with httpx.Client(base_url=served.base, headers=AUTH, timeout=10) as http:
                return [(d, http.get(URL, params={"date": d}).status_code) for _ in range(6) for d in DATES]

        with ThreadPoolExecutor(8) as pool:
            results = [pair for batch in pool.map(client, range(8)) for pair in batch]
    by_identity: dict[str, Counter[int]] = {d: Counter() for d in DATES}
    for identity, status in results:
        by_identity[identity][status] += 1
    return by_identity


def test_concurrent_clients_get_the_same_statuses_per_request_identity_in_every_seeded_run() -> None:
    first, second = _run(), _run()
    assert first == second
    assert all(sum(c.values()) == 48 for c in first.values())
    assert all(len(c) > 1 for c in first.values()), first  # chaos at 0.6: errors and successes both
