"""`mockserver serve` as a subprocess on a loopback port the system chose, its output read line by line as it comes."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


# `serve --port 0` binds a port the system chooses and names it in its banner: no port picked, released and
# bound again (another process may take it in between).
BANNER_PORT = re.compile(r"index at http://127\.0\.0\.1:(\d+)/")


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
def serving(
    *args: str,
    cwd: Path,
    command: Sequence[str] = (sys.executable, "-m", "mockserver"),
    env: dict[str, str] | None = None,
    subcommand: str = "serve",
) -> Iterator[Served]:
    """`mockserver serve ARGS --port 0`, listening when the block starts, stopped when it ends.

    `command` runs mockserver (default: this interpreter's), in `env` (default: this one's); `subcommand`: `serve`,
    or another that names its port in the same banner (`proxy`)."""
    process = subprocess.Popen(
        [*command, subcommand, *args, "--port", "0"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout: list[str] = []
    stderr: list[str] = []
    pumps = [
        threading.Thread(target=_pump, args=(stream, into), daemon=True)
        for stream, into in ((process.stdout, stdout), (process.stderr, stderr))
    ]
    for pump in pumps:
        pump.start()
    try:

        def announced() -> int | None:
            assert process.poll() is None, f"the server exited: {stderr}"
            return next((int(m.group(1)) for line in list(stdout) if (m := BANNER_PORT.search(line))), None)

        port = until(announced)
        assert port, f"the server did not name its port: {stdout} {stderr}"
        served = Served(process, port, stderr, stdout)

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
        for pump in pumps:
            pump.join(timeout=10)  # the pipes end with the process
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
