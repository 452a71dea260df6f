"""One corpus spec measured: the mock alone, then Prism alone on the same file (launch → first answer, peak RSS,
wrk on one documented GET), more launches when both start quickly; and how a server's run shows in a cell."""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from corpus_specs import (
    CorpusSpec,
    Request,
    count_operations,
    credentials,
    get_candidates,
    header_dict,
    read_document,
    served_file,
)
from processes import (
    Launched,
    ProcessMemory,
    fetch,
    free_port,
    group_processes,
    launch_server,
    prism_argv,
    serve_argv,
    server_peak_mb,
    stop_server,
    wait_alone,
)
from settings import HOST, BenchError, relative, say
from stats import median_time
from wrk import WrkResult, run_wrk

CORPUS_TIMEOUT_S = 300.0  # per server: launch → first answer; Prism takes minutes on some large specs
CORPUS_DURATION_S = 4  # wrk seconds per server and spec (and per round of the routing measurement)
CORPUS_WARMUP_S = 1
CORPUS_CANDIDATES = 12  # documented GETs tried on the mock until one answers 2xx
ALONE_TIMEOUT_S = 120.0  # before loading: the mock's forked spec validator (lenient mode) has finished
RELAUNCH_UNDER_S = 10.0  # both servers up faster than this: --corpus-launches launches each, the median shown


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
