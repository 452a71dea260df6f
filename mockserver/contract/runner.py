"""Run schemathesis (every check) plus the prose-rule checks and probes against one API target.

A target is a base URL (a real server) or an ASGI app (the mock, in process). The runner reads
specs and speaks HTTP; it never looks inside the server it checks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import requests
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events

from mockserver.contract import prose
from mockserver.contract.limits import ResponseLimitExceeded, ResponseLimits, bounded_responses
from mockserver.contract.probes import probe
from mockserver.contract.report import ApiResult, Violation, curl, excerpt
from mockserver.contract.throttle import honour_retry_after
from mockserver.redact import secret_values
from mockserver.spec.model import ApiSpec, Operation
from mockserver.spec.params import request_values
from mockserver.spec.rules import RequestValues

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Runs under way, by spec location: the prose check (registered with schemathesis for every schema)
# acts only inside `run_contract`, with that run's spec and clock.
_ACTIVE: dict[str, tuple[ApiSpec, Callable[[], date]]] = {}


@dataclass(frozen=True)
class ContractOptions:
    headers: dict[str, str] = field(default_factory=dict)
    max_examples: int = 25
    seed: int = 0
    allow_unsafe: bool = False
    rate_limit: str | None = None  # "10/s"; None: unlimited in process, "auto" (honours 429) for a URL
    limits: ResponseLimits = field(default_factory=ResponseLimits)  # per response from a URL: bytes, seconds
    today: Callable[[], date] = field(default=lambda: datetime.now(UTC).date())


@dataclass(frozen=True)
class Target:
    """Where to send requests: `base_url` of a server, or an ASGI `app` mounted at `mount_path`."""

    base_url: str | None = None
    app: Any = None
    mount_path: str = ""

    @property
    def label(self) -> str:
        """Where requests go, safe to print: a password in the URL is masked."""
        if self.base_url:
            parts = urlsplit(self.base_url)
            if parts.password:
                netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
                return urlunsplit(parts._replace(netloc=netloc))
            return self.base_url
        return f"the mock (in process){self.mount_path}"

    @property
    def url(self) -> str:
        return (self.base_url or f"http://testserver{self.mount_path}").rstrip("/")


def _operation(api: ApiSpec, method: str, path: str) -> Operation | None:
    return next((op for op in api.operations if op.method == method.lower() and op.path == path), None)


def _values(op: Operation, case: Any, url: str) -> RequestValues:
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    return request_values(op, query, case.path_parameters or {}, (case.headers or {}).items())


@schemathesis.check
def prose_rules(ctx: Any, response: Any, case: Any) -> bool | None:
    """The rules the docs state in prose, as the spec's `x-mock` records them."""
    active = _ACTIVE.get(str(case.operation.schema.location))
    if active is None:
        return None
    api, today = active
    op = _operation(api, case.method, case.path)
    if op is None or not op.mock:
        return None
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        return None  # content-type and schema checks report unparsable bodies
    found = prose.check_answer(op, _values(op, case, response.request.url), response.status_code, body, today())
    if found:
        raise AssertionError("\n".join(f"[{name}] {message}" for name, message in found))
    return True


def _config(api: ApiSpec, target: Target, options: ContractOptions) -> SchemathesisConfig:
    config: dict[str, Any] = {
        "seed": options.seed,
        "base-url": target.url,
        "headers": dict(options.headers),
        "generation": {"max-examples": options.max_examples, "database": "none"},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": True},
        },
        "checks": {"enabled": True},
        "request-timeout": 10,
    }
    if target.base_url and not options.allow_unsafe:
        # It sends DELETE, PATCH, … to see them refused: not to a real server without --allow-unsafe.
        config["checks"]["unsupported_method"] = {"enabled": False}
        config["phases"]["coverage"]["unexpected-methods"] = [m for m in SAFE_METHODS if m != "HEAD"]
    rate = options.rate_limit or ("auto" if target.base_url else None)
    if rate:
        config["rate-limit"] = rate
    return SchemathesisConfig.from_dict(config)


def run_contract(api: ApiSpec, target: Target, options: ContractOptions) -> ApiResult:
    """Check `target` against `api`'s contract; every violation and run error lands in the result."""
    result = ApiResult(api=api.name, target=target.label, secrets=secret_values(options.headers, target.base_url))
    if target.base_url is None:
        _run(api, target, options, result)
        return result
    # A real server may answer without end, in bulk or a byte at a time: each response is bounded.
    with bounded_responses(options.limits, label=target.label), honour_retry_after(result.throttling):
        unreachable = _unreachable(target.base_url, target.label)
        if unreachable:
            result.errors.append(unreachable)
            return result
        _run(api, target, options, result)
        return result


