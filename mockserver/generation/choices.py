"""Unions: `oneOf`/`anyOf` pick a branch at random; a `oneOf` whose branches overlap draws again until the value
fits exactly one; a discriminator's property is set to the branch's name; a `{type: null}` branch is nullability."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockserver.generation.context import GenContext
from mockserver.generation.merge import merge, merge_all_of
from mockserver.generation.protocol import MAX_DEPTH, NULL_CHANCE, Gen, Schema, types_of

if TYPE_CHECKING:
    from mockserver.generation.compiler import Compiler

__all__ = ["compile_choice"]

_ONE_OF_ROUNDS = 4


def compile_choice(
    compiler: Compiler, schema: Schema, combiner: str, name: str, parent: str, in_error: bool, where: str
) -> Gen:
    """A generator for a schema with a non-empty `combiner` ("oneOf" or "anyOf")."""
    base = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf", "discriminator")}
    branches = [merge(base, merge_all_of(b)) if isinstance(b, dict) else b for b in schema[combiner]]
    # A branch whose types cancel out against the parent's (integer ∩ string) has no values.
    branches = [b for b in branches if not (isinstance(b, dict) and b.get("type") == [])] or branches
    gens = [
        compiler.compile(b, name=name, parent=parent, in_error=in_error, where=f"{where}/{combiner}/{i}")
        for i, b in enumerate(branches)
    ]
    discriminator = _discriminator(schema, branches)
    if combiner == "anyOf" or _disjoint(branches) or _tagged(branches):
        check: Callable[[Any, int], bool] | None = None
    else:
        check = _exclusive_check(branches, openapi_31=compiler.openapi_31)

    nulls = [i for i, b in enumerate(branches) if isinstance(b, dict) and types_of(b) == ["null"]]
    values = [i for i in range(len(gens)) if i not in nulls]
    if check is None and values:
        return _pick_branch(
            [(gens[i], discriminator[1][i] if discriminator else None) for i in values],
            discriminator[0] if discriminator else None,
            nullable=bool(nulls),
        )

    def gen(ctx: GenContext, depth: int) -> Any:
        # A `{type: null}` branch is nullability spelled in 3.1: as rare as `nullable` makes null.
        if nulls and (not values or depth > MAX_DEPTH or ctx.rng.random() < NULL_CHANCE):
            return None
        value: Any = None
        # Branches that overlap (a value with only their shared fields fits both) need another draw:
        # optional fields make the difference, so a few rounds almost always find one.
        for attempt in range(_ONE_OF_ROUNDS):
            order = list(values)
            ctx.rng.shuffle(order)
            # Deep down values are minimal (no optional fields, empty lists), and minimal values of
            # overlapping branches fit both: each later round draws as from a level higher up, so more
            # is filled in.
            level = max(0, depth - attempt)
            for index in order:
                value = gens[index](ctx, level)
                tag = discriminator[1][index] if discriminator else None
                if discriminator and tag is not None and isinstance(value, dict):
                    value[discriminator[0]] = tag
                if check is None or check(value, index):
                    return value
        return value

    return gen


def _exclusive_check(branches: list[Any], *, openapi_31: bool) -> Callable[[Any, int], bool]:
    """Whether a value made by branch `index` fits no other branch (`oneOf` means exactly one)."""
    from mockserver.openapi.validation import schema_accepts

    accepts = [schema_accepts(b, openapi_31=openapi_31) for b in branches]

    def exactly_one(value: Any, index: int) -> bool:
        return not any(fits(value) for i, fits in enumerate(accepts) if i != index)

    return exactly_one


def _pick_branch(branches: list[tuple[Gen, str | None]], tag: str | None, *, nullable: bool) -> Gen:
    """One branch at random, where no value can satisfy two (or `anyOf` does not mind): nothing to check."""
    size = len(branches)

    def pick(ctx: GenContext, depth: int) -> Any:
        # A `{type: null}` branch is nullability spelled in 3.1: as rare as `nullable` makes null.
        if nullable and (depth > MAX_DEPTH or ctx.rng.random() < NULL_CHANCE):
            return None
        branch, value_tag = branches[int(ctx.rng.random() * size)]
        value = branch(ctx, depth)
        if tag is not None and value_tag is not None and isinstance(value, dict):
            value[tag] = value_tag
        return value

    return pick


def _disjoint(branches: list[Any]) -> bool:
    """True when no value can satisfy two branches: distinct primitive types, or distinct constants."""
    seen: set[str] = set()
    for branch in branches:
        if not isinstance(branch, dict):
            return False
        kinds = set(types_of(branch))
        if (
            "any" in kinds
            or kinds & seen
            or ("number" in kinds and "integer" in seen)
            or ("integer" in kinds and "number" in seen)
        ):
            return False
        seen |= kinds
    return True


def _tagged(branches: list[Any]) -> bool:
    """True when no value can fit two branches because of constants: each branch pins its values (an enum
    spelled as a `oneOf` of `const`s, as Discord's are), or each is a non-null object requiring one property
    that it pins to values no other branch allows (a tagged union: `type: {enum: [2]}` …)."""
    if len(branches) < 2 or not all(isinstance(b, dict) for b in branches):
        return False
    if _apart([_pinned(b) for b in branches]):
        return True
    if not all(types_of(b) == ["object"] and b.get("nullable") is not True for b in branches):
        return False
    shared = set.intersection(*(set(b.get("required") or []) for b in branches))
    return any(
        _apart([_pinned((b.get("properties") or {}).get(name)) for b in branches]) for name in sorted(map(str, shared))
    )


def _apart(pinned: list[frozenset[tuple[str, Any]] | None]) -> bool:
    """Whether every set is known and no two share a value."""
    seen: set[tuple[str, Any]] = set()
    for values in pinned:
        if values is None or values & seen:
            return False
        seen |= values
    return True


def _pinned(schema: Any, depth: int = 0) -> frozenset[tuple[str, Any]] | None:
    """Every value `schema` allows, when an `enum`/`const` pins it (None: open, or values not compared safely).

    Numbers compare as floats (1 and 1.0 are one JSON value; two large integers that round alike count as
    the same, which only makes a union look less disjoint than it is), booleans apart from numbers."""
    if not isinstance(schema, dict) or depth > 4:
        return None
    if isinstance(schema.get("enum"), list):
        literals = schema["enum"]
    elif "const" in schema:
        literals = [schema["const"]]
    elif isinstance(schema.get("allOf"), list):  # a value fits every member: one pinned member bounds it
        return next((p for b in schema["allOf"] if (p := _pinned(b, depth + 1)) is not None), None)
    elif any(isinstance(schema.get(k), list) for k in ("anyOf", "oneOf")):
        parts = [_pinned(b, depth + 1) for k in ("anyOf", "oneOf") for b in schema.get(k) or []]
        return None if not parts or any(p is None for p in parts) else frozenset().union(*parts)  # type: ignore[arg-type]
    else:
        return None
    found: set[tuple[str, Any]] = set()
    kind = schema.get("type")
    if schema.get("nullable") is True or kind == "null" or (isinstance(kind, list) and "null" in kind):
        found.add(("null", None))  # whether the enum lists null or not: two such tags may both be null
    for value in literals:
        if isinstance(value, bool):
            found.add(("bool", value))
        elif isinstance(value, int | float):
            found.add(("number", float(value)))
        elif isinstance(value, str):
            found.add(("string", value))
        elif value is None:
            found.add(("null", None))
        else:
            return None  # objects and arrays: not compared here
    return frozenset(found)


def _discriminator(schema: Schema, branches: list[Any]) -> tuple[str, list[str | None]] | None:
    """The discriminating property and each branch's value for it (None: leave what the branch generates)."""
    spec = schema.get("discriminator")
    if not isinstance(spec, dict) or "propertyName" not in spec:
        return None
    prop = spec["propertyName"]
    mapping = {v.rsplit("/", 1)[-1]: k for k, v in (spec.get("mapping") or {}).items()}
    values: list[str | None] = []
    for branch in branches:
        ref_name = str(branch.get("x-ref", "")).rsplit("/", 1)[-1] if isinstance(branch, dict) else ""
        declared = (branch.get("properties") or {}).get(prop) if isinstance(branch, dict) else None
        enum = [v for v in _literals(declared) if isinstance(v, str)]
        if enum:
            values.append(mapping.get(ref_name) if mapping.get(ref_name) in enum else enum[0])
        elif mapping.get(ref_name):
            values.append(mapping[ref_name])
        elif isinstance(declared, dict) and ref_name and not any(k in declared for k in ("anyOf", "oneOf", "allOf")):
            values.append(ref_name)  # OpenAPI's implicit mapping: the schema's name
        else:
            values.append(None)  # a branch that is itself a union: its own branches set the property
    return prop, values


def _literals(schema: Any, depth: int = 0) -> list[Any]:
    """The values an `enum`/`const` (or every branch of a union) pins a schema to; [] when it is open."""
    if not isinstance(schema, dict) or depth > 4:
        return []
    if isinstance(schema.get("enum"), list):
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    return [v for key in ("anyOf", "oneOf", "allOf") for b in schema.get(key) or [] for v in _literals(b, depth + 1)]
