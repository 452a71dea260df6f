"""Compile a (resolved) JSON Schema once into a generator of realistic values that validate against it.

All inspection of the schema happens here, at start-up; a generator only draws random numbers. The dispatcher
(`Compiler`) lives here; each kind of schema is compiled in its own module: `strings`, `arrays`, `objects`,
`choices` (oneOf/anyOf/discriminator), `numbers`; `problems` fills an API's error envelope.

The generator protocol
----------------------
A generator is a function `gen(ctx, depth) -> value` (`Gen`), made once per schema and called per response.

- `ctx` (`GenContext`) is the only source of randomness (`ctx.rng`) and of the time (`today`, `now`); in an
  error response it carries the `status` and the `problem` being reported. The same context seed gives the
  same value, byte for byte: the order of random draws is behaviour (tests/serving/test_determinism.py), so a
  change that adds, drops or reorders a draw changes every answer after it.
- `depth` is the nesting level, 0 for the body; objects and arrays call their children with `depth + 1`. Past
  `MAX_DEPTH` optional fields are left out, lists take their minItems and nullable values are null, so that a
  recursive schema's values end; past `HARD_DEPTH` (recursion through required fields) it is a
  GenerationError.
- Edge cases: `ctx.edge` is the chance, per decision, of an edge case the schema still allows (empty or full
  lists, bounds, length limits, unicode, nulls, absent optional fields). Each such decision tests
  `ctx.edge and ctx.on_edge()`, `ctx.edge` first, so that with edge cases off it costs no random draw. A
  generator that only adds edge cases to another is entered in `Compiler.edgeless`, mapped to that other:
  containers call the plain one directly when edge cases are off. Code that changes `ctx.edge` for a while
  restores it in a `finally`.
- Records: each object pushes a frame onto `ctx.frames`, so that its fields agree (one person's name and
  email); a list pushes one per item, unless its items are objects (entered in `Compiler.framed`), which
  push their own.
- Budgets: every object charges `OBJECT_UNITS`, every list item `ITEM_UNITS` and a long string its length to
  `deadline.charge`, the request's size budget, which also reads the clock now and then. A charge raises
  `BudgetExceeded`, a BaseException, anywhere in a generator: state pushed onto the context is popped in a
  `finally`.
- Recursion: `compile` memoises by (schema, field name, parent name, in an error); before it builds, it enters
  a placeholder that calls the finished generator, so that a recursive schema compiles to a generator that
  calls itself.
"""

from __future__ import annotations

from typing import Any

from mockserver.errors import GenerationError
from mockserver.generation import numbers
from mockserver.generation.arrays import EDGE_ITEMS_CEILING, compile_array
from mockserver.generation.choices import compile_choice
from mockserver.generation.context import GenContext
from mockserver.generation.fakerhints import faker_hint
from mockserver.generation.merge import merge_all_of
from mockserver.generation.objects import any_value, compile_object
from mockserver.generation.protocol import (
    HARD_DEPTH,
    ITEM_UNITS,
    MAX_DEPTH,
    NULL_CHANCE,
    OBJECT_UNITS,
    Gen,
    Schema,
    types_of,
)
from mockserver.generation.strings import EDGE_TEXT_CEILING, compile_string
from mockserver.generation.values import Pools, string_generators

__all__ = [
    "EDGE_ITEMS_CEILING",
    "EDGE_TEXT_CEILING",
    "HARD_DEPTH",
    "ITEM_UNITS",
    "MAX_DEPTH",
    "OBJECT_UNITS",
    "Compiler",
    "Gen",
    "Schema",
]


