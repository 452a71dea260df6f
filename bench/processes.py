"""Server processes: their command lines, starting and stopping them, polling until they answer, their memory."""

from __future__ import annotations

import http.client
import os
import re
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from installs import PRISM_BIN
from settings import AUTH_NAME, AUTH_VALUE, HOST, LOGS, MB, POLL_S, ROOT, BenchError, python_cmd, say

READY_TIMEOUT_S = 90.0  # a load target's first 200
STOP_TIMEOUT_S = 10.0
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
PRISM_LOG_PREFIX = re.compile(r"^\[[^\]]*\] › \[[A-Z]+\] ✖?\s*")  # "[6:08:52 AM] › [CLI] ✖  "


@dataclass(frozen=True)
class ProcessMemory:
    pid: int
    name: str
    peak_rss_mb: float  # VmHWM
    rss_mb: float  # VmRSS


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def serve_argv(spec: str, port: str, *options: str) -> tuple[str, ...]:
    return (python_cmd(), "-m", "mockserver", "serve", spec, "--quiet", "--port", port, *options)


def prism_argv(spec: Path, port: int) -> tuple[str, ...]:
    # -d: dynamic (json-schema-faker), like the mock; --errors stays off (its default); -v warn: no line per request.
    return (str(PRISM_BIN.relative_to(ROOT)), "mock", "-d", "-h", HOST, "-p", str(port), "-v", "warn", str(spec))


def start_server(argv: tuple[str, ...], log_name: str) -> tuple[subprocess.Popen[bytes], Path]:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{log_name}.log"
    with log.open("wb") as out:
        # Own session: stopping the server stops whatever it started, and nothing else.
        proc = subprocess.Popen(
            list(argv), cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return proc, log


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only: never a proxy


def fetch(url: str, timeout_s: float = 5.0, headers: dict[str, str] | None = None) -> tuple[int, bytes, str]:
    request = urllib.request.Request(url, headers={AUTH_NAME: AUTH_VALUE} if headers is None else headers)
    try:
        with _OPENER.open(request, timeout=timeout_s) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("Content-Type", "")


def first_answer(
    proc: subprocess.Popen[bytes], log: Path, url: str, deadline: float, headers: dict[str, str] | None = None
) -> int:
    """Status of the first answer below 500 from `url`, polling until `deadline` (perf_counter); 0 if none came."""
    while (remaining := deadline - time.perf_counter()) > 0:
        if proc.poll() is not None:
            raise BenchError(f"server exited with {proc.returncode} before answering {url}; see {log}")
        try:
            status, _, _ = fetch(
                url, timeout_s=remaining, headers=headers
            )  # a server that accepts but is still loading: wait
        except (urllib.error.URLError, OSError):
            status = 0
        if 0 < status < 500:
            return status
        if status:
            raise BenchError(f"{url} answered {status}; see {log}")
        time.sleep(POLL_S)
    return 0


def wait_ready(proc: subprocess.Popen[bytes], log: Path, url: str, headers: dict[str, str] | None = None) -> float:
    """Seconds from now until `url` answers 200 (to a request with `headers`); bounded by READY_TIMEOUT_S."""
    started = time.perf_counter()
    status = first_answer(proc, log, url, started + READY_TIMEOUT_S, headers)
    if status == 0:
        raise BenchError(f"{url} did not answer within {READY_TIMEOUT_S:.0f} s; see {log}")
    if status != 200:
        raise BenchError(f"{url} answered {status}, not 200; see {log}")
    return time.perf_counter() - started


def memory_mb(pid: int) -> tuple[float, float]:
    """(peak RSS, RSS) of a live process, in MB."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = int(value.split()[0]) * 1024  # the kernel's "kB" is KiB
    return round(fields["VmHWM"] / MB, 1), round(fields["VmRSS"] / MB, 1)


def last_output_line(log: Path) -> str:
    try:
        lines = [ANSI.sub("", line).strip() for line in log.read_text(errors="replace").splitlines()]
    except OSError:
        return ""
    lines = [line for line in lines if line]
    marked = [line for line in lines if "✖" in line]  # Prism marks its fatal message; a usage text follows it
    line = (marked or lines or ["(no output)"])[-1]
    return " ".join(PRISM_LOG_PREFIX.sub("", line).split())[:200]


def group_processes(pgid: int) -> tuple[ProcessMemory, ...]:
    """The live processes of a process group (a server started in its own session), with their memory."""
    out: list[ProcessMemory] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[2]) != pgid:  # after "(comm) ": state ppid pgrp
            continue
        fields = {k: v.strip() for k, _, v in (line.partition(":") for line in status.splitlines())}
        if "VmHWM" not in fields:  # a zombie, or a kernel thread
            continue
        kib = {key: int(fields[key].split()[0]) * 1024 for key in ("VmHWM", "VmRSS")}
        out.append(
            ProcessMemory(
                int(entry.name), fields.get("Name", "?"), round(kib["VmHWM"] / MB, 1), round(kib["VmRSS"] / MB, 1)
            )
        )
    return tuple(sorted(out, key=lambda p: p.pid))


def server_peak_mb(proc: subprocess.Popen[bytes], processes: tuple[ProcessMemory, ...], mock: bool) -> float | None:
    """Peak RSS of the server: the mock's own process (a forked validator child shares its pages); for Prism the
    sum over its process group (node, started by a script: every process it runs)."""
    if mock:
        own = [p.peak_rss_mb for p in processes if p.pid == proc.pid]
        return own[0] if own else None
    return round(sum(p.peak_rss_mb for p in processes), 1) if processes else None


def wait_up(
    proc: subprocess.Popen[bytes],
    log: Path,
    url: str,
    started: float,
    timeout_s: float,
    accept: Callable[[int], bool],
    headers: dict[str, str],
) -> tuple[float | None, int, str]:
    """(launch → first accepted answer, its status, "") or (None, 0, why not)."""
    deadline = started + timeout_s
    while True:
        if proc.poll() is not None:
            return None, 0, f"exited {proc.returncode}: {last_output_line(log)}"
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return None, 0, f"not up after {timeout_s:.0f} s"
        try:
            status, _, _ = fetch(url, timeout_s=min(remaining, 30.0), headers=headers)
        except (urllib.error.URLError, OSError, http.client.HTTPException):
            status = 0
        if status and accept(status):
            return round(time.perf_counter() - started, 3), status, ""
        time.sleep(POLL_S)


def wait_alone(proc: subprocess.Popen[bytes], timeout_s: float) -> bool:
    """Wait until the server's process group is the server alone (the mock validates in a forked child)."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if len(group_processes(proc.pid)) <= 1:
            return True
        time.sleep(0.2)
    return False


@dataclass
class Launched:
    proc: subprocess.Popen[bytes]
    log: Path
    command: str
    up_s: float | None
    first_status: int
    problem: str
    startup_processes: tuple[ProcessMemory, ...] = ()


def launch_server(
    argv: tuple[str, ...],
    log_name: str,
    poll_url: str,
    timeout_s: float,
    accept: Callable[[int], bool],
    headers: dict[str, str],
) -> Launched:
    """Start a server and wait for its first accepted answer; the caller stops it (stop_server) in a finally."""
    say(f"corpus: $ {shlex.join(argv)}")
    started = time.perf_counter()
    proc, log = start_server(argv, log_name)
    launched = Launched(proc, log, shlex.join(argv), None, 0, "")
    launched.up_s, launched.first_status, launched.problem = wait_up(
        proc, log, poll_url, started, timeout_s, accept, headers
    )
    if launched.up_s is not None:
        launched.startup_processes = group_processes(proc.pid)
    return launched
