"""`mockserver serve`: bind the port, load the specs while the app is built, print the banner, run uvicorn."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockserver.cli import EXIT_SPEC, byte_size, given_specs
from mockserver.errors import StoreError
from mockserver.openapi.loader import load_all, loading

if TYPE_CHECKING:
    from mockserver.serving.config import ServerConfig


def _answer_size(text: str) -> int | None:
    """--max-answer-size: a byte size, or 0 for no limit."""
    return 0 if text.strip() == "0" else byte_size(text)


@contextmanager
def _start_up() -> Iterator[None]:
    """No garbage collection while the specs load and compile, then freeze what they made.

    Start-up allocates hundreds of thousands of long-lived objects; collecting while they pile up
    makes parsing a large spec about twice as slow, and after `gc.freeze()` collections during
    serving no longer walk them (steadier latency). The few cycles start-up leaves stay frozen."""
    gc.disable()
    try:
        with warnings.catch_warnings():
            # Connexion imports Starlette's TestClient, which warns about httpx; not ours to fix.
            warnings.simplefilter("ignore")
            yield
    finally:
        gc.freeze()
        gc.enable()


def serve(args: argparse.Namespace) -> int:
    from mockserver.serving.prefer import PreferError, parse_latency, parse_rate, parse_rate_limit
    from mockserver.serving.server import Limits, fit_connections, listen

    problem = _serve_options_problem(args)
    if problem:
        print(f"mockserver: error: {problem}", file=sys.stderr)
        return EXIT_SPEC
    try:
        chaos, edge = parse_rate(str(args.chaos), "--chaos"), parse_rate(str(args.edge_cases), "--edge-cases")
        fault_rate = parse_rate(args.fault_rate, "--fault-rate") if args.fault_rate is not None else 0.0
        latency = parse_latency(args.latency, "--latency")
        rate_limit = parse_rate_limit(args.rate_limit, "--rate-limit") if args.rate_limit else (0, 0)
    except PreferError as exc:
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_SPEC
    # The port first: a busy one is one line, before seconds of loading and a banner for nothing.
    sock = listen(args.host, args.port)
    limits = Limits(args.header_timeout, args.body_timeout, fit_connections(args.max_connections))
    specs = given_specs(args.specs)
    if args.reload:
        from mockserver.serving.reload import fingerprint

        watched = _watched(specs)
        seen = fingerprint(watched)  # before loading: a save during start-up is not missed
    # From here the specs are validated in a forked child (seconds on a large spec) while this process
    # imports Connexion and builds the app; see `loader.loading`.
    with (
        _start_up(),
        loading(specs, strict=args.strict, ref_root=args.ref_root, allow_remote_refs=args.allow_remote_refs) as apis,
    ):
        from mockserver.serving.app import build_app
        from mockserver.serving.config import ServerConfig
        from mockserver.serving.server import run

        config = ServerConfig(
            seed=args.seed,
            tokens=frozenset(args.token),
            chaos=chaos,
            latency=latency,
            faults=tuple(args.fault),
            fault_rate=fault_rate,
            edge=edge,
            cors=not args.no_cors,
            admin_cors=args.admin_cors,
            admin_host_guard=True,
            access_log=not args.quiet,
            request_budget=args.request_budget,
            max_answer=_answer_size(args.max_answer_size) or 0,
            state_file=_state_file(args),
            state_url=_state_url(args),
            rate_limit=rate_limit,
            stateless=args.stateless,
        )
        try:
            from mockserver.serving.store import open_store

            # One store for the server's life: with --reload, each rebuilt app keeps the journal and state.
            kept = (
                open_store(config.state_file, config.state_url, journal_size=config.journal_size)
                if args.reload
                else None
            )
            app = build_app(apis, config, kept)
        except StoreError as exc:
            print(f"mockserver: error: {exc}", file=sys.stderr)
            return EXIT_SPEC
    if not args.quiet:
        access = logging.getLogger("mockserver.access")
        access.setLevel(logging.INFO)
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.propagate = False
    # The port bound, not the one asked for: with --port 0 the system chose it, and the banner is how a
    # caller (a test, a script) learns it.
    host = f"[{args.host}]" if ":" in args.host else args.host
    base = f"http://{host}:{sock.getsockname()[1]}"
    for api in apis:
        print(f"mockserver: {api.name:18} {base}{api.mount_path}  (docs {base}{api.mount_path}/ui/)", flush=True)
    print(f"mockserver: seed={args.seed}; index at {base}/; dashboard at {base}/__mock/", flush=True)
    print(f"mockserver: {_settings(config)}", flush=True)
    print(f"mockserver: {_state_line(config)}", flush=True)
    work = f"{config.request_budget:g} s" if config.request_budget else "no time limit"
    room = f"{config.max_answer // 1024:,} KiB" if config.max_answer else "no size limit"
    print(f"mockserver: limits: {limits.describe()}; each answer within {work} and {room}", flush=True)
    if args.reload:
        from mockserver.serving.reload import ReloadingApp

        def rebuild() -> Any:
            loaded = load_all(
                specs, strict=args.strict, ref_root=args.ref_root, allow_remote_refs=args.allow_remote_refs
            )
            return build_app(loaded, config, kept)  # the same store: journal, overrides and state survive

        print(f"mockserver: reload: watching {', '.join(map(str, watched))}", flush=True)
        run(ReloadingApp(app, rebuild, watched, seen), sock, limits)
        return 0
    if args.workers > 1:
        import os

        from mockserver.serving.factory import ENV, settings_to_env

        # Workers need the app as an import string: each builds its own, trusting what this process
        # validated a moment ago.
        validated = {str(a.file.resolve()): a.digest for a in apis}
        os.environ[ENV] = settings_to_env(
            specs,
            config,
            validated,
            strict=args.strict,
            ref_root=args.ref_root,
            allow_remote_refs=args.allow_remote_refs,
        )
        run("mockserver.serving.factory:create", sock, limits, workers=args.workers)
        return 0
    run(app, sock, limits)
    return 0


def _state_file(args: argparse.Namespace) -> str | None:
    """The state database: the one asked for, else a temporary file when workers must share it, else memory
    (or None: a Redis server keeps the state, see `_state_url`)."""
    if args.state_file:
        return str(Path(args.state_file).resolve())
    from mockserver.serving.store import SQLITE_URL

    url = args.state_url or ""
    if url.startswith(SQLITE_URL):
        return str(Path(url[len(SQLITE_URL) :]).resolve())
    if url:
        return None
    if args.workers > 1:
        import atexit
        import shutil
        import tempfile

        folder = tempfile.mkdtemp(prefix="mockserver-state-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        return str(Path(folder) / "state.sqlite")
    return None


def _state_url(args: argparse.Namespace) -> str | None:
    """The Redis server that keeps the state, when `--state-url` names one (sqlite:// URLs are `_state_file`)."""
    from mockserver.serving.store import SQLITE_URL

    url: str | None = args.state_url
    return None if url is None or url.startswith(SQLITE_URL) else url


def _state_url_problem(url: str) -> str | None:
    from mockserver.serving.store import REDIS_SCHEMES, SQLITE_URL, masked

    if url.startswith(SQLITE_URL):
        return None if len(url) > len(SQLITE_URL) else f"--state-url {url} needs a path: sqlite:///PATH"
    scheme = url.partition("://")[0]
    if "://" not in url or scheme not in REDIS_SCHEMES:
        return f"--state-url {masked(url)} must start with sqlite:///, redis://, rediss:// or unix://"
    try:
        import redis  # noqa: F401
    except ImportError:
        return f"--state-url {masked(url)} needs the Redis client: pip install 'mockserver[redis]'"
    return None


def _serve_options_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with `serve`'s options taken together, in one line (None: nothing)."""
    if args.state_url is not None:
        if args.state_file:
            return "--state-file and --state-url name the same thing: give one"
        problem = _state_url_problem(args.state_url)
        if problem:
            return problem
    if args.workers < 1 or (args.reload and args.workers > 1):
        return "--workers must be at least 1, and --reload runs one worker"
    # A fault without a rate (or a rate without a fault) would inject nothing, silently: the user asked for
    # something, and guessing a rate for them would make their test runs flaky in a way they did not choose.
    if args.fault and args.fault_rate is None:
        return f"--fault {args.fault[0]} needs --fault-rate RATE (0-1), e.g. --fault-rate 0.1"
    if args.fault_rate is not None and not args.fault:
        return f"--fault-rate {args.fault_rate} needs --fault drop|truncate|trickle"
    for name, value in (("--header-timeout", args.header_timeout), ("--body-timeout", args.body_timeout)):
        if not 0 < value <= 3600:  # also refuses nan
            return f"{name}={value!r} must be seconds, more than 0 and at most 3600"
    if args.max_connections < 1:
        return f"--max-connections={args.max_connections!r} must be at least 1"
    if not 0 <= args.request_budget <= 3600:  # also refuses nan
        return f"--request-budget={args.request_budget!r} must be seconds between 0 (no limit) and 3600"
    if _answer_size(args.max_answer_size) is None:
        return f"--max-answer-size {args.max_answer_size!r} must be a positive number of bytes (e.g. 512K, 32M)"
    return None


def _state_line(config: ServerConfig) -> str:
    """Where what clients write is kept (or that nothing is), for the start-up banner."""
    if config.stateless:
        return "state: off (--stateless): resources are not kept, every answer is generated per request"
    if config.state_url:
        from mockserver.serving.store import masked

        where = f"in {masked(config.state_url)}"
    else:
        where = f"in {config.state_file}" if config.state_file else "in memory"
    return f"state: kept {where} (GET /__mock/state shows it, DELETE /__mock/state forgets it)"


def _settings(config: ServerConfig) -> str:
    """The chaos, fault, latency, edge-case and token settings in force, for the start-up banner
    (tokens counted, never shown)."""
    low, high = config.latency
    faults = f"{','.join(config.faults)} at {config.fault_rate:g}" if config.faults else "off"
    latency = "off" if high == 0 else (f"{low} ms" if low == high else f"{low}-{high} ms")
    tokens = f"{len(config.tokens)} accepted (values not shown)" if config.tokens else "any"
    count, period = config.rate_limit
    limited = f"; rate-limit={count} per {period} s per credential" if count else ""
    return (
        f"chaos={config.chaos:g} faults={faults} latency={latency} edge-cases={config.edge:g} tokens={tokens}"
        if config.chaos or config.faults or high or config.edge
        else f"no chaos, faults, latency or edge cases; tokens={tokens}"
    ) + limited


def _watched(specs: list[str]) -> list[Path]:
    """The folders `--reload` watches: each spec's folder, and the fixtures/ folder beside it."""
    folders = sorted({Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent for p in specs})
    return folders + [f.parent / "fixtures" for f in folders if (f.parent / "fixtures").is_dir()]
