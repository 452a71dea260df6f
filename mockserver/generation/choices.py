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
    if combiner == "anyOf" or _disjoint(branches):
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
    from mockserver.openapi.validation import schema_validator

    validators = [schema_validator(b, openapi_31=openapi_31) for b in branches]

    def exactly_one(value: Any, index: int) -> bool:
        return not any(v(value) == [] for i, v in enumerate(validators) if i != index)

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
