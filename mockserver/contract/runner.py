"""Run schemathesis (every check) plus the x-mock rule checks and probes against one API target.

A target is a base URL (a real server) or an ASGI app (the mock, in process). The runner reads
specs and speaks HTTP; it never looks inside the server it checks.
"""

from __future__ import annotations

from typing import Any

import requests
import schemathesis
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from schemathesis.schemas import BaseSchema

from mockserver.contract import rule_checks
from mockserver.contract.coverage import Exercised
from mockserver.contract.limits import ResponseLimitExceeded, bounded_responses
from mockserver.contract.options import ContractOptions, Target
from mockserver.contract.probes import probe
from mockserver.contract.report import ApiResult, Violation, curl, excerpt
from mockserver.contract.rulecheck import CHECK, RuleRun, RulesBroken, case_values, operation_of
from mockserver.contract.throttle import honour_retry_after
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.resources import cursor_parameter
from mockserver.redact import secret_values

__all__ = ["SAFE_METHODS", "ContractOptions", "Target", "known_checks", "run_contract"]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# The checks this package adds besides schemathesis' own (x-mock rules, and what the probes report).
OWN_CHECKS = (*rule_checks.CHECK_NAMES, "xmock_request_rule_probe", "error_envelope")


def schemathesis_checks() -> list[str]:
    """schemathesis' registered checks, by the names its configuration and its failures use."""
    import schemathesis.specs.openapi.checks  # noqa: F401  (registers the OpenAPI checks, as loading a spec does)

    return [name for name in CHECKS.get_all_names() if name != CHECK]


def known_checks() -> list[str]:
    """Every name `--exclude-check` accepts."""
    return sorted({*schemathesis_checks(), *OWN_CHECKS})


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
        # The x-mock rules' check gets this run's spec and clock (see contract/rulecheck.py).
        "checks": {"enabled": True, CHECK: {"run": RuleRun(api, options.today)}},
        "request-timeout": 10,
    }
    for name in options.excluded_checks & set(schemathesis_checks()):
        config["checks"][name] = {"enabled": False}
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
    result = ApiResult(
        api=api.name,
        target=target.label,
        secrets=secret_values(options.headers, target.base_url),
        excluded=options.excluded_checks,
        reproduce=target.reproduce,
    )
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
    schema: BaseSchema = schemathesis.openapi.from_path(str(api.file), config=_config(api, target, options))
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
    _execute(api, schema, target, options, result)


def _execute(api: ApiSpec, schema: BaseSchema, target: Target, options: ContractOptions, result: ApiResult) -> None:
    """schemathesis' engine, then (if the run could happen) the targeted probes."""
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _collect(api, event, result, options, target)
        elif isinstance(event, events.NonFatalError):
            text = _error_text(event.value)
            if text.split(":")[0] not in {e.split(":")[0] for e in result.errors}:
                result.errors.append(text)
        elif isinstance(event, events.FatalError):
            result.errors.append(_error_text(event.exception))
    if not result.errors:
        broken = {v.operation for v in result.violations}
        for label, statuses in sorted(result.statuses_seen.items()):
            if statuses and not any(200 <= s < 300 for s in statuses) and label not in broken:
                # Every answer was an error and none broke the contract: nothing of the success contract was
                # checked, so "conforms" would be a guess. (With violations the report already says what broke.)
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


def _collect(api: ApiSpec, event: Any, result: ApiResult, options: ContractOptions, target: Target) -> None:
    recorder = event.recorder
    method = recorder.label.split(" ", 1)[0].upper()
    for interaction in recorder.interactions.values():
        # Only the operation's own method counts: a 204 to schemathesis' OPTIONS "unsupported method" request
        # is not an answer to the operation (it let a run where every GET got 401 pass as conforming).
        if interaction.response is not None:
            own = interaction.request.method.upper() == method
            result.answered(recorder.label, interaction.response.status_code, own_method=own)
    exercised = result.exercised.setdefault(recorder.label, Exercised())
    for node in recorder.cases.values():
        exercised.note(node.value)
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
            if isinstance(failure, RulesBroken):  # our own check: one violation per rule it saw broken
                found = [(b.check, "x-mock rule broken", b.message) for b in failure.breaches]
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
                        request=curl(request.method, target.shown_url(request.uri), headers, request.body)
                        if request
                        else "",
                    )
                )


def _excused(api: ApiSpec, check: str, case: Any, request: Any, response: Any, options: ContractOptions) -> bool:
    """A schema-valid request that breaks a documented x-mock rule is rightly refused with 4xx; so is a page
    cursor the server did not issue (cursors are opaque: schemathesis makes up ones no server would take)."""
    if check != "positive_data_acceptance" or request is None or response is None or response.status_code >= 500:
        return False
    op = operation_of(api, case.method, case.path)
    if op is None:
        return False
    values = case_values(op, case, request.uri)
    cursor = cursor_parameter(op)
    if response.status_code in (400, 422) and cursor is not None and values.query.get(cursor) not in (None, ""):
        return True
    return rule_checks.broken_request_rule(op, values, options.today()) is not None
