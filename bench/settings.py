"""What every part of the bench shares: where things are, the load's shape, its error, how it speaks."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOGS = RESULTS / "logs"
SPEC = "specs/openrouter.yaml"
SPECS_DIR = "specs"
SPEC_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
HOST = "127.0.0.1"
AUTH_NAME, AUTH_VALUE = "Authorization", "Bearer x"
CONNECTIONS = 16
THREADS = 2
WORKERS = 2  # `serve --workers N` for the mock-2w target: one per core here
POLL_S = 0.02
MB = 1_000_000  # memory is reported in MB of 10^6 bytes


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and where to look."""


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)


def python_cmd() -> str:
    """The interpreter running this script, relative to the repository when inside it (the commands run there)."""
    exe = Path(sys.executable)
    return str(exe.relative_to(ROOT)) if exe.is_relative_to(ROOT) else str(exe)


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
