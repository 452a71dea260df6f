"""Command line: `mockserver serve | list | generate` (thin: parses, loads, hands over)."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockserver import __version__, bundled
from mockserver.errors import MockServerError
from mockserver.openapi.loader import load_all, loading
from mockserver.openapi.model import ApiSpec

if TYPE_CHECKING:  # the serving and contract layers are imported when their command runs, not for every one
    from mockserver.contract.limits import ResponseLimits
    from mockserver.serving.config import ServerConfig

EXIT_SPEC = 2
_GIVEN = "bundled API names (e.g. openrouter), spec files or folders of specs (default: every bundled API)"


def default_specs() -> list[str]:
    """The bundled specs folder (inside the installed package; `specs/` of the checkout when editable)."""
    return [str(bundled.specs_dir())]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockserver", description="Mock servers and contract checks from OpenAPI specs."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve every spec given (default: the bundled specs)")
    serve.add_argument("specs", nargs="*", metavar="NAME_OR_SPEC", help=_GIVEN)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s, loopback only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--seed", type=int, default=0, help="same seed + same request = same response")
    serve.add_argument(
        "--token",
        action="append",
        default=[],
        metavar="T",
        help="accept only this bearer token/API key (repeatable); default: any",
    )
    serve.add_argument("--quiet", action="store_true", help="no access log line per request")
    serve.add_argument(
        "--reload",
        action="store_true",
        help="serve a spec or fixture file again when it changes (a broken save keeps the last good version)",
    )
    serve.add_argument("--workers", type=int, default=1, help="worker processes (same seed: identical answers)")
    serve.add_argument("--no-cors", action="store_true", help="no CORS headers (on by default, for browser clients)")
    serve.add_argument(
        "--admin-cors",
        action="store_true",
        help="let pages on any origin, and any Host name, use /__mock/ (the journal)",
    )
    serve.add_argument(
        "--chaos",
        type=float,
        default=0.0,
        metavar="RATE",
        help="probability (0-1) that an operation answers one of its documented error statuses",
    )
    serve.add_argument(
        "--edge-cases",
        type=float,
        default=0.0,
        metavar="RATE",
        help="probability (0-1) per value of schema-valid edge cases: empty/full arrays, bounds, unicode, nulls",
    )
    serve.add_argument("--latency", default="0", metavar="MIN-MAX", help="milliseconds added to every answer")
    serve.add_argument(
        "--fault",
        action="append",
        default=[],
        choices=("drop", "truncate", "trickle"),
        help="transport fault to inject (repeatable); needs --fault-rate",
    )
    serve.add_argument(
        "--fault-rate", default=None, metavar="RATE", help="probability (0-1) per request of a --fault; needs --fault"
    )
    serve.add_argument(
        "--header-timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds a client has to send a whole request head; then 408 (default: %(default)g)",
    )
    serve.add_argument(
        "--body-timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds a client has to send a whole request body after its head; then 408 (default: %(default)g)",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=1000,
        metavar="N",
        help="open connections per process; one more is answered 503 (default: %(default)s)",
    )
    serve.add_argument(
        "--max-answer-size",
        default="32M",
        metavar="N",
        help="memory one answer may take while it is made (K/M suffixes; 0: no limit); beyond, the mock's own 501 "
        "(default: %(default)s)",
    )
    serve.add_argument(
        "--request-budget",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="time one request's checks and answer may take; then 503 (default: %(default)g; 0: no limit)",
    )
    listing = sub.add_parser("list", help="list APIs, operations and documented statuses")
    listing.add_argument("specs", nargs="*", metavar="NAME_OR_SPEC", help=_GIVEN)
    _strict(serve)
    _strict(listing)
    generate = sub.add_parser("generate", help="print one generated response body")
    generate.add_argument("spec", metavar="NAME_OR_SPEC", help="a bundled API name or a spec file")
    generate.add_argument("operation_id", metavar="OPERATION_ID")
    generate.add_argument("--status", type=int, default=None, help="documented status (default: the success one)")
    generate.add_argument("--seed", type=int, default=0)
    _strict(generate)
    contract = sub.add_parser("contract", help="check an API (default: the mock) against its contract")
    contract.add_argument("target", metavar="NAME_OR_SPEC", help="a bundled API name or a spec file")
    contract.add_argument("--base-url", help="the server to check, e.g. the real API; default: the mock, in process")
    contract.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'Name: value'",
        help="sent with every request (repeatable); values are never printed",
    )
    _strict(contract)
    contract.add_argument("--max-examples", type=int, default=25)
    contract.add_argument("--seed", type=int, default=0)
    contract.add_argument("--junit-xml", metavar="PATH")
    contract.add_argument("--allow-unsafe", action="store_true", help="also send POST/PUT/PATCH/DELETE to --base-url")
    contract.add_argument(
        "--rate-limit", metavar="N/s", help="bound the request rate (default for a URL: auto, honouring 429)"
    )
    _response_limits(contract)
    fixtures = sub.add_parser("fixtures", help="work with fixtures/ (named canned responses)")
    fixtures_sub = fixtures.add_subparsers(dest="fixtures_command", required=True)
    rec = fixtures_sub.add_parser("record", help="record what a real API answers to its safe operations")
    rec.add_argument("target", metavar="NAME_OR_SPEC", help="a bundled API name or a spec file")
    rec.add_argument("--base-url", required=True)
    rec.add_argument("--header", action="append", default=[], metavar="'Name: value'")
    rec.add_argument("--name", default="recorded", help="fixture name prefix (default: %(default)s)")
    rec.add_argument("--fixtures-dir", default=None, help="default: fixtures/ beside the specs folder")
    _response_limits(rec)
    _strict(rec)
    return parser


def _response_limits(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--max-response-bytes",
        default="8M",
        metavar="N",
        help="stop reading a response body beyond N bytes (K/M suffixes; default: %(default)s) and report it",
    )
    command.add_argument(
        "--response-timeout",
        default="30",
        metavar="SECONDS",
        help="give up on a response not complete (status line to last byte) within this time (default: %(default)s)",
    )


def _limits(args: argparse.Namespace) -> ResponseLimits | None:
    """--max-response-bytes and --response-timeout; None after printing an error for a malformed one."""
    from mockserver.contract.limits import ResponseLimits

    size = byte_size(str(args.max_response_bytes))
    try:
        seconds = float(args.response_timeout)
    except ValueError:
        seconds = -1.0
    if size is None:
        print(
            f"mockserver: error: --max-response-bytes {args.max_response_bytes!r} must be a positive number of bytes"
            " (e.g. 65536, 512K, 8M)",
            file=sys.stderr,
        )
        return None
    if not 0 < seconds <= 3600:
        print(
            f"mockserver: error: --response-timeout {args.response_timeout!r} must be seconds between 0 and 3600",
            file=sys.stderr,
        )
        return None
    return ResponseLimits(max_bytes=size, timeout=seconds)


def _answer_size(text: str) -> int | None:
    """--max-answer-size: a byte size, or 0 for no limit."""
    return 0 if text.strip() == "0" else byte_size(text)


def byte_size(text: str) -> int | None:
    """`65536`, `512K`, `8M` (or `8MB`) as a positive number of bytes; None when it is not one."""
    size = re.fullmatch(r"(\d{1,12})\s*([kKmM]?)[bB]?", text.strip())
    if size is None or int(size.group(1)) < 1:
        return None
    return int(size.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[size.group(2).lower()]


def _strict(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--strict",
        action="store_true",
        help="refuse a spec that breaks the OpenAPI schema (default: serve it, with one warning per kind of problem)",
    )
    command.add_argument(
        "--ref-root",
        metavar="DIR",
        default=None,
        help="the folder whose files a $ref may read (default: the spec's own folder)",
    )
    command.add_argument(
        "--allow-remote-refs",
        action="store_true",
        help="fetch http(s) $refs, each URL once, at most 10 MiB and 10 s each (default: never the network)",
    )


def _specs(given: Sequence[str]) -> list[str]:
    """What every command was given, each a bundled API name or a spec file/folder (default: the bundled specs)."""
    return [str(bundled.resolve_spec(entry)) for entry in given] or default_specs()


def _load(specs: Sequence[str], args: argparse.Namespace) -> list[ApiSpec]:
    return load_all(
        _specs(specs),
        strict=args.strict,
        ref_root=args.ref_root,
        allow_remote_refs=args.allow_remote_refs,
    )


def _list(apis: list[ApiSpec]) -> None:
    for api in apis:
        print(f"{api.name}  {api.title}  (OpenAPI {api.version})  mounted at {api.mount_path}")
        for op in api.operations:
            print(
                f"  {op.method.upper():6} {api.mount_path}{op.path}  {op.operation_id}  [{', '.join(op.documented_statuses)}]"
            )


def _generate(api: ApiSpec, operation_id: str, status: int | None, seed: int) -> int:
    from mockserver.generation.context import make_context
    from mockserver.generation.responses import ApiMock
    from mockserver.generation.values import Pools
    from mockserver.openapi.rules import RequestValues

    try:
        op = api.operation(operation_id)
    except KeyError as exc:
        print(f"mockserver: {exc.args[0]}", file=sys.stderr)
        return EXIT_SPEC
    mock = ApiMock(api, Pools(0)).operations[op.operation_id]
    code = status if status is not None else op.success_status
    if not mock.documents(code):
        print(
            f"mockserver: {operation_id} documents no {code}; documented: {', '.join(op.documented_statuses)}",
            file=sys.stderr,
        )
        return EXIT_SPEC
    rendered = mock.render(code, make_context(seed, "generate", operation_id, code), RequestValues())
    print(json.dumps(rendered.body, indent=2, ensure_ascii=False))
    return 0


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


def _serve(args: argparse.Namespace) -> int:
    from mockserver.serving.prefer import PreferError, parse_latency, parse_rate
    from mockserver.serving.server import Limits, fit_connections, listen

    problem = _serve_options_problem(args)
    if problem:
        print(f"mockserver: error: {problem}", file=sys.stderr)
        return EXIT_SPEC
    try:
        chaos, edge = parse_rate(str(args.chaos), "--chaos"), parse_rate(str(args.edge_cases), "--edge-cases")
        fault_rate = parse_rate(args.fault_rate, "--fault-rate") if args.fault_rate is not None else 0.0
        latency = parse_latency(args.latency, "--latency")
    except PreferError as exc:
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_SPEC
    # The port first: a busy one is one line, before seconds of loading and a banner for nothing.
    sock = listen(args.host, args.port)
    limits = Limits(args.header_timeout, args.body_timeout, fit_connections(args.max_connections))
    specs = _specs(args.specs)
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
        )
        app = build_app(apis, config)
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
    print(f"mockserver: seed={args.seed}; index at {base}/", flush=True)
    print(f"mockserver: {_settings(config)}", flush=True)
    work = f"{config.request_budget:g} s" if config.request_budget else "no time limit"
    room = f"{config.max_answer // 1024:,} KiB" if config.max_answer else "no size limit"
    print(f"mockserver: limits: {limits.describe()}; each answer within {work} and {room}", flush=True)
    if args.reload:
        from mockserver.serving.reload import ReloadingApp

        def rebuild() -> Any:
            loaded = load_all(
                specs, strict=args.strict, ref_root=args.ref_root, allow_remote_refs=args.allow_remote_refs
            )
            return build_app(loaded, config)

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


def _serve_options_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with `serve`'s options taken together, in one line (None: nothing)."""
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


