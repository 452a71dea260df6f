"""What one run measured, and how it is reported: results/latest.json, the printed report, the reproduce line."""

from __future__ import annotations

import argparse
import json
import platform
import shlex
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from corpus_runs import CORPUS_WARMUP_S
from corpus_section import CorpusReport
from installs import node_version, nproc
from settings import CONNECTIONS, HOST, LOGS, RESULTS, ROOT, THREADS, python_cmd
from startup import STARTUP_TIMEOUT_S, Check, StartupSeries, checks
from stats import TargetResult, median_ratios, round_ratios
from tables import corpus_table, table
from wrk import wrk_argv


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
