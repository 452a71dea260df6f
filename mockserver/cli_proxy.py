"""`mockserver proxy`: serve one API through the validating proxy; on exit, print the report (and JUnit XML)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mockserver.cli import EXIT_SPEC, byte_size, given_specs
from mockserver.openapi.loader import load_all

if TYPE_CHECKING:
    from mockserver.openapi.model import ApiSpec

EXIT_VIOLATIONS = 1


def mocked_operations(api: ApiSpec, given: str) -> tuple[set[str], list[str]]:
    """--mock's operationIds (`opA,opB`, or `METHOD /path` as the spec writes it), and what names none."""
    found: set[str] = set()
    unknown: list[str] = []
    for entry in (e.strip() for e in given.split(",")):
        if not entry:
            continue
        method, _, path = entry.partition(" ")
        match = [
            op.operation_id
            for op in api.operations
            if op.operation_id == entry
            or (path and op.method.upper() == method.upper() and path.strip() in (op.path, api.mount_path + op.path))
        ]
        if match:
            found.update(match)
        else:
            unknown.append(entry)
    return found, unknown


def _options_problem(args: argparse.Namespace) -> str | None:
    parts = urlsplit(args.upstream)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"--upstream {args.upstream.split('@')[-1][:80]!r} must be an http(s):// URL"
    if parts.username or parts.password:
        return "--upstream must not carry credentials; give them as <API>_API_KEY or let the client send them"
    for path in args.report:
        if not path.lower().endswith((".json", ".html", ".htm")):
            return f"--report {path!r} must end in .html or .json"
    if byte_size(args.max_response_bytes) is None:
        return f"--max-response-bytes {args.max_response_bytes!r} must be a positive number of bytes (e.g. 8M)"
    if not 0 <= args.max_rate <= 100_000:  # also refuses nan
        return f"--max-rate={args.max_rate!r} must be requests per second, 0 (no bound) to 100000"
    for name, value in (("--connect-timeout", args.connect_timeout), ("--read-timeout", args.read_timeout)):
        if not 0 < value <= 3600:
            return f"{name}={value!r} must be seconds, more than 0 and at most 3600"
    return None


def _recording(api: Any, folder: str, key: str | None) -> Any:
    """The hook `--record DIR` adds: each distinct upstream answer written as a fixture (openapi/recorder.py),
    every answer it does not keep said on stderr with why (a 401, an invalid body, …)."""
    from mockserver.openapi.recorder import FixtureRecorder, Outcome
    from mockserver.redact import secret_values

    recorder = FixtureRecorder(api, Path(folder), "recorded", secret_values({"key": key}) if key else ())

    def record(op: Any, status: int, headers: Any, body: bytes, secrets: tuple[str, ...]) -> None:
        kept = recorder.record(op, status, headers, body, headers.get("content-type"), secrets=secrets)
        if kept.outcome is Outcome.WRITTEN:
            print(f"mockserver: recorded {op.operation_id} {status} -> {kept.path}", file=sys.stderr, flush=True)
        elif kept.outcome is Outcome.REFUSED:
            print(f"mockserver: not recorded: {op.operation_id} {status}: {kept.reason}", file=sys.stderr, flush=True)

    return record


