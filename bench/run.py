"""`make bench`: the mock's throughput and latency against Prism and two ceilings, its start-up time and memory.

Installs its tools when missing (wrk from Debian, Stoplight Prism 5.16 from npm into bench/.prism),
then starts four servers on free 127.0.0.1 ports (one process each), kept up while they are measured:

    mock       python -m mockserver serve specs/openrouter.yaml --quiet   (dynamic data, every request generated)
    prism      prism mock -d specs/openrouter.yaml                         (dynamic mode, json-schema-faker)
    connexion  bench/ceilings.py connexion: the same Connexion stack, a constant precomputed body
    starlette  bench/ceilings.py starlette: a bare Starlette route, the same constant body

Each server gets one warm-up; then, for R rounds, wrk loads each target in turn with the same load
(the order rotated each round), so a drift in the machine's load touches every target alike. Per target
it reports the median over rounds; ratios are given both from those medians and per round (median and
range), since targets measured within the same round share the machine's state.

Start-up: launch → first answer and memory (peak RSS and RSS at that moment, from /proc) for
`python -m mockserver serve specs` (all bundled specs) and for synthetic specs from bench/large_spec.py
at several scales. Prints a table and writes bench/results/latest.json.

Corpus (`--only-corpus` alone, `make bench-corpus`; `--no-corpus` skips it): for every spec in tests/corpus/
(a .gz one decompressed into a temp dir, as tests/corpus/run.py does), the mock then Prism (`prism mock -d`),
one at a time: launch → first answer (the mock: `GET /` → 200; Prism: the chosen GET, any status), peak RSS
(VmHWM: the mock's own process, Prism's whole process group), and wrk on the first documented GET without
required query/header parameters that the mock answers 2xx (path parameters filled with plausible values; the
mock at `apis[0].base_path` + path, Prism at the path alone: it drops the server URL's base path); only answers
below 400 count as req/s. A server not up within --corpus-timeout is reported, never fatal. Then GitHub's spec
(1,223 operations) against a 1-operation spec holding the same GET with every component it references, same URL,
alternating rounds; and scale 16 of bench/large_spec.py when the start-up section did not time it.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import http.client
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import large_spec  # bench/large_spec.py, beside this script
import yaml

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOGS = RESULTS / "logs"
PRISM_PREFIX = "bench/.prism"  # relative to ROOT, as typed in the npm command
PRISM_SPEC = "@stoplight/prism-cli@5.16"
PRISM_VERSION_PREFIX = "5.16."
PRISM_BIN = ROOT / PRISM_PREFIX / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE = ROOT / PRISM_PREFIX / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
SPEC = "specs/openrouter.yaml"
SPECS_DIR = "specs"
SPEC_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
HOST = "127.0.0.1"
AUTH_NAME, AUTH_VALUE = "Authorization", "Bearer x"
MOCK_PATH = "/openrouter/api/v1/activity"  # /<spec stem><server base path>/activity
PRISM_PATH = "/activity"  # Prism serves the spec's paths without the server URL's base path
TARGET_KEYS = ("mock", "mock-2w", "prism", "connexion", "starlette")
WORKERS = 2  # `serve --workers N` for the mock-2w target: one per core here
RPS_RATIOS = {  # ratio name → (numerator target, denominator target), by req/s
    "mock_over_prism_rps": ("mock", "prism"),
    "mock_over_connexion_rps": ("mock", "connexion"),
    "mock_over_starlette_rps": ("mock", "starlette"),
    "mock_2_workers_over_mock_rps": ("mock-2w", "mock"),
}
RATIO_LABELS = {
    "mock_over_prism_rps": "mock / Prism throughput",
    "mock_over_connexion_rps": "mock / Connexion-ceiling throughput",
    "mock_over_starlette_rps": "mock / Starlette throughput",
    "mock_2_workers_over_mock_rps": f"mock --workers {WORKERS} / mock",
}
CONNECTIONS = 16
THREADS = 2
WRK_TIMEOUT = "10s"  # answers slower than this would count as timeouts, not latencies
READY_TIMEOUT_S = 90.0  # a load target's first 200
STARTUP_TIMEOUT_S = 180.0  # a start-up launch's first answer; longer is recorded as a timeout
POLL_S = 0.02
STOP_TIMEOUT_S = 10.0
BUNDLED_TARGET_S = 1.5
LARGE_TARGET_S, LARGE_TARGET_MB = 3.0, 200.0  # scale 1 of bench/large_spec.py
MB = 1_000_000  # memory is reported in MB of 10^6 bytes


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and where to look."""


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    argv: tuple[str, ...]
    url: str


@dataclass(frozen=True)
class Server:
    """A load target, up and warmed, with the answer it gave to one plain request."""

    target: Target
    proc: subprocess.Popen[bytes]
    log: Path
    ready_s: float
    sample_status: int
    sample_body_bytes: int
    sample_content_type: str


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    requests_per_s: float
    bytes_per_response: float  # headers included
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    socket_errors: int  # connect + read + write + timeouts
    non_2xx_3xx: int


