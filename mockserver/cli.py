"""Command line: `mockserver serve | list | generate` (thin: parses, loads, hands over)."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from mockserver import bundled
from mockserver.errors import MockServerError
from mockserver.spec.loader import load_all, loading
from mockserver.spec.model import ApiSpec

EXIT_SPEC = 2


def default_specs() -> list[str]:
    """The bundled specs folder (inside the installed package; `specs/` of the checkout when editable)."""
    return [str(bundled.specs_dir())]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockserver", description="Mock servers and contract checks from OpenAPI specs."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve every spec given (default: the bundled specs)")
    serve.add_argument("specs", nargs="*", metavar="SPEC_OR_DIR")
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
    serve.add_argument("--reload", action="store_true", help="restart when a spec or fixture file changes")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (same seed: identical answers)")
    serve.add_argument("--no-cors", action="store_true", help="no CORS headers (on by default, for browser clients)")
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
        help="transport fault to inject (repeatable), with --fault-rate",
    )
    serve.add_argument("--fault-rate", default="0", metavar="RATE")
    serve.add_argument(
        "--request-budget",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="time one request's checks and answer may take; past it the mock answers 503 (default: %(default)s; 0: no limit)",
    )
    listing = sub.add_parser("list", help="list APIs, operations and documented statuses")
    listing.add_argument("specs", nargs="*", metavar="SPEC_OR_DIR")
    _strict(serve)
    _strict(listing)
    generate = sub.add_parser("generate", help="print one generated response body")
    generate.add_argument("spec", metavar="SPEC")
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
    fixtures = sub.add_parser("fixtures", help="work with fixtures/ (named canned responses)")
    fixtures_sub = fixtures.add_subparsers(dest="fixtures_command", required=True)
    rec = fixtures_sub.add_parser("record", help="record what a real API answers to its safe operations")
    rec.add_argument("target", metavar="NAME_OR_SPEC")
    rec.add_argument("--base-url", required=True)
    rec.add_argument("--header", action="append", default=[], metavar="'Name: value'")
    rec.add_argument("--name", default="recorded", help="fixture name prefix (default: %(default)s)")
    rec.add_argument("--fixtures-dir", default=None, help="default: fixtures/ beside the specs folder")
    _strict(rec)
    return parser


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
        help="the folder whose files a $ref may read (default: the spec's own folder; never the network)",
    )


def _load(specs: Sequence[str], args: argparse.Namespace) -> list[ApiSpec]:
    return load_all(list(specs) or default_specs(), strict=args.strict, ref_root=args.ref_root)


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
    from mockserver.spec.rules import RequestValues

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

    try:
        chaos, fault_rate = parse_rate(str(args.chaos), "--chaos"), parse_rate(str(args.fault_rate), "--fault-rate")
        edge = parse_rate(str(args.edge_cases), "--edge-cases")
        latency = parse_latency(args.latency, "--latency")
    except PreferError as exc:
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_SPEC
    if args.workers < 1 or (args.reload and args.workers > 1):
        print("mockserver: error: --workers must be at least 1, and --reload runs one worker", file=sys.stderr)
        return EXIT_SPEC
    # From here the specs are validated in a forked child (seconds on a large spec) while this process
    # imports Connexion and builds the app; see `loader.loading`.
    with _start_up(), loading(list(args.specs) or default_specs(), strict=args.strict, ref_root=args.ref_root) as apis:
        import uvicorn

        from mockserver.serving.app import build_app
        from mockserver.serving.state import ServerConfig

        config = ServerConfig(
            seed=args.seed,
            tokens=frozenset(args.token),
            chaos=chaos,
            latency=latency,
            faults=tuple(args.fault),
            fault_rate=fault_rate,
            edge=edge,
            cors=not args.no_cors,
            access_log=not args.quiet,
            request_budget=args.request_budget,
        )
        app = build_app(apis, config)
    if not args.quiet:
        access = logging.getLogger("mockserver.access")
        access.setLevel(logging.INFO)
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.propagate = False
    base = f"http://{args.host}:{args.port}"
    for api in apis:
        print(f"mockserver: {api.name:18} {base}{api.mount_path}  (docs {base}{api.mount_path}/ui/)", flush=True)
    print(f"mockserver: seed={args.seed}; index at {base}/", flush=True)
    if args.reload or args.workers > 1:
        import os

        from mockserver.serving.factory import ENV, settings_to_env

        # Both need the app as an import string: each worker (or reloaded process) builds its own.
        specs = list(args.specs) or default_specs()
        # Workers trust what this process validated a moment ago; a reloaded process checks again.
        validated = {} if args.reload else {str(a.path.resolve()): a.digest for a in apis}
        os.environ[ENV] = settings_to_env(specs, config, validated, strict=args.strict, ref_root=args.ref_root)
        folders = sorted({str(Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent) for p in specs})
        fixtures = [str(Path(f).parent / "fixtures") for f in folders if (Path(f).parent / "fixtures").is_dir()]
        watch = {"reload": True, "reload_dirs": folders + fixtures, "reload_includes": ["*.yaml", "*.yml", "*.json"]}
        uvicorn.run(
            "mockserver.serving.factory:create",
            factory=True,
            host=args.host,
            port=args.port,
            log_level="warning",
            access_log=False,
            **(watch if args.reload else {"workers": args.workers}),
        )
        return 0
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


def _resolve(name_or_spec: str) -> list[str]:
    path = Path(name_or_spec)
    if path.exists():
        return [str(path)]
    return [str(bundled.bundled_spec(name_or_spec) or path)]  # the loader reports a missing one


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
        from mockserver.contract.record import record
        from mockserver.spec.fixtures import fixtures_dir

    api = _load(_resolve(args.target), args)[0]
    headers = _headers(args.header, api, use_env=True)
    if headers is None:
        return EXIT_SPEC
    root = Path(args.fixtures_dir) if args.fixtures_dir else fixtures_dir(api).parent
    try:
        written = record(api, args.base_url, headers, root, args.name)
    except Exception as exc:
        print(f"mockserver: error: recording {api.name} failed: {type(exc).__name__}", file=sys.stderr)
        return EXIT_SPEC
    for item in written:
        print(f"{item.operation_id}: {item.status} -> {item.path}  (serve with Prefer: example={item.path.stem})")
    return 0


def _contract(args: argparse.Namespace) -> int:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from mockserver.contract.report import render_text, write_junit
        from mockserver.contract.runner import ContractOptions, Target, run_contract
        from mockserver.serving.app import build_app
        from mockserver.serving.state import ServerConfig

    api = _load(_resolve(args.target), args)[0]
    headers = _headers(args.header, api, use_env=bool(args.base_url))
    if headers is None:
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
