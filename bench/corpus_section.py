"""The corpus section: every corpus spec's row, the routing measurement (GitHub's 1,223 operations against the
same GET alone in a 1-operation spec), scale 16 of bench/large_spec.py, and the targets they are held to."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from corpus_runs import ALONE_TIMEOUT_S, CORPUS_WARMUP_S, CorpusRow, cell_mb, cell_s, corpus_row
from corpus_specs import (
    corpus_specs,
    count_operations,
    credentials,
    get_candidates,
    header_dict,
    one_operation_spec,
    read_document,
    served_file,
)
from processes import Launched, fetch, free_port, launch_server, serve_argv, stop_server, wait_alone
from settings import HOST, BenchError, relative, say
from startup import Check, StartupSeries, measure_scale, seconds
from wrk import WrkResult, run_wrk

X16_TARGET_S = 20.0
ROUTING_SPEC = "github"  # the corpus spec with the most operations
ROUTING_PATH = "/repos/{owner}/{repo}/license"  # one of its GETs, small response; served alone in a 1-op spec
ROUTING_ROUNDS = 5
ROUTING_TARGET = 0.8


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