class Compiler:
    """Turns schemas into generators; one per server, sharing value pools and compiled sub-schemas."""

    def __init__(self, pools: Pools, *, openapi_31: bool = False) -> None:
        self.pools = pools
        self.strings = string_generators(pools)
        self.openapi_31 = openapi_31
        self._memo: dict[tuple[int, str, str, bool], Gen] = {}
        # A generator that only adds edge cases to another, mapped to that other: what to call when they are off.
        self.edgeless: dict[Gen, Gen] = {}
        # Object generators: each starts its own record frame, so a list of them needs none per item.
        self.framed: set[Gen] = set()
        # Memo keys are ids: keep every compiled schema alive, or a new dict could reuse a dead one's id.
        self._alive: list[Schema] = []

    def compile(
        self, schema: Any, *, name: str = "", parent: str = "", in_error: bool = False, where: str = "#"
    ) -> Gen:
        """A generator for `schema`; `name`/`parent` are the field's and its object's names, for realism."""
        if not isinstance(schema, dict):
            if schema is False:
                raise GenerationError(f"{where}: schema `false` has no valid value")
            return any_value
        key = (id(schema), name, parent, in_error)
        if key in self._memo:
            return self._memo[key]
        self._alive.append(schema)
        # A placeholder first, so that a recursive schema compiles to a generator that calls itself.
        cell: list[Gen] = []
        self._memo[key] = lambda ctx, depth: cell[0](ctx, depth)
        built = self._build(schema, name, parent, in_error, where)
        cell.append(built)
        self._memo[key] = built
        return built

    def _build(self, schema: Schema, name: str, parent: str, in_error: bool, where: str) -> Gen:
        if "allOf" in schema:
            schema = merge_all_of(schema)
        if "x-faker" in schema:
            return _nullable(faker_hint(self.pools, schema["x-faker"], schema, where), schema)
        if "const" in schema:
            const = schema["const"]
            return lambda ctx, depth: const
        if isinstance(schema.get("enum"), list):
            return _enum(schema, where)
        for combiner in ("oneOf", "anyOf"):
            if isinstance(schema.get(combiner), list) and schema[combiner]:
                return compile_choice(self, schema, combiner, name, parent, in_error, where)
        types = types_of(schema)
        gens: list[Gen] = []
        for kind in types:
            if kind == "null":
                continue
            if kind == "string":
                gens.append(compile_string(self, schema, name, parent, in_error, where))
            elif kind in ("integer", "number"):
                gens.append(
                    numbers.compile_number(
                        schema, name, integer=kind == "integer", in_error=in_error, openapi_31=self.openapi_31
                    )
                )
            elif kind == "boolean":
                gens.append(lambda ctx, depth: ctx.rng.random() < 0.5)
            elif kind == "array":
                gens.append(compile_array(self, schema, name, parent, in_error, where))
            elif kind == "object":
                gens.append(compile_object(self, schema, name, in_error, where))
            else:
                gens.append(any_value)
        nullable = "null" in types or schema.get("nullable") is True
        if not gens:
            return lambda ctx, depth: None
        one = gens[0] if len(gens) == 1 else _either(gens)
        return _maybe_null(one) if nullable else one


def _enum(schema: Schema, where: str) -> Gen:
    values = tuple(schema["enum"])
    if not schema.get("nullable") and "null" not in types_of(schema) and len(values) > 1:
        values = tuple(v for v in values if v is not None) or values
    if not values:
        raise GenerationError(f"{where}: `enum` is empty")
    if len(values) == 1:
        only = values[0]
        return lambda ctx, depth: only
    size = len(values)
    return lambda ctx, depth: values[int(ctx.rng.random() * size)]


def _maybe_null(gen: Gen) -> Gen:
    def nullable(ctx: GenContext, depth: int) -> Any:
        if depth > MAX_DEPTH or ctx.rng.random() < NULL_CHANCE or (ctx.edge and ctx.on_edge()):
            return None
        return gen(ctx, depth)

    return nullable


def _nullable(gen: Gen, schema: Schema) -> Gen:
    return _maybe_null(gen) if schema.get("nullable") is True or "null" in types_of(schema) else gen


def _either(gens: list[Gen]) -> Gen:
    size = len(gens)
    return lambda ctx, depth: gens[int(ctx.rng.random() * size)](ctx, depth)
