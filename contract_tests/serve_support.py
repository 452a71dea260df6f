"""`mockserver serve` as a subprocess on a free loopback port, its output read line by line as it comes."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def until(check: Callable[[], T | None], seconds: float = 30) -> T | None:
    """`check()` polled until it gives something truthy or the deadline passes (then None)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    return None


@dataclass
class Served:
    process: subprocess.Popen[str]
    port: int
    stderr: list[str] = field(default_factory=list)  # every line so far (appended by a reader thread)
    stdout: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _pump(stream: Iterable[str], into: list[str]) -> None:
    for line in stream:
        into.append(line.rstrip("\n"))


@contextmanager
def serving(*args: str, cwd: Path) -> Iterator[Served]:
    """`mockserver serve ARGS --port P`, listening when the block starts, stopped when it ends."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", *args, "--port", str(port)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    served = Served(process, port)
    for stream, into in ((process.stdout, served.stdout), (process.stderr, served.stderr)):
        threading.Thread(target=_pump, args=(stream, into), daemon=True).start()
    try:

        def listening() -> bool:
            assert process.poll() is None, f"the server exited: {served.stderr}"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return True
            except OSError:
                return False

        assert until(listening), "the server did not start listening"
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
