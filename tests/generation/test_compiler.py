"""Keyword by keyword: a compiled generator's values validate against their schema and show the keyword's effect.

Every test draws many values (one context per seed) and checks each with the same validator the server
uses (`schema_validator`, formats included), then asserts what the keyword specifically promises.
"""

from __future__ import annotations

import ipaddress
import json
import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import pytest

from mockserver import deadline
from mockserver.generation.compiler import ITEM_UNITS, Compiler
from mockserver.generation.context import make_context
from mockserver.generation.values import Pools
from mockserver.openapi.validation import schema_validator

POOLS = Pools(0)
SEEDS = range(200)
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


def generate(
    schema: Any, *, openapi_31: bool = False, name: str = "", parent: str = "", seeds: range = SEEDS
) -> list[Any]:
    gen = Compiler(POOLS, openapi_31=openapi_31).compile(schema, name=name, parent=parent)
    return [gen(make_context(seed), 0) for seed in seeds]


def valid_values(
    schema: Any,
    *,
    openapi_31: bool = False,
    name: str = "",
    parent: str = "",
    validate_with: Any = None,
    seeds: range = SEEDS,
) -> list[Any]:
    """Values for `schema`, each asserted valid (against `validate_with` when the schema needs a document)."""
    values = generate(schema, openapi_31=openapi_31, name=name, parent=parent, seeds=seeds)
    check = schema_validator(validate_with if validate_with is not None else schema, openapi_31=openapi_31)
    failures = [(value, errors) for value in values if (errors := check(value))]
    assert not failures, f"{len(failures)} of {len(values)} invalid, e.g. {failures[:3]}"
    return values


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- type -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        ("string", lambda v: isinstance(v, str)),
        ("integer", lambda v: isinstance(v, int) and not isinstance(v, bool)),
        ("number", is_number),
        ("boolean", lambda v: isinstance(v, bool)),
        ("array", lambda v: isinstance(v, list)),
        ("object", lambda v: isinstance(v, dict)),
    ],
)
@pytest.mark.parametrize("openapi_31", [False, True])
def test_each_type_gives_values_of_that_json_type(kind: str, check: Any, openapi_31: bool) -> None:
    values = valid_values({"type": kind}, openapi_31=openapi_31)
    assert all(check(v) for v in values)
    assert len({json.dumps(v, sort_keys=True) for v in values}) > 1  # not one constant


def test_boolean_type_gives_both_true_and_false() -> None:
    assert set(valid_values({"type": "boolean"})) == {True, False}


def test_null_type_31_is_always_null() -> None:
    assert set(valid_values({"type": "null"}, openapi_31=True)) == {None}


@pytest.mark.parametrize(
    ("schema", "check"),
    [
        ({"properties": {"a": {"type": "integer"}}, "required": ["a"]}, lambda v: isinstance(v, dict) and "a" in v),
        ({"items": {"type": "integer"}}, lambda v: isinstance(v, list)),
        ({"minLength": 3}, lambda v: isinstance(v, str) and len(v) >= 3),
        ({"minimum": 5, "maximum": 9}, lambda v: is_number(v) and 5 <= v <= 9),
    ],
)
def test_missing_type_is_inferred_from_the_keywords_present(schema: dict[str, Any], check: Any) -> None:
    assert all(check(v) for v in valid_values(schema))


# --- nullable (3.0) and type lists (3.1) ----------------------------------------------------------


def test_nullable_field_is_sometimes_null_and_otherwise_typed() -> None:
    values = valid_values({"type": "string", "format": "date", "nullable": True})
    nulls = [v for v in values if v is None]
    assert 0 < len(nulls) < len(values) / 2
    assert all(isinstance(v, str) and date.fromisoformat(v) for v in values if v is not None)


def test_field_without_nullable_is_never_null() -> None:
    assert None not in valid_values({"type": "integer"})
    assert None not in valid_values({"type": "string", "nullable": False})


def test_nullable_object_property_is_sometimes_null() -> None:
    schema = {"type": "object", "properties": {"note": {"type": "string", "nullable": True}}, "required": ["note"]}
    notes = [v["note"] for v in valid_values(schema)]
    assert None in notes and any(isinstance(n, str) for n in notes)


def test_31_type_list_with_null_is_sometimes_null_and_otherwise_typed() -> None:
    values = valid_values({"type": ["string", "null"], "format": "uuid"}, openapi_31=True)
    assert None in values
    assert all(uuid.UUID(v) for v in values if v is not None)


def test_31_type_list_of_several_types_gives_each_of_them() -> None:
    values = valid_values({"type": ["integer", "string"], "minimum": 5, "minLength": 3}, openapi_31=True)
    assert {type(v) for v in values} == {int, str}
    assert all(v >= 5 for v in values if isinstance(v, int))
    assert all(len(v) >= 3 for v in values if isinstance(v, str))


