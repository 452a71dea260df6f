"""The fast path of `schema_validator` (openapi/fastcheck.py) never changes a verdict: whenever it says "valid",
jsonschema finds no error. And it does say "valid" for the answers the mock generates, or it would save nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import FormatChecker

from mockserver.generation.compiler import Compiler
from mockserver.generation.context import make_context
from mockserver.generation.values import Pools
from mockserver.openapi.fastcheck import compile_fast
from mockserver.openapi.loader import load, load_all
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.validation import jsonschema_errors, schema_validator

ROOT = Path(__file__).resolve().parents[2]
FORMATS = FormatChecker()
CORPUS = [
    "oai-petstore-expanded.yaml",
    "swagger-petstore-31.yaml",
    "twilio-messaging.json",
    "slack.json",
]
POOLS = Pools(0)


def response_schemas(api: ApiSpec) -> Iterator[tuple[str, Any]]:
    for op in api.operations:
        for status, response in op.responses.items():
            for media, content in (response.content or {}).items():
                schema = content.get("schema") if isinstance(content, dict) else None
                if isinstance(schema, dict) and "json" in media:
                    yield f"{api.name} {op.operation_id} {status} {media}", schema


APIS = [*load_all([ROOT / "specs"]), *(load(ROOT / "tests" / "corpus" / name) for name in CORPUS)]
PER_API = 40  # schemas per corpus spec: enough kinds of schema, in a few seconds
SCHEMAS = [(api, label, schema) for api in APIS for label, schema in list(response_schemas(api))[:PER_API]]
BUNDLED = {api.name for api in load_all([ROOT / "specs"])}


def generated(api: ApiSpec, schema: Any, seeds: range) -> list[Any]:
    gen = Compiler(POOLS, openapi_31=api.is_31).compile(schema)
    return [gen(make_context(seed, "fastcheck", edge=0.3), 0) for seed in seeds]


def mutations(value: Any, draw: Callable[..., Any]) -> Any:
    """`value` broken somewhere (or not): a key dropped or added, a leaf's type or value changed."""
    value = copy.deepcopy(value)
    node, path = value, []
    while isinstance(node, (dict, list)) and node and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(node, key=str) if isinstance(node, dict) else list(range(len(node)))))
        path.append((node, key))
        node = node[key]
    replacement = draw(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-(2**40), 2**40),
            st.floats(allow_nan=False),
            st.text(max_size=8),
            st.sampled_from(["2026-13-01", "not-a-uuid", "", "x" * 300, "2026-11-30T10:00:00Z"]),
            st.just([]),
            st.just({}),
        )
    )
    if not path:
        return replacement
    parent, key = path[-1]
    action = draw(st.sampled_from(["replace", "drop", "add"]))
    if action == "drop" and isinstance(parent, dict):
        del parent[key]
    elif action == "add" and isinstance(parent, dict):
        parent["unexpected_" + draw(st.text("abc", min_size=1, max_size=3))] = replacement
    else:
        parent[key] = replacement
    return value


@pytest.mark.parametrize(("api", "label", "schema"), SCHEMAS, ids=[label for _a, label, _s in SCHEMAS])
def test_a_generated_answer_is_valid_on_the_fast_path_and_a_broken_one_never_passes_wrongly(
    api: ApiSpec, label: str, schema: Any
) -> None:
    fast = compile_fast(schema, openapi_31=api.is_31, formats=FORMATS)
    full = jsonschema_errors(schema, openapi_31=api.is_31)
    values = generated(api, schema, range(8))
    for value in values:
        assert not fast(value) or not full(value), f"{label}: fast said valid, jsonschema: {full(value)[:2]}"
    if api.name in BUNDLED:
        # The bundled specs use nothing the fast path leaves to jsonschema: every valid answer is a fast yes.
        assert all(fast(v) for v in values if not full(v)), f"{label}: a valid answer missed the fast path"

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data())
    def broken(data: st.DataObject) -> None:
        value = mutations(data.draw(st.sampled_from(values)), data.draw)
        if fast(value):
            assert not full(value), f"{label}: fast said valid for {str(value)[:300]}; jsonschema: {full(value)[:2]}"

    broken()


