"""A real redis-server for the Redis backend's tests, on a unix socket of its own (it cannot bind port 0).

`make test` installs the Debian package when it is missing (Makefile, `redis-server`); where it is not
installed and could not be, the tests that need it are skipped, saying so.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

MISSING = "redis-server is not installed and `make test` could not install it (apt-get install redis-server)"


@dataclass
class RedisServer:
    process: subprocess.Popen[bytes]
    socket: Path

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _answers(socket: Path) -> bool:
    """Whether the server answers (a refusal for want of a password is an answer)."""
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(socket), socket_timeout=1).ping())
    except redis.AuthenticationError:
        return True
    except redis.ResponseError as exc:
        return "NOAUTH" in str(exc)
    except redis.RedisError:
        return False


@contextmanager
def running_redis(*options: str) -> Iterator[RedisServer]:
    """A fresh redis-server, nothing saved to disk, answering when the block starts; killed when it ends.
    `options`: more of its command line (e.g. `--requirepass`)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip(MISSING)
    pytest.importorskip("redis", reason="the `redis` client is not installed: pip install -e '.[dev]'")
    # A short folder of its own: a unix socket's path may have at most 107 bytes, tmp_path's are longer.
    with tempfile.TemporaryDirectory(prefix="mock-redis-") as folder:
        socket = Path(folder) / "redis.sock"
        command = [binary, "--port", "0", "--unixsocket", str(socket), "--save", "", "--appendonly", "no", *options]
        process = subprocess.Popen([*command, "--dir", folder], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        server = RedisServer(process, socket)
        try:
            deadline = time.monotonic() + 15
            while not (socket.exists() and _answers(socket)):
                if process.poll() is not None:
                    pytest.fail(f"redis-server exited at start: {process.stderr.read() if process.stderr else ''!r}")
                if time.monotonic() > deadline:
                    pytest.fail("redis-server did not answer PING within 15 s")
                time.sleep(0.02)  # polling for PING with a deadline, not waiting a guessed time
            yield server
        finally:
            server.stop()
            if process.stderr is not None:
                process.stderr.close()
