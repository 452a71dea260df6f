"""Edge cases (`GenContext.edge`, `--edge-cases`, `Prefer: edge=`): values a naive client trips on, still schema-valid.

With `edge` > 0 generators sometimes pick empty or full arrays, strings at their length limits in non-ASCII
text, numbers at their inclusive bounds, nulls where nullable and leave optional properties out. Every value
must still validate (checked with the server's own `schema_validator`); with `edge=0` nothing changes at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from serve_app_type import ServeApp
from starlette.testclient import TestClient

from mockserver.generation.compiler import Compiler
from mockserver.generation.context import make_context
from mockserver.generation.values import Pools
from mockserver.openapi.loader import load_all
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.validation import schema_validator
from mockserver.serving.config import ServerConfig

ROOT = Path(__file__).resolve().parents[2]
POOLS = Pools(0)
SEEDS = range(120)
BUNDLED = load_all([ROOT / "specs"])
AUTH = {"Authorization": "Bearer test-token"}
REQUESTS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "openrouter": ("/openrouter/api/v1/activity", {}, AUTH),
    "onepin": ("/onepin/api/v1/usage/activity", {}, AUTH),
    "lightdash": ("/lightdash/api/v1/analytics/user-activity/3c6a0b0e-8f7e-4a43-9d1e-2a1b5c9e7f10", {}, {}),
    "client-analytics": (
        "/client-analytics/v2/clients/aa7cf840-9ca9-46a3-9778-9015d6580d50/analytics/users/"
        "a1d97031-04e2-4907-a249-093f7436207b/activity",
        {"granularity": "daily", "start_date": "2026-01-01", "end_date": "2026-01-15", "metric": "activity-count"},
        AUTH,
    ),
}


def generate(
    schema: Any, *, edge: float | None, openapi_31: bool = False, name: str = "", in_error: bool = False
) -> list[Any]:
    gen = Compiler(POOLS, openapi_31=openapi_31).compile(schema, name=name, in_error=in_error)
    if edge is None:  # a context made without mentioning edge cases at all
        return [gen(make_context(seed, "edge-test"), 0) for seed in SEEDS]
    return [gen(make_context(seed, "edge-test", edge=edge), 0) for seed in SEEDS]


def valid_values(
    schema: Any, *, edge: float, openapi_31: bool = False, name: str = "", in_error: bool = False
) -> list[Any]:
    values = generate(schema, edge=edge, openapi_31=openapi_31, name=name, in_error=in_error)
    check = schema_validator(schema, openapi_31=openapi_31)
    failures = [(value, errors) for value in values if (errors := check(value))]
    assert not failures, f"{len(failures)} of {len(values)} invalid at edge={edge}, e.g. {str(failures[:2])[:600]}"
    return values


# --- the bundled specs ------------------------------------------------------------------------------------


RESPONSES = [
    pytest.param(api, key, response.schema, id=f"{api.name}:{op.operation_id}:{key}")
    for api in BUNDLED
    for op in api.operations
    for key, response in sorted(op.responses.items())
    if response.schema is not None and response.is_json
]


@pytest.mark.parametrize("edge", [1.0, 0.5])
@pytest.mark.parametrize(("api", "key", "schema"), RESPONSES)
def test_bundled_response_schemas_stay_valid_with_edge_cases(api: ApiSpec, key: str, schema: Any, edge: float) -> None:
    valid_values(schema, edge=edge, openapi_31=api.is_31, in_error=not key.startswith("2"))


@pytest.mark.parametrize(("api", "key", "schema"), RESPONSES)
def test_bundled_response_schemas_edge_0_is_byte_identical_to_no_edge(api: ApiSpec, key: str, schema: Any) -> None:
    in_error = not key.startswith("2")
    plain = generate(schema, edge=None, openapi_31=api.is_31, in_error=in_error)
    zero = generate(schema, edge=0.0, openapi_31=api.is_31, in_error=in_error)
    assert json.dumps(zero, ensure_ascii=False) == json.dumps(plain, ensure_ascii=False)


@pytest.mark.parametrize(("api", "key", "schema"), [r for r in RESPONSES if r.values[1] == "200"])
def test_bundled_success_bodies_change_with_edge_cases(api: ApiSpec, key: str, schema: Any) -> None:
    assert generate(schema, edge=1.0, openapi_31=api.is_31) != generate(schema, edge=0.0, openapi_31=api.is_31)


# --- hand-written schemas -----------------------------------------------------------------------------------


HAND_WRITTEN: dict[str, tuple[dict[str, Any], bool, str]] = {  # id: (schema, openapi_31, field name)
    "array-0-5": ({"type": "array", "minItems": 0, "maxItems": 5, "items": {"type": "integer"}}, False, "ids"),
    "array-2-6": ({"type": "array", "minItems": 2, "maxItems": 6, "items": {"type": "string"}}, True, "tags"),
    "array-unbounded": ({"type": "array", "items": {"type": "string", "maxLength": 8}}, False, "labels"),
    "array-of-objects": (
        {
            "type": "array",
            "maxItems": 4,
            "items": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "integer", "minimum": 1}, "name": {"type": "string", "maxLength": 10}},
            },
        },
        False,
        "rows",
    ),
    "string-3-12": ({"type": "string", "minLength": 3, "maxLength": 12}, False, "title"),
    "string-1-1": ({"type": "string", "minLength": 1, "maxLength": 1}, True, "flag"),
    "string-min-only": ({"type": "string", "minLength": 5}, False, "description"),
    "string-free": ({"type": "string"}, True, "comment"),
    "string-pattern": ({"type": "string", "pattern": "^[A-Z]{3}$", "maxLength": 3}, False, "currency"),
    "string-date": ({"type": "string", "format": "date"}, True, "day"),
    "integer-1-10": ({"type": "integer", "minimum": 1, "maximum": 10}, False, "count"),
    "integer-exclusive-30": (
        {"type": "integer", "minimum": 0, "maximum": 10, "exclusiveMinimum": True, "exclusiveMaximum": True},
        False,
        "count",
    ),
    "integer-exclusive-31": ({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10}, True, "count"),
    "number-0.5-2.5": ({"type": "number", "minimum": 0.5, "maximum": 2.5}, False, "price"),
    "number-exclusive-31": ({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}, True, "ratio"),
    "number-exclusive-max-30": (
        {"type": "number", "minimum": 0, "maximum": 1, "exclusiveMaximum": True},
        False,
        "ratio",
    ),
    "number-multiple": ({"type": "number", "minimum": 0, "maximum": 5, "multipleOf": 0.25}, False, "amount"),
    "nullable-30": ({"type": "string", "nullable": True, "maxLength": 6}, False, "nickname"),
    "nullable-31": ({"type": ["integer", "null"], "minimum": 0, "maximum": 3}, True, "retries"),
    "nullable-anyof-31": ({"anyOf": [{"type": "string", "maxLength": 4}, {"type": "null"}]}, True, "code"),
    "enum": ({"type": "string", "enum": ["a", "b"]}, False, "kind"),
    "optional-properties": (
        {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "integer"},
                "note": {"type": "string", "maxLength": 4},
                "score": {"type": "number", "minimum": 0, "maximum": 1},
                "tags": {"type": "array", "maxItems": 3, "items": {"type": "string"}},
            },
        },
        False,
        "item",
    ),
    "min-properties": (
        {"type": "object", "minProperties": 2, "properties": {k: {"type": "string"} for k in "abc"}},
        True,
        "settings",
    ),
    "max-properties": (
        {"type": "object", "maxProperties": 1, "required": ["a"], "properties": {k: {"type": "string"} for k in "ab"}},
        False,
        "settings",
    ),
    "contains-31": (
        {"type": "array", "maxItems": 3, "contains": {"minimum": 100}, "items": {"type": "integer", "maximum": 200}},
        True,
        "values",
    ),
    "prefix-items-31": (
        {
            "type": "array",
            "minItems": 2,
            "maxItems": 4,
            "prefixItems": [{"type": "string", "maxLength": 2}, {"type": "integer", "minimum": 1, "maximum": 5}],
            "items": {"type": "boolean"},
        },
        True,
        "pair",
    ),
    "unique-items-room": (
        {
            "type": "array",
            "uniqueItems": True,
            "maxItems": 5,
            "items": {"type": "integer", "minimum": 0, "maximum": 99},
        },
        False,
        "ids",
    ),
    "nested": (
        {
            "type": "object",
            "required": ["data"],
            "properties": {
                "data": {
                    "type": "array",
                    "maxItems": 3,
                    "items": {
                        "type": "object",
                        "required": ["label"],
                        "properties": {
                            "label": {"type": "string", "minLength": 2, "maxLength": 5},
                            "value": {"type": "number", "nullable": True, "minimum": 0, "maximum": 9},
                        },
                    },
                },
                "next": {"type": "string", "nullable": True},
            },
        },
        False,
        "page",
    ),
}


@pytest.mark.parametrize("edge", [1.0, 0.5, 0.1])
@pytest.mark.parametrize("case", sorted(HAND_WRITTEN))
def test_hand_written_schemas_stay_valid_with_edge_cases(case: str, edge: float) -> None:
    schema, openapi_31, name = HAND_WRITTEN[case]
    valid_values(schema, edge=edge, openapi_31=openapi_31, name=name)


@pytest.mark.parametrize("case", sorted(HAND_WRITTEN))
def test_hand_written_schemas_edge_0_is_byte_identical_to_no_edge(case: str) -> None:
    schema, openapi_31, name = HAND_WRITTEN[case]
    zero = generate(schema, edge=0.0, openapi_31=openapi_31, name=name)
    assert json.dumps(zero) == json.dumps(generate(schema, edge=None, openapi_31=openapi_31, name=name))


def test_edge_0_draws_no_random_numbers() -> None:
    ctx = make_context(7, "x", edge=0.0)
    before = ctx.rng.getstate()
    assert not any(ctx.on_edge() for _ in range(50))
    assert ctx.rng.getstate() == before


def test_edge_1_always_goes_to_the_edge() -> None:
    ctx = make_context(7, "x", edge=1.0)
    assert all(ctx.on_edge() for _ in range(50))


# --- the edge cases really occur ----------------------------------------------------------------------------


def case_values(case: str, edge: float) -> list[Any]:
    schema, openapi_31, name = HAND_WRITTEN[case]
    return valid_values(schema, edge=edge, openapi_31=openapi_31, name=name)


@pytest.mark.parametrize("edge", [1.0, 0.5])
def test_arrays_come_empty_and_full(edge: float) -> None:
    lengths = {len(v) for v in case_values("array-0-5", edge)}
    assert {0, 5} <= lengths
    lengths = {len(v) for v in case_values("array-2-6", edge)}
    assert {2, 6} <= lengths
    assert {0} < {len(v) for v in case_values("array-unbounded", edge)}
    assert {0, 4} <= {len(v) for v in case_values("array-of-objects", edge)}


def test_without_edge_cases_arrays_are_never_empty() -> None:
    assert 0 not in {len(v) for v in case_values("array-0-5", 0.0)}


@pytest.mark.parametrize("edge", [1.0, 0.5])
def test_strings_come_at_exactly_min_and_max_length_in_non_ascii(edge: float) -> None:
    values = case_values("string-3-12", edge)
    at_min = [v for v in values if len(v) == 3]
    at_max = [v for v in values if len(v) == 12]
    assert at_min
    assert at_max
    assert any(not v.isascii() for v in at_min)
    assert any(not v.isascii() for v in at_max)
    single = case_values("string-1-1", edge)
    assert all(len(v) == 1 for v in single)
    long = case_values("string-min-only", edge)
    assert any(len(v) == 5 and not v.isascii() for v in long)


@pytest.mark.parametrize("edge", [1.0, 0.5])
def test_free_strings_come_empty_or_long_and_non_ascii(edge: float) -> None:
    values = case_values("string-free", edge)
    assert "" in values
    assert any(len(v) >= 20 and not v.isascii() for v in values)


def test_edge_strings_use_astral_and_right_to_left_characters() -> None:
    text = "".join(case_values("string-min-only", 1.0))
    assert any(ord(c) > 0xFFFF for c in text)  # an emoji: one code point, two UTF-16 units
    assert any(not c.isascii() and c.isalpha() for c in text)


@pytest.mark.parametrize("edge", [1.0, 0.5])
def test_patterned_and_formatted_strings_keep_their_shape(edge: float) -> None:
    assert all(len(v) == 3 and v.isupper() for v in case_values("string-pattern", edge))
    assert all(len(v) == 10 for v in case_values("string-date", edge))


@pytest.mark.parametrize("edge", [1.0, 0.5])
def test_numbers_come_at_their_inclusive_bounds(edge: float) -> None:
    assert {1, 10} <= set(case_values("integer-1-10", edge))
    assert {0.5, 2.5} <= set(case_values("number-0.5-2.5", edge))


@pytest.mark.parametrize("edge", [1.0, 0.5])
@pytest.mark.parametrize("case", ["integer-exclusive-30", "integer-exclusive-31"])
def test_integers_with_exclusive_bounds_come_at_the_nearest_allowed_value(case: str, edge: float) -> None:
    values = set(case_values(case, edge))
    assert {1, 9} <= values
    assert not values & {0, 10}


@pytest.mark.parametrize("edge", [1.0, 0.5])
def test_numbers_never_reach_exclusive_bounds(edge: float) -> None:
    assert all(0 < v < 1 for v in case_values("number-exclusive-31", edge))
    assert all(0 <= v < 1 for v in case_values("number-exclusive-max-30", edge))


def test_nulls_come_where_nullable_more_often_with_edge_cases() -> None:
    for case in ("nullable-30", "nullable-31"):
        assert all(v is None for v in case_values(case, 1.0)), case
        nulls_half = sum(v is None for v in case_values(case, 0.5))
        nulls_none = sum(v is None for v in case_values(case, 0.0))
        assert nulls_half > nulls_none, case
        assert nulls_half > len(SEEDS) // 3, case


def test_nested_arrays_are_empty_or_full_and_optional_fields_absent_with_edge_1() -> None:
    pages = case_values("nested", 1.0)
    assert all(page["data"] == [] or len(page["data"]) == 3 for page in pages)
    assert all("next" not in page or page["next"] is None for page in pages)


def test_optional_properties_are_left_out_with_edge_cases() -> None:
    full = case_values("optional-properties", 1.0)
    assert all(set(item) == {"id"} for item in full)
    half = case_values("optional-properties", 0.5)
    none = case_values("optional-properties", 0.0)
    assert sum(len(item) for item in half) < sum(len(item) for item in none)
    assert any("note" in item for item in half)


def test_required_properties_and_min_properties_still_hold_with_edge_1() -> None:
    assert all(len(v) >= 2 for v in case_values("min-properties", 1.0))
    assert all(v.keys() == {"a"} for v in case_values("max-properties", 1.0))


@pytest.mark.parametrize(
    "items",
    [
        {"type": "integer", "minimum": 1, "maximum": 7},
        {"type": "string", "minLength": 1, "maxLength": 20},
        {"type": "string"},
    ],
    ids=["weekdays", "bounded-strings", "free-strings"],
)
def test_unique_items_with_min_items_3_stay_valid_with_edge_1(items: dict[str, Any]) -> None:
    valid_values({"type": "array", "uniqueItems": True, "minItems": 3, "items": items}, edge=1.0, name="tags")


# --- over HTTP: Prefer: edge=, ServerConfig(edge=) -----------------------------------------------------------


def success_schema(api_name: str) -> tuple[ApiSpec, Any]:
    api = next(a for a in BUNDLED if a.name == api_name)
    (op,) = api.operations
    response = op.response_for(op.success_status)
    assert response is not None
    return api, response.schema


@pytest.mark.parametrize("edge", ["1", "0.5"])
@pytest.mark.parametrize("api_name", sorted(REQUESTS))
def test_prefer_edge_gives_schema_valid_bodies(client: TestClient, api_name: str, edge: str) -> None:
    api, schema = success_schema(api_name)
    check = schema_validator(schema, openapi_31=api.is_31)
    path, params, headers = REQUESTS[api_name]
    for seed in range(12):
        response = client.get(path, params=params, headers={**headers, "Prefer": f"edge={edge}, seed={seed}"})
        assert response.status_code == 200, response.text
        assert not check(response.json()), check(response.json())


@pytest.mark.parametrize("api_name", sorted(REQUESTS))
def test_prefer_edge_0_is_byte_identical_to_no_preference(client: TestClient, api_name: str) -> None:
    path, params, headers = REQUESTS[api_name]
    plain = client.get(path, params=params, headers=headers)
    zero = client.get(path, params=params, headers={**headers, "Prefer": "edge=0"})
    assert zero.content == plain.content


@pytest.mark.parametrize(("api_name", "status"), [("openrouter", 403), ("client-analytics", 404), ("onepin", 422)])
def test_prefer_edge_1_keeps_error_bodies_in_their_envelope(client: TestClient, api_name: str, status: int) -> None:
    api = next(a for a in BUNDLED if a.name == api_name)
    (op,) = api.operations
    response_spec = op.response_for(status)
    assert response_spec is not None
    path, params, headers = REQUESTS[api_name]
    response = client.get(path, params=params, headers={**headers, "Prefer": f"edge=1, code={status}"})
    assert response.status_code == status
    assert not schema_validator(response_spec.schema, openapi_31=api.is_31)(response.json())


def test_server_edge_config_applies_to_every_request(
    serve_app: ServeApp, bundled: list[ApiSpec], client: TestClient
) -> None:
    with serve_app(bundled, ServerConfig(seed=1, edge=1.0)) as edgy:
        for api_name, (path, params, headers) in sorted(REQUESTS.items()):
            api, schema = success_schema(api_name)
            response = edgy.get(path, params=params, headers=headers)
            assert response.status_code == 200
            assert not schema_validator(schema, openapi_31=api.is_31)(response.json())
            # the same as asking the default server for edge=1 (the `client` fixture runs with seed=1 too)
            asked = client.get(path, params=params, headers={**headers, "Prefer": "edge=1"})
            assert response.content == asked.content


@pytest.mark.parametrize("value", ["edge=2", "edge=-1", "edge=x"])
def test_prefer_edge_out_of_range_is_a_400_problem_from_the_mock(client: TestClient, value: str) -> None:
    path, params, headers = REQUESTS["openrouter"]
    response = client.get(path, params=params, headers={**headers, "Prefer": value})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "edge" in response.json()["detail"]


# --- bounds that are not sizes to send (issue 10, item 4) ------------------------------------------


def test_edge_strings_at_a_huge_max_length_stay_realistic_in_size() -> None:
    from mockserver.generation.compiler import EDGE_TEXT_CEILING, Compiler
    from mockserver.generation.context import make_context
    from mockserver.generation.values import Pools

    gen = Compiler(Pools(0)).compile({"type": "string", "maxLength": 2**31 - 1})
    lengths = {len(gen(make_context(seed, edge=1.0), 0)) for seed in range(40)}
    assert max(lengths) == EDGE_TEXT_CEILING


def test_edge_lists_at_a_huge_max_items_stay_realistic_in_size() -> None:
    from mockserver.generation.compiler import EDGE_ITEMS_CEILING, Compiler
    from mockserver.generation.context import make_context
    from mockserver.generation.values import Pools

    gen = Compiler(Pools(0)).compile({"type": "array", "maxItems": 10**12, "items": {"type": "integer"}})
    sizes = {len(gen(make_context(seed, edge=1.0), 0)) for seed in range(40)}
    assert max(sizes) == EDGE_ITEMS_CEILING


def test_a_huge_min_length_is_met_at_the_cost_of_a_copy() -> None:
    from mockserver.generation.compiler import Compiler
    from mockserver.generation.context import make_context
    from mockserver.generation.values import Pools

    # Once 14 minutes at 100% CPU (one Python step per character); now a few copies of a random block.
    gen = Compiler(Pools(0)).compile({"type": "string", "minLength": 10_000_000})
    assert len(gen(make_context(1), 0)) == 10_000_000
