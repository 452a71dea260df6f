"""Fold `allOf` into one schema, so that a generator sees every constraint at once."""

from __future__ import annotations

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
        elif key == "nullable":
            out[key] = bool(out[key]) and bool(value)
        elif key == "allOf":
            out[key] = [*out[key], *value]
        elif key in ("items", "additionalProperties") and isinstance(value, dict) and isinstance(out[key], dict):
            out[key] = merge(out[key], value)
    if "allOf" in out:
        return merge_all_of(out)
    return out


def _intersect_types(a: Any, b: Any) -> Any:
    left = set(a) if isinstance(a, list) else {a}
    right = set(b) if isinstance(b, list) else {b}
    if "number" in left and "integer" in right:
        left.add("integer")
    if "number" in right and "integer" in left:
        right.add("integer")
    both = sorted(left & right)
    return both[0] if len(both) == 1 else both