def test_31_anyof_with_null_branch_gives_null_and_the_other_branch() -> None:
    values = valid_values({"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]}, openapi_31=True)
    assert None in values
    assert any(isinstance(v, int) and v >= 1 for v in values)


# --- enum and const -------------------------------------------------------------------------------


def test_enum_gives_only_and_every_listed_value() -> None:
    members = ["daily", "weekly", "monthly", "quarterly"]
    values = valid_values({"type": "string", "enum": members})
    assert set(values) == set(members)


def test_enum_of_integers_gives_listed_integers() -> None:
    assert set(valid_values({"type": "integer", "enum": [1, 5, 10]})) == {1, 5, 10}


def test_enum_null_member_is_left_out_unless_nullable() -> None:
    assert set(valid_values({"enum": ["a", "b", None]})) == {"a", "b"}
    assert set(valid_values({"type": "string", "enum": ["a", "b", None], "nullable": True})) == {"a", "b", None}


def test_const_always_gives_the_constant() -> None:
    assert set(valid_values({"const": "activity-count"}, openapi_31=True)) == {"activity-count"}
    obj = {"kind": "fixed", "n": [1, 2]}
    assert all(v == obj for v in valid_values({"const": obj}, openapi_31=True))


# --- allOf, oneOf, anyOf, discriminator -----------------------------------------------------------


def test_allof_merges_properties_and_required_of_every_member() -> None:
    schema = {
        "allOf": [
            {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}, "required": ["id"]},
            {"type": "object", "properties": {"count": {"type": "integer", "minimum": 0}}, "required": ["count"]},
            {"properties": {"label": {"type": "string"}}},
        ]
    }
    values = valid_values(schema)
    assert all({"id", "count"} <= set(v) for v in values)
    assert any("label" in v for v in values)


def test_allof_combines_constraints_of_members() -> None:
    schema = {"allOf": [{"type": "integer", "minimum": 10}, {"maximum": 20}, {"multipleOf": 5}]}
    assert set(valid_values(schema)) <= {10, 15, 20}


def test_allof_merges_nested_members_and_same_named_properties() -> None:
    schema = {
        "allOf": [
            {"type": "object", "properties": {"n": {"type": "integer", "minimum": 3}}},
            {"allOf": [{"properties": {"n": {"maximum": 4}}, "required": ["n"]}]},
        ]
    }
    assert {v["n"] for v in valid_values(schema)} <= {3, 4}


CAT = {
    "type": "object",
    "properties": {"meow": {"type": "string"}},
    "required": ["meow"],
    "additionalProperties": False,
}
DOG = {
    "type": "object",
    "properties": {"bark": {"type": "integer"}},
    "required": ["bark"],
    "additionalProperties": False,
}


def test_oneof_value_matches_exactly_one_branch() -> None:
    values = valid_values({"oneOf": [CAT, DOG]})
    branches = [schema_validator(CAT, openapi_31=False), schema_validator(DOG, openapi_31=False)]
    matched = [[not check(v) for check in branches] for v in values]
    assert all(sum(m) == 1 for m in matched)
    assert {m.index(True) for m in matched} == {0, 1}  # both branches are used


def test_oneof_overlapping_branches_gives_values_only_one_branch_accepts() -> None:
    # Every integer is also a number >= 0: the integer branch alone would break oneOf.
    integer, positive = {"type": "integer"}, {"type": "number", "minimum": 0}
    values = valid_values({"oneOf": [integer, positive]})
    assert any(isinstance(v, float) for v in values)


def test_oneof_of_distinct_types_gives_each_type() -> None:
    values = valid_values({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}]})
    assert {type(v) for v in values} == {str, int, bool}


def test_oneof_siblings_apply_to_every_branch() -> None:
    schema = {
        "type": "object",
        "properties": {"id": {"type": "string", "format": "uuid"}},
        "required": ["id"],
        "oneOf": [
            {"properties": {"a": {"type": "integer"}}, "required": ["a"]},
            {"properties": {"b": {"type": "boolean"}}, "required": ["b"]},
        ],
    }
    values = valid_values(schema)
    assert all("id" in v and ("a" in v) != ("b" in v) for v in values)


def test_anyof_value_matches_at_least_one_branch_and_every_branch_is_used() -> None:
    email = {"type": "string", "format": "email"}
    count = {"type": "integer", "minimum": 0, "maximum": 10}
    values = valid_values({"anyOf": [email, count]})
    assert any(isinstance(v, str) and "@" in v for v in values)
    assert any(isinstance(v, int) and 0 <= v <= 10 for v in values)