def _settings(config: ServerConfig) -> str:
    """The chaos, fault, latency, edge-case and token settings in force, for the start-up banner
    (tokens counted, never shown)."""
    low, high = config.latency
    faults = f"{','.join(config.faults)} at {config.fault_rate:g}" if config.faults else "off"
    latency = "off" if high == 0 else (f"{low} ms" if low == high else f"{low}-{high} ms")
    tokens = f"{len(config.tokens)} accepted (values not shown)" if config.tokens else "any"
    return (
        f"chaos={config.chaos:g} faults={faults} latency={latency} edge-cases={config.edge:g} tokens={tokens}"
        if config.chaos or config.faults or high or config.edge
        else f"no chaos, faults, latency or edge cases; tokens={tokens}"
    )


def _watched(specs: list[str]) -> list[Path]:
    """The folders `--reload` watches: each spec's folder, and the fixtures/ folder beside it."""
    folders = sorted({Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent for p in specs})
    return folders + [f.parent / "fixtures" for f in folders if (f.parent / "fixtures").is_dir()]


def _headers(raw_headers: list[str], api: ApiSpec, use_env: bool) -> dict[str, str] | None:
    """--header values (and <API>_API_KEY when `use_env`); None after printing an error for a malformed one."""
    import os

    headers: dict[str, str] = {}
    for n, raw in enumerate(raw_headers, 1):
        name, sep, value = raw.partition(":")
        if not sep or not name.strip() or " " in name.strip():
            # The rest may be a credential: only its first word is echoed.
            first = raw.split()[0].split(":")[0][:40] if raw.split() else ""
            print(f"mockserver: error: --header {first!r} (#{n}) must look like 'Name: value'", file=sys.stderr)
            return None
        headers[name.strip()] = value.strip()
    env = f"{api.name.upper().replace('-', '_')}_API_KEY"
    if use_env and not any(k.lower() == "authorization" for k in headers) and os.environ.get(env):
        headers["Authorization"] = f"Bearer {os.environ[env]}"
    return headers


