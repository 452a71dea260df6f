"""Bodies that answer the request: periods, request rules, limits, filters, echoes and series."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from mockserver.errors import SpecErrorKind, SpecLoadError
from mockserver.generation.compiler import Compiler
from mockserver.generation.context import make_context
from mockserver.generation.responses import ApiMock, OperationMock
from mockserver.generation.shaping import Shaper
from mockserver.generation.values import Pools
from mockserver.openapi.loader import load
from mockserver.openapi.model import Operation, Parameter, ResponseSpec
from mockserver.openapi.rules import RequestValues, periods
from mockserver.openapi.validation import schema_validator
from mockserver.openapi.xmock import NO_XMOCK, parse_xmock

SPECS = Path(__file__).resolve().parents[2] / "specs"
POOLS = Pools(1)
USER = "9b2d7f3e-4c1a-4f8a-9d3e-1a2b3c4d5e6f"
D = date.fromisoformat
RULES_TODAY = date(2026, 7, 1)


def shaper_for(schema: dict[str, Any], *query: str, path_params: tuple[str, ...] = ()) -> Shaper:
    """The shaper of a GET operation answering `schema`, with integer query parameters `query`."""
    op = Operation(
        method="get",
        path="/things",
        operation_id="things",
        summary="",
        parameters=(
            *(Parameter(name, "query", False, {"type": "integer"}) for name in query),
            *(Parameter(name, "path", True, {"type": "string"}) for name in path_params),
        ),
        responses={},
        security=(),
        request_body_required=False,
        x_mock=NO_XMOCK,
    )
    return Shaper(op, schema, Compiler(Pools(0)).compile, openapi_31=False)


# --- periods --------------------------------------------------------------------------------------


def test_daily_periods_list_every_date_including_weekends() -> None:
    days = periods(D("2026-01-01"), D("2026-01-15"), "day")
    assert days == [D("2026-01-01") + timedelta(days=i) for i in range(15)]
    assert {d.weekday() for d in days} == set(range(7))


def test_weekly_periods_step_seven_days_from_the_start() -> None:
    assert periods(D("2026-01-01"), D("2026-01-31"), "week") == [
        D("2026-01-01"),
        D("2026-01-08"),
        D("2026-01-15"),
        D("2026-01-22"),
        D("2026-01-29"),
    ]


def test_monthly_periods_start_with_the_start_date_then_first_days_of_months() -> None:
    assert periods(D("2026-01-15"), D("2026-04-02"), "month") == [
        D("2026-01-15"),
        D("2026-02-01"),
        D("2026-03-01"),
        D("2026-04-01"),
    ]


def test_monthly_periods_cross_the_year_end() -> None:
    assert periods(D("2025-11-30"), D("2026-02-01"), "month") == [
        D("2025-11-30"),
        D("2025-12-01"),
        D("2026-01-01"),
        D("2026-02-01"),
    ]


def test_quarterly_periods_start_with_the_start_date_then_quarter_starts() -> None:
    assert periods(D("2026-02-10"), D("2026-12-31"), "quarter") == [
        D("2026-02-10"),
        D("2026-04-01"),
        D("2026-07-01"),
        D("2026-10-01"),
    ]
    assert periods(D("2025-11-05"), D("2026-01-01"), "quarter") == [D("2025-11-05"), D("2026-01-01")]


@pytest.mark.parametrize("step", ["day", "week", "month", "quarter"])
def test_a_one_day_range_is_one_period(step: str) -> None:
    assert periods(D("2026-03-31"), D("2026-03-31"), step) == [D("2026-03-31")]


@pytest.mark.parametrize("step", ["day", "week", "month", "quarter"])
def test_periods_are_increasing_and_inside_the_range(step: str) -> None:
    start, end = D("2025-12-17"), D("2026-09-03")
    found = periods(start, end, step)
    assert found[0] == start and all(a < b for a, b in pairwise(found))
    assert all(start <= d <= end for d in found)


# --- fixtures on the bundled specs ----------------------------------------------------------------


@pytest.fixture(scope="module")
def onepin() -> OperationMock:
    return ApiMock(load(SPECS / "onepin.yaml"), POOLS).operations["usage_activity_api_v1_usage_activity_get"]


@pytest.fixture(scope="module")
def analytics() -> OperationMock:
    return ApiMock(load(SPECS / "client-analytics.yaml"), POOLS).operations["getUserActivity"]


@pytest.fixture(scope="module")
def openrouter() -> OperationMock:
    return ApiMock(load(SPECS / "openrouter.yaml"), POOLS).operations["get-user-activity"]


def render(
    op: OperationMock, seed: int, query: dict[str, Any] | None = None, path: dict[str, Any] | None = None
) -> Any:
    """A 200 body for the request, checked against the operation's 200 schema."""
    request = RequestValues(query=query or {}, path=path or {})
    body = op.render(200, make_context(seed, op.op.operation_id), request).body
    schema = op.op.response_for(200).schema  # type: ignore[union-attr]
    assert schema_validator(schema, openapi_31=op.api.is_31)(body) == []
    return body


