"""`serve --reload`: one process that keeps serving its last good app and swaps in a new one when the
watched files change and load.

uvicorn's own reload restarts the worker process; a spec saved broken then leaves a port that accepts
connections and never answers. Here a failed reload is one log line naming the file and the problem,
requests keep their last good answers, and the next good save is served.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.errors import MockServerError
from mockserver.openapi.loader import SPEC_SUFFIXES

log = logging.getLogger("mockserver.reload")

POLL = 0.25  # seconds between two looks at the watched files
_SKIPPED = {"node_modules", "__pycache__"}  # folders that hold no spec of the user's

Fingerprint = frozenset[tuple[str, int, int]]


def fingerprint(folders: Iterable[Path]) -> Fingerprint:
    """(path, mtime, size) of every spec-like file under `folders`: changes when one is saved, added or removed."""
    seen: set[tuple[str, int, int]] = set()
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIPPED]
            for name in files:
                if Path(name).suffix in SPEC_SUFFIXES:
                    path = os.path.join(root, name)
                    try:
                        stat = os.stat(path)
                    except OSError:  # removed while we looked
                        continue
                    seen.add((path, stat.st_mtime_ns, stat.st_size))
    return frozenset(seen)


class ReloadingApp:
    """An ASGI app that forwards to the last app `build` made without raising.

    Each request reads `self.app` once, so a swap is atomic: a request is answered by the old app or
    by the new one, never by half of each. The watcher runs from the lifespan startup to its shutdown.
    """

    def __init__(self, app: ASGIApp, build: Callable[[], ASGIApp], folders: list[Path], seen: Fingerprint) -> None:
        self.app = app
        self.build = build
        self.folders = folders
        self.seen = seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        watcher = asyncio.create_task(self.watch())
        try:
            await self.app(scope, receive, send)
        finally:
            watcher.cancel()

    async def watch(self) -> None:
        while True:
            await asyncio.sleep(POLL)
            now = await asyncio.to_thread(fingerprint, self.folders)
            if now == self.seen:
                continue
            # Wait until a save is over (editors write in several steps), so a half-written file is not read.
            while (settled := await asyncio.to_thread(fingerprint, self.folders)) != now:
                now = settled
                await asyncio.sleep(POLL)
            self.seen = now
            await self.reload()

    async def reload(self) -> None:
        """Build the app again from the files; on any failure keep the current one and say why, in one line."""
        try:
            app = await asyncio.to_thread(self.build)
        except Exception as exc:  # a spec, fixture or x-mock problem: whatever it is, the last good app stays
            text = str(exc) if isinstance(exc, MockServerError) else f"{type(exc).__name__}: {exc}"
            detail = " ".join(text.split())  # one line, whatever the error's message holds
            log.warning("reload failed, still serving the previous version: %s", detail)
            return
        self.app = app
        log.warning("reloaded")