@dataclass(frozen=True)
class Summary:
    """Medians over a target's rounds; errors summed."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    bytes_per_response: float
    errors: int


@dataclass(frozen=True)
class TargetResult:
    key: str
    label: str
    command: str
    url: str
    ready_s: float
    sample_status: int
    sample_body_bytes: int
    sample_content_type: str
    median: Summary
    rounds: tuple[WrkResult, ...]


@dataclass(frozen=True)
class RoundRatio:
    rounds: tuple[float, ...]
    median: float
    min: float
    max: float


@dataclass(frozen=True)
class Launch:
    answered_s: float | None  # launch → first answer below 500; None: none within STARTUP_TIMEOUT_S
    status: int  # of that answer, 0 for none
    peak_rss_mb: float  # VmHWM, read right after the answer (or at the timeout)
    rss_mb: float  # VmRSS, same moment


@dataclass(frozen=True)
class StartupSeries:
    name: str  # "bundled", "x1", "x4", ...
    label: str
    command: str
    request: str
    launches: tuple[Launch, ...]
    answered_s: float | None  # median over launches, a timeout counting as slowest; None: the median timed out
    peak_rss_mb: float  # medians
    rss_mb: float


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    measured: str


# --- tools -------------------------------------------------------------------------------------


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)


def run_checked(argv: list[str], env: dict[str, str] | None = None) -> None:
    say("$ " + shlex.join(argv))
    result = subprocess.run(argv, cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        raise BenchError(f"`{shlex.join(argv)}` exited with {result.returncode}")


def apt_has_candidate(package: str) -> bool:
    out = subprocess.run(["apt-cache", "policy", package], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        if line.strip().startswith("Candidate:"):
            return line.split(":", 1)[1].strip() not in ("", "(none)")
    return False


def ensure_wrk() -> str:
    if shutil.which("wrk"):
        say("wrk already installed")
    else:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if not apt_has_candidate("wrk"):
            run_checked(["apt-get", "update"], env)
        run_checked(["apt-get", "install", "-y", "wrk"], env)
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).splitlines()[0].strip()


def installed_prism_version() -> str | None:
    try:
        version = json.loads(PRISM_PACKAGE.read_text())["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return str(version) if PRISM_BIN.exists() else None


def ensure_prism() -> str:
    version = installed_prism_version()
    if version and version.startswith(PRISM_VERSION_PREFIX):
        say(f"Prism {version} already installed in {PRISM_PREFIX}")
        return version
    if not shutil.which("npm"):
        raise BenchError("npm not found: Prism needs Node.js and npm (apt-get install -y nodejs npm)")
    run_checked(["npm", "install", "--prefix", PRISM_PREFIX, "--no-audit", "--no-fund", PRISM_SPEC])
    version = installed_prism_version()
    if not version:
        raise BenchError(f"npm install succeeded but {PRISM_BIN} is missing")
    return version


def node_version() -> str:
    node = shutil.which("node")
    if not node:
        return "absent"
    return subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()


def nproc() -> int:
    out = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    return int(out) if out.isdigit() else len(os.sched_getaffinity(0))


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def python_cmd() -> str:
    """The interpreter running this script, relative to the repository when inside it (the commands run there)."""
    exe = Path(sys.executable)
    return str(exe.relative_to(ROOT)) if exe.is_relative_to(ROOT) else str(exe)


def serve_argv(spec: str, port: str, *options: str) -> tuple[str, ...]:
    return (python_cmd(), "-m", "mockserver", "serve", spec, "--quiet", "--port", port, *options)


def build_targets() -> list[Target]:
    py = python_cmd()
    ports = {key: str(free_port()) for key in TARGET_KEYS}

    def url(key: str, path: str) -> str:
        return f"http://{HOST}:{ports[key]}{path}"

    return [
        Target("mock", "mock (dynamic)", serve_argv(SPEC, ports["mock"]), url("mock", MOCK_PATH)),
        Target(
            "mock-2w",
            f"mock, --workers {WORKERS}",
            serve_argv(SPEC, ports["mock-2w"], "--workers", str(WORKERS)),
            url("mock-2w", MOCK_PATH),
        ),
        # -v warn: no per-request log line, like the mock's --quiet (Prism logs each request at info).
        Target(
            "prism",
            "Prism 5.16 (-d)",
            (str(PRISM_BIN.relative_to(ROOT)), "mock", "-d", "-h", HOST, "-p", ports["prism"], "-v", "warn", SPEC),
            url("prism", PRISM_PATH),
        ),
        Target(
            "connexion",
            "Connexion, constant body",
            (py, "bench/ceilings.py", "connexion", "--spec", SPEC, "--port", ports["connexion"]),
            url("connexion", MOCK_PATH),
        ),
        Target(
            "starlette",
            "Starlette, constant body",
            (py, "bench/ceilings.py", "starlette", "--spec", SPEC, "--port", ports["starlette"]),
            url("starlette", MOCK_PATH),
        ),
    ]


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


def first_answer(proc: subprocess.Popen[bytes], log: Path, url: str, deadline: float) -> int:
    """Status of the first answer below 500 from `url`, polling until `deadline` (perf_counter); 0 if none came."""
    while (remaining := deadline - time.perf_counter()) > 0:
        if proc.poll() is not None:
            raise BenchError(f"server exited with {proc.returncode} before answering {url}; see {log}")
        try:
            status, _, _ = fetch(url, timeout_s=remaining)  # a server that accepts but is still loading: wait
        except (urllib.error.URLError, OSError):
            status = 0
        if 0 < status < 500:
            return status
        if status:
            raise BenchError(f"{url} answered {status}; see {log}")
        time.sleep(POLL_S)
    return 0


def wait_ready(proc: subprocess.Popen[bytes], log: Path, url: str) -> float:
    """Seconds from now until `url` answers 200; bounded by READY_TIMEOUT_S."""
    started = time.perf_counter()
    status = first_answer(proc, log, url, started + READY_TIMEOUT_S)
    if status == 0:
        raise BenchError(f"{url} did not answer within {READY_TIMEOUT_S:.0f} s; see {log}")
    if status != 200:
        raise BenchError(f"{url} answered {status}, not 200; see {log}")
    return time.perf_counter() - started


# --- wrk ---------------------------------------------------------------------------------------


def wrk_argv(url: str, duration_s: int, headers: tuple[str, ...] = (f"{AUTH_NAME}: {AUTH_VALUE}",)) -> list[str]:
    return [
        "wrk",
        "-t",
        str(THREADS),
        "-c",
        str(CONNECTIONS),
        "-d",
        f"{duration_s}s",
        "--timeout",
        WRK_TIMEOUT,
        "--latency",
        "-s",
        "bench/report.lua",
        *(arg for header in headers for arg in ("-H", header)),
        url,
    ]


def parse_wrk(stdout: str) -> WrkResult:
    line = next((ln for ln in stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if line is None:
        raise BenchError(f"wrk printed no WRK_JSON line:\n{stdout}")
    raw: dict[str, float] = json.loads(line.removeprefix("WRK_JSON "))
    requests = int(raw["requests"])
    duration_s = raw["duration_us"] / 1e6
    return WrkResult(
        requests=requests,
        duration_s=round(duration_s, 3),
        requests_per_s=round(requests / duration_s, 1) if duration_s else 0.0,
        bytes_per_response=round(raw["bytes"] / requests, 1) if requests else 0.0,
        p50_ms=round(raw["p50_us"] / 1000, 3),
        p90_ms=round(raw["p90_us"] / 1000, 3),
        p99_ms=round(raw["p99_us"] / 1000, 3),
        max_ms=round(raw["max_us"] / 1000, 3),
        mean_ms=round(raw["mean_us"] / 1000, 3),
        socket_errors=int(raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]),
        non_2xx_3xx=int(raw["status_errors"]),
    )


def run_wrk(
    url: str, duration_s: int, log_name: str, headers: tuple[str, ...] = (f"{AUTH_NAME}: {AUTH_VALUE}",)
) -> WrkResult:
    argv = wrk_argv(url, duration_s, headers)
    try:
        result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=duration_s + 60, check=False)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"wrk did not finish within {duration_s + 60} s") from exc
    (LOGS / f"{log_name}.txt").write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        raise BenchError(f"wrk exited with {result.returncode}: {result.stderr.strip()}")
    return parse_wrk(result.stdout)


# --- throughput: all servers up, alternating rounds --------------------------------------------


def start_target(target: Target, warmup_s: int, stack: ExitStack) -> Server:
    say(f"{target.label}: $ {shlex.join(target.argv)}")
    proc, log = start_server(target.argv, target.key)
    stack.callback(stop_server, proc)
    try:
        ready_s = wait_ready(proc, log, target.url)
        status, body, content_type = fetch(target.url)
        if warmup_s > 0:
            run_wrk(target.url, warmup_s, f"{target.key}.warmup.wrk")
    except BenchError:
        stop_server(proc)  # not measured: not left running through the rounds
        raise
    say(f"{target.label}: up in {ready_s:.2f} s" + (f", warmed for {warmup_s} s" if warmup_s > 0 else ""))
    return Server(target, proc, log, round(ready_s, 3), status, len(body), content_type)


def start_targets(targets: list[Target], warmup_s: int, stack: ExitStack, failures: dict[str, str]) -> list[Server]:
    servers: list[Server] = []
    for target in targets:
        try:
            servers.append(start_target(target, warmup_s, stack))
        except BenchError as exc:
            failures[target.key] = str(exc)
            say(f"{target.label}: FAILED: {exc}")
    return servers


def rotated(servers: list[Server], by: int) -> list[Server]:
    shift = by % len(servers) if servers else 0
    return servers[shift:] + servers[:shift]


def measure_round(server: Server, round_no: int, duration_s: int) -> WrkResult:
    target = server.target
    if server.proc.poll() is not None:
        raise BenchError(f"server exited with {server.proc.returncode}; see {server.log}")
    result = run_wrk(target.url, duration_s, f"{target.key}.round{round_no}.wrk")
    say(
        f"round {round_no} {target.label}: {result.requests_per_s:.0f} req/s, "
        f"p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms"
    )
    return result


def run_rounds(
    servers: list[Server], rounds: int, duration_s: int, failures: dict[str, str]
) -> dict[str, list[WrkResult]]:
    """Every round loads each live server once; a server failing a round is dropped with its rounds."""
    measured: dict[str, list[WrkResult]] = {s.target.key: [] for s in servers}
    live = list(servers)
    for index in range(rounds):
        for server in rotated(live, index):
            key = server.target.key
            try:
                measured[key].append(measure_round(server, index + 1, duration_s))
            except BenchError as exc:
                failures[key] = f"round {index + 1}: {exc}"
                say(f"{server.target.label}: FAILED: {exc}")
                live.remove(server)
                del measured[key]
    return measured


def summarize(rounds: list[WrkResult]) -> Summary:
    def median(values: Iterator[float]) -> float:
        return round(statistics.median(values), 3)

    return Summary(
        requests_per_s=median(r.requests_per_s for r in rounds),
        p50_ms=median(r.p50_ms for r in rounds),
        p99_ms=median(r.p99_ms for r in rounds),
        bytes_per_response=median(r.bytes_per_response for r in rounds),
        errors=sum(r.socket_errors + r.non_2xx_3xx for r in rounds),
    )


def target_result(server: Server, rounds: list[WrkResult]) -> TargetResult:
    target = server.target
    return TargetResult(
        key=target.key,
        label=target.label,
        command=shlex.join(target.argv),
        url=target.url,
        ready_s=server.ready_s,
        sample_status=server.sample_status,
        sample_body_bytes=server.sample_body_bytes,
        sample_content_type=server.sample_content_type,
        median=summarize(rounds),
        rounds=tuple(rounds),
    )


def measure_throughput(
    targets: list[Target], rounds: int, duration_s: int, warmup_s: int, failures: dict[str, str]
) -> dict[str, TargetResult]:
    with ExitStack() as stack:  # every server started is stopped on the way out, whatever the way
        servers = start_targets(targets, warmup_s, stack, failures)
        measured = run_rounds(servers, rounds, duration_s, failures)
    return {s.target.key: target_result(s, measured[s.target.key]) for s in servers if s.target.key in measured}


def median_ratios(results: dict[str, TargetResult]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, (top, bottom) in RPS_RATIOS.items():
        num, den = results.get(top), results.get(bottom)
        if num and den and den.median.requests_per_s:
            out[name] = round(num.median.requests_per_s / den.median.requests_per_s, 3)
    mock, prism = results.get("mock"), results.get("prism")
    if mock and prism and prism.median.p50_ms:
        out["mock_p99_over_prism_p50"] = round(mock.median.p99_ms / prism.median.p50_ms, 3)
    return out


def round_ratios(results: dict[str, TargetResult]) -> dict[str, RoundRatio]:
    """Each round's req/s of one target over another's in the same round; rounds align (all targets ran all)."""
    out: dict[str, RoundRatio] = {}
    for name, (top, bottom) in RPS_RATIOS.items():
        num, den = results.get(top), results.get(bottom)
        if num is None or den is None:
            continue
        pairs = zip(num.rounds, den.rounds, strict=True)
        values = tuple(round(m.requests_per_s / o.requests_per_s, 3) for m, o in pairs if o.requests_per_s)
        if values:
            out[name] = RoundRatio(values, round(statistics.median(values), 3), min(values), max(values))
    return out


# --- start-up and memory -----------------------------------------------------------------------


def memory_mb(pid: int) -> tuple[float, float]:
    """(peak RSS, RSS) of a live process, in MB."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = int(value.split()[0]) * 1024  # the kernel's "kB" is KiB
    return round(fields["VmHWM"] / MB, 1), round(fields["VmRSS"] / MB, 1)


