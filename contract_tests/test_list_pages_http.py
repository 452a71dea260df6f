"""A list without an item path over real HTTP: `mockserver serve specs/onepin.yaml` pages one stable feed."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from serve_support import serving
from test_workers_http import _answering_worker

ROOT = Path(__file__).resolve().parent.parent
ONEPIN = str(ROOT / "specs" / "onepin.yaml")
FEED = "/onepin/api/v1/usage/activity"
AUTH = {"Authorization": "Bearer x"}


def _walk(get: Any, **query: Any) -> list[list[dict[str, Any]]]:
    """Every page, following `pagination.next` (via `get(params) -> body`); `next` only before the last page."""
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    for _ in range(200):
        body = get({**query, **({"cursor": cursor} if cursor else {})})
        pages.append(body["data"])
        cursor = body["pagination"].get("next")
        if cursor is None:
            return pages
        assert len(body["data"]) == query["limit"], "a page before the last one is short"
    raise AssertionError("the pages never end")


def test_onepins_feed_walked_with_limit_10_shows_each_event_once_over_http() -> None:
    with serving(ONEPIN, "--quiet", "--seed", "3", cwd=ROOT) as served, httpx.Client(base_url=served.base) as client:

        def get(params: dict[str, Any]) -> Any:
            response = client.get(FEED, params=params, headers=AUTH, timeout=10)
            assert response.status_code == 200, response.text
            return response.json()

        pages = _walk(get, limit=10)
        ids = [event["id"] for page in pages for event in page]
        assert len(pages) == 14 and len(ids) == len(set(ids)) == 137
        typed = _walk(get, limit=10, type="member_invited")
        assert all(event["action"] == "member_invited" for page in typed for event in page)
        forged = client.get(FEED, params={"cursor": "cursor_eyJpZCI6IjEifQ"}, headers=AUTH, timeout=10)
        assert forged.status_code == 422 and forged.json()["detail"][0]["loc"] == ["query", "cursor"]


def _get_on_fresh_connection(server_pid: int, port: int, params: dict[str, Any]) -> tuple[Any, int | None]:
    """(JSON body, the worker that answered) for a GET of the feed on a new connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        target = f"{FEED}?{urlencode(params)}"
        client.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            data += client.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.split()[1] == b"200", data[:500]
        length = next(
            int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        )
        while len(body) < length:
            body += client.recv(65536)
        return json.loads(body), _answering_worker(server_pid, port, client)


@pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="reads which process holds a connection from /proc")
def test_a_walk_whose_pages_two_workers_answer_is_one_walk() -> None:
    with serving(ONEPIN, "--workers", "2", "--quiet", cwd=ROOT) as served:
        workers: set[int | None] = set()

        def get(params: dict[str, Any]) -> Any:
            body, worker = _get_on_fresh_connection(served.process.pid, served.port, params)
            workers.add(worker)
            return body

        first = _walk(get, limit=25)
        # Walked again until both workers have answered a page (a few walks do it; a per-process set never would).
        for _ in range(10):
            if len(workers - {None}) == 2:
                break
            assert _walk(get, limit=25) == first
        assert len(workers - {None}) == 2, f"only {workers} answered"
        ids = [event["id"] for page in first for event in page]
        assert len(ids) == len(set(ids)) == 137
