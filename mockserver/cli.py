"""Command line: `mockserver serve | list | generate` (thin: parses, loads, hands over)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mockserver import __version__, bundled
from mockserver.errors import MockServerError
from mockserver.openapi.loader import load_all
from mockserver.openapi.model import ApiSpec

if TYPE_CHECKING:  # the serving and contract layers are imported when their command runs, not for every one
    pass

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
    serve.add_argument(
        "--state-file",
        metavar="PATH",
        help="keep the journal and state in this SQLite file (kept across restarts); "
        "default: memory, or a temporary file shared by --workers",
    )
    serve.add_argument(
        "--state-url",
        metavar="URL",
        help="where the journal and state are kept, as a URL: sqlite:///PATH (as --state-file), or a Redis "
        "server shared by several instances: redis://HOST:PORT/DB, rediss://… (TLS), unix:///PATH.sock "
        "(needs the `redis` extra: pip install 'mockserver[redis]')",
    )
    serve.add_argument(
        "--stateless",
        action="store_true",
        help="no server-side state: POSTed entities are not kept, lists and items are generated per request",
    )
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
        "--rate-limit",
        default=None,
        metavar="N/PERIOD",
        help="requests per credential (10/s, 100/min, 1000/h); past it, 429 with Retry-After (default: off)",
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
    contract.add_argument(
        "--report",
        action="append",
        default=[],
        metavar="PATH.html|PATH.json",
        help="write the report with its coverage matrix (repeatable; the format by the suffix)",
    )
    contract.add_argument("--baseline", metavar="FILE", help="known violations (from --write-baseline) do not fail")
    contract.add_argument("--write-baseline", metavar="FILE", help="write the violations found as a baseline file")
    contract.add_argument(
        "--exclude-check", action="append", default=[], metavar="NAME", help="do not run or report this check"
    )
    contract.add_argument("--allow-unsafe", action="store_true", help="also send POST/PUT/PATCH/DELETE to --base-url")
    contract.add_argument(
        "--rate-limit", metavar="N/s", help="bound the request rate (default for a URL: auto, honouring 429)"
    )
    _response_limits(contract)
    _proxy(sub)
    from mockserver.cli_diff import add_parser as add_diff

    add_diff(sub)
    fixtures = sub.add_parser("fixtures", help="work with fixtures/ (named canned responses)")
    fixtures_sub = fixtures.add_subparsers(dest="fixtures_command", required=True)
    rec = fixtures_sub.add_parser("record", help="record what a real API answers to its safe operations")
    rec.add_argument("target", metavar="NAME_OR_SPEC", help="a bundled API name or a spec file")
    rec.add_argument("--base-url", required=True)
    rec.add_argument("--header", action="append", default=[], metavar="'Name: value'")
    rec.add_argument("--name", default="recorded", help="fixture name prefix (default: %(default)s)")
    rec.add_argument("--fixtures-dir", default=None, help="default: fixtures/ beside the specs folder")
    rec.add_argument(
        "--record-errors",
        action="store_true",
        help="also record documented 4xx/5xx answers (never 401/403); by default an error is reported, not kept",
    )
    _response_limits(rec)
    _strict(rec)
    return parser


def _proxy(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    proxy = sub.add_parser("proxy", help="forward an API's traffic to the real one and check it against the contract")
    proxy.add_argument("spec", metavar="NAME_OR_SPEC", help="a bundled API name or a spec file (one API)")
    proxy.add_argument("--upstream", required=True, metavar="URL", help="the real API's base URL (its server URL)")
    proxy.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s, loopback only)")
    proxy.add_argument("--port", type=int, default=8000)
    proxy.add_argument("--mock", metavar="OPS", help="operationIds or 'METHOD /path', comma-separated: always mocked")
    proxy.add_argument("--no-fallback", action="store_true", help="never mock an operation the upstream lacks")
    proxy.add_argument(
        "--report",
        action="append",
        default=[],
        metavar="PATH",
        help="on exit, the contract report of the traffic: PATH.html or PATH.json (repeatable)",
    )
    proxy.add_argument(
        "--fail-on-violation",
        action="store_true",
        help="answer a violating exchange with a 502 naming it (default: the upstream's answer + X-Mock-Violations)",
    )
    proxy.add_argument("--junit-xml", metavar="PATH", help="on exit, the report as JUnit XML")
    proxy.add_argument("--allow-unsafe", action="store_true", help="also forward POST/PUT/PATCH/DELETE")
    proxy.add_argument(
        "--record",
        metavar="DIR",
        help="write each distinct upstream answer as a fixture under DIR/<api>/<operationId>/ (redacted, "
        "checked against the schema first; serve them back with Prefer: example=NAME)",
    )
    proxy.add_argument(
        "--max-response-bytes",
        default="8M",
        metavar="N",
        help="an upstream answer larger than this (K/M suffixes) is the proxy's 502, or cut off when streamed "
        "(default: %(default)s)",
    )
    proxy.add_argument(
        "--max-rate",
        type=float,
        default=20.0,
        metavar="N",
        help="requests per second sent upstream, more wait their turn (at most 10 s, then 429); 0: no bound "
        "(default: %(default)g)",
    )
    proxy.add_argument(
        "--connect-timeout", type=float, default=5.0, metavar="S", help="to reach the upstream (default: %(default)g)"
    )
    proxy.add_argument(
        "--read-timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="the upstream may be silent this long while answering (default: %(default)g)",
    )
    proxy.add_argument("--seed", type=int, default=0)
    proxy.add_argument("--chaos", type=float, default=0.0, metavar="RATE", help="probability of a documented error")
    proxy.add_argument("--latency", default="0", metavar="MIN-MAX", help="milliseconds added to every answer")
    proxy.add_argument("--fault", action="append", default=[], choices=("drop", "truncate", "trickle"))
    proxy.add_argument("--fault-rate", default=None, metavar="RATE", help="probability (0-1) per request of a --fault")
    proxy.add_argument("--quiet", action="store_true", help="no access log line per request")
    proxy.add_argument("--strict", action="store_true", help="refuse a spec that breaks the OpenAPI schema")


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


def given_specs(given: Sequence[str]) -> list[str]:
    """What every command was given, each a bundled API name or a spec file/folder (default: the bundled specs)."""
    return [str(bundled.resolve_spec(entry)) for entry in given] or default_specs()


def load_given(specs: Sequence[str], args: argparse.Namespace) -> list[ApiSpec]:
    return load_all(
        given_specs(specs),
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


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="mockserver: %(message)s")
    try:
        if args.command == "serve":
            from mockserver.cli_serve import serve

            return serve(args)
        if args.command == "proxy":
            from mockserver.cli_proxy import proxy

            return proxy(args)
        if args.command == "fixtures":
            from mockserver.cli_contract import record

            return record(args)
        if args.command == "contract":
            from mockserver.cli_contract import contract

            return contract(args)
        if args.command == "diff":
            from mockserver.cli_diff import run_diff

            return run_diff(args)
        if args.command == "list":
            _list(load_given(args.specs, args))
            return 0
        return _generate(load_given([args.spec], args)[0], args.operation_id, args.status, args.seed)
    except MockServerError as exc:
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_SPEC
    except BrokenPipeError:
        # The reader went away (`mockserver generate … | head`): not an error of ours. Python would still
        # try to flush stdout at exit and print a second traceback, so stdout goes to /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
