"""Strings: realistic text for the field's meaning, refitted to minLength/maxLength/pattern when it does not fit,
and edge cases at the length limits; plus matching generated strings against a schema's patterns."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from mockserver import deadline
from mockserver.generation import numbers, semantics
from mockserver.generation.context import GenContext
from mockserver.generation.protocol import Gen, Schema
from mockserver.generation.regex import UnsupportedPattern, compile_pattern
from mockserver.generation.values import StrGen
from mockserver.openapi.patterns import PatternError, PatternTimeout, matcher

if TYPE_CHECKING:
    from mockserver.generation.compiler import Compiler

__all__ = ["EDGE_TEXT_CEILING", "compile_string", "matches", "supported"]

logger = logging.getLogger("mockserver")

_COUNTED_TEXT = 256  # characters past which a generated string counts toward the size budget
EDGE_TEXT_CEILING = 4096  # characters of a string "at its maxLength" (edge cases), unless minLength asks more
_UNICODE = "Zoë Ångström – 東京 ☕ 🚀 ﷽ "


def compile_string(compiler: Compiler, schema: Schema, name: str, parent: str, in_error: bool, where: str) -> Gen:
    """A generator of strings for the field `name` of `parent` that hold to the schema's length and patterns."""
    kind = semantics.string_kind(name, schema, parent, in_error)
    if kind == "numeric_text":
        number = numbers.compile_number({}, name, integer=False, in_error=False, openapi_31=False)

        def numeric(ctx: GenContext, depth: int = 0) -> str:
            return str(number(ctx, 0))

        base: StrGen = numeric
    else:
        base = compiler.strings[kind]
    lo, hi = schema.get("minLength", 0), schema.get("maxLength")
    pattern = schema.get("pattern")
    if not lo and hi is None and not pattern and not schema.get("x-patterns"):
        if schema.get("format") or kind == "numeric_text":
            return base
        free_edge = _edge_text(0, None)

        def free(ctx: GenContext, depth: int) -> str:
            return free_edge(ctx) if ctx.edge and ctx.on_edge() else base(ctx)

        compiler.edgeless[free] = base
        return free
    edge_text = (
        _edge_text(lo, hi)
        if not pattern and not schema.get("x-patterns") and not schema.get("format") and kind not in ("numeric_text",)
        else None
    )
    matchers = [matches(p) for p in [pattern, *schema.get("x-patterns", [])] if p]
    all_patterns = [p for p in [pattern, *schema.get("x-patterns", [])] if p] or [None]
    fallbacks = [_string_fallback(p, lo, hi, where) for p in all_patterns]

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


def _string_fallback(pattern: str | None, lo: int, hi: int | None, where: str) -> Callable[[GenContext, str], str]:
    """What replaces a realistic string that does not fit: one made from the pattern, or the string cut/padded."""
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


def matches(pattern: str) -> Callable[[str], bool]:
    """Does a generated string match `pattern`? In linear time (see spec.patterns): a spec can be hostile."""
    try:
        search = matcher(pattern)
    except PatternError:
        return lambda value: True  # no engine reads it: nothing to hold values to (the generator warned)

    def match(value: str) -> bool:
        try:
            return search(value)
        except PatternTimeout:
            return False

    return match


def supported(pattern: str) -> bool:
    """Whether the pattern generator can make strings for `pattern`."""
    try:
        compile_pattern(pattern)
    except UnsupportedPattern:
        return False
    return True
