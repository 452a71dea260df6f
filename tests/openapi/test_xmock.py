"""`x-mock` read at load: the bundled specs' rules as typed data, and every mistake a one-line load error."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.errors import SpecErrorKind, SpecLoadError
from mockserver.openapi.loader import load
from mockserver.openapi.rules import DateRange, RecentDate, Ref
from mockserver.openapi.xmock import Binding, Limit, Series

SPECS = Path(__file__).resolve().parents[2] / "specs"
ONEPIN = yaml.safe_load((SPECS / "onepin.yaml").read_text(encoding="utf-8"))
ONEPIN_ROUTE = next(route for route, item in ONEPIN["paths"].items() if "x-mock" in item.get("get", {}))
ANALYTICS = yaml.safe_load((SPECS / "client-analytics.yaml").read_text(encoding="utf-8"))
ANALYTICS_ROUTE = next(iter(ANALYTICS["paths"]))


def test_bundled_specs_read_into_typed_rules() -> None:
    onepin = load(SPECS / "onepin.yaml").operations[0].x_mock
    assert onepin.filter == (
        Binding("data[].action", Ref("query", "type")),
        Binding("data[].user.id", Ref("query", "user_id")),
    )
    assert onepin.limit == Limit(Ref("query", "limit"), "data", "pagination.limit")
    analytics = load(SPECS / "client-analytics.yaml").operations[0].x_mock
    assert analytics.series == Series(
        "data", Ref("query", "start_date"), Ref("query", "end_date"), "date", Ref("query", "granularity")
    )
    assert analytics.request_rules == (
        DateRange(Ref("query", "start_date"), Ref("query", "end_date"), 90, "Date range cannot exceed 90 days"),
    )
    openrouter = load(SPECS / "openrouter.yaml").operations[0].x_mock
    assert openrouter.request_rules == (RecentDate(Ref("query", "date"), 30, "Date must be within the last 30 days"),)


def test_an_operation_without_x_mock_has_an_empty_false_one() -> None:
    mock = load(SPECS / "lightdash.yaml").operations[0].x_mock
    assert not mock and mock.heuristics and mock.request_rules == ()


def _load_with(tmp_path: Path, document: dict[str, Any], route: str, edit: dict[str, Any]) -> SpecLoadError:
    changed = copy.deepcopy(document)
    changed["paths"][route]["get"]["x-mock"] = edit
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    with pytest.raises(SpecLoadError) as raised:
        load(path)
    assert raised.value.kind is SpecErrorKind.BAD_EXTENSION
    assert str(path) in str(raised.value) and len(str(raised.value).splitlines()) == 1
    return raised.value


ONEPIN_MOCK = ONEPIN["paths"][ONEPIN_ROUTE]["get"]["x-mock"]
ANALYTICS_MOCK = ANALYTICS["paths"][ANALYTICS_ROUTE]["get"]["x-mock"]


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        ({**ONEPIN_MOCK, "filters": {}}, "x-mock.filters: unknown key"),
        ({**ONEPIN_MOCK, "limit": {**ONEPIN_MOCK["limit"], "parm": "query.limit"}}, "x-mock.limit.parm: unknown key"),
        ({**ONEPIN_MOCK, "filter": {"data[].acton": "query.type"}}, "'data[].acton' is not a field of the 200"),
        ({**ONEPIN_MOCK, "filter": {"data[].action": "query.kind"}}, "'query.kind' names no parameter"),
        ({**ONEPIN_MOCK, "filter": {"data[].action": "type"}}, "'type' is not a parameter reference"),
        ({**ONEPIN_MOCK, "limit": {"param": "query.limit", "array": "meta"}}, "'meta' is not an array field"),
        ({**ONEPIN_MOCK, "limit": {"array": "data"}}, "x-mock.limit.param: is required"),
        ({**ONEPIN_MOCK, "heuristics": "no"}, "x-mock.heuristics: must be true or false"),
    ],
)
def test_a_mistake_in_onepins_x_mock_is_a_load_error_naming_the_operation_and_key(
    tmp_path: Path, edit: dict[str, Any], named: str
) -> None:
    error = _load_with(tmp_path, ONEPIN, ONEPIN_ROUTE, edit)
    assert f"GET {ONEPIN_ROUTE}" in str(error) and named in str(error), str(error)


def _rule(**changes: Any) -> dict[str, Any]:
    (rule,) = ANALYTICS_MOCK["request_rules"]
    return {**ANALYTICS_MOCK, "request_rules": [{**rule, **changes}]}


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (_rule(rule="date_rnage"), "x-mock.request_rules[0].rule: unknown rule kind 'date_rnage'"),
        (_rule(max_day=90), "x-mock.request_rules[0].max_day: unknown key"),
        (_rule(end="query.end"), "x-mock.request_rules[0].end: 'query.end' names no parameter"),
        (_rule(max_days="ninety"), "x-mock.request_rules[0].max_days: must be a whole number"),
        ({**ANALYTICS_MOCK, "request_rules": {"rule": "date_range"}}, "x-mock.request_rules: must be a list"),
        ({**ANALYTICS_MOCK, "series": {**ANALYTICS_MOCK["series"], "field": "day"}}, "'data[].day' is not a field"),
        ({**ANALYTICS_MOCK, "echo": {"period.begin": "query.start_date"}}, "'period.begin' is not a field"),
    ],
)
def test_a_mistake_in_a_request_rule_or_series_is_a_load_error_naming_the_key(
    tmp_path: Path, edit: dict[str, Any], named: str
) -> None:
    error = _load_with(tmp_path, ANALYTICS, ANALYTICS_ROUTE, edit)
    assert named in str(error), str(error)


def test_an_operation_without_x_mock_is_not_walked_for_field_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading the success schema's field paths is for checking an x-mock: on Stripe's 588 operations it
    took seconds of every load (`serve`, `diff`) though none has one."""

    def walked(*args: object, **kwargs: object) -> set[tuple[str, ...]]:
        raise AssertionError("field_paths called for an operation without x-mock")

    monkeypatch.setattr("mockserver.openapi.xmock.field_paths", walked)
    api = load(Path(__file__).resolve().parents[2] / "specs" / "lightdash.yaml")
    assert api.operations and not any(op.x_mock for op in api.operations)
