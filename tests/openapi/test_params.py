"""Parameters deserialised as their `style` and `explode` say, and typed as their schemas admit."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.openapi.model import Parameter
from mockserver.openapi.params import brackets, group, kinds, parameter_value, scalar

INTS = {"type": "array", "items": {"type": "integer"}}
POINT = {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}}}


def value(location: str, style: str, explode: bool, schema: dict[str, Any], query: str) -> Any:
    param = Parameter("p", location, False, schema, style=style, explode=explode)
    pairs = [tuple(item.split("=", 1)) for item in query.split("&") if item]
    grouped = group(pairs)  # type: ignore[arg-type]
    return parameter_value(param, grouped.get("p", []), grouped, None)


@pytest.mark.parametrize(
    ("style", "explode", "query", "expected"),
    [
        ("form", True, "p=1&p=2", [1, 2]),
        ("form", False, "p=1,2", [1, 2]),
        ("spaceDelimited", False, "p=1 2", [1, 2]),
        ("pipeDelimited", False, "p=1|2", [1, 2]),
        ("form", True, "p[]=1&p[]=2", [1, 2]),  # PHP/Rails/Stripe brackets, whatever the style says
        ("deepObject", True, "p[0]=3&p[1]=4", [3, 4]),
    ],
)
def test_query_arrays_in_every_style(style: str, explode: bool, query: str, expected: list[int]) -> None:
    assert value("query", style, explode, INTS, query) == expected


@pytest.mark.parametrize(
    ("style", "explode", "query"),
    [("form", True, "x=1&y=2"), ("form", False, "p=x,1,y,2"), ("deepObject", True, "p[x]=1&p[y]=2")],
)
def test_query_objects_in_every_style(style: str, explode: bool, query: str) -> None:
    assert value("query", style, explode, POINT, query) == {"x": 1, "y": 2}


@pytest.mark.parametrize(
    ("style", "explode", "raw", "expected"),
    [("simple", False, "1,2", [1, 2]), ("label", False, ".1.2", [1, 2]), ("matrix", False, ";p=1,2", [1, 2])],
)
def test_path_arrays_in_every_style(style: str, explode: bool, raw: str, expected: list[int]) -> None:
    param = Parameter("p", "path", True, INTS, style=style, explode=explode)
    assert parameter_value(param, [raw], {}, None) == expected


def test_a_union_takes_the_first_reading_that_fits() -> None:
    allowed = kinds({"anyOf": [{"type": "integer"}, {"type": "boolean"}, {"type": "string", "format": "date"}]})
    assert allowed == {"integer", "boolean", "string"}
    assert scalar("17", allowed) == 17
    assert scalar("true", allowed) is True
    assert scalar("2024-01-01", allowed) == "2024-01-01"
    assert scalar("7", allowed, fits=lambda v: isinstance(v, str)) == "7"  # the validator has the last word


def test_nested_brackets_build_nested_objects_typed_by_the_schema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"type": "object", "properties": {"quantity": {"type": "integer"}}}},
            "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    pairs = {"p[items][0][quantity]": ["2"], "p[items][1][quantity]": ["5"], "p[metadata][order]": ["42"]}
    assert brackets("p", pairs, schema) == {"items": [{"quantity": 2}, {"quantity": 5}], "metadata": {"order": "42"}}


def test_brackets_past_the_nesting_limit_are_not_structure() -> None:
    assert brackets("p", {"p" + "[a]" * 100: ["1"]}, {}) == {}


def test_a_huge_list_index_is_a_key_not_a_list_position() -> None:
    assert brackets("p", {"p[99999999]": ["1"]}, INTS) == {"99999999": "1"}


def test_empty_brackets_on_an_object_name_its_empty_property() -> None:
    # OpenAI's fine_tuning/jobs `metadata` (deepObject, additionalProperties string): schemathesis sends metadata[]=v
    schema = {"type": "object", "additionalProperties": {"type": "string"}}
    assert brackets("p", {"p[]": ["v"]}, schema) == {"": "v"}
    assert brackets("p", {"p[]": ["1", "2"]}, INTS) == [1, 2]