# --- request rules --------------------------------------------------------------------------------


def rules(op: OperationMock, today: date = RULES_TODAY, **query: Any) -> Any:
    return op.shaper.check_request(op.op, RequestValues(query=query), today)


def test_date_range_over_90_days_is_refused_with_both_dates(analytics: OperationMock) -> None:
    assert rules(analytics, start_date="2026-01-01", end_date="2026-06-01") == (
        "Date range cannot exceed 90 days",
        {"start_date": "2026-01-01", "end_date": "2026-06-01"},
    )
    assert rules(analytics, start_date="2026-01-01", end_date="2026-04-02") is not None  # 91 days


def test_date_range_of_exactly_90_days_is_accepted(analytics: OperationMock) -> None:
    assert rules(analytics, start_date="2026-01-01", end_date="2026-04-01") is None
    assert rules(analytics, start_date="2026-01-01", end_date="2026-01-01") is None


def test_end_before_start_is_refused(analytics: OperationMock) -> None:
    message, details = rules(analytics, start_date="2026-01-10", end_date="2026-01-01")
    assert "after" in message.lower()
    assert details == {"start_date": "2026-01-10", "end_date": "2026-01-01"}


def test_date_range_rule_ignores_missing_or_malformed_dates(analytics: OperationMock) -> None:
    assert rules(analytics, start_date="2026-01-01") is None
    assert rules(analytics, start_date="01/01/2026", end_date="2026-12-01") is None


def test_recent_date_outside_the_last_30_days_is_refused(openrouter: OperationMock) -> None:
    today = RULES_TODAY
    assert rules(openrouter, today, date="2026-01-01") == (
        "Date must be within the last 30 days",
        {"date": "2026-01-01"},
    )
    assert rules(openrouter, today, date="2026-07-02") is not None  # the future is not recent either
    assert rules(openrouter, today, date="2026-05-31") is not None


def test_recent_date_within_the_last_30_days_is_accepted(openrouter: OperationMock) -> None:
    today = RULES_TODAY
    for day in ("2026-07-01", "2026-06-15", "2026-06-01"):
        assert rules(openrouter, today, date=day) is None
    assert rules(openrouter, today) is None


# --- limit and filters (Onepin) -------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_limit_truncates_the_list_and_is_echoed(onepin: OperationMock, limit: int) -> None:
    for seed in range(20):
        body = render(onepin, seed, {"limit": limit})
        assert 1 <= len(body["data"]) <= limit
        assert body["pagination"]["limit"] == limit


def test_limit_larger_than_the_list_keeps_every_item(onepin: OperationMock) -> None:
    for seed in range(10):
        full = render(onepin, seed)
        assert len(render(onepin, seed, {"limit": 100})["data"]) == len(full["data"])


def test_limit_zero_gives_an_empty_list(onepin: OperationMock) -> None:
    request = RequestValues(query={"limit": 0})
    assert onepin.render(200, make_context(3, "x"), request).body["data"] == []