def launch(argv: tuple[str, ...], url: str, log_name: str) -> Launch:
    """Start the server, poll `url` until its first answer, read its memory, stop it."""
    started = time.perf_counter()
    proc, log = start_server(argv, log_name)
    try:
        status = first_answer(proc, log, url, started + STARTUP_TIMEOUT_S)
        elapsed = time.perf_counter() - started
        peak, rss = memory_mb(proc.pid)
    finally:
        stop_server(proc)
    return Launch(round(elapsed, 3) if status else None, status, peak, rss)


def median_time(values: list[float | None]) -> float | None:
    """Median with a timeout (None) counting as slower than any answer; None when the median is a timeout."""
    middle = statistics.median(math.inf if v is None else v for v in values)
    return None if math.isinf(middle) else round(middle, 3)


def seconds(value: float | None) -> str:
    return f"> {STARTUP_TIMEOUT_S:.0f} s" if value is None else f"{value:.2f} s"


def measure_series(name: str, label: str, spec: str, url_path: str, runs: int) -> StartupSeries:
    launches: list[Launch] = []
    for i in range(runs):
        port = str(free_port())
        result = launch(serve_argv(spec, port), f"http://{HOST}:{port}{url_path}", f"startup-{name}-{i + 1}")
        launches.append(result)
        say(
            f"start-up {name} run {i + 1}: {seconds(result.answered_s)} (status {result.status}), "
            f"peak RSS {result.peak_rss_mb:.1f} MB, RSS {result.rss_mb:.1f} MB"
        )
    return StartupSeries(
        name=name,
        label=label,
        command=shlex.join(serve_argv(spec, "P")),
        request=f"GET {url_path} ({AUTH_NAME}: {AUTH_VALUE}), polled every {POLL_S:g} s; any status < 500",
        launches=tuple(launches),
        answered_s=median_time([x.answered_s for x in launches]),
        peak_rss_mb=round(statistics.median(x.peak_rss_mb for x in launches), 1),
        rss_mb=round(statistics.median(x.rss_mb for x in launches), 1),
    )


def bundled_count() -> int:
    return sum(1 for p in (ROOT / SPECS_DIR).iterdir() if p.suffix in SPEC_SUFFIXES)


def measure_bundled(runs: int) -> StartupSeries:
    """Every bundled spec in one server, timed to its first OpenRouter answer."""
    return measure_series("bundled", f"{bundled_count()} bundled specs ({SPECS_DIR}/)", SPECS_DIR, MOCK_PATH, runs)


def first_get_path(document: dict[str, Any], stem: str) -> str:
    """Where the mock serves the document's first GET operation: /<file stem><servers[0] url path><path>."""
    base = urllib.parse.urlparse(document["servers"][0]["url"]).path.rstrip("/")
    path = next(p for p, item in document["paths"].items() if "get" in item)
    return f"/{stem}{base}{path}"


def measure_scale(scale: int, runs: int, directory: Path) -> StartupSeries:
    spec = directory / f"synthetic-x{scale}.yaml"
    say(f"start-up x{scale}: $ {python_cmd()} bench/large_spec.py {scale} {spec}")
    document = large_spec.write(scale, spec)
    operations = sum(1 for item in document["paths"].values() for method in item if method in HTTP_METHODS)
    schemas = len(document["components"]["schemas"])
    label = f"x{scale}: {operations} ops, {schemas} schemas, {spec.stat().st_size / MB:.1f} MB"
    return measure_series(f"x{scale}", label, str(spec), first_get_path(document, spec.stem), runs)


def measure_scales(scales: list[int], runs_at_1: int, failures: dict[str, str]) -> list[StartupSeries]:
    """Scale 1 is launched `runs_at_1` times, larger ones once (they are slow); a scale failing is recorded."""
    out: list[StartupSeries] = []
    with tempfile.TemporaryDirectory(prefix="mockserver-bench-") as tmp:
        for scale in scales:
            try:
                out.append(measure_scale(scale, runs_at_1 if scale <= 1 else 1, Path(tmp)))
            except BenchError as exc:
                failures[f"startup x{scale}"] = str(exc)
                say(f"start-up x{scale}: FAILED: {exc}")
    return out


def checks(bundled: StartupSeries | None, scales: list[StartupSeries]) -> list[Check]:
    out: list[Check] = []
    if bundled:
        t = bundled.answered_s
        name = f"{bundled.label}: first answer ≤ {BUNDLED_TARGET_S:g} s"
        out.append(Check(name, t is not None and t <= BUNDLED_TARGET_S, seconds(t)))
    x1 = next((s for s in scales if s.name == "x1"), None)
    if x1:
        t = x1.answered_s
        name = f"x1: first answer ≤ {LARGE_TARGET_S:g} s, peak RSS ≤ {LARGE_TARGET_MB:g} MB"
        passed = t is not None and t <= LARGE_TARGET_S and x1.peak_rss_mb <= LARGE_TARGET_MB
        out.append(Check(name, passed, f"{seconds(t)}, {x1.peak_rss_mb:.1f} MB"))
    return out


# --- corpus: real vendors' specs, the mock beside Prism ------------------------------------------

CORPUS_DIR = ROOT / "tests" / "corpus"
CORPUS_TIMEOUT_S = 300.0  # per server: launch → first answer; Prism takes minutes on some large specs
CORPUS_DURATION_S = 4  # wrk seconds per server and spec (and per round of the routing measurement)
CORPUS_WARMUP_S = 1
CORPUS_CANDIDATES = 12  # documented GETs tried on the mock until one answers 2xx
ALONE_TIMEOUT_S = 120.0  # before loading: the mock's forked spec validator (lenient mode) has finished
CORPUS_TOKEN = "bench"
X16_TARGET_S = 20.0
ROUTING_SPEC = "github"  # the corpus spec with the most operations
ROUTING_PATH = "/repos/{owner}/{repo}/license"  # one of its GETs, small response; served alone in a 1-op spec
ROUTING_ROUNDS = 5
ROUTING_TARGET = 0.8
RELAUNCH_UNDER_S = 10.0  # both servers up faster than this: --corpus-launches launches each, the median shown
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
PRISM_LOG_PREFIX = re.compile(r"^\[[^\]]*\] › \[[A-Z]+\] ✖?\s*")  # "[6:08:52 AM] › [CLI] ✖  "
SPEC_HEAD = re.compile(rb'^(openapi|swagger|info|paths|components|servers)\s*:|"(openapi|swagger)"\s*:', re.M)
PATH_PARAM = re.compile(r"\{([^}/]+)\}")


