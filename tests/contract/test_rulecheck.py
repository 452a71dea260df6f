"""The x-mock rules' schemathesis check: configured per run, idle elsewhere, failures as structured data."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from schemathesis.config import SchemathesisConfig

from mockserver.contract.options import ContractOptions, Target
from mockserver.contract.rule_checks import Breach
from mockserver.contract.rulecheck import CHECK, RuleRun, RulesBroken, XMockRules
from mockserver.contract.runner import _config
from mockserver.openapi.loader import load

SPECS = Path(__file__).resolve().parents[2] / "specs"
ONEPIN = load(SPECS / "onepin.yaml")
TODAY = date(2026, 3, 15)


def _exchange(query: str, body: dict[str, Any]) -> tuple[Any, Any]:
    op = ONEPIN.operations[0]
    case = SimpleNamespace(
        method="GET", path=op.path, path_parameters={}, headers={}, operation=SimpleNamespace(label=f"GET {op.path}")
    )
    response = SimpleNamespace(
        status_code=200,
        content=json.dumps(body).encode(),
        request=SimpleNamespace(url=f"http://testserver{op.path}?{query}"),
    )
    return case, response


def test_outside_a_contract_run_the_check_is_idle() -> None:
    case, response = _exchange("limit=1", {"data": [{}, {}]})
    assert XMockRules().after_response(None, response, case) is None


def test_a_broken_rule_is_raised_with_its_breaches_as_data() -> None:
    check = XMockRules(run=RuleRun(ONEPIN, lambda: TODAY))
    case, response = _exchange("limit=1&type=workflow_run", {"data": [{"action": "member_invited"}, {}]})
    with pytest.raises(RulesBroken) as raised:
        check.after_response(None, response, case)
    assert sorted(b.check for b in raised.value.breaches) == ["xmock_filter", "xmock_limit"]
    assert all(isinstance(b, Breach) for b in raised.value.breaches)


def test_an_answer_keeping_the_rules_passes() -> None:
    check = XMockRules(run=RuleRun(ONEPIN, lambda: TODAY))
    case, response = _exchange("limit=1", {"data": [{"action": "workflow_run"}], "pagination": {"limit": 1}})
    assert check.after_response(None, response, case) is True


def test_a_contract_run_hands_the_check_its_own_spec_and_clock() -> None:
    options = ContractOptions(today=lambda: TODAY)
    config: SchemathesisConfig = _config(ONEPIN, Target(base_url="http://127.0.0.1:9"), options)
    run = config.projects.get_default().checks_config_for().custom_kwargs[CHECK]["run"]
    assert run.api is ONEPIN and run.today() == TODAY