def test_type_filter_sets_every_items_action(onepin: OperationMock) -> None:
    for seed in range(20):
        body = render(onepin, seed, {"type": "voice_generated"})
        assert body["data"] and all(item["action"] == "voice_generated" for item in body["data"])


def test_invalid_filter_value_is_not_written_into_the_body(onepin: OperationMock) -> None:
    for seed in range(10):
        body = render(onepin, seed, {"type": "not-an-action"})
        assert all(item["action"] != "not-an-action" for item in body["data"])


def test_user_id_filter_sets_every_items_user_id_even_where_user_was_null(onepin: OperationMock) -> None:
    was_null = 0
    for seed in range(30):
        plain = render(onepin, seed)
        filtered = render(onepin, seed, {"user_id": USER})
        assert len(plain["data"]) == len(filtered["data"])
        for before, after in zip(plain["data"], filtered["data"], strict=True):
            was_null += before.get("user") is None
            assert after["user"]["id"] == USER
            assert isinstance(after["user"]["name"], str) and " " in after["user"]["name"]
    assert was_null > 0  # the case that needs a user made up


def test_filters_and_limit_combine(onepin: OperationMock) -> None:
    for seed in range(10):
        body = render(onepin, seed, {"limit": 2, "type": "workflow_run", "user_id": USER})
        assert len(body["data"]) <= 2 and body["pagination"]["limit"] == 2
        assert all(i["action"] == "workflow_run" and i["user"]["id"] == USER for i in body["data"])


def test_same_request_gives_the_same_shaped_body(onepin: OperationMock) -> None:
    query = {"limit": 3, "user_id": USER}
    assert render(onepin, 5, query) == render(onepin, 5, dict(query))


def test_user_id_filter_gives_one_name_for_the_one_user(onepin: OperationMock) -> None:
    for seed in range(10):
        body = render(onepin, seed, {"user_id": USER})
        assert len({item["user"]["name"] for item in body["data"]}) == 1


# --- series and echoes (client analytics) ---------------------------------------------------------

PATH = {"client_id": "aa7cf840-9ca9-46a3-9778-9015d6580d50", "user_id": "a1d97031-04e2-4907-a249-093f7436207b"}


def series(op: OperationMock, seed: int, start: str, end: str, granularity: str) -> Any:
    query = {"start_date": start, "end_date": end, "granularity": granularity, "metric": "activity-count"}
    return render(op, seed, query, PATH)


def test_daily_series_has_one_point_per_day_and_echoes_the_period(analytics: OperationMock) -> None:
    for seed in range(10):
        body = series(analytics, seed, "2026-01-01", "2026-01-15", "daily")
        assert [p["date"] for p in body["data"]] == [f"2026-01-{d:02d}" for d in range(1, 16)]
        assert body["period"] == {"start": "2026-01-01", "end": "2026-01-15"}
        assert body["metric"] == "activity-count" and body["label"] == "Total Activity"
        assert all(isinstance(p["value"], int) and p["value"] >= 0 for p in body["data"])


def test_series_values_vary_from_day_to_day(analytics: OperationMock) -> None:
    body = series(analytics, 1, "2026-01-01", "2026-03-31", "daily")
    assert len(body["data"]) == 90
    assert len({p["value"] for p in body["data"]}) > 30


@pytest.mark.parametrize(
    ("granularity", "dates"),
    [
        ("weekly", ["2026-01-01", "2026-01-08", "2026-01-15", "2026-01-22", "2026-01-29"]),
        ("monthly", ["2026-01-15", "2026-02-01", "2026-03-01"]),
        ("quarterly", ["2026-01-15", "2026-04-01"]),
    ],
)
def test_coarser_series_have_one_point_per_period(analytics: OperationMock, granularity: str, dates: list[str]) -> None:
    start = dates[0]
    end = {"weekly": "2026-01-31", "monthly": "2026-03-20", "quarterly": "2026-04-14"}[granularity]
    body = series(analytics, 2, start, end, granularity)
    assert [p["date"] for p in body["data"]] == dates
    assert body["period"] == {"start": start, "end": end}


