"""`make bench`: the mock's throughput and latency against Prism and two ceilings, and its start-up time.

Installs its tools when missing (wrk from Debian, Stoplight Prism 5.16 from npm into bench/.prism),
then, one server at a time on 127.0.0.1 (one process each), runs wrk with the same load against:

    mock       python -m mockserver serve specs/openrouter.yaml --quiet   (dynamic data, every request generated)
    prism      prism mock -d specs/openrouter.yaml                         (dynamic mode, json-schema-faker)
    connexion  bench/ceilings.py connexion: the same Connexion stack, a constant precomputed body
    starlette  bench/ceilings.py starlette: a bare Starlette route, the same constant body

and times `python -m mockserver serve specs --quiet` (all bundled specs) from launch to its first
OpenRouter answer. Prints a table and writes bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOGS = RESULTS / "logs"
PRISM_PREFIX = "bench/.prism"  # relative to ROOT, as typed in the npm command
PRISM_SPEC = "@stoplight/prism-cli@5.16"
PRISM_VERSION_PREFIX = "5.16."
PRISM_BIN = ROOT / PRISM_PREFIX / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE = ROOT / PRISM_PREFIX / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
SPEC = "specs/openrouter.yaml"
HOST = "127.0.0.1"
AUTH_NAME, AUTH_VALUE = "Authorization", "Bearer x"
MOCK_PATH = "/openrouter/api/v1/activity"  # /<spec stem><server base path>/activity
PRISM_PATH = "/activity"  # Prism serves the spec's paths without the server URL's base path
CONNECTIONS = 16
THREADS = 2
WRK_TIMEOUT = "10s"  # answers slower than this would count as timeouts, not latencies
READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 10.0


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and where to look."""


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    argv: tuple[str, ...]
    url: str


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
class TargetResult:
    key: str
    label: str
    command: str
    url: str
    ready_s: float
    sample_status: int
    sample_body_bytes: int
    sample_content_type: str
    wrk: WrkResult


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