def _record(args: argparse.Namespace) -> int:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from mockserver.contract.limits import ResponseLimitExceeded
        from mockserver.contract.record import record
        from mockserver.openapi.fixtures import fixtures_dir
        from mockserver.redact import mask_values, secret_values

    api = _load([args.target], args)[0]
    headers = _headers(args.header, api, use_env=True)
    if headers is None:
        return EXIT_SPEC
    limits = _limits(args)
    if limits is None:
        return EXIT_SPEC
    root = Path(args.fixtures_dir) if args.fixtures_dir else fixtures_dir(api).parent
    secrets = secret_values(headers, args.base_url)
    try:
        written = record(api, args.base_url, headers, root, args.name, limits)
    except ResponseLimitExceeded as exc:
        print(f"mockserver: error: recording {api.name} failed: {mask_values(str(exc), secrets)}", file=sys.stderr)
        return EXIT_SPEC
    except Exception as exc:
        print(f"mockserver: error: recording {api.name} failed: {type(exc).__name__}", file=sys.stderr)
        return EXIT_SPEC
    for item in written:
        if item.path is not None:
            print(f"{item.operation_id}: {item.status} -> {item.path}  (serve with Prefer: example={item.path.stem})")
    refused = [item for item in written if item.path is None]
    if refused:
        # A 401/403 is not what the API answers: writing it as `recorded-401` would pass it off as a recording.
        env = f"{api.name.upper().replace('-', '_')}_API_KEY"
        statuses = "/".join(str(s) for s in sorted({item.status for item in refused}))
        names = ", ".join(item.operation_id for item in refused[:3]) + (", …" if len(refused) > 3 else "")
        print(
            f"mockserver: error: {len(refused)} operation(s) answered {statuses} ({names}): the credentials are "
            f"probably missing or invalid (--header 'Authorization: Bearer …' or {env}); not recorded",
            file=sys.stderr,
        )
        return EXIT_SPEC
    return 0