def _run(api: ApiSpec, target: Target, options: ContractOptions, result: ApiResult) -> None:
    schema: Any = schemathesis.openapi.from_path(str(api.path), config=_config(api, target, options))
    if target.app is not None:
        schema.app = target.app
    if target.base_url and not options.allow_unsafe:
        schema = schema.include(method=list(SAFE_METHODS))
    result.documented = {f"{op.method.upper()} {op.path}": op.documented_statuses for op in api.operations}
    result.operations = [
        f"{op.method.upper()} {op.path}"
        for op in api.operations
        if options.allow_unsafe or not target.base_url or op.method.upper() in SAFE_METHODS
    ]
    _ACTIVE[str(schema.location)] = (api, options.today)
    try:
        _execute(api, schema, target, options, result)
    finally:
        _ACTIVE.pop(str(schema.location), None)


def _execute(api: ApiSpec, schema: Any, target: Target, options: ContractOptions, result: ApiResult) -> None:
    """schemathesis' engine, then (if the run could happen) the targeted probes."""
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _collect(api, event, result, options)
        elif isinstance(event, events.NonFatalError):
            text = _error_text(event.value)
            if text.split(":")[0] not in {e.split(":")[0] for e in result.errors}:
                result.errors.append(text)
        elif isinstance(event, events.FatalError):
            result.errors.append(_error_text(event.exception))
    if not result.errors:
        for label, statuses in sorted(result.statuses_seen.items()):
            if statuses and not any(200 <= s < 300 for s in statuses):
                # Every answer was an error: nothing of the success contract was checked.
                result.errors.append(
                    f"{label}: no request got a 2xx answer (got {sorted(statuses)}); "
                    "check the credentials (--header, or <API>_API_KEY with --base-url)"
                )
    if not result.errors:
        for op in api.operations:
            if options.allow_unsafe or op.method.upper() in SAFE_METHODS:
                try:
                    probe(api, op, schema, target, options, result)
                except requests.RequestException as exc:  # a server that drops or stalls a probe: one line
                    result.errors.append(_error_text(exc))
                    return


def _unreachable(base_url: str, label: str) -> str | None:
    """Why `base_url` cannot be reached at all (any HTTP answer counts as reachable), or None."""
    try:
        requests.head(base_url, timeout=10)
    except ResponseLimitExceeded as exc:
        return str(exc)
    except requests.RequestException as exc:
        return f"cannot reach {label}: {type(exc).__name__}"
    return None


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ResponseLimitExceeded):
        return str(exc)  # already the one line to show
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def _collect(api: ApiSpec, event: Any, result: ApiResult, options: ContractOptions) -> None:
    recorder = event.recorder
    result.requests += sum(1 for i in recorder.interactions.values() if i.response is not None)
    for interaction in recorder.interactions.values():
        if interaction.response is not None:
            result.statuses_seen.setdefault(recorder.label, set()).add(interaction.response.status_code)
    for case_id, checks in recorder.checks.items():
        for node in checks:
            if node.failure_info is None:
                continue
            node_case = recorder.cases[case_id].value
            interaction = recorder.interactions.get(case_id)
            response = interaction.response if interaction else None
            request = interaction.request if interaction else None
            if _excused(api, node.name, node_case, request, response, options):
                continue
            failure = node.failure_info.failure
            headers = (
                {k: v[0] if isinstance(v, list) else v for k, v in dict(request.headers).items()} if request else {}
            )
            found = [(node.name, str(failure.title), str(failure.message))]
            if node.name == "prose_rules":  # our own check: one violation per rule it saw broken
                found = [
                    (name, "Prose rule broken", message)
                    for name, _, message in (line[1:].partition("] ") for line in str(failure.message).splitlines())
                ]
            for check, title, message in found:
                result.add(
                    Violation(
                        api=api.name,
                        operation=recorder.label,
                        check=check,
                        title=title,
                        message=message,
                        status=response.status_code if response else None,
                        body_excerpt=excerpt(response.content if response else b"", result.secrets),
                        request=curl(request.method, request.uri, headers, request.body) if request else "",
                    )
                )


def _excused(api: ApiSpec, check: str, case: Any, request: Any, response: Any, options: ContractOptions) -> bool:
    """A schema-valid request that breaks a documented prose rule is rightly refused with 4xx."""
    if check != "positive_data_acceptance" or request is None or response is None or response.status_code >= 500:
        return False
    op = _operation(api, case.method, case.path)
    if op is None:
        return False
    return prose.broken_request_rule(op, _values(op, case, request.uri), options.today()) is not None
