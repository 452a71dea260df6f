"""Arrays: a plausible number of items (fewer deeper down), each its own record; uniqueItems, prefixItems and
`contains` honoured; feeds newest first; an error body's list of field errors filled from the problem."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockserver import deadline
from mockserver.errors import GenerationError
from mockserver.generation import problems, semantics
from mockserver.generation.context import GenContext
from mockserver.generation.merge import merge
from mockserver.generation.protocol import HARD_DEPTH, ITEM_UNITS, MAX_DEPTH, Gen, Schema

if TYPE_CHECKING:
    from mockserver.generation.compiler import Compiler

__all__ = ["EDGE_ITEMS_CEILING", "compile_array"]

EDGE_ITEMS_CEILING = 256  # items of a list "at its maxItems" (edge cases), unless minItems asks more


def compile_array(compiler: Compiler, schema: Schema, name: str, parent: str, in_error: bool, where: str) -> Gen:
    """A generator of lists for the field `name` of `parent` that hold to the schema's item keywords."""
    items = schema.get("items", {})
    prefix = [
        compiler.compile(s, name=name, parent=parent, in_error=in_error, where=f"{where}/prefixItems/{i}")
        for i, s in enumerate(schema.get("prefixItems") or [])
    ]
    item = (
        compiler.compile(items, name=name, parent=parent, in_error=in_error, where=f"{where}/items")
        if items is not False
        else None
    )
    lo = int(schema.get("minItems", 0))
    hi = schema.get("maxItems")
    unique = bool(schema.get("uniqueItems"))
    problem_list = in_error and problems.is_problem_list(items)
    newest_first = _timestamp_field(items, name)
    # Without the field's name the value pools are wider: the way out when uniqueItems drains a small one.
    plain = compiler.compile(items, in_error=in_error, where=f"{where}/items") if unique and item else None
    contains = schema.get("contains")
    contains_gen = contains_check = None
    if isinstance(contains, dict):
        from mockserver.openapi.validation import schema_validator

        merged = merge(items, contains) if isinstance(items, dict) else contains
        contains_gen = compiler.compile(merged, name=name, parent=parent, in_error=in_error, where=f"{where}/contains")
        contains_check = schema_validator(contains, openapi_31=compiler.openapi_31)

    length = _array_length(lo, hi)
    item_edgeless = compiler.edgeless.get(item, item) if item is not None else None
    item_framed = item in compiler.framed
    # The common list: items of one schema, no uniqueness, nothing it must contain.
    plain_list = not prefix and not unique and contains_gen is None

    def gen(ctx: GenContext, depth: int) -> list[Any]:
        if depth > HARD_DEPTH:
            raise GenerationError(f"{where}: recursion does not end")
        if problem_list and ctx.problem is not None:
            return problems.field_errors(ctx, ctx.problem, item, depth, lo)
        count = length(ctx, depth)
        charge = deadline.charge  # the request's time and size budgets, read between items: minItems can be huge
        charge(ITEM_UNITS)
        if plain_list and item is not None and item_edgeless is not None:
            source = item if ctx.edge else item_edgeless
            if item_framed:
                out = []
                for _ in range(count):
                    charge(ITEM_UNITS)
                    out.append(source(ctx, depth + 1))
            else:
                out = []
                frames = ctx.frames
                for _ in range(count):
                    charge(ITEM_UNITS)
                    # Each item is its own record: a list of emails names several people, not one.
                    frames.append({})
                    try:
                        out.append(source(ctx, depth + 1))
                    finally:
                        frames.pop()
            if newest_first and count > 1 and all(isinstance(v, dict) for v in out):
                out.sort(key=lambda v: str(v.get(newest_first) or ""), reverse=True)
            return out
        return fill(ctx, depth, count)

    def fill(ctx: GenContext, depth: int, count: int) -> list[Any]:
        out = [g(ctx, depth + 1) for g in prefix[:count]]
        if item is None:
            return out
        seen: set[str] = {json.dumps(v, sort_keys=True) for v in out} if unique else set()
        edge = ctx.edge
        attempts = 0
        budget = count * 10 + 10 + (100 if unique else 0)
        try:
            while len(out) < count and attempts < budget:
                deadline.charge(ITEM_UNITS)
                attempts += 1
                source = plain if plain is not None and attempts > count * 5 else item
                if unique and attempts > count * 5:
                    ctx.edge = 0.0  # edge values are few (min, max, empty): distinct items need the middle too
                # Each item is its own record: a list of emails names several people, not one.
                ctx.frames.append({})
                try:
                    value = source(ctx, depth + 1)
                finally:
                    ctx.frames.pop()
                if unique:
                    marker = json.dumps(value, sort_keys=True)
                    if marker in seen:
                        continue
                    seen.add(marker)
                out.append(value)
        finally:
            ctx.edge = edge  # also when an item raises (a budget ran out): whoever catches it may use ctx again
        rest = out[len(prefix) :]
        if newest_first and all(isinstance(v, dict) for v in rest):
            # Feeds list their newest event first (positional prefixItems stay where they are).
            out[len(prefix) :] = sorted(rest, key=lambda v: str(v.get(newest_first) or ""), reverse=True)
        if contains_gen is not None and contains_check is not None and all(contains_check(v) for v in out):
            wanted = contains_gen(ctx, depth + 1)
            if out and hi is not None and len(out) >= int(hi):
                out[0] = wanted
            else:
                out.append(wanted)
        return out

    return gen


def _array_length(lo: int, hi: Any) -> Callable[[GenContext, int], int]:
    """How many items a list gets at a depth: plausibly few, fewer deeper down, within minItems/maxItems."""
    # Empty (or as short as allowed), or as full as allowed, within a realistic ceiling (maxItems: 10**12).
    ends = (lo, max(lo, min(int(hi), EDGE_ITEMS_CEILING)) if hi is not None else max(lo, 12))

    def plausible(plausible_lo: int, plausible_hi: int) -> tuple[int, int]:
        upper = min(int(hi), plausible_hi) if hi is not None else plausible_hi
        lower = max(lo, plausible_lo)
        if hi is not None:
            lower = min(lower, int(hi))
        return lower, max(upper, lower) - lower + 1  # (first, how many)

    (top, top_span), (inner, inner_span) = plausible(2, 8), plausible(1, 3)

    def length(ctx: GenContext, depth: int) -> int:
        if depth > MAX_DEPTH:
            return lo
        if ctx.edge and ctx.on_edge():
            return ends[ctx.rng.getrandbits(1)]
        if depth <= 1:
            return top + int(ctx.rng.random() * top_span)
        return inner + int(ctx.rng.random() * inner_span)

    return length


def _timestamp_field(items: Any, parent: str) -> str | None:
    """The property of array items that says when each happened, if there is one."""
    props = items.get("properties", {}) if isinstance(items, dict) else {}
    for prop, sub in props.items():
        if isinstance(sub, dict) and semantics.string_kind(prop, sub, parent) == "datetime":
            return str(prop)
    return None