def test_series_with_reversed_dates_keeps_the_generated_points(analytics: OperationMock) -> None:
    # The date_range rule answers such a request with 400 before; shaping alone must not crash on it.
    body = series(analytics, 0, "2026-01-15", "2026-01-01", "daily")
    assert 1 <= len(body["data"]) <= 20


# --- the OpenRouter date filter -------------------------------------------------------------------


def test_date_filter_gives_every_item_that_date(openrouter: OperationMock) -> None:
    for seed in range(20):
        body = render(openrouter, seed, {"date": "2026-02-14"})
        assert body["data"] and all(item["date"] == "2026-02-14" for item in body["data"])


def test_without_date_filter_items_have_varied_recent_dates(openrouter: OperationMock) -> None:
    found = {item["date"] for seed in range(10) for item in render(openrouter, seed)["data"]}
    assert len(found) > 5


# --- heuristics and x-mock on a hand-made operation -----------------------------------------------

ITEM = {
    "type": "object",
    "required": ["id", "status", "owner"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "status": {"type": "string", "enum": ["active", "archived"]},
        "owner": {"type": "object", "properties": {"projectUuid": {"type": "string", "format": "uuid"}}},
    },
}
LISTING = {
    "type": "object",
    "required": ["items", "page_size", "projectUuid"],
    "properties": {
        "items": {"type": "array", "items": ITEM},
        "page_size": {"type": "integer"},
        "projectUuid": {"type": "string", "format": "uuid"},
    },
}
PROJECT = "195c82d0-a0e0-476a-8cb0-0f744de1db48"


def operation(mock: dict[str, Any], *params: Parameter) -> Operation:
    """A hand-made operation answering LISTING, its `x-mock` read as the loader reads it."""
    response = ResponseSpec("200", "OK", "application/json", LISTING)
    op = Operation(
        "get", "/projects/{projectUuid}/items", "listItems", "", params, {"200": response}, (), False, NO_XMOCK
    )
    return dataclasses.replace(op, x_mock=parse_xmock(mock or None, op, "spec.yaml"))


def shaped(op: Operation, query: dict[str, Any], path: dict[str, Any], seeds: range = range(20)) -> list[Any]:
    compiler = Compiler(POOLS)
    shaper = Shaper(op, LISTING, compiler.compile, openapi_31=False)
    gen = compiler.compile(LISTING)
    check = schema_validator(LISTING, openapi_31=False)
    bodies = []
    for seed in seeds:
        ctx = make_context(seed, "heuristics")
        body = shaper.shape(gen(ctx, 0), RequestValues(query=query, path=path), ctx)
        assert check(body) == []
        bodies.append(body)
    return bodies


def test_path_parameter_is_echoed_into_every_field_of_its_name() -> None:
    op = operation({}, Parameter("projectUuid", "path", True, {"type": "string", "format": "uuid"}))
    for body in shaped(op, {}, {"projectUuid": PROJECT}):
        assert body["projectUuid"] == PROJECT
        assert all(item["owner"]["projectUuid"] == PROJECT for item in body["items"])


def test_query_parameter_named_like_an_item_field_filters_the_items() -> None:
    op = operation({}, Parameter("status", "query", False, {"type": "string"}))
    for body in shaped(op, {"status": "archived"}, {}):
        assert all(item["status"] == "archived" for item in body["items"])


def test_limit_like_query_parameter_bounds_the_main_list_and_echoes() -> None:
    op = operation({}, Parameter("page_size", "query", False, {"type": "integer"}))
    for body in shaped(op, {"page_size": 1}, {}):
        assert len(body["items"]) == 1 and body["page_size"] == 1


def test_heuristics_false_turns_name_matching_off() -> None:
    op = operation({"heuristics": False}, Parameter("status", "query", False, {"type": "string"}))
    statuses = {item["status"] for body in shaped(op, {"status": "archived"}, {}) for item in body["items"]}
    assert statuses == {"active", "archived"}