def _pets(mapping: dict[str, str] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The compiled (resolved, as the loader gives it) schema, and the same as a document the validator resolves."""
    cat = {
        "type": "object",
        "x-ref": "#/components/schemas/Cat",
        "required": ["petType", "meow"],
        "properties": {"petType": {"type": "string"}, "meow": {"type": "boolean"}},
    }
    dog = {
        "type": "object",
        "x-ref": "#/components/schemas/Dog",
        "required": ["petType", "bark"],
        "properties": {"petType": {"type": "string"}, "bark": {"type": "boolean"}},
    }
    discriminator: dict[str, Any] = {"propertyName": "petType"}
    if mapping:
        discriminator["mapping"] = mapping
    resolved = {"oneOf": [cat, dog], "discriminator": discriminator}
    document = {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": discriminator,
        "components": {"schemas": {"Cat": cat, "Dog": dog}},
    }
    return resolved, document


def test_discriminator_property_names_the_branch_schema() -> None:
    resolved, document = _pets(None)
    values = valid_values(resolved, validate_with=document)
    assert {v["petType"] for v in values} == {"Cat", "Dog"}
    assert all(("meow" in v) == (v["petType"] == "Cat") for v in values)


def test_discriminator_mapping_values_are_used_for_their_branches() -> None:
    resolved, document = _pets({"kitty": "#/components/schemas/Cat", "doggo": "#/components/schemas/Dog"})
    values = valid_values(resolved, validate_with=document)
    assert {v["petType"] for v in values} == {"kitty", "doggo"}
    assert all(("bark" in v) == (v["petType"] == "doggo") for v in values)


def test_discriminator_takes_the_branch_enum_value_when_branches_are_unnamed() -> None:
    branches = [
        {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": [kind]}}}
        for kind in ("circle", "square")
    ]
    # The OAS validator would look the values up as component names; inline branches have none.
    values = valid_values(
        {"oneOf": branches, "discriminator": {"propertyName": "kind"}}, validate_with={"oneOf": branches}
    )
    assert {v["kind"] for v in values} == {"circle", "square"}


# --- objects --------------------------------------------------------------------------------------


def test_additional_properties_false_gives_only_declared_properties() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "additionalProperties": False,
    }
    values = valid_values(schema)
    assert all(set(v) <= {"a", "b"} for v in values)


def test_additional_properties_false_without_properties_gives_empty_object() -> None:
    assert all(v == {} for v in valid_values({"type": "object", "additionalProperties": False}))


def test_additional_properties_schema_types_every_extra_value() -> None:
    values = valid_values({"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}})
    assert any(values)
    assert all(isinstance(x, int) and x >= 0 for v in values for x in v.values())


def test_free_form_object_gets_realistic_keys() -> None:
    for schema in ({"type": "object"}, {"type": "object", "additionalProperties": True}):
        values = valid_values(schema)
        assert all(v and all(re.fullmatch(r"[a-z_]+", k) for k in v) for v in values)


def test_required_properties_are_always_present_and_optional_ones_sometimes() -> None:
    schema = {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "integer"}, "note": {"type": "string"}},
    }
    values = valid_values(schema)
    assert all("id" in v for v in values)
    with_note = sum("note" in v for v in values)
    assert 0 < with_note < len(values)


def test_required_property_missing_from_properties_is_still_present() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a", "b"]}
    assert all("b" in v for v in valid_values(schema))


def test_pattern_properties_keys_match_and_values_follow_their_schema() -> None:
    schema = {
        "type": "object",
        "patternProperties": {"^x-[a-z]+$": {"type": "integer", "minimum": 0}},
        "additionalProperties": False,
    }
    values = valid_values(schema)
    assert all(v and all(re.fullmatch(r"x-[a-z]+", k) for k in v) for v in values)


@pytest.mark.parametrize(("lo", "hi"), [(5, 6), (0, 1), (2, 2)])
def test_min_and_max_properties_bound_the_key_count(lo: int, hi: int) -> None:
    schema = {"type": "object", "minProperties": lo, "maxProperties": hi}
    assert all(lo <= len(v) <= hi for v in valid_values(schema))


def test_max_properties_drops_optional_properties_but_keeps_required_ones() -> None:
    schema = {
        "type": "object",
        "required": ["keep"],
        "maxProperties": 2,
        "properties": {p: {"type": "string"} for p in ("keep", "a", "b", "c")},
    }
    values = valid_values(schema)
    assert all("keep" in v and len(v) <= 2 for v in values)


def test_min_properties_with_additional_schema_fills_with_typed_values() -> None:
    schema = {
        "type": "object",
        "minProperties": 4,
        "properties": {"a": {"type": "integer"}},
        "additionalProperties": {"type": "integer"},
    }
    assert all(len(v) >= 4 for v in valid_values(schema))


def test_min_properties_with_additional_properties_false_uses_declared_properties() -> None:
    schema = {
        "type": "object",
        "properties": {p: {"type": "string"} for p in "abcd"},
        "minProperties": 4,
        "additionalProperties": False,
    }
    valid_values(schema)


def test_write_only_properties_are_left_out_and_read_only_kept() -> None:
    schema = {
        "type": "object",
        "required": ["id", "password"],
        "properties": {"id": {"type": "string", "readOnly": True}, "password": {"type": "string", "writeOnly": True}},
    }
    values = valid_values(schema)
    assert all("password" not in v and "id" in v for v in values)


# --- string formats -------------------------------------------------------------------------------


def test_format_date_is_an_iso_calendar_date() -> None:
    for v in valid_values({"type": "string", "format": "date"}):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) and date.fromisoformat(v)


def test_format_date_time_is_rfc3339_with_zone() -> None:
    values = valid_values({"type": "string", "format": "date-time"})
    for v in values:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", v), v
        moment = datetime.fromisoformat(v.replace("Z", "+00:00"))
        assert moment.utcoffset() is not None
    assert len(set(values)) > 100


def test_format_uuid_is_a_version_4_uuid() -> None:
    values = valid_values({"type": "string", "format": "uuid"})
    assert all(uuid.UUID(v).version == 4 and str(uuid.UUID(v)) == v for v in values)
    assert len(set(values)) == len(values)


def test_format_email_is_an_address() -> None:
    for v in valid_values({"type": "string", "format": "email"}):
        assert re.fullmatch(r"[a-z0-9._'-]+@[a-z0-9.-]+\.[a-z]{2,}", v), v


def test_format_uri_is_an_absolute_https_url() -> None:
    for v in valid_values({"type": "string", "format": "uri"}):
        parts = urlparse(v)
        assert parts.scheme == "https" and parts.netloc, v


def test_format_ipv4_and_ipv6_parse_as_addresses() -> None:
    assert all(ipaddress.ip_address(v).version == 4 for v in valid_values({"type": "string", "format": "ipv4"}))
    assert all(ipaddress.ip_address(v).version == 6 for v in valid_values({"type": "string", "format": "ipv6"}))


@pytest.mark.parametrize(("fmt", "bounds"), [("int32", INT32), ("int64", INT64)])
def test_integer_format_keeps_values_inside_its_range(fmt: str, bounds: tuple[int, int]) -> None:
    values = valid_values({"type": "integer", "format": fmt})
    assert all(bounds[0] <= v <= bounds[1] for v in values)
    near_top = valid_values({"type": "integer", "format": fmt, "minimum": bounds[1] - 3})
    assert all(bounds[1] - 3 <= v <= bounds[1] for v in near_top)
    near_bottom = valid_values({"type": "integer", "format": fmt, "maximum": bounds[0] + 3})
    assert all(bounds[0] <= v <= bounds[0] + 3 for v in near_bottom)


def test_format_double_gives_fractional_numbers() -> None:
    values = valid_values({"type": "number", "format": "double"})
    assert any(isinstance(v, float) and not v.is_integer() for v in values)


# --- numeric bounds -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "lo", "hi"),
    [(kind, lo, hi) for kind in ("integer", "number") for lo, hi in ((5, 9), (-10, -5), (5000, 5010), (3, 3))]
    + [("number", -1.5, 1.5), ("number", 0.25, 0.75)],
)
def test_minimum_and_maximum_bound_values_inclusively(kind: str, lo: float, hi: float) -> None:
    values = valid_values({"type": kind, "minimum": lo, "maximum": hi})
    assert all(lo <= v <= hi for v in values)


def test_one_sided_bound_far_from_plausible_range_is_respected() -> None:
    assert all(v >= 10_000 for v in valid_values({"type": "integer", "minimum": 10_000}))
    assert all(v <= -5_000 for v in valid_values({"type": "number", "maximum": -5_000}))


def test_exclusive_bounds_30_boolean_style_exclude_the_bound() -> None:
    values = valid_values(
        {"type": "integer", "minimum": 5, "exclusiveMinimum": True, "maximum": 7, "exclusiveMaximum": True}
    )
    assert set(values) == {6}
    numbers = valid_values(
        {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1, "exclusiveMaximum": True}
    )
    assert all(0 < v < 1 for v in numbers)


def test_exclusive_bounds_30_false_keep_the_bound_inclusive() -> None:
    values = valid_values(
        {"type": "integer", "minimum": 5, "exclusiveMinimum": False, "maximum": 6, "exclusiveMaximum": False}
    )
    assert set(values) == {5, 6}


def test_exclusive_bounds_31_numeric_style_exclude_the_bound() -> None:
    assert set(valid_values({"type": "integer", "exclusiveMinimum": 5, "exclusiveMaximum": 7}, openapi_31=True)) == {6}
    numbers = valid_values({"type": "number", "exclusiveMinimum": 2, "exclusiveMaximum": 3}, openapi_31=True)
    assert all(2 < v < 3 for v in numbers)
    assert all(v > 1000 for v in valid_values({"type": "integer", "exclusiveMinimum": 1000}, openapi_31=True))


def test_exclusive_bound_31_tighter_than_minimum_wins() -> None:
    values = valid_values({"type": "integer", "minimum": 0, "exclusiveMinimum": 9, "maximum": 10}, openapi_31=True)
    assert set(values) == {10}


@pytest.mark.parametrize(
    ("schema", "name", "openapi_31"),
    [
        ({"type": "number", "exclusiveMaximum": 0}, "", True),  # always 0.0
        ({"type": "number", "minimum": -10, "maximum": 0, "exclusiveMaximum": True}, "", False),  # always 0.0
        ({"type": "number", "exclusiveMinimum": 1000}, "", True),  # always 1000.0
        ({"type": "number", "exclusiveMinimum": 25}, "usage", True),  # money kind: always 25.0
        ({"type": "integer", "exclusiveMinimum": 1000, "maximum": 1002}, "", True),  # always 1000
        (
            {"type": "integer", "minimum": 1000, "exclusiveMinimum": True, "maximum": 1002, "exclusiveMaximum": True},
            "",
            False,
        ),  # always 1000, where only 1001 is valid
    ],
)
def test_exclusive_bound_at_plausible_edge_is_excluded(schema: dict[str, Any], name: str, openapi_31: bool) -> None:
    valid_values(schema, name=name, openapi_31=openapi_31)


def test_multiple_of_integer_gives_multiples_in_range() -> None:
    values = valid_values({"type": "integer", "multipleOf": 7, "minimum": 10, "maximum": 30})
    assert set(values) == {14, 21, 28}
    assert all(v % 5 == 0 and v >= 2000 for v in valid_values({"type": "integer", "multipleOf": 5, "minimum": 2000}))


def test_multiple_of_exact_binary_fraction_gives_multiples() -> None:
    values = valid_values({"type": "number", "multipleOf": 0.25, "minimum": 1, "maximum": 2})
    assert set(values) <= {1.0, 1.25, 1.5, 1.75, 2.0} and len(set(values)) > 2


@pytest.mark.parametrize("step", [0.1, 0.01])
def test_multiple_of_decimal_fraction_gives_valid_multiples(step: float) -> None:
    valid_values({"type": "number", "multipleOf": step})


def test_multiple_of_with_exclusive_bounds_never_gives_the_bound() -> None:
    values = valid_values(
        {"type": "integer", "multipleOf": 10, "exclusiveMinimum": 0, "exclusiveMaximum": 20}, openapi_31=True
    )
    assert set(values) == {10}


@pytest.mark.parametrize(
    ("schema", "name", "openapi_31"),
    [
        ({"type": "number", "multipleOf": 1.5}, "requests", False),
        ({"type": "number", "multipleOf": 0.25, "minimum": 0.5, "maximum": 0.9}, "requests", False),
        ({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}, "value", True),
    ],
)
def test_count_like_number_field_keeps_fractional_constraints(
    schema: dict[str, Any], name: str, openapi_31: bool
) -> None:
    valid_values(schema, name=name, openapi_31=openapi_31)


# --- string length and pattern --------------------------------------------------------------------


@pytest.mark.parametrize(("lo", "hi"), [(30, 40), (0, 3), (5, 5), (1, 1)])
def test_min_and_max_length_bound_string_length(lo: int, hi: int) -> None:
    values = valid_values({"type": "string", "minLength": lo, "maxLength": hi})
    assert all(lo <= len(v) <= hi for v in values)


def test_max_length_keeps_realistic_values_that_already_fit() -> None:
    values = valid_values({"type": "string", "maxLength": 100}, name="title")
    assert all(" " in v for v in values)  # a title such as "Revenue Overview", not padding


@pytest.mark.parametrize("pattern", [r"^[a-z]{3}-\d{4}$", r"^[A-Z]{2}$", r"^sk-[a-f0-9]{8}$", r"^(daily|weekly)$"])
def test_pattern_is_matched(pattern: str) -> None:
    values = valid_values({"type": "string", "pattern": pattern})
    assert all(re.search(pattern, v) for v in values)
    assert len(set(values)) > 1


def test_pattern_with_length_bounds_meets_both() -> None:
    values = valid_values({"type": "string", "pattern": "^[a-z0-9]+$", "minLength": 12, "maxLength": 16})
    assert all(re.fullmatch("[a-z0-9]{12,16}", v) for v in values)


def test_pattern_keeps_a_realistic_value_that_already_matches() -> None:
    values = valid_values({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}, name="date")
    assert all(date.fromisoformat(v) for v in values)


# --- arrays ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lo", "hi"), [(3, 5), (0, 0), (1, 1), (20, None), (None, 2)])
def test_min_and_max_items_bound_array_length(lo: int | None, hi: int | None) -> None:
    schema: dict[str, Any] = {"type": "array", "items": {"type": "integer"}}
    if lo is not None:
        schema["minItems"] = lo
    if hi is not None:
        schema["maxItems"] = hi
    values = valid_values(schema)
    assert all((lo or 0) <= len(v) <= (hi if hi is not None else 10**6) for v in values)


def test_unique_items_gives_distinct_items_even_from_a_small_domain() -> None:
    schema = {
        "type": "array",
        "items": {"type": "integer", "minimum": 0, "maximum": 9},
        "minItems": 10,
        "uniqueItems": True,
    }
    assert all(sorted(v) == list(range(10)) for v in valid_values(schema))
    pairs = valid_values({"type": "array", "items": {"type": "boolean"}, "minItems": 2, "uniqueItems": True})
    assert all(sorted(v) == [False, True] for v in pairs)


def test_unique_items_of_objects_are_distinct() -> None:
    schema = {
        "type": "array",
        "uniqueItems": True,
        "minItems": 3,
        "items": {"type": "object", "properties": {"status": {"type": "string"}}, "required": ["status"]},
    }
    for v in valid_values(schema):
        assert len({json.dumps(i, sort_keys=True) for i in v}) == len(v)


def test_unique_items_reaches_min_items_when_the_realistic_pool_is_too_small() -> None:
    valid_values({"type": "array", "items": {"type": "string"}, "minItems": 8, "uniqueItems": True}, name="status")


def test_unique_items_leaves_edge_cases_as_they_were_when_an_item_raises() -> None:
    # Two values cannot fill three distinct items: past its first attempts the fill turns edge cases off and
    # keeps drawing, until the size budget runs out mid-list. The context must come back as it went in.
    schema = {"type": "array", "items": {"enum": ["a", "b"]}, "minItems": 3, "maxItems": 3, "uniqueItems": True}
    gen = Compiler(POOLS).compile(schema)
    ctx = make_context(1, edge=0.5)
    with deadline.within(None, max_units=ITEM_UNITS * 40), pytest.raises(deadline.AnswerTooLarge):
        gen(ctx, 0)
    assert ctx.edge == 0.5


def test_prefix_items_31_type_each_position() -> None:
    schema = {
        "type": "array",
        "prefixItems": [{"type": "string", "format": "date"}, {"type": "integer"}],
        "items": {"type": "boolean"},
        "minItems": 2,
    }
    values = valid_values(schema, openapi_31=True)
    assert all(date.fromisoformat(v[0]) and isinstance(v[1], int) for v in values)
    assert all(isinstance(x, bool) for v in values for x in v[2:])
    assert any(len(v) > 2 for v in values)


def test_prefix_items_31_with_items_false_gives_only_the_prefix() -> None:
    schema = {
        "type": "array",
        "prefixItems": [{"type": "string", "format": "uuid"}, {"type": "integer"}],
        "items": False,
        "minItems": 2,
    }
    assert all(len(v) == 2 for v in valid_values(schema, openapi_31=True))


# --- recursion ------------------------------------------------------------------------------------


def _depth(node: dict[str, Any]) -> int:
    return 1 + max((_depth(c) for c in node.get("children", [])), default=0)


def test_recursive_schema_terminates_and_validates() -> None:
    node: dict[str, Any] = {"type": "object", "properties": {"name": {"type": "string"}}}
    node["properties"]["children"] = {"type": "array", "items": node}
    values = valid_values(node)
    depths = [_depth(v) for v in values]
    assert max(depths) > 1  # it does recurse
    assert max(depths) <= 8


def test_recursive_schema_with_required_self_reference_ends_in_null() -> None:
    linked: dict[str, Any] = {
        "type": "object",
        "required": ["value", "next"],
        "properties": {"value": {"type": "integer"}},
    }
    linked["properties"]["next"] = {"anyOf": [linked, {"type": "null"}]}
    values = valid_values(linked, openapi_31=True)

    def length(node: Any) -> int:
        return 0 if node is None else 1 + length(node["next"])

    assert max(length(v) for v in values) > 1


# --- determinism ----------------------------------------------------------------------------------

RICH = {
    "type": "object",
    "required": ["id", "items"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "created_at": {"type": "string", "format": "date-time"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "count": {"type": "integer"},
                    "email": {"type": "string", "format": "email"},
                },
            },
        },
    },
}


def test_same_seed_and_parts_give_identical_values() -> None:
    gen = Compiler(POOLS).compile(RICH)
    fresh = Compiler(Pools(0)).compile(RICH)  # new pools from the same server seed agree too
    for seed in range(20):
        first = gen(make_context(seed, "GET", "/users", "limit=5"), 0)
        again = fresh(make_context(seed, "GET", "/users", "limit=5"), 0)
        assert first == again


def test_different_parts_give_different_values() -> None:
    gen = Compiler(POOLS).compile(RICH)
    bodies = [
        json.dumps(gen(make_context(7, "GET", path), 0), sort_keys=True) for path in ("/a", "/b", "/c", "/d", "/e")
    ]
    assert len(set(bodies)) == len(bodies)
    seeds = [json.dumps(gen(make_context(seed, "GET", "/a"), 0), sort_keys=True) for seed in range(5)]
    assert len(set(seeds)) == len(seeds)


def test_one_compiler_serves_many_schemas() -> None:
    compiler = Compiler(POOLS)
    ids, counts = {"type": "string", "format": "uuid"}, {"type": "integer", "minimum": 5}
    uuid_gen, int_gen = compiler.compile(ids, name="id"), compiler.compile(counts, name="id")
    assert uuid.UUID(uuid_gen(make_context(1), 0)) and int_gen(make_context(1), 0) >= 5


def test_one_compiler_serves_schemas_it_does_not_keep() -> None:
    for _ in range(20):
        compiler = Compiler(POOLS)
        compiler.compile({"type": "string", "format": "uuid"}, name="id")
        value = compiler.compile({"type": "integer", "minimum": 5}, name="id")(make_context(1), 0)
        assert isinstance(value, int), value


def test_one_compiler_keeps_generators_of_anyof_branches_apart() -> None:
    optional_email = {"anyOf": [{"type": "string", "format": "email"}, {"type": "null"}]}
    optional_count = {"anyOf": [{"type": "integer", "minimum": 5}, {"type": "null"}]}
    pair = {"type": "array", "minItems": 2, "prefixItems": [optional_email], "items": optional_count}
    for _ in range(20):  # the collision depends on memory reuse: it shows in most rounds, not necessarily all
        compiler = Compiler(POOLS, openapi_31=True)
        compiler.compile(optional_email, name="id")
        count = compiler.compile(optional_count, name="id")  # like two responses with an optional `id`
        assert not any(isinstance(count(make_context(seed), 0), str) for seed in range(10))
        pairs = Compiler(POOLS, openapi_31=True).compile(pair, name="id")  # one schema is enough
        assert not any(isinstance(pairs(make_context(seed), 0)[1], str) for seed in range(10))


def test_pinned_day_keeps_dates_stable() -> None:
    gen = Compiler(POOLS).compile({"type": "string", "format": "date"})
    today = date(2026, 3, 1)
    values = {gen(make_context(3, "x", today=today), 0) for _ in range(5)}
    assert len(values) == 1
    assert today - timedelta(days=30) <= date.fromisoformat(values.pop()) < today


# --- keywords the compiler does not handle (pinned) -----------------------------------------------


def test_contains_31_array_holds_a_matching_item() -> None:
    valid_values(
        {"type": "array", "items": {"type": "integer"}, "contains": {"type": "integer", "minimum": 2000}},
        openapi_31=True,
    )


def test_property_names_31_constrain_free_form_keys() -> None:
    valid_values({"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}}, openapi_31=True)


def test_a_pool_is_the_same_whatever_pools_were_drawn_before_it() -> None:
    """Pools share one reseeded Faker; each is seeded by its name, so workers filling them in another
    order (other specs, other fields) still agree."""
    first, second = Pools(0), Pools(0)
    first.people()
    in_order = first.get("company", lambda f: f.company())
    alone = second.get("company", lambda f: f.company())
    assert in_order == alone
    assert second.people() == first.people()


# --- null where a composition forbids it (Asana, Box) ----------------------------------------------------


ENUM_OPTION = {"type": "object", "required": ["gid"], "properties": {"gid": {"type": "string"}}}


def test_allof_with_a_nullable_part_is_never_null_when_another_part_forbids_it() -> None:
    # Asana's CustomField.enum_value: allOf [EnumOption, {type: object, nullable: true}]
    schema = {"allOf": [ENUM_OPTION, {"type": "object", "nullable": True}]}
    assert None not in valid_values(schema, seeds=range(200))


def test_allof_of_nullable_parts_may_be_null() -> None:
    schema = {"allOf": [{**ENUM_OPTION, "nullable": True}, {"type": "object", "nullable": True}]}
    assert None in valid_values(schema, seeds=range(200))


def test_an_object_whose_oneof_branch_is_nullable_is_never_null() -> None:
    # Box's shared_link: type object beside a oneOf with a nullable branch
    schema = {"type": "object", "oneOf": [ENUM_OPTION, {"type": "object", "nullable": True, "properties": {}}]}
    assert None not in valid_values(schema, seeds=range(200))


def test_oneof_branches_that_overlap_on_optional_fields_give_values_matching_exactly_one() -> None:
    # Box's GET /search: SearchResults | SearchResultsWithSharedLinks differ only inside optional `entries`.
    def results(kind: str) -> dict[str, Any]:
        item = {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": [kind]}}}
        entries = {"type": "array", "items": item}
        return {"type": "object", "properties": {"total_count": {"type": "integer"}, "entries": entries}}

    valid_values({"oneOf": [results("file"), results("shared_link")]}, seeds=range(300))


def test_a_discriminated_branch_that_is_itself_a_union_keeps_its_own_tag() -> None:
    # OpenAI's InputItem: oneOf [EasyInputMessage, Item (a oneOf of its own), ...], discriminator `type`
    # without a mapping: the nested union's branches set `type` themselves; forcing a value broke them.
    def tagged(tag: str, extra: str) -> dict[str, Any]:
        props = {"type": {"type": "string", "enum": [tag]}, extra: {"type": "string"}}
        return {"type": "object", "required": ["type", extra], "properties": props, "additionalProperties": False}

    nested = {"type": "object", "oneOf": [tagged("message", "role"), tagged("function_call", "call_id")]}
    schema = {
        "oneOf": [tagged("easy", "content"), nested, tagged("item_reference", "id")],
        "discriminator": {"propertyName": "type"},
    }
    valid_values(schema, openapi_31=True, seeds=range(100))


# Discord's unions: every enum is a oneOf of `const` integers, every component a tagged object. A draw that
# checked each value against every other branch with jsonschema made POST /channels/{id}/messages 530 ms.
def _no_exclusive_check(monkeypatch: pytest.MonkeyPatch) -> None:
    from mockserver.generation import choices

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("branches that cannot overlap were checked for overlap")

    monkeypatch.setattr(choices, "_exclusive_check", refuse)


def test_an_enum_spelled_as_a_oneof_of_consts_needs_no_overlap_check(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_exclusive_check(monkeypatch)
    schema = {"oneOf": [{"type": "integer", "const": n, "title": f"n{n}"} for n in (0, 1, 2, 60, 1440)]}
    assert set(valid_values(schema, openapi_31=True)) == {0, 1, 2, 60, 1440}


def test_a_union_tagged_by_a_required_pinned_property_needs_no_overlap_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _no_exclusive_check(monkeypatch)

    def component(tag: int, extra: str) -> dict[str, Any]:
        kind = {"type": "integer", "enum": [tag], "allOf": [{"type": "integer", "format": "int32"}]}
        props = {"type": kind, extra: {"type": "string"}, "id": {"type": "integer"}}
        return {"type": "object", "required": ["type"], "properties": props}

    schema = {"oneOf": [component(1, "label"), component(2, "url"), component(8, "placeholder")]}
    assert {v["type"] for v in valid_values(schema, openapi_31=True)} == {1, 2, 8}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"enum": [1]}, {"enum": [1.0]}),  # one JSON value, two spellings
        ({"enum": [1, 2]}, {"type": "integer"}),  # an open tag
        ({"type": "integer", "nullable": True, "enum": [1]}, {"type": "integer", "nullable": True, "enum": [2]}),
        ({"anyOf": [{"enum": [1]}, {"type": "integer"}]}, {"enum": [2]}),  # a union with an open branch
    ],
)
def test_tags_that_may_share_a_value_keep_the_overlap_check(first: Any, second: Any) -> None:
    from mockserver.generation.choices import _tagged

    def branch(tag: Any) -> dict[str, Any]:
        return {"type": "object", "required": ["t"], "properties": {"t": tag}}

    assert not _tagged([branch(first), branch(second)])
    assert not _tagged([first, second])
    assert _tagged([{"enum": [True]}, {"enum": [1]}])  # JSON Schema: true is not 1
