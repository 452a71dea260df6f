"""`mockserver contract` and `mockserver fixtures record`: a checked or recorded run against one API."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mockserver.cli import EXIT_SPEC, byte_size, load_given
from mockserver.openapi.model import ApiSpec

if TYPE_CHECKING:
    from mockserver.contract.limits import ResponseLimits
    from mockserver.contract.report import ApiResult


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


def _headers(raw_headers: list[str], api: ApiSpec, use_env: bool) -> dict[str, str] | None:
    """--header values (and <API>_API_KEY when `use_env`); None after printing an error for a malformed one."""

    headers: dict[str, str] = {}
    for n, raw in enumerate(raw_headers, 1):
        name, sep, value = raw.partition(":")
        if not sep or not name.strip() or " " in name.strip():
            # The rest may be a credential: only its first word is echoed.
            first = raw.split()[0].split(":")[0][:40] if raw.split() else ""
            print(f"mockserver: error: --header {first!r} (#{n}) must look like 'Name: value'", file=sys.stderr)
            return None
        headers[name.strip()] = value.strip()
    env = api.key_variable
    if use_env and not any(k.lower() == "authorization" for k in headers) and os.environ.get(env):
        headers["Authorization"] = f"Bearer {os.environ[env]}"
    return headers


def record(args: argparse.Namespace) -> int:

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from mockserver.contract.limits import ResponseLimitExceeded
        from mockserver.contract.record import record
        from mockserver.openapi.fixtures import fixtures_dir
        from mockserver.openapi.recorder import Outcome, Refusal, UnsafeName
        from mockserver.redact import mask_values, secret_values

    api = load_given([args.target], args)[0]
    headers = _headers(args.header, api, use_env=True)
    if headers is None:
        return EXIT_SPEC
    limits = _limits(args)
    if limits is None:
        return EXIT_SPEC
    root = Path(args.fixtures_dir) if args.fixtures_dir else fixtures_dir(api).parent
    secrets = secret_values(headers, args.base_url)
    try:
        recordings = record(api, args.base_url, headers, root, args.name, limits, record_errors=args.record_errors)
    except UnsafeName as exc:
        print(f"mockserver: error: --name: {exc}", file=sys.stderr)
        return EXIT_SPEC
    except ResponseLimitExceeded as exc:
        print(f"mockserver: error: recording {api.name} failed: {mask_values(str(exc), secrets)}", file=sys.stderr)
        return EXIT_SPEC
    except Exception as exc:
        print(f"mockserver: error: recording {api.name} failed: {type(exc).__name__}", file=sys.stderr)
        return EXIT_SPEC
    for item in recordings:
        if item.path is not None:
            same = " (unchanged)" if item.outcome is Outcome.DUPLICATE else ""
            print(f"{item.operation_id}: {item.status} -> {item.path}{same}  (serve with Prefer: example={item.name})")
    refused = [item for item in recordings if item.outcome is Outcome.REFUSED]
    denied = [item for item in refused if item.refusal is Refusal.CREDENTIALS]
    others = [item for item in refused if item.refusal is not Refusal.CREDENTIALS]
    for item in others[:_SHOWN]:
        print(f"mockserver: warning: {item.operation_id}: {item.status} not recorded: {item.reason}", file=sys.stderr)
    if len(others) > _SHOWN:
        print(f"mockserver: warning: … and {len(others) - _SHOWN} more not recorded", file=sys.stderr)
    if denied:
        # A 401/403 is not what the API answers: writing it as `recorded-401` would pass it off as a recording.
        env = api.key_variable
        statuses = "/".join(str(s) for s in sorted({item.status for item in denied}))
        names = ", ".join(item.operation_id for item in denied[:3]) + (", …" if len(denied) > 3 else "")
        print(
            f"mockserver: error: {len(denied)} operation(s) answered {statuses} ({names}): the credentials are "
            f"probably missing or invalid (--header 'Authorization: Bearer …' or {env}); not recorded",
            file=sys.stderr,
        )
        return EXIT_SPEC
    if refused and len(refused) == len(recordings):
        print(f"mockserver: error: nothing of {api.name} was recorded", file=sys.stderr)
        return EXIT_SPEC
    return 0


_SHOWN = 10  # refusal lines printed before "… and N more"


def contract(args: argparse.Namespace) -> int:

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from mockserver.contract.baseline import BaselineError, apply_baseline, read_baseline
        from mockserver.contract.report import render_text
        from mockserver.contract.runner import ContractOptions, Target, known_checks, run_contract
        from mockserver.serving.app import build_app
        from mockserver.serving.config import ServerConfig

    api = load_given([args.target], args)[0]
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
    if not _reports_named_well(args.report) or not _checks_known(args.exclude_check, known_checks()):
        return EXIT_SPEC
    known = frozenset[tuple[str, str, str, str]]()
    if args.baseline:
        try:
            known = read_baseline(args.baseline)
        except BaselineError as exc:
            print(f"mockserver: error: --baseline {exc}", file=sys.stderr)
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
        serve = f"mockserver serve {shlex.quote(args.target)} --seed {args.seed}"
        target = Target(app=app, mount_path=api.mount_path, serve_command=serve)
    options = ContractOptions(
        headers=headers,
        max_examples=args.max_examples,
        seed=args.seed,
        allow_unsafe=args.allow_unsafe,
        rate_limit=args.rate_limit,
        limits=limits,
        excluded_checks=frozenset(args.exclude_check),
    )
    result = run_contract(api, target, options)
    apply_baseline(result, known)
    print(render_text([result]))
    written = _write_outputs(args, api, result, len(known))
    if not written:
        return EXIT_SPEC
    if result.errors:
        return EXIT_SPEC
    if args.write_baseline:
        # Adopting the check: the violations just written are accepted, so this run is not a failure.
        count = len(result.violations) + len(result.baselined)
        print(f"wrote the baseline {args.write_baseline}: {count} violation(s), accepted by --baseline from now on")
        return 0
    return 0 if result.ok else 1


def _reports_named_well(paths: list[str]) -> bool:
    from mockserver.contract.report_json import SUFFIXES

    for path in paths:
        if Path(path).suffix.lower() not in SUFFIXES:
            print(f"mockserver: error: --report {path!r} must end in .html or .json", file=sys.stderr)
            return False
    return True


def _checks_known(names: list[str], known: list[str]) -> bool:
    for name in names:
        if name not in known:
            print(
                f"mockserver: error: --exclude-check {name!r} is not a check; valid: {', '.join(known)}",
                file=sys.stderr,
            )
            return False
    return True


def _write_outputs(args: argparse.Namespace, api: ApiSpec, result: ApiResult, known: int) -> bool:
    """--junit-xml, --write-baseline and each --report; False after printing why one could not be written."""
    from mockserver.contract.baseline import write_baseline
    from mockserver.contract.report import write_junit
    from mockserver.contract.report_json import RunInfo, build_report, save

    info = RunInfo(
        seed=args.seed,
        max_examples=args.max_examples,
        allow_unsafe=args.allow_unsafe,
        excluded_checks=tuple(args.exclude_check),
        baseline=args.baseline,
        baseline_entries=known,
    )
    writers: list[tuple[str, str, Callable[[str], None]]] = []
    if args.junit_xml:
        writers.append(("--junit-xml", args.junit_xml, lambda path: write_junit([result], path)))
    if args.write_baseline:
        writers.append(("--write-baseline", args.write_baseline, lambda path: write_baseline([result], path)))
    if args.report:
        report = build_report([(api, result)], info)
        writers += [("--report", path, lambda path: save(report, path)) for path in args.report]
    for option, path, write in writers:
        try:
            write(path)
        except OSError as exc:
            print(f"mockserver: error: cannot write {option} {path}: {exc.strerror or exc}", file=sys.stderr)
            return False
    return True