def proxy(args: argparse.Namespace) -> int:
    from mockserver.serving.prefer import PreferError, parse_latency, parse_rate
    from mockserver.serving.server import Limits, fit_connections, listen

    problem = _options_problem(args)
    if problem:
        print(f"mockserver: error: {problem}", file=sys.stderr)
        return EXIT_SPEC
    try:
        chaos = parse_rate(str(args.chaos), "--chaos")
        fault_rate = parse_rate(args.fault_rate, "--fault-rate") if args.fault_rate is not None else 0.0
        latency = parse_latency(args.latency, "--latency")
    except PreferError as exc:
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_SPEC
    if bool(args.fault) != (args.fault_rate is not None):
        print("mockserver: error: --fault and --fault-rate go together", file=sys.stderr)
        return EXIT_SPEC
    apis = load_all(given_specs([args.spec]), strict=args.strict)
    if len(apis) != 1:
        print(f"mockserver: error: proxy serves one API; {args.spec!r} holds {len(apis)}", file=sys.stderr)
        return EXIT_SPEC
    api = apis[0]
    mocked, unknown = mocked_operations(api, args.mock or "")
    if unknown:
        known = ", ".join(op.operation_id for op in api.operations)
        print(f"mockserver: error: --mock {unknown[0]!r} names no operation; known: {known}", file=sys.stderr)
        return EXIT_SPEC
    sock = listen(args.host, args.port)
    from mockserver.proxy.app import build_proxy_app
    from mockserver.proxy.middleware import ProxySettings
    from mockserver.proxy.run import ProxyRun, write_reports
    from mockserver.redact import secret_values
    from mockserver.serving.config import ServerConfig
    from mockserver.serving.server import run

    key = os.environ.get(api.key_variable) or None
    settings = ProxySettings(
        upstream=args.upstream.rstrip("/"),
        mocked=frozenset(mocked),
        fallback=not args.no_fallback,
        fail_on_violation=args.fail_on_violation,
        allow_unsafe=args.allow_unsafe,
        max_bytes=byte_size(args.max_response_bytes) or 0,
        connect_timeout=args.connect_timeout,
        read_timeout=args.read_timeout,
        api_key=key,
        max_rate=args.max_rate,
        hooks=(_recording(api, args.record, key),) if args.record else (),
    )
    report = ProxyRun(api, settings.upstream, secret_values({"key": key}) if key else ())
    config = ServerConfig(
        seed=args.seed,
        chaos=chaos,
        latency=latency,
        faults=tuple(args.fault),
        fault_rate=fault_rate,
        admin_host_guard=True,
        access_log=not args.quiet,
    )
    app = build_proxy_app([api], config, {api.name: (settings, report)})
    _logging(quiet=args.quiet)
    host = f"[{args.host}]" if ":" in args.host else args.host
    base = f"http://{host}:{sock.getsockname()[1]}"
    print(f"mockserver: {api.name:18} {base}{api.mount_path}  → {settings.upstream}", flush=True)
    print(f"mockserver: proxy; seed={args.seed}; index at {base}/; dashboard at {base}/__mock/", flush=True)
    forwarded = "every method (--allow-unsafe)" if args.allow_unsafe else "GET, HEAD and OPTIONS only"
    fallback = "off (--no-fallback)" if args.no_fallback else "the mock answers 404/501 and an unreachable upstream"
    rate = f"at most {args.max_rate:g} requests/s" if args.max_rate else "no rate bound"
    print(f"mockserver: forwarding {forwarded}, {rate}; fallback: {fallback}", flush=True)
    limit = f"answers read up to {settings.max_bytes // 1024:,} KiB"
    print(f"mockserver: limits: connect {args.connect_timeout:g} s, read {args.read_timeout:g} s; {limit}", flush=True)
    if mocked:
        print(f"mockserver: always mocked: {', '.join(sorted(mocked))}", flush=True)
    key_line = f"{api.key_variable} sent when the client sends no credential" if key else "client's own"
    print(f"mockserver: credentials: {key_line} (values not shown)", flush=True)
    # uvicorn hands SIGINT/SIGTERM back once it has stopped: then the report is printed, not the process killed.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _ignore)
    run(app, sock, Limits(10.0, 30.0, fit_connections(1000)))
    print(report.text(), flush=True)
    if args.junit_xml:
        report.write_junit(args.junit_xml)
    for path in args.report:
        try:
            write_reports([report], path, args.seed)
        except OSError as exc:
            print(f"mockserver: error: cannot write --report {path}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_SPEC
    return EXIT_VIOLATIONS if report.result.violations else 0


def _ignore(signum: int, frame: Any) -> None:
    """The signal has done its work (uvicorn stopped): nothing more to do."""


def _logging(*, quiet: bool) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("mockserver: %(message)s"))
    if not quiet:
        access = logging.getLogger("mockserver.access")
        access.setLevel(logging.INFO)
        plain = logging.StreamHandler()
        plain.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(plain)
        access.propagate = False
    logger = logging.getLogger("mockserver.proxy")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    logger.propagate = False
