"""`writeOnly`: what a value keeps when it is read back. A field the spec marks write-only (a password, a
secret) is taken in a request and never answered, at any depth: the mock's stored entities drop them."""

from __future__ import annotations

from typing import Any

_DEPTH = 64  # levels of a value looked into; a deeper one is refused (a secret could hide further down)


class TooDeep(ValueError):
    """The value nests deeper than the fields looked into: it cannot be said to hold no write-only field."""


def without_write_only(value: Any, schema: Any) -> Any:
    """`value` with every property `schema` marks `writeOnly` removed, in nested objects and arrays too.

    Under a union, a property write-only in any branch is removed (which branch a value took is not asked).
    Raises `TooDeep` for a value nested past `_DEPTH` levels where the schema still describes it."""
    return _strip(value, schema, 0)


def _strip(value: Any, schema: Any, depth: int) -> Any:
    if not isinstance(schema, dict) or not isinstance(value, dict | list):
        return value
    if depth > _DEPTH:
        raise TooDeep(f"a value nested over {_DEPTH} levels")
    parts = [schema, *(b for key in ("allOf", "anyOf", "oneOf") for b in schema.get(key) or [] if isinstance(b, dict))]
    if isinstance(value, list):
        items = [p["items"] for p in parts if isinstance(p.get("items"), dict)]
        return [_strip_all(item, items, depth + 1) for item in value] if items else value
    hidden: set[str] = set()
    subs: dict[str, list[Any]] = {}
    for part in parts:
        for name, sub in (part.get("properties") or {}).items():
            if isinstance(sub, dict):
                if sub.get("writeOnly") is True:
                    hidden.add(name)
                subs.setdefault(name, []).append(sub)
        extra = part.get("additionalProperties")
        if isinstance(extra, dict):
            subs.setdefault("", []).append(extra)  # "": any other name
    kept = {}
    for name, item in value.items():
        if name in hidden:
            continue
        kept[name] = _strip_all(item, subs.get(name) or subs.get("", []), depth + 1)
    return kept


def _strip_all(value: Any, schemas: list[Any], depth: int) -> Any:
    for schema in schemas:
        value = _strip(value, schema, depth)
    return value
