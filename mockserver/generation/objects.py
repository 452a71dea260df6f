"""Objects: required fields always, optional ones mostly, one record frame per object so that sibling fields agree;
patternProperties, propertyNames and min/maxProperties honoured; made-up fields for a free-form object."""

from __future__ import annotations

from collections.abc import Callable
from itertools import permutations
from typing import TYPE_CHECKING, Any

from mockserver import deadline
from mockserver.errors import GenerationError
from mockserver.generation import problems
from mockserver.generation.context import GenContext
from mockserver.generation.protocol import HARD_DEPTH, ITEM_UNITS, MAX_DEPTH, OBJECT_UNITS, Gen, Schema
from mockserver.generation.regex import compile_pattern
from mockserver.generation.strings import matches, supported

if TYPE_CHECKING:
    from mockserver.generation.compiler import Compiler

__all__ = ["any_value", "compile_object"]

_OPTIONAL_CHANCE = 0.85
_FREEFORM: tuple[tuple[str, Any], ...] = (
    ("source", "api"),
    ("status", "success"),
    ("duration_seconds", 125),
    ("retries", 0),
    ("region", "eu-west-1"),
    ("plan", "team"),
    ("client", "web"),
    ("triggered_by", "schedule"),
)
# A made-up object gets one to three of these, distinct and in any order: every such choice, listed once here.
_FREEFORM_PICKS = tuple(tuple(permutations(_FREEFORM, k)) for k in (1, 2, 3))


def compile_object(compiler: Compiler, schema: Schema, name: str, in_error: bool, where: str) -> Gen:
    """A generator of dicts for the field `name` that hold to the schema's property keywords."""
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    fields = [
        (
            prop,
            compiler.compile(sub, name=prop, parent=name, in_error=in_error, where=f"{where}/properties/{prop}"),
            # An error always says what went wrong, even where the envelope makes it optional.
            prop in required or (in_error and problems.is_error_field(prop)),
        )
        for prop, sub in props.items()
        if not (isinstance(sub, dict) and sub.get("writeOnly"))
    ]
    undeclared = schema.get("additionalProperties", {})
    fields += [  # required names the schema never describes still have to be there
        (
            prop,
            compiler.compile(
                undeclared if isinstance(undeclared, dict) else {},
                name=prop,
                parent=name,
                in_error=in_error,
                where=f"{where}/required/{prop}",
            ),
            True,
        )
        for prop in sorted(required - set(props))
    ]
    raw_names = schema.get("propertyNames")
    names: Schema = raw_names if isinstance(raw_names, dict) else {}
    name_ok, name_gen = _name_rule(names)
    # An optional property whose name propertyNames forbids can only be left out.
    fields = [f for f in fields if f[2] or name_ok(f[0])]
    extra = schema.get("additionalProperties", True)
    patterns = [
        (compile_pattern(p), compiler.compile(s, name=name, in_error=in_error, where=f"{where}/patternProperties"))
        for p, s in (schema.get("patternProperties") or {}).items()
        if supported(p)
    ]
    extra_gen = (
        compiler.compile(extra, name="value", parent=name, in_error=in_error, where=f"{where}/additionalProperties")
        if isinstance(extra, dict) and extra
        else None
    )
    freeform = not props and not patterns and extra is not False and "propertyNames" not in schema
    lo = int(schema.get("minProperties", 0))
    hi = schema.get("maxProperties")
    details = in_error and problems.is_details(name) and freeform
    edgeless = [(prop, compiler.edgeless.get(field_gen, field_gen), needed) for prop, field_gen, needed in fields]
    deep = [(prop, field_gen) for prop, field_gen, needed in fields if needed]
    deep_edgeless = [(prop, field_gen) for prop, field_gen, needed in edgeless if needed]
    fit = lo > 0 or hi is not None
    extra_allowed = extra is not False

    def gen(ctx: GenContext, depth: int) -> dict[str, Any]:
        if depth > HARD_DEPTH:
            raise GenerationError(f"{where}: recursion does not end")
        deadline.charge(OBJECT_UNITS)  # the request's time and size budgets: every object is a point to stop at
        if details and extra_gen is None:
            return problems.details_of(ctx)
        shallow = depth <= MAX_DEPTH
        inner = depth + 1
        out: dict[str, Any] = {}
        ctx.frames.append({})
        try:
            if not shallow:  # required fields only: recursion ends
                for prop, field_gen in deep if ctx.edge else deep_edgeless:
                    out[prop] = field_gen(ctx, inner)
            elif ctx.edge:
                for prop, field_gen, needed in fields:
                    if needed or (ctx.rng.random() < _OPTIONAL_CHANCE and not ctx.on_edge()):
                        out[prop] = field_gen(ctx, inner)
            else:
                random = ctx.rng.random
                for prop, field_gen, needed in edgeless:
                    if needed or random() < _OPTIONAL_CHANCE:
                        out[prop] = field_gen(ctx, inner)
            if patterns:
                for regex, pattern_gen in patterns:
                    key = regex(ctx.rng)
                    if shallow and name_ok(key):
                        out[key] = pattern_gen(ctx, inner)
            if freeform and shallow:
                picks = _FREEFORM_PICKS[int(ctx.rng.random() * len(_FREEFORM_PICKS))]
                for key, value in picks[int(ctx.rng.random() * len(picks))]:
                    out[key] = extra_gen(ctx, inner) if extra_gen else value
        finally:
            ctx.frames.pop()
        if fit:
            _fit_property_count(ctx, out, lo, hi, required, fields, extra_allowed, extra_gen, depth, name_gen)
        return out

    compiler.framed.add(gen)
    return gen


