"""Realism over HTTP: for every API and 30 seeds (`Prefer: seed=N`), the data looks like real data.

- dates and timestamps parse (YYYY-MM-DD, or RFC 3339 date-time in UTC with `Z`) and are not in the future;
- count fields (requests, *_tokens, count, numberX, value) are non-negative integers;
- no placeholder text anywhere ("string", "lorem", "ipsum", "foo", "bar", "test");
- fields named like a UUID hold one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from contract_support import AUTH, TODAY
from rfc3339_validator import validate_rfc3339
from starlette.testclient import TestClient

SEEDS = range(30)
CLIENT_ID = "aa7cf840-9ca9-46a3-9778-9015d6580d50"
USER_ID = "a1d97031-04e2-4907-a249-093f7436207b"
REQUESTS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "openrouter": ("/openrouter/api/v1/activity", {}, AUTH),
    "onepin": ("/onepin/api/v1/usage/activity", {}, AUTH),
    "lightdash": ("/lightdash/api/v1/analytics/user-activity/3c6a0b0e-8f7e-4a43-9d1e-2a1b5c9e7f10", {}, {}),
    "client-analytics": (
        f"/client-analytics/v2/clients/{CLIENT_ID}/analytics/users/{USER_ID}/activity",
        {"granularity": "daily", "start_date": "2026-01-01", "end_date": "2026-02-28", "metric": "activity-count"},
        AUTH,
    ),
}

DATE_KEYS = re.compile(r"^(date|timestamp|start|end)$|(_at|_date|At|Date)$")
COUNT_KEYS = re.compile(r"^(requests|count|value)$|_tokens$|^number[A-Z]")
UUID_KEYS = re.compile(r"uuid", re.IGNORECASE)
PLACEHOLDER = re.compile(r"\b(string|lorem|ipsum|foo|bar|test)\b", re.IGNORECASE)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def walk(node: Any, path: str = "$") -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) for every value in a JSON document; key is the nearest property name."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{path}.{key}", str(key), value
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}[{i}]")


def as_day(value: Any) -> date | None:
    """The calendar day of a date or an RFC 3339 UTC timestamp, or None if it is neither."""
    if not isinstance(value, str):
        return None
    if DAY.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    if value.endswith("Z") and validate_rfc3339(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    return None


def problems_in(body: Any) -> list[str]:
    found = []
    for path, key, value in walk(body):
        if isinstance(value, str) and (match := PLACEHOLDER.search(value)):
            found.append(f"{path}: placeholder {match.group(0)!r} in {value!r}")
        if isinstance(value, (dict, list)) or value is None:
            continue
        if DATE_KEYS.search(key):
            day = as_day(value)
            if day is None:
                found.append(f"{path}: {value!r} is not a date nor an RFC 3339 UTC timestamp")
            elif day > TODAY + timedelta(days=1):
                found.append(f"{path}: {value!r} is in the future (today is {TODAY})")
        if COUNT_KEYS.search(key) and not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            found.append(f"{path}: count {value!r} is not a non-negative integer")
        if UUID_KEYS.search(key) and not (isinstance(value, str) and UUID.match(value)):
            found.append(f"{path}: {value!r} is not a UUID")
    return found


@pytest.fixture(scope="module")
def bodies(http: TestClient) -> dict[str, list[Any]]:
    """The success body of each API for every seed."""
    out: dict[str, list[Any]] = {}
    for name, (path, params, headers) in REQUESTS.items():
        out[name] = []
        for seed in SEEDS:
            response = http.get(path, params=params, headers={**headers, "Prefer": f"seed={seed}"})
            assert response.status_code == 200, (name, seed, response.text[:200])
            out[name].append(response.json())
    return out


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_success_bodies_look_real_for_30_seeds(bodies: dict[str, list[Any]], name: str) -> None:
    report = {seed: found for seed, body in zip(SEEDS, bodies[name], strict=True) if (found := problems_in(body))}
    assert not report, report


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_seeds_give_varied_data(bodies: dict[str, list[Any]], name: str) -> None:
    distinct = {repr(body) for body in bodies[name]}
    assert len(distinct) >= len(SEEDS) - 1


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_error_bodies_look_real_for_every_documented_status(http: TestClient, name: str) -> None:
    path, params, headers = REQUESTS[name]
    index = http.get("/").json()
    (api,) = [a for a in index["apis"] if a["name"] == name]
    statuses = [s for op in api["operations"] for s in op["statuses"] if s.isdigit() and int(s) >= 400]
    statuses = statuses or ["400", "404", "500"]  # lightdash documents `default` only
    report = {}
    for status in statuses:
        for seed in range(0, 30, 6):
            response = http.get(path, params=params, headers={**headers, "Prefer": f"code={status}, seed={seed}"})
            assert response.status_code == int(status)
            if found := problems_in(response.json()):
                report[(status, seed)] = found
    assert not report, report


def test_the_walk_sees_every_checked_kind_of_field() -> None:
    """Guard for the checks above: the bundled APIs do have each kind of field they look at."""
    sample = {
        "date": "2026-01-01",
        "timestamp": "2026-01-01T10:00:00Z",
        "requests": 1,
        "prompt_tokens": 2,
        "count": 3,
        "numberUsers": 4,
        "value": 5,
        "userUuid": "3c6a0b0e-8f7e-4a43-9d1e-2a1b5c9e7f10",
        "name": "Monthly report",
    }
    assert problems_in(sample) == []
    bad = {
        "date": "2026-02-30",
        "timestamp": "2026-01-01 10:00:00",
        "requests": -1,
        "count": 2.5,
        "userUuid": "u-1",
        "name": "Lorem ipsum",
    }
    assert len(problems_in(bad)) == 6


def test_openrouter_rows_without_requests_have_no_tokens(bodies: dict[str, list[Any]]) -> None:
    token_fields = ("prompt_tokens", "completion_tokens", "reasoning_tokens", "cached_tokens")
    bad = [
        (seed, row)
        for seed, body in zip(SEEDS, bodies["openrouter"], strict=True)
        for row in body["data"]
        if row["requests"] == 0 and any(row.get(f, 0) for f in token_fields)
    ]
    assert not bad, bad[:3]
