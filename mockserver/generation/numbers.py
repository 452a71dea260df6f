"""Numbers that respect every bound in the schema and otherwise stay within what the field name makes plausible."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from mockserver.generation import semantics
from mockserver.generation.context import GenContext
from mockserver.generation.values import NUMBER_KINDS

NumGen = Callable[[GenContext, int], int | float]
_FORMAT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1), "uint8": (0, 255)}
_SPAN = 1000  # how far past a one-sided schema bound values may go when the plausible range misses it
_FLOAT_DRAW_LIMIT = 2**52  # below it, int(random() * n) reaches every integer in range(n), and only those


def compile_number(schema: dict[str, Any], name: str, *, integer: bool, in_error: bool, openapi_31: bool) -> NumGen:
    """A generator of numbers for `schema`; counts are whole even when typed `number`, where the schema allows."""
    kind = semantics.number_kind(name, schema, in_error)
    plausible_lo, plausible_hi, decimals = NUMBER_KINDS[kind]
    fmt = schema.get("format")
    lo, hi, lo_open, hi_open = _bounds(schema, openapi_31)
    if fmt in _FORMAT_RANGES:
        lo = max(lo, _FORMAT_RANGES[fmt][0]) if lo is not None else _FORMAT_RANGES[fmt][0]
        hi = min(hi, _FORMAT_RANGES[fmt][1]) if hi is not None else _FORMAT_RANGES[fmt][1]

    def inside(value: float) -> bool:
        return (lo is None or value > lo or (value == lo and not lo_open)) and (
            hi is None or value < hi or (value == hi and not hi_open)
        )

    low, high = _window(plausible_lo, plausible_hi, lo, hi, inside)
    multiple = schema.get("multipleOf")
    if multiple:
        return _by_multiple(multiple, low, high, lo, hi, inside, whole=integer or fmt == "integer")
    first, last = _whole_range(low, high, lo, hi, lo_open, hi_open)
    # A count typed `number` stays whole unless its bounds leave no whole number in range.
    whole = integer or fmt in _FORMAT_RANGES or fmt == "integer" or (decimals is None and first <= last)
    places = 2 if decimals is None else decimals
    fallback = _midpoint(lo, hi)

    if whole:
        last = max(first, last)
        span = last - first + 1
        ends = (first, last)
        if span > _FLOAT_DRAW_LIMIT:  # a float draw would skip most of so wide a range

            def wide_number(ctx: GenContext, depth: int) -> int | float:
                if ctx.edge and ctx.on_edge():
                    return ends[ctx.rng.getrandbits(1)]
                return ctx.rng.randint(first, last)

            return wide_number

        if kind == "http_status":

            def status(ctx: GenContext, depth: int) -> int | float:
                return ctx.status if inside(ctx.status) else first + int(ctx.rng.random() * span)

            return status

        def whole_number(ctx: GenContext, depth: int) -> int | float:
            if ctx.edge and ctx.on_edge():  # the least or greatest value allowed (within reach of the plausible range)
                return ends[ctx.rng.getrandbits(1)]
            # A float draw scaled to the range: uniform to within span / 2**53, and a fifth of randint's cost.
            return first + int(ctx.rng.random() * span)

        return whole_number

    edges = [v for v in (low, high) if inside(v)]
    grid = _decimal_grid(low, high, places, inside)
    if grid is not None:
        # Whole multiples of 10**-places: k / scale is the float `round` would give, without its cost.
        k_first, k_span, scale = grid

        def decimal(ctx: GenContext, depth: int) -> int | float:
            if edges and ctx.edge and ctx.on_edge():
                return edges[ctx.rng.getrandbits(1) % len(edges)]
            return (k_first + int(ctx.rng.random() * k_span)) / scale

        return decimal

    def real(ctx: GenContext, depth: int) -> int | float:
        if edges and ctx.edge and ctx.on_edge():
            return ctx.rng.choice(edges)
        for _ in range(8):
            value = round(ctx.rng.uniform(low, high), places)
            if inside(value):
                return value
        return fallback

    return real


def _decimal_grid(low: float, high: float, places: int, inside: Callable[[float], bool]) -> tuple[int, int, int] | None:
    """(first, count, scale): the numbers with `places` decimals in [low, high] are first / scale, …,
    (first + count - 1) / scale, all inside the schema's bounds; None where there are none, or too many for
    a float draw to reach each one."""
    scale = 10**places
    if max(abs(low), abs(high)) * scale >= _FLOAT_DRAW_LIMIT:
        return None
    first, last = math.ceil(low * scale), math.floor(high * scale)
    # Exclusive bounds cost at most a step at each end; the rest of the grid lies between two valid ends.
    if first <= last and not inside(first / scale):
        first += 1
    if first <= last and not inside(last / scale):
        last -= 1
    if first > last or not inside(first / scale) or not inside(last / scale):
        return None
    return first, last - first + 1, scale


def _whole_range(
    low: float, high: float, lo: float | None, hi: float | None, lo_open: bool, hi_open: bool
) -> tuple[int, int]:
    first, last = math.ceil(low), math.floor(high)
    if lo_open and lo is not None and first <= lo:
        first = math.floor(lo) + 1
    if hi_open and hi is not None and last >= hi:
        last = math.ceil(hi) - 1
    return first, last


def _midpoint(lo: float | None, hi: float | None) -> float:
    """A value strictly inside the schema's bounds, whatever their exclusivity."""
    if lo is not None and hi is not None:
        return (lo + hi) / 2
    if lo is not None:
        return lo + 1
    if hi is not None:
        return hi - 1
    return 0


