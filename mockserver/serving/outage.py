"""A store that fails while serving (a Redis gone away, a SQLite file gone read-only): the mock's own 503.

Outside the journal, so a request whose journal entry cannot be written either still gets its answer; a
`StoreError` after the response has started is logged, since the client already has its status.
"""

from __future__ import annotations

import logging
import sqlite3

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.errors import StoreError
from mockserver.serving.answers import mock_error

logger = logging.getLogger("mockserver")
# What a failing store raises: ours, and SQLite's own (a file locked past the wait, gone read-only, disk full).
STORE_FAILURES = (StoreError, sqlite3.Error)


class StoreOutage:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except STORE_FAILURES as exc:
            logger.warning("state store failed: %s", exc)
            if not started:
                detail = f"The mock's state store is unavailable: {exc}"
                await mock_error(503, "State store unavailable", detail)(scope, receive, send)
