"""The x-mock rules as a schemathesis check: one instance per contract run, failures as structured data.

`run_contract` configures the check with its `RuleRun` (the spec and the run's clock) through
schemathesis' per-check settings (`checks.XMockRules.run`), so the check knows which run it serves without
any module-level switch; other schemathesis runs (no `run` configured) leave it idle. A broken rule is
raised as `RulesBroken`, which carries the `Breach`es themselves: the runner reads them, never the text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import schemathesis
from schemathesis.core.failures import Failure

from mockserver.contract.rule_checks import Breach, check_answer
from mockserver.openapi.model import ApiSpec, Operation
from mockserver.openapi.params import request_values
from mockserver.openapi.rules import RequestValues

CHECK = "XMockRules"  # the name schemathesis knows the check by


def operation_of(api: ApiSpec, method: str, path: str) -> Operation | None:
    return next((op for op in api.operations if op.method == method.lower() and op.path == path), None)


def case_values(op: Operation, case: Any, url: str) -> RequestValues:
    """The request a schemathesis case sent, as the rules read it."""
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    return request_values(op, query, case.path_parameters or {}, (case.headers or {}).items())


class RulesBroken(Failure):
    """The x-mock rules one answer broke, kept as `Breach`es."""

    code = "ST901"
    kind_title = "x-mock rule broken"

    def __init__(self, *, operation: str | None, breaches: tuple[Breach, ...]) -> None:
        super().__init__(operation=operation, message="\n".join(f"[{b.check}] {b.message}" for b in breaches))
        self.breaches = breaches

    @property
    def _unique_key(self) -> str:
        return ",".join(sorted({b.check for b in self.breaches}))


@dataclass(frozen=True)
class RuleRun:
    """One contract run's view of the rules: its spec and its clock."""

    api: ApiSpec
    today: Callable[[], date]

    def breaches(self, case: Any, response: Any) -> tuple[Breach, ...]:
        op = operation_of(self.api, case.method, case.path)
        if op is None or not op.x_mock:
            return ()
        try:
            body = json.loads(response.content) if response.content else None
        except ValueError:
            return ()  # content-type and schema checks report unparsable bodies
        values = case_values(op, case, response.request.url)
        return tuple(check_answer(op, values, response.status_code, body, self.today()))


@schemathesis.check
class XMockRules:
    """The rules the docs state in prose, as the spec's `x-mock` records them."""

    def __init__(self, run: RuleRun | None = None) -> None:
        self.run = run

    def after_response(self, ctx: Any, response: Any, case: Any) -> bool | None:
        if self.run is None:
            return None  # a schemathesis run that is not a contract run
        breaches = self.run.breaches(case, response)
        if breaches:
            raise RulesBroken(operation=case.operation.label, breaches=breaches)
        return True