def _by_multiple(
    multiple: float,
    low: float,
    high: float,
    lo: float | None,
    hi: float | None,
    inside: Callable[[float], bool],
    *,
    whole: bool,
) -> NumGen:
    step = Decimal(str(multiple))
    exponent = step.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    first, last = math.ceil(low / multiple), math.floor(high / multiple)
    if first > last:
        first, last = (
            math.ceil((lo if lo is not None else 0) / multiple),
            math.floor((hi if hi is not None else 0) / multiple),
        )
    candidates = range(first, max(first, last) + 1)
    # Every multiple the schema allows, nearest the plausible window first: the sweep of last resort.
    wide_first = math.floor(lo / multiple) if lo is not None else first - 200
    wide_last = math.ceil(hi / multiple) if hi is not None else last + 200
    sweep = sorted(
        range(wide_first, wide_last + 1)[:400]
        if wide_last - wide_first < 400
        else [*range(first - 200, first), *range(last, last + 200)],
        key=lambda k: abs(k - first),
    )

    def valid(value: float) -> bool:
        # The check validators make: the quotient must be whole in float arithmetic too.
        quotient = value / multiple
        return inside(value) and quotient == int(quotient)

    def by_multiple(ctx: GenContext, depth: int) -> int | float:
        value: float = 0
        for _ in range(16):
            k = candidates[int(ctx.rng.random() * len(candidates))]
            value = int(k * multiple) if whole or (isinstance(multiple, int)) else round(k * multiple, places)
            if valid(value):
                return value
        for k in sweep:  # a deterministic sweep when random draws keep missing
            for value in (
                (int(k * multiple),)
                if whole or isinstance(multiple, int)
                else (round(k * multiple, places), k * multiple)
            ):
                if valid(value):
                    return value
        return value

    return by_multiple


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


def _window(
    plausible_lo: float, plausible_hi: float, lo: float | None, hi: float | None, inside: Callable[[float], bool]
) -> tuple[float, float]:
    """The plausible range cut to the schema's; where they miss each other, a span beside the schema's bound."""
    low = plausible_lo if lo is None else max(plausible_lo, lo)
    high = plausible_hi if hi is None else min(plausible_hi, hi)
    # A window of one point (the plausible range touching the schema's at a bound) only if nothing else fits.
    if low < high and (high - low >= 1 or (lo is not None and hi is not None and hi - lo < 1)):
        return low, high
    if low == high and inside(low) and lo is not None and hi is not None and lo == hi:
        return low, high
    if lo is not None and hi is not None:
        return lo, hi
    if lo is not None:
        return lo, lo + _SPAN
    assert hi is not None
    return hi - _SPAN, hi
