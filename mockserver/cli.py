"""Command line: `mockserver serve | list | generate` (thin: parses, loads, hands over)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from mockserver.errors import MockServerError
from mockserver.spec.loader import load_all
from mockserver.spec.model import ApiSpec

BUNDLED = Path(__file__).resolve().parent.parent / "specs"
EXIT_SPEC = 2


def default_specs() -> list[str]:
    """The bundled specs folder when run from a checkout, else ./specs."""
    return [str(BUNDLED if BUNDLED.is_dir() else Path("specs"))]


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
    serve.add_argument("--quiet", action="store_true", help="no access log")
    listing = sub.add_parser("list", help="list APIs, operations and documented statuses")
    listing.add_argument("specs", nargs="*", metavar="SPEC_OR_DIR")
    generate = sub.add_parser("generate", help="print one generated response body")
    generate.add_argument("spec", metavar="SPEC")
    generate.add_argument("operation_id", metavar="OPERATION_ID")
    generate.add_argument("--status", type=int, default=None, help="documented status (default: the success one)")
    generate.add_argument("--seed", type=int, default=0)
    return parser


def _load(specs: Sequence[str]) -> list[ApiSpec]:
    return load_all(list(specs) or default_specs())


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
    mock = ApiMock(api, Pools(seed)).operations[op.operation_id]
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


def _serve(args: argparse.Namespace) -> int:
    import warnings

    import uvicorn

    with warnings.catch_warnings():
        # Connexion imports Starlette's TestClient at start-up, which warns about httpx; not ours to fix.
        warnings.simplefilter("ignore", DeprecationWarning)
        from mockserver.serving.app import build_app
        from mockserver.serving.state import ServerConfig

    apis = _load(args.specs)
    app = build_app(apis, ServerConfig(seed=args.seed, tokens=frozenset(args.token)))
    base = f"http://{args.host}:{args.port}"
    for api in apis:
        print(f"mockserver: {api.name:18} {base}{api.mount_path}  (docs {base}{api.mount_path}/ui/)", flush=True)
    print(f"mockserver: seed={args.seed}; index at {base}/", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=not args.quiet)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="mockserver: %(message)s")
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "list":
            _list(_load(args.specs))
            return 0
        return _generate(_load([args.spec])[0], args.operation_id, args.status, args.seed)
    except MockServerError as exc:
        print(f"mockserver: error: {exc}", file=sys.stderr)
        return EXIT_SPEC