@pytest.mark.parametrize("openapi_31", [False, True])
@pytest.mark.parametrize(
    ("schema", "valid", "invalid"),
    [
        ({"type": "integer"}, [1, -5], [1.5, True, "1", None]),
        ({"type": "number", "minimum": 0, "maximum": 10}, [0, 10, 2.5], [-1, 10.5, False]),
        ({"type": "string", "minLength": 2, "maxLength": 3}, ["ab", "abc"], ["a", "abcd", 12]),
        ({"type": "string", "format": "date-time"}, ["2026-11-30T10:00:00Z"], ["2026-11-30 10:00"]),
        ({"type": "string", "format": "uuid"}, ["a1d97031-04e2-4907-a249-093f7436207b"], ["nope"]),
        ({"type": "string", "pattern": "^[a-z]+$"}, ["abc"], ["ABC", "a1"]),
        ({"enum": ["a", 1, None]}, ["a", 1, None], ["b", True, 2]),
        ({"type": "array", "items": {"type": "string"}, "minItems": 1}, [["a"]], [[], [1], "a"]),
        (
            {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
            [{"id": 1}, {"id": 2, "more": "x"}],
            [{}, {"id": "1"}, []],
        ),
        (
            {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
            [{"a": "x"}, {}],
            [{"b": 1}],
        ),
        ({"type": "object", "additionalProperties": {"type": "integer"}}, [{"a": 1}], [{"a": "1"}]),
        ({"allOf": [{"type": "object", "required": ["a"]}, {"required": ["b"]}]}, [{"a": 1, "b": 2}], [{"a": 1}]),
        ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, ["a", 1], [1.5, None]),
    ],
)
def test_each_keyword_covered_says_valid_for_valid_values_and_never_for_invalid_ones(
    openapi_31: bool, schema: dict[str, Any], valid: list[Any], invalid: list[Any]
) -> None:
    fast = compile_fast(schema, openapi_31=openapi_31, formats=FORMATS)
    full = jsonschema_errors(schema, openapi_31=openapi_31)
    for value in valid:
        assert not full(value) and fast(value), value
    for value in invalid:
        assert full(value) and not fast(value), value


@pytest.mark.parametrize(
    ("schema", "openapi_31", "value"),
    [
        ({"type": "string", "nullable": True}, False, None),
        ({"type": ["string", "null"]}, True, None),
        ({"type": "integer", "minimum": 1, "exclusiveMinimum": True}, False, 2),
        ({"type": "integer", "exclusiveMinimum": 1}, True, 2),
    ],
)
def test_the_dialects_own_forms_are_read_as_their_validator_reads_them(
    schema: dict[str, Any], openapi_31: bool, value: Any
) -> None:
    assert compile_fast(schema, openapi_31=openapi_31, formats=FORMATS)(value)
    assert not jsonschema_errors(schema, openapi_31=openapi_31)(value)


@pytest.mark.parametrize(
    "schema",
    [
        {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        {"not": {"type": "string"}},
        {"type": "integer", "multipleOf": 3},
        {"type": "array", "uniqueItems": True},
        {"$ref": "#/components/schemas/Thing"},
        {"type": "string", "nullable": True, "enum": ["a"]},  # None: 3.0 says invalid (None is not in the enum)
    ],
)
def test_what_the_fast_path_does_not_cover_goes_to_jsonschema(schema: dict[str, Any]) -> None:
    fast = compile_fast(schema, openapi_31=False, formats=FORMATS)
    assert (not fast(None) and not fast(3) and not fast("a")) or "enum" in schema


def test_a_recursive_schema_compiles_and_goes_to_jsonschema() -> None:
    node: dict[str, Any] = {"type": "object", "properties": {}}
    node["properties"]["child"] = node  # what resolving a self-referencing $ref makes
    fast = compile_fast(node, openapi_31=False, formats=FORMATS)
    assert not fast({"child": {}})
    assert schema_validator(node, openapi_31=False)({"child": {"child": {}}}) == []


def test_schema_validator_keeps_jsonschemas_messages_for_an_invalid_value() -> None:
    check = schema_validator({"type": "object", "required": ["id"]}, openapi_31=False)
    assert check({}) == ["(root): 'id' is a required property"]
    assert check({"id": 1}) == []


@pytest.mark.parametrize("openapi_31", [False, True])
def test_schema_accepts_gives_the_validators_verdict(openapi_31: bool) -> None:
    from mockserver.openapi.validation import schema_accepts, schema_validator

    schema = {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"type": "string", "enum": ["a", "b"]}, "n": {"type": "integer", "minimum": 2}},
    }
    values = [{"kind": "a"}, {"kind": "c"}, {"kind": "b", "n": 1}, {"kind": "b", "n": 5}, [], None, {"n": 3}]
    accepts, errors = schema_accepts(schema, openapi_31=openapi_31), schema_validator(schema, openapi_31=openapi_31)
    assert (
        [accepts(v) for v in values]
        == [not errors(v) for v in values]
        == [True, False, False, True, False, False, False]
    )


READ_SCHEMA = {
    "type": "object",
    "required": ["id", "password"],
    "properties": {
        "id": {"type": "integer", "readOnly": True},
        "password": {"type": "string", "writeOnly": True},
        "name": {"type": "string"},
    },
}


@pytest.mark.parametrize(
    ("value", "plain", "read"),
    [
        ({"name": "a"}, [], ["(root): 'id' is a required property"]),  # readOnly required: an answer has it
        ({"id": 1}, [], []),  # writeOnly required: an answer leaves it out
        ({"id": 1, "password": "p"}, [], ["password: Tried to read write-only property with p"]),
    ],
)
def test_an_answer_read_back_meets_readonly_and_writeonly_as_openapi_30_says(value: Any, plain: Any, read: Any) -> None:
    # GitHub's DELETE …/code-scanning/analyses/{id} documents {next_analysis_url, confirm_delete_url}, both
    # readOnly and required: the plain 3.0 validator excused their absence and the mock answered the entity.
    from mockserver.openapi.validation import jsonschema_errors, schema_validator

    assert schema_validator(READ_SCHEMA, openapi_31=False)(value) == plain
    assert schema_validator(READ_SCHEMA, openapi_31=False, reading=True)(value) == read
    assert jsonschema_errors(READ_SCHEMA, openapi_31=False, reading=True)(value) == read
    fast = compile_fast(READ_SCHEMA, openapi_31=False, formats=FormatChecker(), reading=True)
    assert not fast(value) or not read  # never a fast yes for what the read validator refuses
