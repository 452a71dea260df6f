"""What a run exercised: schemathesis' coverage scenarios mapped to keywords, parameters counted, statuses keyed."""

from __future__ import annotations

from types import SimpleNamespace

from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoverageScenario, PhaseInfo

from mockserver.contract.coverage import SCENARIO_KEYWORDS, Exercised, documented_key


def test_every_schemathesis_coverage_scenario_has_a_row_in_the_keyword_table() -> None:
    assert set(SCENARIO_KEYWORDS) == {scenario.value for scenario in CoverageScenario}


def test_a_coverage_case_counts_its_parameters_scenario_and_keyword() -> None:
    phase = PhaseInfo.coverage(
        CoverageScenario.STRING_BELOW_MIN_LENGTH, "too short", parameter="q", parameter_location=ParameterLocation.QUERY
    )
    case = SimpleNamespace(
        query={"q": ""},
        path_parameters={"id": "1"},
        headers=None,
        cookies=None,
        body=None,
        meta=SimpleNamespace(phase=phase),
    )
    exercised = Exercised()
    exercised.note(case)
    exercised.note(SimpleNamespace(query={"q": "x"}, meta=None))
    assert exercised.cases == 2
    assert exercised.parameters == {("query", "q"): 2, ("path", "id"): 1}
    assert exercised.phases == {"coverage": 1}
    assert exercised.scenarios == {"string_below_min_length": 1}
    assert exercised.keywords == {"minLength": {"query.q"}}


def test_a_status_falls_under_its_code_then_its_range_then_default() -> None:
    assert documented_key(404, ["200", "404", "4XX", "default"]) == "404"
    assert documented_key(409, ["200", "404", "4XX", "default"]) == "4XX"
    assert documented_key(409, ["200", "4xx"]) == "4xx"
    assert documented_key(503, ["200", "4XX", "default"]) == "default"
    assert documented_key(503, ["200", "4XX"]) is None
