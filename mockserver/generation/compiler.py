"""Compile a (resolved) JSON Schema once into a generator of realistic values that validate against it.

All inspection of the schema happens here, at start-up; a generator only draws random numbers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from itertools import permutations
from typing import Any

from mockserver import deadline
from mockserver.errors import GenerationError
from mockserver.generation import numbers, semantics
from mockserver.generation.context import FieldError, GenContext
from mockserver.generation.fakerhints import faker_hint
from mockserver.generation.merge import merge, merge_all_of
from mockserver.generation.regex import UnsupportedPattern, compile_pattern
from mockserver.generation.values import Pools, StrGen, string_generators
from mockserver.spec.patterns import PatternError, PatternTimeout, matcher

Gen = Callable[[GenContext, int], Any]  # (context, depth) -> value
Schema = dict[str, Any]
logger = logging.getLogger("mockserver")

MAX_DEPTH = 3  # past it, optional fields are left out and arrays kept short: recursion ends
_HARD_DEPTH = 12
_NULL_CHANCE = 0.1
_OPTIONAL_CHANCE = 0.85
_ONE_OF_ROUNDS = 4
# What a list item and an object count toward a request's size budget (`deadline.charge`), in bytes: about
# the memory CPython gives them (a list slot and a small value; an empty dict), so that a huge minItems of
# tiny values stops long before memory runs short. A constrained string counts its length.
ITEM_UNITS = 32
OBJECT_UNITS = 128
_COUNTED_TEXT = 256  # characters past which a generated string counts toward the size budget
EDGE_TEXT_CEILING = 4096  # characters of a string "at its maxLength" (edge cases), unless minLength asks more
EDGE_ITEMS_CEILING = 256  # items of a list "at its maxItems" (edge cases), unless minItems asks more
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
_ERROR_WORDS = frozenset({"error", "message", "msg", "detail", "code", "status", "name", "title"})
_STRING_KEYS = ("minLength", "maxLength", "pattern", "format")
_NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_OBJECT_KEYS = ("properties", "required", "additionalProperties", "patternProperties", "minProperties")


class Compiler:
    """Turns schemas into generators; one per server, sharing value pools and compiled sub-schemas."""

    def __init__(self, pools: Pools, *, openapi_31: bool = False) -> None:
        self.pools = pools
        self.strings = string_generators(pools)
        self.openapi_31 = openapi_31
        self._memo: dict[tuple[int, str, str, bool], Gen] = {}
        # A generator that only adds edge cases to another, mapped to that other: what to call when they are off.
        self._edgeless: dict[Gen, Gen] = {}
        # Object generators: each starts its own record frame, so a list of them needs none per item.
        self._framed: set[Gen] = set()
        # Memo keys are ids: keep every compiled schema alive, or a new dict could reuse a dead one's id.
        self._alive: list[Schema] = []

    def compile(
        self, schema: Any, *, name: str = "", parent: str = "", in_error: bool = False, where: str = "#"
    ) -> Gen:
        """A generator for `schema`; `name`/`parent` are the field's and its object's names, for realism."""
        if not isinstance(schema, dict):
            if schema is False:
                raise GenerationError(f"{where}: schema `false` has no valid value")
            return _any_value
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
            return self._enum(schema, where)
        for combiner in ("oneOf", "anyOf"):
            if isinstance(schema.get(combiner), list) and schema[combiner]:
                return self._choice(schema, combiner, name, parent, in_error, where)
        types = _types(schema)
        gens: list[Gen] = []
        for kind in types:
            if kind == "null":
                continue
            if kind == "string":
                gens.append(self._string(schema, name, parent, in_error, where))
            elif kind in ("integer", "number"):
                gens.append(
                    numbers.compile_number(
                        schema, name, integer=kind == "integer", in_error=in_error, openapi_31=self.openapi_31
                    )
                )
            elif kind == "boolean":
                gens.append(lambda ctx, depth: ctx.rng.random() < 0.5)
            elif kind == "array":
                gens.append(self._array(schema, name, parent, in_error, where))
            elif kind == "object":
                gens.append(self._object(schema, name, in_error, where))
            else:
                gens.append(_any_value)
        nullable = "null" in types or schema.get("nullable") is True
        if not gens:
            return lambda ctx, depth: None
        one = gens[0] if len(gens) == 1 else _either(gens)
        return _maybe_null(one) if nullable else one

    def _enum(self, schema: Schema, where: str) -> Gen:
        values = tuple(schema["enum"])
        if not schema.get("nullable") and "null" not in _types(schema) and len(values) > 1:
            values = tuple(v for v in values if v is not None) or values
        if not values:
            raise GenerationError(f"{where}: `enum` is empty")
        if len(values) == 1:
            only = values[0]
            return lambda ctx, depth: only
        size = len(values)
        return lambda ctx, depth: values[int(ctx.rng.random() * size)]

    def _choice(self, schema: Schema, combiner: str, name: str, parent: str, in_error: bool, where: str) -> Gen:
        base = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf", "discriminator")}
        branches = [merge(base, merge_all_of(b)) if isinstance(b, dict) else b for b in schema[combiner]]
        # A branch whose types cancel out against the parent's (integer ∩ string) has no values.
        branches = [b for b in branches if not (isinstance(b, dict) and b.get("type") == [])] or branches
        gens = [
            self.compile(b, name=name, parent=parent, in_error=in_error, where=f"{where}/{combiner}/{i}")
            for i, b in enumerate(branches)
        ]
        discriminator = _discriminator(schema, branches)
        if combiner == "anyOf" or _disjoint(branches):
            check: Callable[[Any, int], bool] | None = None
        else:
            check = self._exclusive_check(branches)

        nulls = [i for i, b in enumerate(branches) if isinstance(b, dict) and _types(b) == ["null"]]
        values = [i for i in range(len(gens)) if i not in nulls]
        if check is None and values:
            return _pick_branch(
                [(gens[i], discriminator[1][i] if discriminator else None) for i in values],
                discriminator[0] if discriminator else None,
                nullable=bool(nulls),
            )

        def gen(ctx: GenContext, depth: int) -> Any:
            # A `{type: null}` branch is nullability spelled in 3.1: as rare as `nullable` makes null.
            if nulls and (not values or depth > MAX_DEPTH or ctx.rng.random() < _NULL_CHANCE):
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

    def _exclusive_check(self, branches: list[Any]) -> Callable[[Any, int], bool]:
        from mockserver.spec.validation import schema_validator

        validators = [schema_validator(b, openapi_31=self.openapi_31) for b in branches]

        def exactly_one(value: Any, index: int) -> bool:
            return not any(v(value) == [] for i, v in enumerate(validators) if i != index)

        return exactly_one

    def _string(self, schema: Schema, name: str, parent: str, in_error: bool, where: str) -> Gen:
        kind = semantics.string_kind(name, schema, parent, in_error)
        if kind == "numeric_text":
            number = numbers.compile_number({}, name, integer=False, in_error=False, openapi_31=False)

            def numeric(ctx: GenContext, depth: int = 0) -> str:
                return str(number(ctx, 0))

            base: StrGen = numeric
        else:
            base = self.strings[kind]
        lo, hi = schema.get("minLength", 0), schema.get("maxLength")
        pattern = schema.get("pattern")
        if not lo and hi is None and not pattern and not schema.get("x-patterns"):
            if schema.get("format") or kind == "numeric_text":
                return base
            free_edge = _edge_text(0, None)

            def free(ctx: GenContext, depth: int) -> str:
                return free_edge(ctx) if ctx.edge and ctx.on_edge() else base(ctx)

            self._edgeless[free] = base
            return free
        edge_text = (
            _edge_text(lo, hi)
            if not pattern
            and not schema.get("x-patterns")
            and not schema.get("format")
            and kind not in ("numeric_text",)
            else None
        )
        matchers = [_matches(p) for p in [pattern, *schema.get("x-patterns", [])] if p]
        all_patterns = [p for p in [pattern, *schema.get("x-patterns", [])] if p] or [None]
        fallbacks = [self._string_fallback(p, lo, hi, where) for p in all_patterns]

        def fits(value: str) -> bool:
            return lo <= len(value) <= (hi if hi is not None else len(value)) and all(m(value) for m in matchers)

        # A constrained string can be long: it counts toward the answer's size, a large minimum before it is
        # made (a `minLength: 100000000` is refused, not built and then refused); short ones are not counted.
        upfront = lo if lo > _COUNTED_TEXT else 0

        def gen(ctx: GenContext, depth: int) -> str:
            if upfront:
                deadline.charge(upfront)
            if edge_text is not None and ctx.edge and ctx.on_edge():
                value = edge_text(ctx)
            else:
                value = base(ctx)
                if not fits(value):
                    value = refit(ctx, value)
            if len(value) > _COUNTED_TEXT:
                deadline.charge(len(value) - upfront)
            return value

        def refit(ctx: GenContext, value: str) -> str:
            candidate = value
            for attempt in range(16):  # merged patterns (allOf) must all match: try each one's strings in turn
                candidate = fallbacks[attempt % len(fallbacks)](ctx, value)
                if fits(candidate):
                    return candidate
            return candidate

        return gen

    def _string_fallback(
        self, pattern: str | None, lo: int, hi: int | None, where: str
    ) -> Callable[[GenContext, str], str]:
        if pattern:
            try:
                from_pattern = compile_pattern(pattern, min_length=lo or None, max_length=hi)
            except UnsupportedPattern as exc:
                logger.warning("%s: cannot generate for pattern %r (%s); values may not match it", where, pattern, exc)
            else:
                return lambda ctx, value: from_pattern(ctx.rng)

        def fit(ctx: GenContext, value: str) -> str:
            if hi is not None and len(value) > hi:
                value = value[:hi]
            missing = lo - len(value)
            if missing > 0:
                # One random block, repeated: a huge minLength costs a copy, not a Python step per character.
                block = "".join(ctx.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(min(missing, 64)))
                value += (block * (missing // len(block) + 1))[:missing]
            return value

        return fit

    def _array(self, schema: Schema, name: str, parent: str, in_error: bool, where: str) -> Gen:
        items = schema.get("items", {})
        prefix = [
            self.compile(s, name=name, parent=parent, in_error=in_error, where=f"{where}/prefixItems/{i}")
            for i, s in enumerate(schema.get("prefixItems") or [])
        ]
        item = (
            self.compile(items, name=name, parent=parent, in_error=in_error, where=f"{where}/items")
            if items is not False
            else None
        )
        lo = int(schema.get("minItems", 0))
        hi = schema.get("maxItems")
        unique = bool(schema.get("uniqueItems"))
        problem_list = in_error and _is_problem_list(items)
        newest_first = _timestamp_field(items, name)
        # Without the field's name the value pools are wider: the way out when uniqueItems drains a small one.
        plain = self.compile(items, in_error=in_error, where=f"{where}/items") if unique and item else None
        contains = schema.get("contains")
        contains_gen = contains_check = None
        if isinstance(contains, dict):
            from mockserver.spec.validation import schema_validator

            merged = merge(items, contains) if isinstance(items, dict) else contains
            contains_gen = self.compile(merged, name=name, parent=parent, in_error=in_error, where=f"{where}/contains")
            contains_check = schema_validator(contains, openapi_31=self.openapi_31)

        length = _array_length(lo, hi)
        item_edgeless = self._edgeless.get(item, item) if item is not None else None
        item_framed = item in self._framed
        # The common list: items of one schema, no uniqueness, nothing it must contain.
        plain_list = not prefix and not unique and contains_gen is None

        def gen(ctx: GenContext, depth: int) -> list[Any]:
            if depth > _HARD_DEPTH:
                raise GenerationError(f"{where}: recursion does not end")
            if problem_list and ctx.problem is not None:
                # Without field errors, a list of them is empty, except where a validation status needs one.
                invented = (FieldError(("body",), ctx.problem.message, ctx.problem.code),)
                errors = ctx.problem.errors or (invented if ctx.status == 422 or lo > 0 else ())
                return [_fill_problem_item(item(ctx, depth + 1) if item else {}, e) for e in errors]
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
            ctx.edge = edge
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

    def _object(self, schema: Schema, name: str, in_error: bool, where: str) -> Gen:
        props = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        fields = [
            (
                prop,
                self.compile(sub, name=prop, parent=name, in_error=in_error, where=f"{where}/properties/{prop}"),
                # An error always says what went wrong, even where the envelope makes it optional.
                prop in required or (in_error and bool(set(semantics.tokens(prop)) & _ERROR_WORDS)),
            )
            for prop, sub in props.items()
            if not (isinstance(sub, dict) and sub.get("writeOnly"))
        ]
        undeclared = schema.get("additionalProperties", {})
        fields += [  # required names the schema never describes still have to be there
            (
                prop,
                self.compile(
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
            (compile_pattern(p), self.compile(s, name=name, in_error=in_error, where=f"{where}/patternProperties"))
            for p, s in (schema.get("patternProperties") or {}).items()
            if _supported(p)
        ]
        extra_gen = (
            self.compile(extra, name="value", parent=name, in_error=in_error, where=f"{where}/additionalProperties")
            if isinstance(extra, dict) and extra
            else None
        )
        freeform = not props and not patterns and extra is not False and "propertyNames" not in schema
        lo = int(schema.get("minProperties", 0))
        hi = schema.get("maxProperties")
        details = in_error and semantics.normalize(name) in ("details", "metadata", "context") and freeform
        edgeless = [(prop, self._edgeless.get(field_gen, field_gen), needed) for prop, field_gen, needed in fields]
        deep = [(prop, field_gen) for prop, field_gen, needed in fields if needed]
        deep_edgeless = [(prop, field_gen) for prop, field_gen, needed in edgeless if needed]
        fit = lo > 0 or hi is not None
        extra_allowed = extra is not False

        def gen(ctx: GenContext, depth: int) -> dict[str, Any]:
            if depth > _HARD_DEPTH:
                raise GenerationError(f"{where}: recursion does not end")
            deadline.charge(OBJECT_UNITS)  # the request's time and size budgets: every object is a point to stop at
            if details and extra_gen is None:
                # An error's details describe the request that failed; made-up ones would mislead.
                return dict(ctx.problem.details) if ctx.problem is not None else {}
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

        self._framed.add(gen)
        return gen


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
    matches = _matches(pattern) if isinstance(pattern, str) else None

    def ok(key: str) -> bool:
        return (matches is None or matches(key)) and lo <= len(key) <= (hi if hi is not None else len(key))

    maker = None
    if isinstance(pattern, str) and _supported(pattern):
        maker = compile_pattern(pattern, min_length=lo or None, max_length=hi)

    def make(ctx: GenContext, n: int) -> str:
        if maker is not None:
            return maker(ctx.rng)
        return f"extra_{n}"

    return ok, make


def _types(schema: Schema) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, list):
        return [str(k) for k in kind]
    if isinstance(kind, str):
        return [kind]
    if any(k in schema for k in _OBJECT_KEYS):
        return ["object"]
    if "items" in schema or "prefixItems" in schema:
        return ["array"]
    if any(k in schema for k in _STRING_KEYS):
        return ["string"]
    if any(k in schema for k in _NUMBER_KEYS):
        return ["number"]
    return ["any"]


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


_UNICODE = "Zoë Ångström – 東京 ☕ 🚀 ﷽ "


def _edge_text(lo: int, hi: int | None) -> Callable[[GenContext], str]:
    """Strings at the length limits, in unicode that trips naive clients (accents, CJK, emoji, RTL)."""

    def at(length: int) -> str:
        return (_UNICODE * (length // len(_UNICODE) + 1))[:length]

    # "As long as allowed" stays realistic: a maxLength of 2**31-1 (common in generated specs) is not a
    # value to send; the schema still holds, since the ceiling is never below minLength.
    full = min(hi, max(lo, EDGE_TEXT_CEILING)) if hi is not None else max(lo, 40)
    lengths = sorted({lo, full})

    def edge(ctx: GenContext) -> str:
        return at(ctx.rng.choice(lengths))

    return edge


def _any_value(ctx: GenContext, depth: int) -> Any:
    key, value = _FREEFORM[int(ctx.rng.random() * len(_FREEFORM))]
    return {key: value}


def _maybe_null(gen: Gen) -> Gen:
    def nullable(ctx: GenContext, depth: int) -> Any:
        if depth > MAX_DEPTH or ctx.rng.random() < _NULL_CHANCE or (ctx.edge and ctx.on_edge()):
            return None
        return gen(ctx, depth)

    return nullable


def _pick_branch(branches: list[tuple[Gen, str | None]], tag: str | None, *, nullable: bool) -> Gen:
    """One branch at random, where no value can satisfy two (or `anyOf` does not mind): nothing to check."""
    size = len(branches)

    def pick(ctx: GenContext, depth: int) -> Any:
        # A `{type: null}` branch is nullability spelled in 3.1: as rare as `nullable` makes null.
        if nullable and (depth > MAX_DEPTH or ctx.rng.random() < _NULL_CHANCE):
            return None
        branch, value_tag = branches[int(ctx.rng.random() * size)]
        value = branch(ctx, depth)
        if tag is not None and value_tag is not None and isinstance(value, dict):
            value[tag] = value_tag
        return value

    return pick


def _nullable(gen: Gen, schema: Schema) -> Gen:
    return _maybe_null(gen) if schema.get("nullable") is True or "null" in _types(schema) else gen


def _either(gens: list[Gen]) -> Gen:
    size = len(gens)
    return lambda ctx, depth: gens[int(ctx.rng.random() * size)](ctx, depth)


def _matches(pattern: str) -> Callable[[str], bool]:
    """Does a generated string match `pattern`? In linear time (see spec.patterns): a spec can be hostile."""
    try:
        search = matcher(pattern)
    except PatternError:
        return lambda value: True  # no engine reads it: nothing to hold values to (the generator warned)

    def matches(value: str) -> bool:
        try:
            return search(value)
        except PatternTimeout:
            return False

    return matches


def _supported(pattern: str) -> bool:
    try:
        compile_pattern(pattern)
    except UnsupportedPattern:
        return False
    return True


def _disjoint(branches: list[Any]) -> bool:
    """True when no value can satisfy two branches: distinct primitive types, or distinct constants."""
    seen: set[str] = set()
    for branch in branches:
        if not isinstance(branch, dict):
            return False
        kinds = set(_types(branch))
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


def _timestamp_field(items: Any, parent: str) -> str | None:
    """The property of array items that says when each happened, if there is one."""
    props = items.get("properties", {}) if isinstance(items, dict) else {}
    for prop, sub in props.items():
        if isinstance(sub, dict) and semantics.string_kind(prop, sub, parent) == "datetime":
            return str(prop)
    return None


def _is_problem_list(items: Any) -> bool:
    props = items.get("properties", {}) if isinstance(items, dict) else {}
    return "loc" in props or "msg" in props or ("field" in props and "message" in props)


def _fill_problem_item(item: Any, error: Any) -> Any:
    if not isinstance(item, dict):
        return item
    if "loc" in item:
        item["loc"] = list(error.location) if isinstance(item["loc"], list) else ".".join(map(str, error.location))
    for key in ("msg", "message"):
        if key in item:
            item[key] = error.message
    if "type" in item and isinstance(item["type"], str):
        item["type"] = error.type
    if "input" in item:
        item["input"] = error.input
    item.pop("ctx", None)  # FastAPI's constraint context; a random one would mislead
    for key in ("field", "param", "parameter"):
        if key in item and isinstance(item[key], str):
            item[key] = str(error.location[-1])
    return item