@dataclass(frozen=True)
class CorpusSpec:
    name: str  # file stem without .gz and extension, or the folder's name: the mock mounts it at /<name>
    source: Path  # in tests/corpus (the entry file of a multi-file spec)

    @property
    def options(self) -> tuple[str, ...]:
        """A multi-file spec refers to files across its folder: the mock may read them (`--ref-root`)."""
        folder = CORPUS_DIR / self.name
        return ("--ref-root", relative(folder)) if self.source.is_relative_to(folder) else ()


@dataclass(frozen=True)
class Request:
    """One documented GET, asked of both servers: Prism at `path`, the mock at its mount + `path`."""

    template: str  # as in the spec: /repos/{owner}/{repo}/license
    path: str  # path parameters filled, plus a query string for apiKey-in-query schemes
    headers: tuple[str, ...]


@dataclass(frozen=True)
class ProcessMemory:
    pid: int
    name: str
    peak_rss_mb: float  # VmHWM
    rss_mb: float  # VmRSS


@dataclass(frozen=True)
class ServerRun:
    command: str
    pid: int
    up_s: float | None  # launch → first answer; None: not up (see problem)
    problem: str  # "not up after N s" or "exited N: <its last output line>"; "" when up
    first_status: int  # of the answer that showed it up
    startup_processes: tuple[ProcessMemory, ...]  # its process group at that answer
    startup_peak_rss_mb: float | None  # at that answer (see peak_rss_mb for what is summed)
    peak_rss_mb: float | None  # read just before it was stopped, after the load if there was one
    url: str  # the loaded URL, "" if none
    sample_status: int  # one request before the load
    load: WrkResult | None
    ok_rps: float | None  # answers with status < 400 per second: a 404 is not throughput
    load_problem: str
    launches: tuple[float | None, ...] = ()  # launch → first answer of each launch, the first one above included
    median_up_s: float | None = None  # over the launches, a server not up counting as slowest


@dataclass(frozen=True)
class CorpusRow:
    name: str
    source: str
    version: str
    operations: int
    request: str  # "GET /filled/path" or "" (no GET without required non-path parameters answered 2xx)
    mock: ServerRun
    prism: ServerRun | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class RoutingResult:
    request: str
    full_operations: int
    full_command: str
    one_op_command: str
    full_rounds: tuple[WrkResult, ...]
    one_op_rounds: tuple[WrkResult, ...]
    ratios: tuple[float, ...]  # per round: full spec's req/s over the 1-operation spec's
    ratio: float | None  # median of the rounds
    problem: str


@dataclass(frozen=True)
class CorpusReport:
    rows: list[CorpusRow]
    routing: RoutingResult | None
    x16: StartupSeries | None
    checks: list[Check]
    wall_time_s: float


def looks_like_spec(path: Path) -> bool:
    """A document whose head shows a top-level OpenAPI key (Stripe's begins with `components:`); the corpus
    also holds data files (tests/corpus/defects.yaml)."""
    with gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb") as file:
        head = file.read(8192)
    return SPEC_HEAD.search(head) is not None


def corpus_specs(only: list[str]) -> list[CorpusSpec]:
    """As tests/corpus/run.py finds them: top-level spec files (optionally .gz) and each folder's openapi.*."""
    specs: list[CorpusSpec] = []
    for path in sorted(CORPUS_DIR.iterdir()):
        if path.is_file():
            stem, suffix = os.path.splitext(path.name.removesuffix(".gz"))
            if suffix in SPEC_SUFFIXES and looks_like_spec(path):
                specs.append(CorpusSpec(stem, path))
        elif path.is_dir() and not path.name.startswith((".", "_")):
            entries = sorted(p for p in path.rglob("openapi.*") if p.suffix in SPEC_SUFFIXES)
            if entries:
                specs.append(CorpusSpec(path.name, entries[0]))
    if only:
        unknown = sorted(set(only) - {s.name for s in specs})
        if unknown:
            raise BenchError(f"not in {CORPUS_DIR.relative_to(ROOT)}: {', '.join(unknown)}")
        specs = [s for s in specs if s.name in only]
    return specs


