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
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
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


def fetch(url: str, timeout_s: float = 5.0) -> tuple[int, bytes, str]:
    request = urllib.request.Request(url, headers={AUTH_NAME: AUTH_VALUE})
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


def wrk_argv(url: str, duration_s: int) -> list[str]:
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
        "-H",
        f"{AUTH_NAME}: {AUTH_VALUE}",
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


def run_wrk(url: str, duration_s: int, log_name: str) -> WrkResult:
    argv = wrk_argv(url, duration_s)
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
    wanted = set(args.only or TARGET_KEYS)
    wrk_version = ensure_wrk()
    prism_version = ensure_prism() if "prism" in wanted else installed_prism_version()
    failures: dict[str, str] = {}
    targets = [t for t in build_targets() if t.key in wanted]
    results = measure_throughput(targets, args.rounds, args.duration, args.warmup, failures)
    series = measure_bundled_or_record(args.startup_runs, failures)
    series += measure_scales(args.scales, max(args.startup_runs, 1), failures)
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
        "failures": run.failures,
    }


def print_report(run: Run, args: argparse.Namespace, path: Path) -> None:
    print()
    print(
        f"mockserver bench — {run.started.isoformat(timespec='seconds')}, nproc={nproc()}, "
        f"wrk -t{THREADS} -c{CONNECTIONS} -d{args.duration}s, {args.rounds} rounds alternating over the targets "
        f"(medians shown), " + (f"after a {args.warmup}s warm-up per server" if args.warmup else "no warm-up")
    )
    print(table(run.results, median_ratios(run.results), round_ratios(run.results), run.series, run.checks))
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
