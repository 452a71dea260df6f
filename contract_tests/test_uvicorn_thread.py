"""The in-thread server helper: the port is the server's from bind to stop, and a failed start is an error."""

from __future__ import annotations

import errno
import socket
from typing import Any

import httpx
import pytest
from uvicorn_thread import HOST, serving_in_thread


async def hello(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
            await receive()  # shutdown
            await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello"})


async def broken_startup(scope: Any, receive: Any, send: Any) -> None:
    assert scope["type"] == "lifespan"
    await receive()
    await send({"type": "lifespan.startup.failed", "message": "no database"})


def test_the_yielded_port_answers_and_nobody_else_can_bind_it_until_the_block_ends() -> None:
    with serving_in_thread(hello) as port:
        assert httpx.get(f"http://{HOST}:{port}/", timeout=10).text == "hello"
        with socket.socket() as other, pytest.raises(OSError) as taken:
            other.bind((HOST, port))
        assert taken.value.errno == errno.EADDRINUSE
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://{HOST}:{port}/", timeout=10)


def test_a_server_that_cannot_start_is_an_error_at_once_not_a_test_against_nothing() -> None:
    with pytest.raises(RuntimeError, match="died during startup"), serving_in_thread(broken_startup, lifespan="on"):
        pass