def any_value(ctx: GenContext, depth: int) -> Any:
    """A value for a schema that allows anything: a small made-up object."""
    key, value = _FREEFORM[int(ctx.rng.random() * len(_FREEFORM))]
    return {key: value}


def _fit_property_count(
    ctx: GenContext,
    out: dict[str, Any],
    lo: int,
    hi: Any,
    required: set[str],
    fields: list[tuple[str, Gen, bool]],
    extra_allowed: bool,
    extra_gen: Gen | None,
    depth: int,
    name_gen: Callable[[GenContext, int], str],
) -> None:
    if hi is not None:
        for key in [k for k in out if k not in required][: max(0, len(out) - int(hi))]:
            del out[key]
    # Declared optional properties first; made-up keys only where the schema allows them.
    for prop, field_gen, _ in fields:
        if len(out) >= lo:
            return
        if prop not in out:
            out[prop] = field_gen(ctx, depth + 1)
    attempts = 0
    while len(out) < lo and extra_allowed and attempts < lo * 10:
        deadline.charge(ITEM_UNITS)
        attempts += 1
        key = name_gen(ctx, attempts)
        if key not in out:
            out[key] = extra_gen(ctx, depth + 1) if extra_gen else ctx.rng.choice(("on", "off"))


def _name_rule(names: Schema) -> tuple[Callable[[str], bool], Callable[[GenContext, int], str]]:
    """What `propertyNames` allows (its pattern and lengths), and a maker of allowed names for extra keys."""
    pattern = names.get("pattern")
    lo, hi = int(names.get("minLength", 0)), names.get("maxLength")
    match = matches(pattern) if isinstance(pattern, str) else None

    def ok(key: str) -> bool:
        return (match is None or match(key)) and lo <= len(key) <= (hi if hi is not None else len(key))

    maker = None
    if isinstance(pattern, str) and supported(pattern):
        maker = compile_pattern(pattern, min_length=lo or None, max_length=hi)

    def make(ctx: GenContext, n: int) -> str:
        if maker is not None:
            return maker(ctx.rng)
        return f"extra_{n}"

    return ok, make
