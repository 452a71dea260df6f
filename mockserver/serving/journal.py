"""The request journal (`GET`/`DELETE /__mock/requests`) and the one-line access log.

Outermost of the mock's layers: it sees every request and the status it got, whatever answered it.
Bounded: the oldest entries fall off. Credentials are masked before anything is stored.
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
ENTRY = "mockserver.journal"  # scope extension: this request's journal entry, for others to annotate
access_log = logging.getLogger("mockserver.access")


class JournalMiddleware:
    def __init__(self, app: ASGIApp, size: int = 500, log: bool = True) -> None:
        self.app = app
        self.entries: deque[dict[str, Any]] = deque(maxlen=size)
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == JOURNAL_PATH:
            await self._journal(scope)(scope, receive, send)
            return
        started = time.perf_counter()
        query = mask_query(scope.get("query_string", b"").decode("latin-1"))
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "method": scope["method"],
            "path": scope["path"],
            "query": query,
            "headers": mask_headers(dict(Headers(scope=scope).items())),
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
            self.entries.append(entry)
            if self.log:
                target = scope["path"] + (f"?{query}" if query else "")
                access_log.info("%s %s %s %.1fms", scope["method"], target, entry["status"] or "-", entry["ms"])

    def _journal(self, scope: Scope) -> Response:
        if scope["method"] == "DELETE":
            self.entries.clear()
            return Response(status_code=204)
        if scope["method"] in ("GET", "HEAD"):
            body = json.dumps({"requests": list(reversed(self.entries))}, ensure_ascii=False)
            return Response(body.encode("utf-8"), media_type="application/json")
        return Response(status_code=405, headers={"Allow": "GET, HEAD, DELETE"})
