"""wrk: the command line, one run, and its result read from the WRK_JSON line bench/report.lua prints."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

from settings import AUTH_NAME, AUTH_VALUE, CONNECTIONS, LOGS, ROOT, THREADS, BenchError

WRK_TIMEOUT = "10s"  # answers slower than this would count as timeouts, not latencies


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
