"""The mock's own cost per request, without HTTP: the ASGI app called directly, as uvicorn would.

`.venv/bin/python bench/in_process.py [SPEC] [PATH] [--requests N] [--rounds R]` builds the app for the spec
(default: the bundled OpenRouter, `GET …/activity` with a bearer token), warms it up, then prints the median
microseconds per request over R rounds of N requests. No server, no wrk, no socket: a profile-sized view of
what the middleware and the generator cost, for comparing two commits on one machine (not a `make bench`
target; its figures are not ratios).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

from mockserver.openapi.loader import load_all
from mockserver.serving.app import build_app
from mockserver.serving.config import ServerConfig

ROOT = Path(__file__).resolve().parent.parent


def _scope(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), (b"authorization", b"Bearer x")],
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 5000),
    }


async def _measure(app: Any, path: str, requests: int, rounds: int) -> list[float]:
    statuses: set[int] = set()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    for _ in range(300):
        await app(_scope(path), receive, send)
    if statuses != {200}:
        raise SystemExit(f"in_process: {path} answered {sorted(statuses)}, not 200")
    per_request = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(requests):
            await app(_scope(path), receive, send)
        per_request.append((time.perf_counter() - started) / requests * 1e6)
    return per_request


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", default=str(ROOT / "specs" / "openrouter.yaml"))
    parser.add_argument("path", nargs="?", default="/activity", help="the operation's path, below the mount path")
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    [api] = load_all([args.spec])
    app = build_app([api], ServerConfig(access_log=False))
    rounds = asyncio.run(_measure(app, api.mount_path + args.path, args.requests, args.rounds))
    shown = " / ".join(f"{r:.0f}" for r in rounds)
    print(f"{api.name} GET {api.mount_path}{args.path}: {statistics.median(rounds):.1f} µs per request ({shown})")


if __name__ == "__main__":
    main()
