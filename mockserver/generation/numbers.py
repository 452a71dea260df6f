"""Numbers that respect every bound in the schema and otherwise stay within what the field name makes plausible."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from mockserver.generation import semantics
from mockserver.generation.context import GenContext
from mockserver.generation.values import NUMBER_KINDS

NumGen = Callable[[GenContext, int], int | float]
_FORMAT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1), "uint8": (0, 255)}
_SPAN = 1000  # how far past a one-sided schema bound values may go when the plausible range misses it


def compile_number(schema: dict[str, Any], name: str, *, integer: bool, in_error: bool, openapi_31: bool) -> NumGen:
    """A generator of numbers for `schema`; counts are whole even when typed `number`."""
    kind = semantics.number_kind(name, schema, in_error)
    plausible_lo, plausible_hi, decimals = NUMBER_KINDS[kind]
    fmt = schema.get("format")
    whole = integer or decimals is None or fmt in _FORMAT_RANGES or fmt == "integer"
    lo, hi, lo_open, hi_open = _bounds(schema, openapi_31)
    if fmt in _FORMAT_RANGES:
        lo = max(lo, _FORMAT_RANGES[fmt][0]) if lo is not None else _FORMAT_RANGES[fmt][0]
        hi = min(hi, _FORMAT_RANGES[fmt][1]) if hi is not None else _FORMAT_RANGES[fmt][1]
    low, high = _window(plausible_lo, plausible_hi, lo, hi)
    multiple = schema.get("multipleOf")
    places = 2 if decimals is None else decimals

    def inside(value: float) -> bool:
        return (lo is None or value > lo or (value == lo and not lo_open)) and (
            hi is None or value < hi or (value == hi and not hi_open)
        )

    if multiple:
        first = math.ceil(low / multiple)
        last = math.floor(high / multiple)
        if first > last:
            first = last = math.ceil(lo / multiple) if lo is not None else 0

        def by_multiple(ctx: GenContext, depth: int) -> int | float:
            for _ in range(8):
                value = ctx.rng.randint(first, last) * multiple
                value = int(value) if whole or (float(value).is_integer() and isinstance(multiple, int)) else value
                if inside(value):
                    return value
            return value  # type: ignore[no-any-return]

        return by_multiple

    if kind == "http_status":

        def status(ctx: GenContext, depth: int) -> int | float:
            return ctx.status if inside(ctx.status) else ctx.rng.randint(math.ceil(low), math.floor(high))

        return status

    if whole:
        first, last = math.ceil(low), math.floor(high)
        if lo_open and lo is not None and first <= lo:
            first = math.floor(lo) + 1
        if hi_open and hi is not None and last >= hi:
            last = math.ceil(hi) - 1
        if first > last:
            first = last = first if hi is None else last

        def whole_number(ctx: GenContext, depth: int) -> int | float:
            return ctx.rng.randint(first, last)

        return whole_number

    def real(ctx: GenContext, depth: int) -> int | float:
        for _ in range(8):
            value = round(ctx.rng.uniform(low, high), places)
            if inside(value):
                return value
        return (low + high) / 2

    return real


def _bounds(schema: dict[str, Any], openapi_31: bool) -> tuple[float | None, float | None, bool, bool]:
    lo, hi = schema.get("minimum"), schema.get("maximum")
    lo_open = hi_open = False
    ex_lo, ex_hi = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    # 3.0 spells exclusivity as a boolean beside minimum; 3.1 as the bound itself.
    if isinstance(ex_lo, bool):
        lo_open = ex_lo and lo is not None
    elif isinstance(ex_lo, (int, float)):
        lo, lo_open = (ex_lo, True) if lo is None or ex_lo >= lo else (lo, False)
    if isinstance(ex_hi, bool):
        hi_open = ex_hi and hi is not None
    elif isinstance(ex_hi, (int, float)):
        hi, hi_open = (ex_hi, True) if hi is None or ex_hi <= hi else (hi, False)
    return lo, hi, lo_open, hi_open


def _window(plausible_lo: float, plausible_hi: float, lo: float | None, hi: float | None) -> tuple[float, float]:
    """The plausible range cut to the schema's; where they miss each other, a span beside the schema's bound."""
    low = plausible_lo if lo is None else max(plausible_lo, lo)
    high = plausible_hi if hi is None else min(plausible_hi, hi)
    if low <= high:
        return low, high
    if lo is not None and hi is not None:
        return lo, hi
    if lo is not None:
        return lo, lo + _SPAN
    assert hi is not None
    return hi - _SPAN, hi
