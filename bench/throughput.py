"""Throughput: every load target up at once, then rounds of wrk over them, the order rotated each round."""

from __future__ import annotations

import shlex
import subprocess
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from processes import fetch, free_port, prism_argv, serve_argv, start_server, stop_server, wait_ready
from settings import AUTH_NAME, AUTH_VALUE, HOST, SPEC, WORKERS, BenchError, python_cmd, say
from stats import TargetResult, summarize
from wrk import WrkResult, run_wrk

MOCK_PATH = "/openrouter/api/v1/activity"  # /<spec stem><server base path>/activity
PRISM_PATH = "/activity"  # Prism serves the spec's paths without the server URL's base path
STANDIN_PATH = "/api/v1/activity"  # the stand-in serves the spec's server base path at its root
TARGET_KEYS = ("mock", "mock-2w", "prism", "connexion", "starlette", "standin", "proxy")
# The stand-in takes one token; the proxy forwards the client's own.
STANDIN_AUTH = ("Authorization: Bearer good-token",)


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    argv: tuple[str, ...]
    url: str
    headers: tuple[str, ...] = (f"{AUTH_NAME}: {AUTH_VALUE}",)  # sent by wrk and the sample request


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
        Target(
            "prism",
            "Prism 5.16 (-d)",
            prism_argv(Path(SPEC), int(ports["prism"])),
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
        # The proxy's overhead: the faithful stand-in (contract_tests/upstreams) alone, and through the proxy
        # (every answer checked against the contract); the stand-in is the proxy's upstream, so it is loaded then
        # too. Started in this order: the proxy needs its upstream up.
        Target(
            "standin",
            "stand-in upstream, direct",
            (py, "bench/standin.py", "--port", ports["standin"]),
            url("standin", STANDIN_PATH),
            STANDIN_AUTH,
        ),
        Target(
            "proxy",
            "proxy → stand-in",
            (
                py,
                "-m",
                "mockserver",
                "proxy",
                SPEC,
                "--upstream",
                url("standin", "/api/v1"),
                "--max-rate",
                "0",
                "--no-fallback",
                "--quiet",
                "--host",
                HOST,
                "--port",
                ports["proxy"],
            ),
            url("proxy", MOCK_PATH),
            STANDIN_AUTH,
        ),
    ]


def start_target(target: Target, warmup_s: int, stack: ExitStack) -> Server:
    say(f"{target.label}: $ {shlex.join(target.argv)}")
    proc, log = start_server(target.argv, target.key)
    stack.callback(stop_server, proc)
    try:
        headers = dict(h.split(": ", 1) for h in target.headers)
        ready_s = wait_ready(proc, log, target.url, headers)
        status, body, content_type = fetch(target.url, headers=headers)
        if warmup_s > 0:
            run_wrk(target.url, warmup_s, f"{target.key}.warmup.wrk", target.headers)
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
    result = run_wrk(target.url, duration_s, f"{target.key}.round{round_no}.wrk", target.headers)
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