def test_explicit_echo_writes_the_request_value() -> None:
    op = operation(
        {"echo": {"items[].id": "header.x-item-id"}}, Parameter("x-item-id", "header", False, {"type": "string"})
    )
    item_id = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    compiler = Compiler(POOLS)
    shaper = Shaper(op, LISTING, compiler.compile, openapi_31=False)
    ctx = make_context(1, "echo")
    body = shaper.shape(compiler.compile(LISTING)(ctx, 0), RequestValues(headers={"x-item-id": item_id}), ctx)
    assert all(item["id"] == item_id for item in body["items"])


def test_x_mock_naming_a_field_not_in_the_response_is_refused() -> None:
    with pytest.raises(SpecLoadError) as raised:
        operation({"filter": {"items[].colour": "query.colour"}}, Parameter("colour", "query", False, {}))
    assert raised.value.kind is SpecErrorKind.BAD_EXTENSION
    assert "colour" in str(raised.value)


def test_shaping_does_not_touch_the_schema() -> None:
    before = copy.deepcopy(LISTING)
    op = operation({}, Parameter("status", "query", False, {"type": "string"}))
    shaped(op, {"status": "active"}, {}, seeds=range(3))
    assert before == LISTING


def test_a_limit_below_the_lists_min_items_keeps_the_minimum() -> None:
    # Slack's users.list: `members` has minItems 1; limit=0 must not empty it.
    schema = {
        "type": "object",
        "required": ["members"],
        "properties": {"members": {"type": "array", "minItems": 1, "items": {"type": "string"}}},
    }
    body = shaper_for(schema, "limit").shape(
        {"members": ["a", "b", "c"]}, RequestValues(query={"limit": 0}), make_context(1)
    )
    assert body == {"members": ["a"]}


def test_an_echo_into_a_missing_sub_object_builds_it_from_every_allof_part() -> None:
    # Spotify's /search: `tracks` is allOf [PagingObject, {items: [...]}], optional; `limit` echoes into it.
    paging = {
        "type": "object",
        "required": ["limit", "total"],
        "properties": {"limit": {"type": "integer"}, "total": {"type": "integer"}},
    }
    tracks = {
        "allOf": [
            paging,
            {
                "type": "object",
                "required": ["items"],
                "properties": {"items": {"type": "array", "items": {"type": "string"}}},
            },
        ]
    }
    schema = {"type": "object", "properties": {"tracks": tracks}}
    shaper = shaper_for(schema, "total")
    check = schema_validator(schema, openapi_31=False)
    for seed in range(20):
        body = shaper.shape({}, RequestValues(query={"total": 7}), make_context(seed))
        assert body["tracks"]["total"] == 7 and check(body) == [], body


def test_a_path_id_is_not_echoed_into_a_field_only_one_union_branch_has() -> None:
    # Stripe's invoice.default_source: anyOf [bank_account, card, source]; echoing `invoice` into a field of
    # one branch built that branch's object inside a value of another branch, matching none.
    def branch(kind: str, customer: dict[str, Any]) -> dict[str, Any]:
        props = {"kind": {"type": "string", "enum": [kind]}, "customer": customer}
        return {"type": "object", "required": ["kind"], "additionalProperties": False, "properties": props}

    nested = {"type": "object", "properties": {"invoice": {"type": "string"}}}
    schema = {
        "type": "object",
        "properties": {"source": {"anyOf": [branch("a", {"type": "string"}), branch("b", nested)]}},
    }
    shaper = shaper_for(schema, path_params=("invoice",))
    gen = Compiler(Pools(0)).compile(schema)
    check = schema_validator(schema, openapi_31=False)
    for seed in range(60):
        ctx = make_context(seed)
        body = shaper.shape(gen(ctx, 0), RequestValues(path={"invoice": "in_1"}), ctx)
        assert check(body) == [], body