def served_file(spec: CorpusSpec, directory: Path) -> Path:
    """The file both servers read: a .gz spec decompressed into `directory` as <name><ext> (same mount)."""
    if not spec.source.name.endswith(".gz"):
        return spec.source
    target = directory / (spec.name + os.path.splitext(spec.source.name[:-3])[1])
    if not target.exists():
        with gzip.open(spec.source, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    return target


def read_document(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".json":
        loaded = json.loads(text)
    else:
        loaded = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return loaded if isinstance(loaded, dict) else {}


def count_operations(document: dict[str, Any]) -> int:
    paths = document.get("paths") or {}
    return sum(1 for item in paths.values() if isinstance(item, dict) for method in item if method in HTTP_METHODS)


def local(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
    """`node` with a local `$ref` followed (others left as they are)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        if depth > 20:
            return {}
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            part = urllib.parse.unquote(part).replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        node, depth = target, depth + 1
    return node


def credentials(document: dict[str, Any]) -> tuple[tuple[str, ...], str]:
    """Headers and a query string satisfying the spec's security schemes (the mock accepts any value).

    Bearer by default (also what oauth2 / openIdConnect take), Basic when the only HTTP scheme is basic,
    one header per apiKey-in-header scheme, a Cookie for apiKey-in-cookie, a parameter for apiKey-in-query.
    """
    components = document.get("components") or {}
    schemes = components.get("securitySchemes") or document.get("securityDefinitions") or {}
    kinds: set[str] = set()
    headers: list[str] = []
    cookies: list[str] = []
    query: list[str] = []
    for scheme in schemes.values():
        scheme = local(document, scheme)
        if not isinstance(scheme, dict):
            continue
        kind = scheme.get("type")
        if kind == "http":
            kinds.add(str(scheme.get("scheme", "")).lower())
        elif kind in ("oauth2", "openIdConnect"):
            kinds.add("bearer")
        elif kind == "basic":
            kinds.add("basic")
        elif kind == "apiKey":
            where, name = scheme.get("in"), str(scheme.get("name", ""))
            if where == "header" and name.lower() != "authorization":
                headers.append(f"{name}: {CORPUS_TOKEN}")
            elif where == "cookie":
                cookies.append(f"{name}={CORPUS_TOKEN}")
            elif where == "query":
                query.append(urllib.parse.urlencode({name: CORPUS_TOKEN}))
    if "basic" in kinds and "bearer" not in kinds:
        headers.insert(0, "Authorization: Basic YmVuY2g6YmVuY2g=")  # bench:bench
    else:
        headers.insert(0, f"Authorization: Bearer {CORPUS_TOKEN}")
    if cookies:
        headers.append("Cookie: " + "; ".join(cookies))
    return tuple(dict.fromkeys(headers)), "&".join(dict.fromkeys(query))


def plausible(schema: Any) -> str:
    """A path parameter's value: its first enum value, else one its type and format make plausible."""
    if not isinstance(schema, dict):
        return "1"
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return str(schema["enum"][0])
    fmt, kind = schema.get("format"), schema.get("type")
    if fmt == "uuid":
        return "00000000-0000-4000-8000-000000000001"
    if fmt == "date":
        return "2024-01-01"
    if fmt == "date-time":
        return "2024-01-01T00:00:00Z"
    if kind in ("integer", "number"):
        return "1"
    return "1"


def fill_path(template: str, values: dict[str, str]) -> str:
    return PATH_PARAM.sub(lambda m: urllib.parse.quote(values.get(m.group(1), "1"), safe=""), template)


def get_candidates(document: dict[str, Any], credentials_: tuple[tuple[str, ...], str]) -> list[Request]:
    """Documented GETs without required query/header/cookie parameters, those with fewer path parameters first."""
    headers, query = credentials_
    out: list[tuple[int, Request]] = []
    for template, item in (document.get("paths") or {}).items():
        item = local(document, item)
        if not isinstance(item, dict) or not isinstance(item.get("get"), dict):
            continue
        operation = item["get"]
        values: dict[str, str] = {}
        usable = True
        for parameter in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
            parameter = local(document, parameter)
            if not isinstance(parameter, dict):
                continue
            if parameter.get("in") == "path":
                values[str(parameter.get("name"))] = plausible(local(document, parameter.get("schema", parameter)))
            elif parameter.get("required"):
                usable = False
        if not usable:
            continue
        filled = fill_path(str(template), values)
        out.append(
            (
                len(PATH_PARAM.findall(str(template))),
                Request(str(template), filled + (f"?{query}" if query else ""), headers),
            )
        )
    return [request for _, request in sorted(out, key=lambda pair: pair[0])]


def header_dict(headers: tuple[str, ...]) -> dict[str, str]:
    return dict(h.split(": ", 1) for h in headers)


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


def load_server(
    url: str, headers: tuple[str, ...], duration_s: int, log_name: str
) -> tuple[int, WrkResult | None, float | None, str]:
    """(status of one request, wrk's result, 2xx/3xx answers per second, problem)."""
    try:
        status, _, _ = fetch(url, timeout_s=30.0, headers=header_dict(headers))
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        return 0, None, None, f"no answer: {exc}"
    try:
        if CORPUS_WARMUP_S:
            run_wrk(url, CORPUS_WARMUP_S, f"{log_name}.warmup.wrk", headers)
        result = run_wrk(url, duration_s, f"{log_name}.wrk", headers)
    except BenchError as exc:
        return status, None, None, str(exc)
    ok = result.requests - result.non_2xx_3xx
    return status, result, round(ok / result.duration_s, 1) if result.duration_s else 0.0, ""


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


def server_run(
    launched: Launched,
    mock: bool,
    url: str = "",
    sample_status: int = 0,
    load: WrkResult | None = None,
    ok_rps: float | None = None,
    load_problem: str = "",
) -> ServerRun:
    """What was measured of a server; call while it still runs (reads its memory)."""
    final = group_processes(launched.proc.pid) if launched.proc.poll() is None else ()
    startup = launched.startup_processes
    return ServerRun(
        command=launched.command,
        pid=launched.proc.pid,
        up_s=launched.up_s,
        problem=launched.problem,
        first_status=launched.first_status,
        startup_processes=startup,
        startup_peak_rss_mb=server_peak_mb(launched.proc, startup, mock),
        peak_rss_mb=server_peak_mb(launched.proc, final, mock)
        if final
        else server_peak_mb(launched.proc, startup, mock),
        url=url,
        sample_status=sample_status,
        load=load,
        ok_rps=ok_rps,
        load_problem=load_problem,
        launches=(launched.up_s,),
        median_up_s=launched.up_s,
    )


def prism_argv(spec: Path, port: int) -> tuple[str, ...]:
    # -d: dynamic (json-schema-faker), like the mock; --errors stays off (its default); -v warn: no line per request.
    return (str(PRISM_BIN.relative_to(ROOT)), "mock", "-d", "-h", HOST, "-p", str(port), "-v", "warn", str(spec))


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def mock_side(
    spec: CorpusSpec, served: Path, candidates: list[Request], args: argparse.Namespace, notes: list[str]
) -> tuple[ServerRun, Request | None, int | None]:
    """Start the mock, pick the first candidate it answers 2xx, load it; (its run, the request, its operation count)."""
    port = free_port()
    launched = launch_server(
        serve_argv(relative(served), str(port), *spec.options),
        f"corpus-{spec.name}-mock",
        f"http://{HOST}:{port}/",
        args.corpus_timeout,
        lambda status: status == 200,
        {},
    )
    try:
        if launched.up_s is None:
            return server_run(launched, mock=True), None, None
        _, body, _ = fetch(f"http://{HOST}:{port}/", headers={})
        api = (json.loads(body).get("apis") or [{}])[0]
        mount = str(api.get("base_path", f"/{spec.name}")).rstrip("/")
        operations = len(api.get("operations") or []) if "operations" in api else None
        if not wait_alone(launched.proc, ALONE_TIMEOUT_S):
            notes.append(f"mock: its validator child still ran after {ALONE_TIMEOUT_S:.0f} s")
        chosen: Request | None = None
        for candidate in candidates[:CORPUS_CANDIDATES]:
            try:
                status, _, _ = fetch(
                    f"http://{HOST}:{port}{mount}{candidate.path}", 30.0, header_dict(candidate.headers)
                )
            except (urllib.error.URLError, OSError, http.client.HTTPException):
                status = 0
            if 200 <= status < 300:
                chosen = Request(candidate.template, candidate.path, candidate.headers)
                break
        if chosen is None:
            if candidates:
                notes.append(f"mock answered none of the first {min(len(candidates), CORPUS_CANDIDATES)} GETs 2xx")
            return server_run(launched, mock=True), None, operations
        url = f"http://{HOST}:{port}{mount}{chosen.path}"
        status, result, ok_rps, problem = load_server(
            url, chosen.headers, args.corpus_duration, f"corpus-{spec.name}-mock"
        )
        return server_run(launched, True, url, status, result, ok_rps, problem), chosen, operations
    finally:
        stop_server(launched.proc)


def prism_side(spec: CorpusSpec, served: Path, request: Request | None, args: argparse.Namespace) -> ServerRun:
    port = free_port()
    poll = f"http://{HOST}:{port}{request.path if request else '/'}"
    headers = header_dict(request.headers) if request else {}
    launched = launch_server(
        prism_argv(served, port), f"corpus-{spec.name}-prism", poll, args.corpus_timeout, lambda _status: True, headers
    )
    try:
        if launched.up_s is None or request is None:
            return server_run(launched, mock=False)
        status, result, ok_rps, problem = load_server(
            poll, request.headers, args.corpus_duration, f"corpus-{spec.name}-prism"
        )
        return server_run(launched, False, poll, status, result, ok_rps, problem)
    finally:
        stop_server(launched.proc)


def load_notes(who: str, run: ServerRun) -> list[str]:
    notes: list[str] = []
    if run.problem:
        notes.append(f"{who} {run.problem}")
    if run.load_problem:
        notes.append(f"{who} load: {run.load_problem}")
    if run.load and (run.load.non_2xx_3xx or run.load.socket_errors):
        notes.append(
            f"{who}: {run.load.non_2xx_3xx} of {run.load.requests} answers ≥ 400 (sample {run.sample_status}), "
            f"{run.load.socket_errors} socket errors"
        )
    return notes


def corpus_row(spec: CorpusSpec, directory: Path, args: argparse.Namespace) -> CorpusRow:
    served = served_file(spec, directory)
    notes: list[str] = []
    try:
        document = read_document(served)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        document = {}
        notes.append(f"unreadable here: {exc}")
    version = str(document.get("openapi") or (f"swagger {document['swagger']}" if "swagger" in document else "?"))
    candidates = get_candidates(document, credentials(document))
    mock, request, mock_operations = mock_side(spec, served, candidates, args, notes)
    if request is None and candidates and mock.up_s is None:
        request = candidates[0]  # not checked on the mock: Prism still gets a documented GET
    prism = prism_side(spec, served, request, args) if args.corpus_prism else None
    if args.corpus_launches > 1 and quick(mock) and (prism is None or quick(prism)):
        mock, prism = relaunched(spec, served, request, args, mock, prism)
    notes += load_notes("mock", mock) + (load_notes("Prism", prism) if prism else [])
    children = [p for p in mock.startup_processes if p.pid != mock.pid]
    if children:  # the forked spec validator (lenient mode): transient, its pages shared with the server's
        notes.append(
            f"mock's validator child at first answer: {sum(p.peak_rss_mb for p in children):.0f} MB (not counted)"
        )
    if not candidates:
        notes.append("no GET without required query/header parameters")
    operations = count_operations(document) or (mock_operations or 0)
    row = CorpusRow(
        spec.name,
        relative(spec.source),
        version,
        operations,
        f"GET {request.path}" if request else "",
        mock,
        prism,
        tuple(notes),
    )
    say(
        f"corpus {spec.name}: mock {cell_s(mock)} s {cell_mb(mock)} MB {cell_rps(mock)} req/s; "
        + (f"Prism {cell_s(prism)} s {cell_mb(prism)} MB {cell_rps(prism)} req/s" if prism else "Prism skipped")
        + (f"; {row.request}" if row.request else "")
    )
    return row


def quick(run: ServerRun) -> bool:
    return run.up_s is not None and run.up_s < RELAUNCH_UNDER_S


def start_only(
    argv: tuple[str, ...],
    log_name: str,
    url: str,
    accept: Callable[[int], bool],
    headers: dict[str, str],
    timeout_s: float,
) -> float | None:
    launched = launch_server(argv, log_name, url, timeout_s, accept, headers)
    try:
        return launched.up_s
    finally:
        stop_server(launched.proc)


def relaunched(
    spec: CorpusSpec,
    served: Path,
    request: Request | None,
    args: argparse.Namespace,
    mock: ServerRun,
    prism: ServerRun | None,
) -> tuple[ServerRun, ServerRun | None]:
    """More start-ups of both servers (alternating; no load): short start-ups are the noisiest."""
    mock_times: list[float | None] = [mock.up_s]
    prism_times: list[float | None] = [prism.up_s] if prism else []
    for index in range(2, args.corpus_launches + 1):
        port = free_port()
        mock_times.append(
            start_only(
                serve_argv(relative(served), str(port), *spec.options),
                f"corpus-{spec.name}-mock-{index}",
                f"http://{HOST}:{port}/",
                lambda status: status == 200,
                {},
                args.corpus_timeout,
            )
        )
        if prism:
            port = free_port()
            prism_times.append(
                start_only(
                    prism_argv(served, port),
                    f"corpus-{spec.name}-prism-{index}",
                    f"http://{HOST}:{port}{request.path if request else '/'}",
                    lambda _status: True,
                    header_dict(request.headers) if request else {},
                    args.corpus_timeout,
                )
            )
    mock = dataclasses.replace(mock, launches=tuple(mock_times), median_up_s=median_time(mock_times))
    if prism:
        prism = dataclasses.replace(prism, launches=tuple(prism_times), median_up_s=median_time(prism_times))
    return mock, prism


def components_closure(document: dict[str, Any], roots: Any) -> dict[str, dict[str, Any]]:
    """The components reachable through local $refs from `roots`, plus every security scheme."""
    components = document.get("components") or {}
    kept: dict[str, dict[str, Any]] = {}
    pending = [roots]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/"):
                kind, name = (p.replace("~1", "/").replace("~0", "~") for p in ref.split("/")[2:4])
                if name not in kept.setdefault(kind, {}) and name in (components.get(kind) or {}):
                    kept[kind][name] = components[kind][name]
                    pending.append(components[kind][name])
            pending.extend(v for k, v in node.items() if k != "$ref")
    if "securitySchemes" in components:
        kept["securitySchemes"] = components["securitySchemes"]
    return kept


def one_operation_spec(document: dict[str, Any], template: str) -> dict[str, Any]:
    """The document with a single GET: same servers, same path, its parameters and responses with every
    component they reference (so the same response schema)."""
    item = document["paths"][template]
    kept_item = {k: v for k, v in item.items() if k == "get" or k == "parameters"}
    out = {k: v for k, v in document.items() if k not in ("paths", "components", "webhooks", "x-webhooks", "tags")}
    out["paths"] = {template: kept_item}
    out["components"] = components_closure(document, [kept_item, document.get("security")])
    return out


def measure_routing(directory: Path, args: argparse.Namespace) -> RoutingResult:
    """The mock serving GitHub's 1,223 operations vs the same GET alone in a 1-operation spec; same URL."""
    spec = next(iter(corpus_specs([ROUTING_SPEC])))
    full = served_file(spec, directory)
    document = read_document(full)
    one_dir = directory / "one-operation"
    one_dir.mkdir(exist_ok=True)
    one = one_dir / full.name  # same file stem: the same mount, the same URL
    one.write_text(json.dumps(one_operation_spec(document, ROUTING_PATH)))
    request = next(c for c in get_candidates(document, credentials(document)) if c.template == ROUTING_PATH)
    empty: tuple[WrkResult, ...] = ()
    launched: list[Launched] = []
    try:
        urls = []
        for label, path in (("full", full), ("one-op", one)):
            port = free_port()
            server = launch_server(
                serve_argv(relative(path), str(port)),
                f"routing-{label}",
                f"http://{HOST}:{port}/",
                args.corpus_timeout,
                lambda status: status == 200,
                {},
            )
            launched.append(server)
            if server.up_s is None:
                raise BenchError(f"{label} mock: {server.problem}")
            _, body, _ = fetch(f"http://{HOST}:{port}/", headers={})
            mount = str(json.loads(body)["apis"][0]["base_path"]).rstrip("/")
            urls.append(f"http://{HOST}:{port}{mount}{request.path}")
        for server in launched:
            wait_alone(server.proc, ALONE_TIMEOUT_S)
        for label, url in zip(("full", "one-op"), urls, strict=True):
            status, _, _ = fetch(url, 30.0, header_dict(request.headers))
            if not 200 <= status < 300:
                raise BenchError(f"{label} mock answered {url} with {status}")
            run_wrk(url, CORPUS_WARMUP_S, f"routing-{label}.warmup.wrk", request.headers)
        rounds: dict[str, list[WrkResult]] = {"full": [], "one-op": []}
        for index in range(ROUTING_ROUNDS):
            order = [("full", urls[0]), ("one-op", urls[1])]
            for label, url in order if index % 2 == 0 else order[::-1]:
                result = run_wrk(url, args.corpus_duration, f"routing-{label}.round{index + 1}.wrk", request.headers)
                if result.non_2xx_3xx or result.socket_errors:
                    raise BenchError(
                        f"{label} mock: {result.non_2xx_3xx} answers ≥ 400, {result.socket_errors} socket errors"
                    )
                rounds[label].append(result)
                say(f"routing round {index + 1} {label}: {result.requests_per_s:.0f} req/s")
        ratios = tuple(
            round(f.requests_per_s / o.requests_per_s, 3) for f, o in zip(rounds["full"], rounds["one-op"], strict=True)
        )
        return RoutingResult(
            f"GET {request.path}",
            count_operations(document),
            launched[0].command,
            launched[1].command,
            tuple(rounds["full"]),
            tuple(rounds["one-op"]),
            ratios,
            round(statistics.median(ratios), 3),
            "",
        )
    except BenchError as exc:
        say(f"routing: FAILED: {exc}")
        commands = [s.command for s in launched] + ["", ""]
        return RoutingResult(
            f"GET {request.path}",
            count_operations(document),
            commands[0],
            commands[1],
            empty,
            empty,
            (),
            None,
            str(exc),
        )
    finally:
        for server in launched:
            stop_server(server.proc)


def corpus_checks(rows: list[CorpusRow], routing: RoutingResult | None, x16: StartupSeries | None) -> list[Check]:
    out: list[Check] = []
    for row in rows:
        prism, mock = row.prism, row.mock
        if prism is None or prism.median_up_s is None:
            continue
        passed = mock.median_up_s is not None and mock.median_up_s <= prism.median_up_s
        out.append(
            Check(f"corpus {row.name}: mock start-up ≤ Prism's", passed, f"{cell_s(mock)} s vs {cell_s(prism)} s")
        )
        passed = (
            mock.peak_rss_mb is not None and prism.peak_rss_mb is not None and mock.peak_rss_mb <= prism.peak_rss_mb
        )
        out.append(
            Check(f"corpus {row.name}: mock peak RSS ≤ Prism's", passed, f"{cell_mb(mock)} MB vs {cell_mb(prism)} MB")
        )
    if x16:
        t = x16.answered_s
        out.append(
            Check(f"{x16.label}: first answer ≤ {X16_TARGET_S:g} s", t is not None and t <= X16_TARGET_S, seconds(t))
        )
    if routing:
        r = routing.ratio
        measured = (
            f"{r:.2f} (rounds {', '.join(f'{x:.2f}' for x in routing.ratios)})" if r is not None else routing.problem
        )
        out.append(
            Check(
                f"routing: {ROUTING_SPEC} ({routing.full_operations} ops) / 1-op req/s ≥ {ROUTING_TARGET:g}",
                r is not None and r >= ROUTING_TARGET,
                measured,
            )
        )
    return out


def measure_corpus(args: argparse.Namespace, series: list[StartupSeries]) -> CorpusReport:
    clock = time.perf_counter()
    specs = corpus_specs(args.corpus_only)
    rows: list[CorpusRow] = []
    with tempfile.TemporaryDirectory(prefix="mockserver-bench-corpus-") as tmp:
        for spec in specs:
            rows.append(corpus_row(spec, Path(tmp), args))
        routing = measure_routing(Path(tmp), args) if args.corpus_routing else None
        x16 = next((s for s in series if s.name == "x16"), None)
        if x16 is None and args.corpus_x16:
            try:
                x16 = measure_scale(16, 1, Path(tmp))
            except BenchError as exc:
                say(f"start-up x16: FAILED: {exc}")
    return CorpusReport(rows, routing, x16, corpus_checks(rows, routing, x16), round(time.perf_counter() - clock, 1))


def cell_s(run: ServerRun | None) -> str:
    if run is None:
        return "—"
    if run.median_up_s is not None:
        return f"{run.median_up_s:.2f}"
    return "not up" if run.problem.startswith("not up") else "exited"


def cell_mb(run: ServerRun | None) -> str:
    return "—" if run is None or run.peak_rss_mb is None else f"{run.peak_rss_mb:.0f}"


def cell_rps(run: ServerRun | None) -> str:
    return "—" if run is None or run.ok_rps is None else f"{run.ok_rps:.0f}"


def corpus_table(report: CorpusReport, args: argparse.Namespace) -> list[str]:
    header = (
        f"{'spec':24} {'ops':>5} {'mock start s':>12} {'Prism start s':>13} {'mock RSS MB':>11} {'Prism RSS MB':>12} "
        f"{'mock req/s':>10} {'Prism req/s':>11}  notes"
    )
    lines = [header, "-" * len(header)]
    for row in report.rows:
        notes = "; ".join(([row.request] if row.request else []) + list(row.notes))
        lines.append(
            f"{row.name:24} {row.operations:5d} {cell_s(row.mock):>12} {cell_s(row.prism):>13} {cell_mb(row.mock):>11} "
            f"{cell_mb(row.prism):>12} {cell_rps(row.mock):>10} {cell_rps(row.prism):>11}  {notes}"
        )
    lines.append(
        f"start: launch → first answer (mock: GET / → 200; Prism: the request, any status), median of "
        f"{args.corpus_launches} launches when both were up within {RELAUNCH_UNDER_S:g} s, else one. "
        "RSS: peak (VmHWM), read before stopping (the mock's own process; Prism: its process group). "
        "req/s: answers < 400 per second, wrk -t2 -c16, one run per server after a 1 s warm-up."
    )
    if report.routing:
        r = report.routing
        lines.append("")
        if r.ratio is None:
            lines.append(f"routing {r.request}: FAILED: {r.problem}")
        else:
            full = " / ".join(f"{w.requests_per_s:.0f}" for w in r.full_rounds)
            one = " / ".join(f"{w.requests_per_s:.0f}" for w in r.one_op_rounds)
            lines.append(
                f"routing {r.request}: {ROUTING_SPEC} ({r.full_operations} ops) {full} req/s; 1-op spec {one} req/s"
            )
            lines.append(f"  ratio per round {', '.join(f'{x:.2f}' for x in r.ratios)}; median {r.ratio:.2f}")
    if report.x16:
        lines.append(
            f"{report.x16.label}: first answer {seconds(report.x16.answered_s)}, peak RSS {report.x16.peak_rss_mb:.1f} MB"
        )
    lines.append("")
    lines.extend(f"{'PASS' if c.passed else 'FAIL'}  target {c.name}: {c.measured}" for c in report.checks)
    lines.append(f"corpus section: {report.wall_time_s:.0f} s")
    return lines


# --- report ------------------------------------------------------------------------------------


def load_table(results: dict[str, TargetResult]) -> list[str]:
    header = f"{'target':26} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'bytes/resp':>10} {'errors':>7}   req/s by round"
    lines = [header, "-" * len(header)]
    for r in results.values():
        m = r.median
        by_round = " / ".join(f"{w.requests_per_s:.0f}" for w in r.rounds)
        lines.append(
            f"{r.label:26} {m.requests_per_s:9.1f} {m.p50_ms:8.2f} {m.p99_ms:8.2f} "
            f"{m.bytes_per_response:10.0f} {m.errors:7d}   {by_round}"
        )
    return lines


def ratio_table(
    results: dict[str, TargetResult], medians: dict[str, float], rounds: dict[str, RoundRatio]
) -> list[str]:
    lines = [f"{'ratio':38} {'of medians':>10}   per round: median [min-max]"]
    for key, label in RATIO_LABELS.items():
        if key in medians:
            per_round = rounds.get(key)
            spread = f"{per_round.median:.2f}x [{per_round.min:.2f}-{per_round.max:.2f}]" if per_round else ""
            lines.append(f"{label:38} {medians[key]:9.2f}x   {spread}")
    mock, prism = results.get("mock"), results.get("prism")
    if mock and prism and "mock_p99_over_prism_p50" in medians:
        lines.append(
            f"{'mock p99 vs Prism p50 (medians)':38} {mock.median.p99_ms:.2f} ms vs {prism.median.p50_ms:.2f} ms "
            f"({medians['mock_p99_over_prism_p50']:.2f}x)"
        )
    return lines


def startup_table(series: list[StartupSeries], passes: list[Check]) -> list[str]:
    header = f"{'start-up: launch → first answer':46} {'runs':>4} {'time':>9} {'peak RSS':>10} {'RSS':>10}"
    lines = [header, "-" * len(header)]
    for s in series:
        runs = ", ".join(seconds(x.answered_s) for x in s.launches)
        lines.append(
            f"{s.label:46} {len(s.launches):4d} {seconds(s.answered_s):>9} "
            f"{s.peak_rss_mb:7.1f} MB {s.rss_mb:7.1f} MB   ({runs})"
        )
    lines.extend(f"{'PASS' if c.passed else 'FAIL'}  target {c.name}: {c.measured}" for c in passes)
    return lines


def table(
    results: dict[str, TargetResult],
    medians: dict[str, float],
    rounds: dict[str, RoundRatio],
    series: list[StartupSeries],
    passes: list[Check],
) -> str:
    lines = [*load_table(results), "", *ratio_table(results, medians, rounds)]
    if series:
        lines += ["", *startup_table(series, passes)]
    return "\n".join(lines)


def write_json(document: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "latest.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def reproduce_command(args: argparse.Namespace) -> str:
    argv = [python_cmd(), "bench/run.py", "--rounds", str(args.rounds), "--duration", str(args.duration)]
    argv += ["--warmup", str(args.warmup), "--startup-runs", str(args.startup_runs)]
    argv += ["--scales", *(str(s) for s in args.scales)]
    if args.only:
        argv += ["--only", *args.only]
    if args.only_corpus:
        argv = [python_cmd(), "bench/run.py", "--only-corpus"]
    if args.only_corpus or args.corpus:
        argv += ["--corpus-duration", str(args.corpus_duration), "--corpus-timeout", f"{args.corpus_timeout:g}"]
        argv += ["--corpus-launches", str(args.corpus_launches)]
        argv += [arg for name in args.corpus_only for arg in ("--corpus-only", name)]
        argv += [] if args.corpus_prism else ["--no-corpus-prism"]
        argv += [] if args.corpus_routing else ["--no-corpus-routing"]
        argv += [] if args.corpus_x16 else ["--no-corpus-x16"]
    else:
        argv += ["--no-corpus"]
    return f"cd {shlex.quote(str(ROOT))} && {shlex.join(argv)}"


# --- main --------------------------------------------------------------------------------------


def count(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the mock against Prism and Connexion/Starlette ceilings.")
    parser.add_argument("--rounds", type=count(1), default=3, help="alternating rounds over the targets (default 3)")
    parser.add_argument("--duration", type=count(1), default=8, help="seconds of load per target per round (default 8)")
    parser.add_argument("--warmup", type=count(0), default=2, help="seconds of discarded load per server (default 2)")
    parser.add_argument(
        "--startup-runs", type=count(0), default=3, help="launches of the bundled specs and of scale 1 (default 3)"
    )
    parser.add_argument(
        "--scales",
        type=count(1),
        nargs="*",
        default=[1, 4, 16],
        help="bench/large_spec.py scales to time and weigh (default 1 4 16; none: skip)",
    )
    parser.add_argument("--only", nargs="*", choices=TARGET_KEYS, help="a subset of the load targets")
    corpus = parser.add_argument_group("corpus section: the mock beside Prism on the specs in tests/corpus/")
    corpus.add_argument(
        "--corpus", action=argparse.BooleanOptionalAction, default=True, help="run the corpus section (default: yes)"
    )
    corpus.add_argument("--only-corpus", action="store_true", help="the corpus section alone")
    corpus.add_argument(
        "--corpus-only", action="append", default=[], metavar="NAME", help="this corpus spec only (repeatable)"
    )
    corpus.add_argument(
        "--corpus-duration",
        type=count(1),
        default=CORPUS_DURATION_S,
        help=f"seconds of wrk load per server and spec, and per routing round (default {CORPUS_DURATION_S})",
    )
    corpus.add_argument(
        "--corpus-launches",
        type=count(1),
        default=3,
        help=f"start-ups per server when both came up within {RELAUNCH_UNDER_S:g} s, median shown (default 3)",
    )
    corpus.add_argument(
        "--corpus-timeout",
        type=float,
        default=CORPUS_TIMEOUT_S,
        metavar="SECONDS",
        help=f"per server: launch → first answer, else 'not up' (default {CORPUS_TIMEOUT_S:g})",
    )
    corpus.add_argument(
        "--corpus-prism",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Prism beside the mock (default: yes)",
    )
    corpus.add_argument(
        "--corpus-routing",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"{ROUTING_SPEC} vs a 1-operation spec, same GET (default: yes)",
    )
    corpus.add_argument(
        "--corpus-x16",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="time scale 16 of bench/large_spec.py when the start-up section did not (default: yes)",
    )
    return parser.parse_args(argv)


def terminate(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C: every server started is stopped


@dataclass(frozen=True)
class Run:
    started: datetime
    wall_time_s: float
    loadavg_start: list[float]
    loadavg_end: list[float]
    wrk_version: str
    prism_version: str | None
    results: dict[str, TargetResult]
    series: list[StartupSeries]
    failures: dict[str, str]
    corpus: CorpusReport | None

    @property
    def bundled(self) -> StartupSeries | None:
        return next((s for s in self.series if s.name == "bundled"), None)

    @property
    def checks(self) -> list[Check]:
        return checks(self.bundled, [s for s in self.series if s.name != "bundled"])


def measure_bundled_or_record(runs: int, failures: dict[str, str]) -> list[StartupSeries]:
    if runs <= 0:
        return []
    try:
        return [measure_bundled(runs)]
    except BenchError as exc:
        failures["startup bundled"] = str(exc)
        say(f"start-up bundled: FAILED: {exc}")
        return []


def bench(args: argparse.Namespace) -> Run:
    started, clock, load_start = datetime.now(UTC), time.perf_counter(), loadavg()
    wanted = set() if args.only_corpus else set(args.only or TARGET_KEYS)
    with_corpus = args.only_corpus or args.corpus
    if with_corpus:
        corpus_specs(args.corpus_only)  # an unknown name fails now, not after the other sections
    wrk_version = ensure_wrk()
    needs_prism = "prism" in wanted or (with_corpus and args.corpus_prism)
    prism_version = ensure_prism() if needs_prism else installed_prism_version()
    failures: dict[str, str] = {}
    targets = [t for t in build_targets() if t.key in wanted]
    results = measure_throughput(targets, args.rounds, args.duration, args.warmup, failures) if targets else {}
    series: list[StartupSeries] = []
    if not args.only_corpus:
        series += measure_bundled_or_record(args.startup_runs, failures)
        series += measure_scales(args.scales, max(args.startup_runs, 1), failures)
    corpus = measure_corpus(args, series) if with_corpus else None
    return Run(
        started=started,
        wall_time_s=round(time.perf_counter() - clock, 1),
        loadavg_start=load_start,
        loadavg_end=loadavg(),
        wrk_version=wrk_version,
        prism_version=prism_version,
        results=results,
        series=series,
        failures=failures,
        corpus=corpus,
    )


def document(run: Run, args: argparse.Namespace) -> dict[str, Any]:
    return {
        "date": run.started.isoformat(timespec="seconds"),
        "wall_time_s": run.wall_time_s,
        "reproduce": reproduce_command(args),
        "machine": {
            "nproc": nproc(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "node": node_version(),
            "wrk": run.wrk_version,
            "prism": run.prism_version,
            "loadavg_start": run.loadavg_start,
            "loadavg_end": run.loadavg_end,
        },
        "load": {
            "connections": CONNECTIONS,
            "threads": THREADS,
            "rounds": args.rounds,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "host": HOST,
            "note": (
                "all servers up at once, one process each, sharing this machine's cores with wrk; one warm-up "
                "per server, then each round loads every target in turn, the order rotated by one each round"
            ),
        },
        "commands": {
            "wrk": shlex.join(wrk_argv("URL", args.duration)),
            "servers": {r.key: r.command for r in run.results.values()},
            "large_spec": f"{python_cmd()} bench/large_spec.py SCALE synthetic-xSCALE.yaml",
        },
        "targets": {key: asdict(r) for key, r in run.results.items()},
        "ratios": {
            "of_medians": median_ratios(run.results),
            "per_round": {key: asdict(r) for key, r in round_ratios(run.results).items()},
        },
        "startup": {
            "timeout_s": STARTUP_TIMEOUT_S,
            "memory": "MB = 10^6 bytes; peak RSS is VmHWM, RSS is VmRSS, both read right after the first answer",
            "series": [asdict(s) for s in run.series],
            "checks": [asdict(c) for c in run.checks],
        },
        "corpus": corpus_document(run.corpus, args) if run.corpus else None,
        "failures": run.failures,
    }


def corpus_document(report: CorpusReport, args: argparse.Namespace) -> dict[str, Any]:
    return {
        "wall_time_s": report.wall_time_s,
        "timeout_s": args.corpus_timeout,
        "duration_s": args.corpus_duration,
        "warmup_s": CORPUS_WARMUP_S,
        "note": (
            "per spec: the mock alone (launch → GET / 200, then the first documented GET without required "
            "query/header parameters that it answers 2xx, path parameters filled, loaded with wrk), stopped; then "
            "Prism alone on the same file (launch → any answer to that GET, loaded the same way, path without the "
            "mock's mount). Peak RSS: VmHWM before stopping; the mock's own process, Prism's whole process group. "
            "ok_rps counts answers with status < 400 only."
        ),
        "rows": [asdict(row) for row in report.rows],
        "routing": asdict(report.routing) if report.routing else None,
        "x16": asdict(report.x16) if report.x16 else None,
        "checks": [asdict(c) for c in report.checks],
    }


def print_report(run: Run, args: argparse.Namespace, path: Path) -> None:
    print()
    if args.only_corpus:
        print(f"mockserver bench, corpus section only — {run.started.isoformat(timespec='seconds')}, nproc={nproc()}")
    else:
        print(
            f"mockserver bench — {run.started.isoformat(timespec='seconds')}, nproc={nproc()}, "
            f"wrk -t{THREADS} -c{CONNECTIONS} -d{args.duration}s, {args.rounds} rounds alternating over the targets "
            f"(medians shown), " + (f"after a {args.warmup}s warm-up per server" if args.warmup else "no warm-up")
        )
    if run.results or run.series:
        print(table(run.results, median_ratios(run.results), round_ratios(run.results), run.series, run.checks))
    if run.corpus:
        print("\ncorpus: the mock beside Prism 5.16 on tests/corpus/")
        print("\n".join(corpus_table(run.corpus, args)))
    print(f"\nwritten to {path.relative_to(ROOT)}; server and wrk output in {LOGS.relative_to(ROOT)}/")
    for key, message in run.failures.items():
        print(f"FAILED {key}: {message}")
    print(f"wall time {run.wall_time_s:.0f} s; reproduce with: {reproduce_command(args)}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, terminate)
    try:
        run = bench(args)
    except BenchError as exc:
        say(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        say("interrupted; every server it started is stopped")
        return 130
    print_report(run, args, write_json(document(run, args)))
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
