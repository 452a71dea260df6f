"""Schemathesis against the in-process mock: each ORIGINAL spec file is the contract, every check is on.

How it is wired (schemathesis 4.32):
- `schemathesis.openapi.from_path(spec)` reads the spec file as written (3.1 stays 3.1), with a config built
  in code (`SchemathesisConfig.from_dict`, the same keys as schemathesis.toml);
- `schema.app = <ASGI app>` makes `case.call()` use schemathesis' ASGI transport, in process, and
  `base-url` (http://testserver/<mount path>) tells it where the API is mounted in that app;
- `schemathesis.pytest.parametrize(name=schema, ...)` makes one test item per (run, operation);
- the test body is `case.call_and_validate()`: the call, then every enabled check on the response.

Configuration choices (and why):
- every check is enabled (`checks.enabled = true`), with their default expectations;
- auth: `[auth.openapi.bearer] bearer = "test"` sends `Authorization: Bearer test` on every generated case
  (schemathesis leaves it out where it tests missing/invalid credentials); the mock is built to accept only
  that token (`--token test`), otherwise `ignored_auth` would see invalid tokens accepted. Lightdash declares
  `security: []`, so it gets no auth;
- runs: the coverage phase with positive and negative data together (each scenario changes one thing in a
  valid request), then fuzzing with positive data (plus the spec's examples), then fuzzing with negative
  data. Lightdash has no fuzzing-negative run: its only parameter is an unconstrained string path segment,
  so there is no invalid value to generate (schemathesis skips it as "Impossible to generate negative test
  cases");
- the stateful phase is off: each spec has one operation and no links, there is no state to walk;
- positive cases are moved inside the request rules that the specs state in prose and JSON Schema cannot
  express (OpenRouter: `date` within the last 30 days; client analytics: start_date <= end_date and at most
  90 days apart), by the rule kinds themselves (`RequestRule.keeping` in mockserver/openapi/rules.py). Without that, `positive_data_acceptance` would flag the documented 400 for
  schema-valid-but-rule-breaking dates. Negative cases are left untouched, and the rules' own 400s are
  tested in tests/serving;
- a fixed seed, max-examples 40 per operation and no example database: runs are reproducible.

Mock bugs these runs found, now fixed in the mock and pinned by plain tests in tests/serving: `format: date`
and `format: uuid` parameters not enforced (ST201), a multipart Content-Type without boundary answered 500
(ST102), a path with a newline answered 405 to an allowed method (ST202). To pin a new one, do not put
`@pytest.mark.xfail(strict=True)` on these generated items: schemathesis 4.32.5's pytest plugin crashes with
INTERNALERROR (`assert call.excinfo is not None` in `_get_pytest_report_outcome`) when such an item XPASSes.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from contract_support import APIS, SEED, TODAY, TOKEN, api_for_location, make_app
from schemathesis.config import SchemathesisConfig

from mockserver.openapi.resources import cursor_parameter

MAX_EXAMPLES = 40
APP = make_app()


RAN: set[str] = set()
ANSWERED_2XX: set[str] = set()

RUNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "coverage": ("all", ("coverage",)),
    "fuzzing-positive": ("positive", ("examples", "fuzzing")),
    "fuzzing-negative": ("negative", ("fuzzing",)),
}
NO_NEGATIVE_DATA = {"lightdash"}


def make_schema(api_name: str, mode: str, phases: tuple[str, ...]) -> Any:
    api = APIS[api_name]
    config: dict[str, Any] = {
        "seed": SEED,
        "base-url": f"http://testserver{api.mount_path}",
        "generation": {"mode": mode, "max-examples": MAX_EXAMPLES, "database": "none"},
        "phases": {phase: {"enabled": phase in phases} for phase in ("examples", "coverage", "fuzzing", "stateful")},
        "checks": {"enabled": True},
    }
    schemes = (api.document.get("components") or {}).get("securitySchemes") or {}
    bearer = {
        name: {"bearer": TOKEN}
        for name, scheme in schemes.items()
        if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer"
    }
    if bearer:
        config["auth"] = {"openapi": bearer}
    schema = schemathesis.openapi.from_path(api.file, config=SchemathesisConfig.from_dict(config))
    schema.app = APP
    return schema


RUN_KIND = {
    f"{name}-{kind}": kind
    for name in sorted(APIS)
    for kind in RUNS
    if not (kind == "fuzzing-negative" and name in NO_NEGATIVE_DATA)
}
SCHEMAS = {run: make_schema(run.removesuffix(f"-{kind}"), *RUNS[kind]) for run, kind in RUN_KIND.items()}
RUN_OF = {id(schema.raw_schema): run for run, schema in SCHEMAS.items()}


def keep_documented_request_rules(case: Any, api_name: str) -> None:
    """Move a positive case inside the rules the spec documents in prose (see the module docstring): each
    request-rule kind knows how (`RequestRule.keeping`), so no API is named here. A page cursor is opaque: one
    schemathesis makes up is no cursor a server issued (the mock refuses it in the documented 400/422, as
    `mockserver contract` excuses), so a positive case asks for the first page instead."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or case.query is None:
        return
    op = next(op for op in APIS[api_name].operations if op.method == case.method.lower() and op.path == case.path)
    for rule in op.x_mock.request_rules:
        rule.keeping(case.query, TODAY)
    cursor = cursor_parameter(op)
    if cursor is not None and case.query.get(cursor) not in (None, ""):
        del case.query[cursor]


@schemathesis.pytest.parametrize(**SCHEMAS)
def test_mock_conforms_to_its_spec(case: Any) -> None:
    run = RUN_OF[id(case.operation.schema.raw_schema)]
    RAN.add(run)
    keep_documented_request_rules(case, api_for_location(case.operation.schema.location).name)
    response = case.call_and_validate()
    if 200 <= response.status_code < 300:
        ANSWERED_2XX.add(run)


def test_runs_with_positive_data_got_successful_answers() -> None:
    """Guard against a silently broken set-up: with credentials not sent, for instance, every positive case
    would get a 401, which `positive_data_acceptance` accepts."""
    if set(SCHEMAS) != RAN:
        pytest.skip("needs every schemathesis run of this module in the same session")
    positive_runs = {run for run, kind in RUN_KIND.items() if RUNS[kind][0] != "negative"}
    assert positive_runs <= ANSWERED_2XX, (
        f"runs with positive data that never got a 2xx: {positive_runs - ANSWERED_2XX}"
    )


def test_every_builtin_check_and_the_intended_phases_are_enabled() -> None:
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    names = CHECKS.get_all_names()
    assert {"not_a_server_error", "negative_data_rejection", "positive_data_acceptance", "ignored_auth"} <= set(names)
    for run, schema in SCHEMAS.items():
        (result,) = list(schema.get_all_operations())
        operation = result.ok()
        phases = schema.config.phases_for(operation=operation)
        wanted = RUNS[RUN_KIND[run]][1]
        for phase in ("examples", "coverage", "fuzzing", "stateful"):
            assert getattr(phases, phase).enabled == (phase in wanted), (run, phase)
        for phase in wanted:
            checks = schema.config.checks_config_for(operation=operation, phase=phase)
            assert all(checks.get_by_name(name=name).enabled for name in names), (run, phase)
