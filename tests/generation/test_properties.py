"""Property: for any satisfiable schema, every generated value validates against it.

Schemas are drawn from a recursive strategy over primitives with random constraints, arrays, objects,
allOf and anyOf, in both dialects (3.0: `nullable`, boolean exclusive bounds; 3.1: type lists, numeric
exclusive bounds, `const`, `prefixItems`). Field names come from the realism table, so the
name-driven generators (counts, money, dates, people, models) meet random constraints too.

The strategy keeps clear of the generator bugs pinned as xfail in test_compiler.py, so that this test
finds new ones: no decimal `multipleOf` (0.1), no `multipleOf` beside exclusive bounds, no exclusive
bound on the edge of a plausible range (NUMBER_KINDS), number ranges always holding an integer (count-like
names give whole numbers), no `minProperties` beside `additionalProperties: false`, `required` only
naming declared properties, `uniqueItems` only over items with many possible values. And it keeps the
compiler's merged schemas alive while compiling (`merged_schemas_kept_alive`): the compiler memoizes by
id(), so a freed merged anyOf branch whose address is reused hands its generator to another branch, a
rare and memory-layout-dependent failure (pinned in test_compiler) that would make this test flaky.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.generation import compiler
from mockserver.generation.compiler import Compiler
from mockserver.generation.context import make_context
from mockserver.generation.merge import merge, merge_all_of
from mockserver.generation.values import NUMBER_KINDS, Pools
from mockserver.spec.validation import schema_validator

POOLS = Pools(0)
SEEDS = range(6)
NAMES = ("requests", "usage", "date", "created_at", "email", "name", "id", "model", "percent", "status", "value",
         "x", "prompt_tokens", "firstName", "user", "cost", "title", "tags")
OPEN_PATTERNS = (r"^[a-z]+$", r"^[A-Za-z0-9_-]+$", r"^\d+$", r"^[a-f0-9]+$", r"^[a-z][a-z0-9]*$")
FIXED_PATTERNS = (r"^[A-Z]{3}$", r"^\d{4}-\d{2}-\d{2}$", r"^v\d+\.\d+\.\d+$", r"^[a-z]+(-[a-z]+)*$",
                  r"^(daily|weekly|monthly)$", r"^sk-[a-f0-9]{8}$")
FORMATS = ("date", "date-time", "uuid", "email", "uri", "ipv4", "ipv6")
WORDS = ("alpha", "beta", "gamma", "active", "archived", "daily", "weekly", "eu-west-1")
# An exclusive bound equal to a plausible-range edge can yield the bound itself (pinned in test_compiler).
EDGES = {edge for lo, hi, _ in NUMBER_KINDS.values() for edge in (lo, hi)}


def maybe_null(draw: st.DrawFn, schema: dict[str, Any], o31: bool) -> dict[str, Any]:
    if draw(st.integers(0, 3)) == 0:
        if o31:
            schema["type"] = [schema["type"], "null"]
        else:
            schema["nullable"] = True
    return schema


def put_bounds(draw: st.DrawFn, schema: dict[str, Any], lo: float | None, hi: float | None, ex_lo: bool,
               ex_hi: bool, o31: bool) -> None:
    for bound, exclusive, inclusive_key, exclusive_key in ((lo, ex_lo, "minimum", "exclusiveMinimum"),
                                                            (hi, ex_hi, "maximum", "exclusiveMaximum")):
        if bound is None:
            continue
        if exclusive and o31:
            schema[exclusive_key] = bound
            if draw(st.booleans()):  # a looser inclusive bound beside it changes nothing
                schema[inclusive_key] = bound - 1 if inclusive_key == "minimum" else bound + 1
        else:
            schema[inclusive_key] = bound
            if exclusive or (not o31 and draw(st.integers(0, 4)) == 0):
                schema[exclusive_key] = exclusive


@st.composite
def integer_schemas(draw: st.DrawFn, o31: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"}
    lo, hi = draw(st.none() | st.integers(-2000, 3000)), draw(st.none() | st.integers(-2000, 3000))
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    multiple = draw(st.none() | st.integers(2, 12))
    ex_lo = ex_hi = False
    if multiple:
        schema["multipleOf"] = multiple
        if lo is not None and hi is not None and hi // multiple * multiple < lo:
            hi = -(-lo // multiple) * multiple  # the first multiple above lo
    else:
        ex_lo = lo is not None and lo not in EDGES and draw(st.booleans())
        ex_hi = hi is not None and hi not in EDGES and draw(st.booleans())
        if lo is not None and hi is not None and hi - lo < ex_lo + ex_hi:
            hi = lo + ex_lo + ex_hi
    put_bounds(draw, schema, lo, hi, ex_lo, ex_hi, o31)
    fmt = draw(st.sampled_from((None, None, "int32", "int64")))
    if fmt:
        schema["format"] = fmt
    return maybe_null(draw, schema, o31)


@st.composite
def number_schemas(draw: st.DrawFn, o31: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "number"}
    fmt = draw(st.sampled_from((None, "double", "float")))
    if fmt:
        schema["format"] = fmt
    multiple = draw(st.none() | st.sampled_from((0.25, 0.5, 2, 5, 10)))
    lo: float | None = draw(st.none() | st.integers(-500, 2000))
    hi: float | None = draw(st.none() | st.integers(-500, 2000))
    if lo is not None and hi is not None:
        lo, hi = min(lo, hi), max(lo, hi)
        hi = max(hi, lo + 2)  # an integer strictly inside: count-like names make numbers whole
    ex_lo = ex_hi = False
    if multiple:
        schema["multipleOf"] = multiple
        if isinstance(multiple, int) and lo is not None and hi is not None and hi // multiple * multiple < lo:
            hi = -(-lo // multiple) * multiple
    else:
        if lo is not None and draw(st.booleans()):
            lo += 0.5
        if hi is not None and draw(st.booleans()):
            hi -= 0.5
        ex_lo = lo is not None and lo not in EDGES and draw(st.booleans())
        ex_hi = hi is not None and hi not in EDGES and draw(st.booleans())
    put_bounds(draw, schema, lo, hi, ex_lo, ex_hi, o31)
    return maybe_null(draw, schema, o31)


@st.composite
def string_schemas(draw: st.DrawFn, o31: bool) -> dict[str, Any]:
    variants = ["plain", "length", "open_pattern", "fixed_pattern", "format", "enum"] + (["const"] if o31 else [])
    variant = draw(st.sampled_from(variants))
    schema: dict[str, Any] = {"type": "string"}
    if variant == "enum":
        return {"type": "string", "enum": draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4, unique=True))}
    if variant == "const":
        return {"type": "string", "const": draw(st.sampled_from(WORDS))}
    if variant in ("length", "open_pattern"):
        lo = draw(st.none() | st.integers(0, 20))
        hi = draw(st.none() | st.integers(max(lo or 0, 1), 40))
        if lo is not None:
            schema["minLength"] = lo
        if hi is not None:
            schema["maxLength"] = hi
    if variant == "open_pattern":
        schema["pattern"] = draw(st.sampled_from(OPEN_PATTERNS))
    elif variant == "fixed_pattern":
        schema["pattern"] = draw(st.sampled_from(FIXED_PATTERNS))
    elif variant == "format":
        schema["format"] = draw(st.sampled_from(FORMATS))
    return maybe_null(draw, schema, o31)


@st.composite
def boolean_schemas(draw: st.DrawFn, o31: bool) -> dict[str, Any]:
    return maybe_null(draw, {"type": "boolean"}, o31)


def primitives(o31: bool) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(string_schemas(o31), integer_schemas(o31), number_schemas(o31), boolean_schemas(o31))


@st.composite
def array_schemas(draw: st.DrawFn, children: st.SearchStrategy[Any], o31: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": draw(children)}
    lo = draw(st.none() | st.integers(0, 4))
    hi = draw(st.none() | st.integers(lo or 0, 8))
    if lo is not None:
        schema["minItems"] = lo
    if hi is not None:
        schema["maxItems"] = hi
    return maybe_null(draw, schema, o31)


@st.composite
def unique_array_schemas(draw: st.DrawFn, o31: bool) -> dict[str, Any]:
    items = draw(st.sampled_from(({"type": "string", "format": "uuid"}, {"type": "integer"}, {"type": "number"},
                                  {"type": "string", "format": "date-time"})))
    lo = draw(st.integers(0, 5))
    schema: dict[str, Any] = {"type": "array", "items": dict(items), "uniqueItems": True, "minItems": lo}
    if draw(st.booleans()):
        schema["maxItems"] = draw(st.integers(lo, 10))
    return schema


@st.composite
def prefix_array_schemas(draw: st.DrawFn, children: st.SearchStrategy[Any]) -> dict[str, Any]:
    prefix = draw(st.lists(children, min_size=1, max_size=3))
    schema: dict[str, Any] = {"type": "array", "prefixItems": prefix}
    rest = draw(st.sampled_from(("absent", "false", "schema")))
    if rest == "false":
        schema["items"] = False
        schema["minItems"] = draw(st.integers(0, len(prefix)))
    elif rest == "schema":
        schema["items"] = draw(children)
    return schema


@st.composite
def object_schemas(draw: st.DrawFn, children: st.SearchStrategy[Any], o31: bool) -> dict[str, Any]:
    names: list[str] = draw(st.lists(st.sampled_from(NAMES), max_size=4, unique=True))
    schema: dict[str, Any] = {"type": "object"}
    empty_properties: bool = draw(st.booleans())
    if names or empty_properties:
        schema["properties"] = {name: draw(children) for name in names}
    required = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    if required:
        schema["required"] = required
    extra = draw(st.sampled_from(("absent", "true", "false", "schema")))
    if extra == "true":
        schema["additionalProperties"] = True
    elif extra == "false":
        schema["additionalProperties"] = False
    elif extra == "schema":
        schema["additionalProperties"] = draw(primitives(o31))
    if draw(st.integers(0, 4)) == 0:
        schema["patternProperties"] = {r"^x-[a-z]+$": draw(primitives(o31))}
    lo = 0
    if extra != "false" and draw(st.booleans()):
        lo = schema["minProperties"] = draw(st.integers(0, 4))
    if draw(st.booleans()):
        schema["maxProperties"] = draw(st.integers(max(lo, len(required)), 6))
    return maybe_null(draw, schema, o31)


@st.composite
def all_of_schemas(draw: st.DrawFn, children: st.SearchStrategy[Any]) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5, unique=True))
    split = draw(st.integers(0, len(names)))
    members = []
    for part in (names[:split], names[split:]):
        member: dict[str, Any] = {"type": "object", "properties": {name: draw(children) for name in part}}
        required = draw(st.lists(st.sampled_from(part), unique=True)) if part else []
        if required:
            member["required"] = required
        members.append(member)
    return {"allOf": members}


def schemas(o31: bool) -> st.SearchStrategy[Any]:
    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        options = [array_schemas(children, o31), unique_array_schemas(o31), object_schemas(children, o31),
                   all_of_schemas(children), st.lists(children, min_size=1, max_size=3).map(lambda b: {"anyOf": b})]
        if o31:
            options.append(prefix_array_schemas(children))
        return st.one_of(options)

    return st.recursive(primitives(o31), extend, max_leaves=12)


SCHEMAS = {False: schemas(False), True: schemas(True)}


@contextmanager
def merged_schemas_kept_alive() -> Iterator[None]:
    kept: list[Any] = []

    def keep(function: Callable[..., Any]) -> Callable[..., Any]:
        def kept_result(*args: Any) -> Any:
            result = function(*args)
            kept.append(result)
            return result

        return kept_result

    with patch.object(compiler, "merge", keep(merge)), patch.object(compiler, "merge_all_of", keep(merge_all_of)):
        yield


def compile_schema(schema: Any, name: str, openapi_31: bool) -> Callable[..., Any]:
    with merged_schemas_kept_alive():
        return Compiler(POOLS, openapi_31=openapi_31).compile(schema, name=name)


@pytest.mark.parametrize("openapi_31", [False, True], ids=["oas30", "oas31"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_values_validate_against_arbitrary_schemas(openapi_31: bool, data: st.DataObject) -> None:
    schema = data.draw(SCHEMAS[openapi_31], label="schema")
    name = data.draw(st.sampled_from(NAMES), label="name")
    gen = compile_schema(schema, name, openapi_31)
    check = schema_validator(schema, openapi_31=openapi_31)
    for seed in SEEDS:
        value = gen(make_context(seed, "property"), 0)
        assert check(value) == [], f"seed {seed}: {value!r}"
        assert gen(make_context(seed, "property"), 0) == value  # and the same seed gives the same value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=st.one_of(integer_schemas(False), number_schemas(False)), name=st.sampled_from(NAMES))
def test_numbers_named_anything_stay_inside_their_bounds(schema: dict[str, Any], name: str) -> None:
    gen = compile_schema(schema, name, False)
    check = schema_validator(schema, openapi_31=False)
    for seed in range(20):
        value = gen(make_context(seed), 0)
        assert check(value) == [], f"seed {seed}: {value!r}"
