"""Raw ASGI calls for the hostile-input tests: any method, path bytes, headers and body a socket could carry."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

HERE = Path(__file__).resolve().parent
HOSTILE_SPEC = HERE / "hostile.yaml"
BUNDLED_SPECS = HERE.parent.parent / "specs"
TRACEBACK_MARKS = (b"Traceback (most recent call last)", b'File "/', b"site-packages")


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


def raw_call(
    app: Any,
    method: str,
    path: bytes,
    query: bytes = b"",
    headers: Sequence[tuple[bytes, bytes]] = (),
    body_chunks: Sequence[bytes] = (),
) -> RawResponse:
    """One request as raw ASGI; the body arrives in `body_chunks` (none: an empty body)."""

    async def run() -> RawResponse:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path.decode("latin-1"),
            "raw_path": path,
            "root_path": "",
            "query_string": query,
            "headers": [(b"host", b"testserver"), *headers],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        pending = list(body_chunks) or [b""]
        messages: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            if pending:
                chunk = pending.pop(0)
                return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
            await anyio.sleep_forever()  # the client has sent everything: only a disconnect could follow
            raise AssertionError("unreachable")

        async def send(message: dict[str, Any]) -> None:
            messages.append(message)

        await app(scope, receive, send)
        start = next(m for m in messages if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        headers_out = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start.get("headers", [])}
        return RawResponse(start["status"], headers_out, body, 0.0)

    began = time.perf_counter()
    response = anyio.run(run)
    return RawResponse(response.status, response.headers, response.body, time.perf_counter() - began)


def rss_bytes() -> int:
    """This process's resident set size now (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")