def build_targets() -> list[Target]:
    py = python_cmd()
    ports = {key: free_port() for key in ("mock", "prism", "connexion", "starlette")}

    def url(key: str, path: str) -> str:
        return f"http://{HOST}:{ports[key]}{path}"

    return [
        Target(
            "mock",
            "mock (dynamic)",
            (py, "-m", "mockserver", "serve", SPEC, "--quiet", "--port", str(ports["mock"])),
            url("mock", MOCK_PATH),
        ),
        # -v warn: no per-request log line, like the mock's --quiet (Prism logs each request at info).
        Target(
            "prism",
            "Prism 5.16 (-d)",
            (str(PRISM_BIN.relative_to(ROOT)), "mock", "-d", "-h", HOST, "-p", str(ports["prism"]), "-v", "warn", SPEC),
            url("prism", PRISM_PATH),
        ),
        Target(
            "connexion",
            "Connexion, constant body",
            (py, "bench/ceilings.py", "connexion", "--spec", SPEC, "--port", str(ports["connexion"])),
            url("connexion", MOCK_PATH),
        ),
        Target(
            "starlette",
            "Starlette, constant body",
            (py, "bench/ceilings.py", "starlette", "--spec", SPEC, "--port", str(ports["starlette"])),
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


def wait_ready(proc: subprocess.Popen[bytes], log: Path, url: str, interval_s: float) -> float:
    """Seconds from now until `url` answers 200; bounded by READY_TIMEOUT_S."""
    started = time.perf_counter()
    deadline = started + READY_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            raise BenchError(f"server exited with {proc.returncode} before answering {url}; see {log}")
        try:
            status, _, _ = fetch(url, timeout_s=2.0)
        except (urllib.error.URLError, OSError):
            status = 0
        if status == 200:
            return time.perf_counter() - started
        if status:
            raise BenchError(f"{url} answered {status}, not 200; see {log}")
        if time.perf_counter() > deadline:
            raise BenchError(f"{url} did not answer within {READY_TIMEOUT_S:.0f} s; see {log}")
        time.sleep(interval_s)


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
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=duration_s + 60, check=False)
    (LOGS / f"{log_name}.txt").write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        raise BenchError(f"wrk exited with {result.returncode}: {result.stderr.strip()}")
    return parse_wrk(result.stdout)


# --- measurements ------------------------------------------------------------------------------


def measure(target: Target, duration_s: int, warmup_s: int) -> TargetResult:
    say(f"{target.label}: $ {shlex.join(target.argv)}")
    proc, log = start_server(target.argv, target.key)
    try:
        ready_s = wait_ready(proc, log, target.url, interval_s=0.1)
        status, body, content_type = fetch(target.url)
        if warmup_s > 0:
            run_wrk(target.url, warmup_s, f"{target.key}.warmup.wrk")
        result = run_wrk(target.url, duration_s, f"{target.key}.wrk")
    finally:
        stop_server(proc)
    say(f"{target.label}: {result.requests_per_s:.0f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms")
    return TargetResult(
        key=target.key,
        label=target.label,
        command=shlex.join(target.argv),
        url=target.url,
        ready_s=round(ready_s, 3),
        sample_status=status,
        sample_body_bytes=len(body),
        sample_content_type=content_type,
        wrk=result,
    )


def startup_argv(port: int) -> tuple[str, ...]:
    return (python_cmd(), "-m", "mockserver", "serve", "specs", "--quiet", "--port", str(port))


def measure_startup(runs: int) -> dict[str, Any]:
    """Launch → first 200 on the OpenRouter operation, for the server with every bundled spec."""
    times: list[float] = []
    for i in range(runs):
        port = free_port()
        argv = startup_argv(port)
        started = time.perf_counter()
        proc, log = start_server(argv, f"startup-{i + 1}")
        try:
            wait_ready(proc, log, f"http://{HOST}:{port}{MOCK_PATH}", interval_s=0.01)
            times.append(round(time.perf_counter() - started, 3))
        finally:
            stop_server(proc)
        say(f"start-up run {i + 1}: {times[-1]:.2f} s")
    return {
        "command": shlex.join(startup_argv(0)).replace("--port 0", "--port P"),
        "request": f"GET {MOCK_PATH} ({AUTH_NAME}: {AUTH_VALUE})",
        "runs_s": times,
        "median_s": round(statistics.median(times), 3),
    }


def ratios(results: dict[str, TargetResult]) -> dict[str, float]:
    out: dict[str, float] = {}
    mock = results.get("mock")
    if mock is None:
        return out
    for key, name in (("prism", "mock_over_prism_rps"), ("connexion", "mock_over_connexion_rps")):
        other = results.get(key)
        if other and other.wrk.requests_per_s:
            out[name] = round(mock.wrk.requests_per_s / other.wrk.requests_per_s, 3)
    starlette = results.get("starlette")
    if starlette and starlette.wrk.requests_per_s:
        out["mock_over_starlette_rps"] = round(mock.wrk.requests_per_s / starlette.wrk.requests_per_s, 3)
    prism = results.get("prism")
    if prism and prism.wrk.p50_ms:
        out["mock_p99_over_prism_p50"] = round(mock.wrk.p99_ms / prism.wrk.p50_ms, 3)
    return out


# --- report ------------------------------------------------------------------------------------


def table(results: dict[str, TargetResult], ratio: dict[str, float], startup: dict[str, Any] | None) -> str:
    header = f"{'target':26} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'bytes/resp':>10} {'errors':>7}"
    lines = [header, "-" * len(header)]
    for r in results.values():
        w = r.wrk
        errors = w.socket_errors + w.non_2xx_3xx
        lines.append(
            f"{r.label:26} {w.requests_per_s:9.1f} {w.p50_ms:8.2f} {w.p99_ms:8.2f} {w.bytes_per_response:10.0f} {errors:7d}"
        )
    lines.append("")
    mock, prism = results.get("mock"), results.get("prism")
    labels = {
        "mock_over_prism_rps": "mock / Prism throughput",
        "mock_over_connexion_rps": "mock / Connexion-ceiling throughput",
        "mock_over_starlette_rps": "mock / Starlette throughput",
    }
    for key, label in labels.items():
        if key in ratio:
            lines.append(f"{label:38} {ratio[key]:.2f}x")
    if mock and prism and "mock_p99_over_prism_p50" in ratio:
        lines.append(
            f"{'mock p99 vs Prism p50':38} {mock.wrk.p99_ms:.2f} ms vs {prism.wrk.p50_ms:.2f} ms "
            f"({ratio['mock_p99_over_prism_p50']:.2f}x)"
        )
    if startup:
        runs = ", ".join(f"{t:.2f}" for t in startup["runs_s"])
        lines.append(f"{'start-up, 4 specs (median of runs)':38} {startup['median_s']:.2f} s ({runs})")
    return "\n".join(lines)


def write_json(document: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "latest.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the mock against Prism and Connexion/Starlette ceilings.")
    parser.add_argument("--duration", type=int, default=10, help="seconds of measured load per target (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of discarded load first (default 2)")
    parser.add_argument("--startup-runs", type=int, default=3, help="start-up timings, median reported (default 3)")
    parser.add_argument("--only", nargs="*", choices=["mock", "prism", "connexion", "starlette"], help="a subset")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    wanted = set(args.only or ["mock", "prism", "connexion", "starlette"])
    try:
        wrk_version = ensure_wrk()
        prism_version = ensure_prism() if "prism" in wanted else installed_prism_version()
    except BenchError as exc:
        say(f"error: {exc}")
        return 1
    results: dict[str, TargetResult] = {}
    failures: dict[str, str] = {}
    for target in build_targets():
        if target.key not in wanted:
            continue
        try:
            results[target.key] = measure(target, args.duration, args.warmup)
        except BenchError as exc:
            failures[target.key] = str(exc)
            say(f"{target.label}: FAILED: {exc}")
    startup: dict[str, Any] | None = None
    if args.startup_runs > 0:
        try:
            startup = measure_startup(args.startup_runs)
        except BenchError as exc:
            failures["startup"] = str(exc)
            say(f"start-up: FAILED: {exc}")
    ratio = ratios(results)
    document: dict[str, Any] = {
        "date": started.isoformat(timespec="seconds"),
        "machine": {
            "nproc": nproc(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "node": node_version(),
            "wrk": wrk_version,
            "prism": prism_version,
        },
        "load": {
            "connections": CONNECTIONS,
            "threads": THREADS,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "host": HOST,
            "note": "servers and wrk share this machine's cores; one server process each, measured one at a time",
        },
        "commands": {
            "wrk": shlex.join(wrk_argv("URL", args.duration)),
            "servers": {r.key: r.command for r in results.values()},
            "startup": startup["command"] if startup else None,
        },
        "targets": {key: asdict(r) for key, r in results.items()},
        "ratios": ratio,
        "startup": startup,
        "failures": failures,
    }
    path = write_json(document)
    print()
    print(
        f"mockserver bench — {document['date']}, nproc={document['machine']['nproc']}, "
        f"wrk -t{THREADS} -c{CONNECTIONS} -d{args.duration}s after {args.warmup}s warm-up, one target at a time"
    )
    print(table(results, ratio, startup))
    print(f"\nwritten to {path.relative_to(ROOT)}; server and wrk output in {LOGS.relative_to(ROOT)}/")
    for key, message in failures.items():
        print(f"FAILED {key}: {message}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
