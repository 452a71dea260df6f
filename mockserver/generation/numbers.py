"""Numbers that respect every bound in the schema and otherwise stay within what the field name makes plausible."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

from mockserver.generation import semantics
from mockserver.generation.context import GenContext
from mockserver.generation.vocabulary import NUMBER_KINDS

logger = logging.getLogger("mockserver")
NumGen = Callable[[GenContext, int], int | float]
_FORMAT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1), "uint8": (0, 255)}
_SPAN = 1000  # how far past a one-sided schema bound values may go when the plausible range misses it
_FLOAT_DRAW_LIMIT = 2**52  # below it, int(random() * n) reaches every integer in range(n), and only those


def compile_number(schema: dict[str, Any], name: str, *, integer: bool, in_error: bool, openapi_31: bool) -> NumGen:
    """A generator of numbers for `schema`; counts are whole even when typed `number`, where the schema allows."""
    schema = _usable(schema, name)
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

    if lo is not None and hi is not None and (lo > hi or (lo == hi and (lo_open or hi_open))):
        fallback = lo
        logger.warning(
            "%s: no number lies between minimum=%s and maximum=%s; %s is served instead", name or "a number", lo, hi, lo
        )
        return lambda ctx, depth: fallback
    low, high = _window(plausible_lo, plausible_hi, lo, hi, inside)
    multiple = schema.get("multipleOf")
    if multiple:
        return _by_multiple(multiple, low, high, lo, hi, inside, whole=integer or fmt == "integer", name=name)
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
    name: str,
) -> NumGen:
    step = Decimal(str(multiple))
    exponent = step.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    exact = Fraction(multiple)
    # Quotients in exact arithmetic: `1e300 / 1e-300` is infinity in floats, a (large) whole number here.
    first, last = math.ceil(Fraction(low) / exact), math.floor(Fraction(high) / exact)
    if first > last:
        first = math.ceil(Fraction(lo if lo is not None else 0) / exact)
        last = math.floor(Fraction(hi if hi is not None else 0) / exact)
    last = max(first, last)
    span = last - first + 1

    def value_of(k: int, rounded: bool = True) -> int | float | None:
        try:
            if whole or isinstance(multiple, int):
                return int(k * exact)
            # Rounded to the multiple's decimals (0.3, not 0.30000000000000004), unless only the raw product passes.
            value = round(k * multiple, places) if rounded else k * multiple
            return value if math.isfinite(value) else None
        except (OverflowError, ValueError):
            return None

    def valid(value: int | float | None) -> bool:
        if value is None or (whole and not isinstance(value, int)):
            return False
        return inside(value) and _is_multiple(value, multiple)

    candidates = _multiple_candidates(first, last, lo, hi, multiple, exact, value_of)
    known = next((v for v in candidates if valid(v)), None)
    if known is None:
        fallback = _midpoint(lo, hi) if lo is None or hi is None or lo <= hi else lo
        logger.warning(
            "%s: no number is a multiple of %s within the bounds (minimum=%s, maximum=%s); %s is served instead",
            name or "a number",
            multiple,
            lo,
            hi,
            fallback,
        )
        return lambda ctx, depth: fallback
    answer: int | float = known

    def by_multiple(ctx: GenContext, depth: int) -> int | float:
        for _ in range(16):
            draw = int(ctx.rng.random() * span) if span < _FLOAT_DRAW_LIMIT else ctx.rng.randrange(span)
            value = value_of(first + draw)
            if valid(value):
                assert value is not None
                return value
        return answer

    return by_multiple


def _multiple_candidates(
    first: int,
    last: int,
    lo: float | None,
    hi: float | None,
    multiple: float,
    exact: Fraction,
    value_of: Callable[[int, bool], int | float | None],
) -> Iterator[int | float | None]:
    """Values worth checking for one that is valid, the likeliest first: multiples near the plausible window,
    then across the schema's bounds, then multiple × 2**n (exact in floating point, however large)."""
    near = [*range(first, min(last, first + 200) + 1), *range(max(first, last - 200), last + 1)]
    wide_first = math.floor(Fraction(lo) / exact) if lo is not None else first - 200
    wide_last = math.ceil(Fraction(hi) / exact) if hi is not None else last + 200
    wide = (
        range(wide_first, wide_last + 1)
        if wide_last - wide_first < 400
        else [*range(wide_first, wide_first + 200), *range(wide_last - 200, wide_last + 1)]
    )
    for k in [*near, *sorted(wide, key=lambda k: abs(k - first))]:
        yield value_of(k, True)
        yield value_of(k, False)
    for bound, sign in ((lo, 1), (hi, -1)):
        if bound is None or bound * sign <= 0:
            continue
        shift = max(0, math.ceil(Fraction(abs(bound)) / exact).bit_length() - 1)
        for n in (shift, shift + 1, shift + 2):
            try:
                value = sign * math.ldexp(multiple, n)
            except OverflowError:
                break
            yield value
            if value.is_integer():
                yield int(value)
    yield 0


def _is_multiple(value: float, multiple: float) -> bool:
    """The check validators make (jsonschema's): whole in float arithmetic, exactly where that overflows."""
    if isinstance(multiple, float) or isinstance(value, float):
        try:
            quotient = value / multiple
            return int(quotient) == quotient
        except OverflowError:
            return (Fraction(value) / Fraction(multiple)).denominator == 1
    return value % multiple == 0


def _usable(schema: dict[str, Any], name: str) -> dict[str, Any]:
    """`schema` without number keywords no number could meet (`multipleOf: 0`, `minimum: "5"`, `1e999`),
    each named once in a warning: generation goes on from the rest."""
    bad = [key for key in _NUMBER_KEYWORDS if key in schema and not _usable_value(key, schema[key])]
    if not bad:
        return schema
    for key in bad:
        shown = repr(schema[key])
        logger.warning(
            "%s: %s=%s is not a usable number; ignored",
            name or "a number",
            key,
            shown[:40] + ("…" if len(shown) > 40 else ""),
        )
    return {k: v for k, v in schema.items() if k not in bad}


_NUMBER_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


def _usable_value(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return key.startswith("exclusive")  # OpenAPI 3.0's boolean exclusivity
    if not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
        return False
    return key != "multipleOf" or value > 0


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
