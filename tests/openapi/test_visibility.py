"""writeOnly fields are dropped from a value read back, at any depth, under unions and additionalProperties."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.openapi.visibility import TooDeep, without_write_only

SECRET = {"type": "string", "writeOnly": True}
DEEP = {"properties": {"d": {"properties": {"e": {"items": {"allOf": [{"properties": {"a": SECRET}}]}}}}}}


@pytest.mark.parametrize(
    ("schema", "value", "kept"),
    [
        ({"properties": {"a": SECRET, "b": {}}}, {"a": "x", "b": 1}, {"b": 1}),
        ({"items": {"properties": {"a": SECRET}}}, [{"a": "x", "c": 2}], [{"c": 2}]),
        ({"oneOf": [{"properties": {"a": SECRET}}, {"properties": {"b": {}}}]}, {"a": "x", "b": 1}, {"b": 1}),
        ({"additionalProperties": {"properties": {"a": SECRET}}}, {"k": {"a": "x", "n": 1}}, {"k": {"n": 1}}),
        (DEEP, {"d": {"e": [{"a": "x"}, {"z": 0}]}}, {"d": {"e": [{}, {"z": 0}]}}),
        ({"properties": {"a": SECRET}}, "text", "text"),
    ],
)
def test_write_only_properties_are_dropped_wherever_the_schema_marks_them(schema: Any, value: Any, kept: Any) -> None:
    assert without_write_only(value, schema) == kept


def _nested(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"a": "x"}
    for _ in range(levels):
        value = {"child": value, "a": "y"}
    return value


def test_a_recursive_schema_is_followed_as_deep_as_the_value_goes_within_the_bound() -> None:
    node: dict[str, Any] = {"properties": {"a": SECRET}}
    node["properties"]["child"] = node
    stripped = without_write_only(_nested(30), node)
    for _ in range(31):
        assert "a" not in stripped
        stripped = stripped.get("child", {})


def test_a_value_deeper_than_the_bound_is_refused_not_kept_with_its_secret() -> None:
    node: dict[str, Any] = {"properties": {"a": SECRET}}
    node["properties"]["child"] = node
    with pytest.raises(TooDeep):
        without_write_only(_nested(200), node)
    assert without_write_only(_nested(200), {"properties": {"a": SECRET}}) == {"child": _nested(199)}
