"""Start-up and memory: launch → first answer, peak RSS and RSS, for the bundled specs and synthetic ones
(bench/large_spec.py) at several scales; and the targets they are held to."""

from __future__ import annotations

import shlex
import statistics
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import large_spec  # bench/large_spec.py, beside this script
from processes import first_answer, free_port, memory_mb, serve_argv, start_server, stop_server
from settings import (
    AUTH_NAME,
    AUTH_VALUE,
    HOST,
    HTTP_METHODS,
    MB,
    POLL_S,
    ROOT,
    SPEC_SUFFIXES,
    SPECS_DIR,
    BenchError,
    python_cmd,
    say,
)
from stats import median_time
from throughput import MOCK_PATH

STARTUP_TIMEOUT_S = 180.0  # a start-up launch's first answer; longer is recorded as a timeout
BUNDLED_TARGET_S = 1.5
LARGE_TARGET_S, LARGE_TARGET_MB = 3.0, 200.0  # scale 1 of bench/large_spec.py


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


def measure_bundled_or_record(runs: int, failures: dict[str, str]) -> list[StartupSeries]:
    if runs <= 0:
        return []
    try:
        return [measure_bundled(runs)]
    except BenchError as exc:
        failures["startup bundled"] = str(exc)
        say(f"start-up bundled: FAILED: {exc}")
        return []
