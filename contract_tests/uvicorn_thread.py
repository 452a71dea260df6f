"""An ASGI app under uvicorn in a background thread, on a loopback port the system chose and the server holds.

The socket is bound (port 0) before the server starts and handed to it: no port is picked, released and bound
again, which another process could take in between.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

HOST = "127.0.0.1"


@contextmanager
def serving_in_thread(app: Any, *, startup_timeout: float = 30, **options: Any) -> Iterator[int]:
    """Serve `app` (uvicorn.Config `options` on top of quiet defaults) until the block ends; yield its port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    port: int = sock.getsockname()[1]
    # log_config=None: leave the process's logging as pytest set it up (uvicorn would replace it).
    server = uvicorn.Server(uvicorn.Config(app, **{"log_config": None, "log_level": "warning", **options}))
    exits: list[SystemExit] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except SystemExit as exc:  # uvicorn exits (3) when the app fails to start: said below, in the test's thread
            exits.append(exc)

    thread = threading.Thread(target=run, name=f"uvicorn:{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive():
                code = f" (exit {exits[0].code})" if exits else ""
                raise RuntimeError(f"the server on {HOST}:{port} died during startup{code}; see its log")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server on {HOST}:{port} did not start within {startup_timeout:g} s")
            thread.join(timeout=0.01)  # a bounded wait that ends at once if the thread dies
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
