"""What every generator shares: its type, the depths that end recursion, what a value counts toward the budgets,
and the types a schema allows. The protocol itself is described once, in `compiler.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockserver.generation.context import GenContext

__all__ = ["HARD_DEPTH", "ITEM_UNITS", "MAX_DEPTH", "NULL_CHANCE", "OBJECT_UNITS", "Gen", "Schema", "types_of"]

Gen = Callable[[GenContext, int], Any]  # (context, depth) -> value
Schema = dict[str, Any]

MAX_DEPTH = 3  # past it, optional fields are left out and arrays kept short: recursion ends
HARD_DEPTH = 12  # past it, recursion through required fields does not end: a GenerationError
NULL_CHANCE = 0.1
# What a list item and an object count toward a request's size budget (`deadline.charge`), in bytes: about
# the memory CPython gives them (a list slot and a small value; an empty dict), so that a huge minItems of
# tiny values stops long before memory runs short. A constrained string counts its length.
ITEM_UNITS = 32
OBJECT_UNITS = 128

_STRING_KEYS = ("minLength", "maxLength", "pattern", "format")
_NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_OBJECT_KEYS = ("properties", "required", "additionalProperties", "patternProperties", "minProperties")


def types_of(schema: Schema) -> list[str]:
    """The schema's `type` as a list; without one, the type its keywords imply ("any" when none do)."""
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
