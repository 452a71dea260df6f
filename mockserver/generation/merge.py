"""Fold `allOf` into one schema, so that a generator sees every constraint at once."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

Schema = dict[str, Any]

_LOWER = ("minimum", "minLength", "minItems", "minProperties")
_UPPER = ("maximum", "maxLength", "maxItems", "maxProperties")


def merge_all_of(schema: Schema) -> Schema:
    """`schema` with its `allOf` members (recursively) merged in; shared objects are not mutated."""
    members = schema.get("allOf")
    if not isinstance(members, list):
        return schema
    merged: Schema = {k: v for k, v in schema.items() if k != "allOf"}
    for member in members:
        if isinstance(member, dict):
            merged = merge(merged, merge_all_of(member))
    return merged


def merge(a: Schema, b: Schema) -> Schema:
    """A schema accepting what both `a` and `b` accept (as far as generation needs)."""
    out: Schema = dict(a)
    for key, value in b.items():
        if key in _BOUNDS:
            continue  # bounds are merged below, with their exclusivity
        if key not in out:
            out[key] = value
        elif key == "properties":
            props = dict(out[key])
            for name, sub in value.items():
                props[name] = merge(props[name], sub) if name in props and isinstance(sub, dict) else sub
            out[key] = props
        elif key == "required":
            out[key] = list(dict.fromkeys([*out[key], *value]))
        elif key in _LOWER:
            out[key] = max(out[key], value)
        elif key in _UPPER:
            out[key] = min(out[key], value)
        elif key == "enum":
            out[key] = [v for v in out[key] if v in value]
        elif key == "type":
            out[key] = _intersect_types(out[key], value)
        elif key == "allOf":
            out[key] = [*out[key], *value]
        elif key in ("items", "additionalProperties") and isinstance(value, dict) and isinstance(out[key], dict):
            out[key] = merge(out[key], value)
        elif key == "multipleOf":
            out[key] = _lcm(out[key], value)
        elif key == "pattern" and value != out[key]:
            # Both must match; generators check every pattern in `x-patterns`.
            out["x-patterns"] = list(dict.fromkeys([*out.get("x-patterns", []), value]))
    if "nullable" in out:
        # allOf: null is a value only if every part allows it; a typed part without `nullable` does not.
        out["nullable"] = _allows_null(a) and _allows_null(b)
    for side in ("min", "max"):
        _merge_bound(out, a, b, side)
    if "allOf" in out:
        return merge_all_of(out)
    return out


def _allows_null(schema: Schema) -> bool:
    return schema.get("nullable") is True or ("type" not in schema and schema.get("nullable") is not False)


_BOUNDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})


def _bound(schema: Schema, side: str) -> tuple[float, bool] | None:
    """(value, exclusive) of a schema's lower ("min") or upper ("max") bound, in either dialect."""
    plain, exclusive = schema.get(f"{side}imum"), schema.get(f"exclusive{side.title()}imum")
    if isinstance(exclusive, (int, float)) and not isinstance(exclusive, bool):
        tighter = plain is None or (exclusive >= plain if side == "min" else exclusive <= plain)
        if tighter:
            return float(exclusive), True
    if plain is None:
        return None
    return float(plain), exclusive is True


def _merge_bound(out: Schema, a: Schema, b: Schema, side: str) -> None:
    found = [x for x in (_bound(a, side), _bound(b, side)) if x is not None]
    if not found:
        return
    tighter = max if side == "min" else min
    value = tighter(v for v, _ in found)
    exclusive = any(ex for v, ex in found if v == value)
    numeric_style = any(
        isinstance(s.get(f"exclusive{side.title()}imum"), (int, float))
        and not isinstance(s.get(f"exclusive{side.title()}imum"), bool)
        for s in (a, b)
    )
    out.pop(f"{side}imum", None)
    out.pop(f"exclusive{side.title()}imum", None)
    number: float | int = int(value) if value.is_integer() else value
    if exclusive and numeric_style:
        out[f"exclusive{side.title()}imum"] = number
    else:
        out[f"{side}imum"] = number
        if exclusive:
            out[f"exclusive{side.title()}imum"] = True


def _lcm(a: Any, b: Any) -> Any:
    x, y = Fraction(str(a)), Fraction(str(b))
    result = Fraction(math.lcm(x.numerator, y.numerator), math.gcd(x.denominator, y.denominator))
    return int(result) if result.denominator == 1 else float(result)


def _intersect_types(a: Any, b: Any) -> Any:
    left = set(a) if isinstance(a, list) else {a}
    right = set(b) if isinstance(b, list) else {b}
    if "number" in left and "integer" in right:
        left.add("integer")
    if "number" in right and "integer" in left:
        right.add("integer")
    both = sorted(left & right)
    return both[0] if len(both) == 1 else both
