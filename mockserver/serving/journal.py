"""The request journal (`GET`/`DELETE /__mock/requests`) and the one-line access log.

Outermost of the mock's layers: it sees every request and the status it got, whatever answered it.
Bounded in entries and in bytes: every stored field is cut to a length (`FIELD_LIMIT`, at most
`HEADER_COUNT` headers), and the oldest entries fall off once the journal holds `BYTE_LIMIT` bytes.
Credentials are masked before anything is stored.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.redact import mask_headers, mask_query
from mockserver.serving.chaos import is_fault

JOURNAL_PATH = "/__mock/requests"
FIELD_LIMIT = 1024  # characters kept of a path, a query string, a header value or a problem
HEADER_COUNT = 64  # headers kept per request
BYTE_LIMIT = 4 * 1024 * 1024  # the whole journal, roughly (the sum of its entries' field lengths)
ENTRY = "mockserver.journal"  # scope extension: this request's journal entry, for others to annotate
access_log = logging.getLogger("mockserver.access")


class JournalMiddleware:
    def __init__(self, app: ASGIApp, size: int = 500, log: bool = True, byte_limit: int = BYTE_LIMIT) -> None:
        self.app = app
        self.entries: deque[dict[str, Any]] = deque()
        self.size = size
        self.byte_limit = byte_limit
        self._bytes = 0
        self._sizes: deque[int] = deque()
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == JOURNAL_PATH:
            await self._journal(scope)(scope, receive, send)
            return
        started = time.perf_counter()
        query = _cut(mask_query(scope.get("query_string", b"").decode("latin-1")))
        headers = list(Headers(scope=scope).items())[:HEADER_COUNT]
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "method": _cut(scope["method"]),
            "path": _cut(scope["path"]),
            "query": query,
            "headers": {_cut(k): _cut(v) for k, v in mask_headers(dict(headers)).items()},
            "status": None,
            "problem": None,
        }
        scope.setdefault("extensions", {})[ENTRY] = entry

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        except Exception as exc:
            if not is_fault(exc):
                raise
            # A fault made on purpose: leave the response unfinished, and uvicorn closes the connection.
            entry["problem"] = "fault: response broken on purpose"
        finally:
            entry["ms"] = round((time.perf_counter() - started) * 1000, 1)
            if isinstance(entry.get("problem"), str):
                entry["problem"] = _cut(entry["problem"])
            self._keep(entry)
            if self.log:
                target = scope["path"] + (f"?{query}" if query else "")
                access_log.info("%s %s %s %.1fms", scope["method"], target, entry["status"] or "-", entry["ms"])

    def _keep(self, entry: dict[str, Any]) -> None:
        """Append `entry`, dropping the oldest ones past the entry count or the byte budget."""
        size = _size(entry)
        self.entries.append(entry)
        self._sizes.append(size)
        self._bytes += size
        while self.entries and (len(self.entries) > self.size or self._bytes > self.byte_limit):
            self.entries.popleft()
            self._bytes -= self._sizes.popleft()

    def _journal(self, scope: Scope) -> Response:
        if scope["method"] == "DELETE":
            self.entries.clear()
            self._sizes.clear()
            self._bytes = 0
            return Response(status_code=204)
        if scope["method"] in ("GET", "HEAD"):
            body = json.dumps({"requests": list(reversed(self.entries))}, ensure_ascii=False)
            return Response(body.encode("utf-8"), media_type="application/json")
        return Response(status_code=405, headers={"Allow": "GET, HEAD, DELETE"})


def _cut(text: str) -> str:
    return text if len(text) <= FIELD_LIMIT else text[:FIELD_LIMIT] + f"… ({len(text)} characters)"


def _size(entry: dict[str, Any]) -> int:
    headers = entry.get("headers") or {}
    text = [entry.get("path"), entry.get("query"), entry.get("problem"), *headers.keys(), *headers.values()]
    return 200 + sum(len(t) for t in text if isinstance(t, str))