def _contract(args: argparse.Namespace) -> int:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from mockserver.contract.report import render_text, write_junit
        from mockserver.contract.runner import ContractOptions, Target, run_contract
        from mockserver.serving.app import build_app
        from mockserver.serving.config import ServerConfig

    api = _load([args.target], args)[0]
    headers = _headers(args.header, api, use_env=bool(args.base_url))
    if headers is None:
        return EXIT_SPEC
    limits = _limits(args)
    if limits is None:
        return EXIT_SPEC
    if args.rate_limit and not re.fullmatch(r"\d+/[smh]", args.rate_limit):
        print(
            f"mockserver: error: --rate-limit {args.rate_limit!r} must look like 10/s, 100/m or 1000/h", file=sys.stderr
        )
        return EXIT_SPEC
    has_auth = any(k.lower() == "authorization" for k in headers)
    if args.base_url:
        target = Target(base_url=args.base_url)
    else:
        # The mock accepts one token only, so that `ignored_auth` can tell it refuses others; the real
        # API's key (<API>_API_KEY) has no business here.
        token = "mockserver-contract"
        if not has_auth:
            headers["Authorization"] = f"Bearer {token}"
        app = build_app([api], ServerConfig(seed=args.seed, tokens=frozenset({token})))
        target = Target(app=app, mount_path=api.mount_path)
    options = ContractOptions(
        headers=headers,
        max_examples=args.max_examples,
        seed=args.seed,
        allow_unsafe=args.allow_unsafe,
        rate_limit=args.rate_limit,
        limits=limits,
    )
    result = run_contract(api, target, options)
    print(render_text([result]))
    if args.junit_xml:
        try:
            write_junit([result], args.junit_xml)
        except OSError as exc:
            print(
                f"mockserver: error: cannot write --junit-xml {args.junit_xml}: {exc.strerror or exc}", file=sys.stderr
            )
            return EXIT_SPEC
    if result.errors:
        return EXIT_SPEC
    return 0 if result.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="mockserver: %(message)s")
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "fixtures":
            return _record(args)
        if args.command == "contract":
            return _contract(args)
        if args.command == "list":
            _list(_load(args.specs, args))
            return 0
        return _generate(_load([args.spec], args)[0], args.operation_id, args.status, args.seed)
    except MockServerError as exc:
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_SPEC
    except BrokenPipeError:
        # The reader went away (`mockserver generate … | head`): not an error of ours. Python would still
        # try to flush stdout at exit and print a second traceback, so stdout goes to /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
