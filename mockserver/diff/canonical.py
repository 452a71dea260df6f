"""One schema node as what it means, whatever the spelling: the diff compares these, never the raw mappings.

Same meaning, same view: `nullable: true` (3.0) and `type: [X, "null"]` (3.1); `exclusiveMinimum: true` beside
`minimum: 5` (3.0) and `exclusiveMinimum: 5` (3.1); `const: X` and `enum: [X]`; `anyOf: [X, {type: null}]` and
`X` with `nullable`; an `allOf` whose members are merged into one object; a `$ref` and the schema it names
(references are resolved before, into shared objects, so a recursive schema is a cycle: the view is shallow,
its children stay raw schemas, and the comparer stops at a pair it has already seen). Annotations
(`description`, `title`, `example`, `examples`) are not part of the view.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from mockserver.openapi.examples import escape

# Numeric and size bounds: (keyword, which way is tighter) — a larger minimum and a smaller maximum narrow.
SIZE_BOUNDS = (
    ("minLength", 1),
    ("maxLength", -1),
    ("minItems", 1),
    ("maxItems", -1),
    ("minProperties", 1),
    ("maxProperties", -1),
)


@dataclass
class Child:
    schema: Any
    pointer: str


@dataclass
class View:
    pointer: str
    types: frozenset[str] | None = None  # None: any type; "null" is never in it (see `nullable`)
    nullable: bool = False
    enum: frozenset[str] | None = None  # JSON text of each value, null left out
    properties: dict[str, Child] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    additional: Any = True  # True, False, or a Child
    items: Child | None = None
    low: tuple[float, bool] | None = None  # (bound, exclusive)
    high: tuple[float, bool] | None = None
    sizes: dict[str, float] = field(default_factory=dict)
    format: str | None = None
    pattern: str | None = None
    default: str | None = None  # JSON text
    union: list[Child] = field(default_factory=list)  # oneOf/anyOf branches left after null is taken out
    union_kind: str = ""
    ref: str = ""  # the `$ref` it came from, when it did (`#/components/schemas/User`)


def pointer_of(schema: Any, pointer: str) -> str:
    """Where `schema` is written: the target of the `$ref` it was resolved from, else `pointer`."""
    ref = schema.get("x-ref") if isinstance(schema, dict) else None
    if isinstance(ref, str):
        return ref[1:] if ref.startswith("#") else ref
    return pointer


def view(schema: Any, pointer: str) -> View:
    """The meaning of `schema` (written at `pointer`), one level deep."""
    pointer = pointer_of(schema, pointer)
    found = View(pointer=pointer, ref=str(schema.get("x-ref", "")) if isinstance(schema, dict) else "")
    _merge(found, schema, pointer, set())
    return found


def _merge(into: View, schema: Any, pointer: str, active: set[int]) -> None:
    if schema is False:
        into.types = frozenset()
        return
    if not isinstance(schema, dict) or id(schema) in active:
        return
    active.add(id(schema))
    pointer = pointer_of(schema, pointer)
    _types(into, schema)
    _enum(into, schema)
    _bounds(into, schema)
    for name, raw in _dict(schema.get("properties")).items():
        into.properties.setdefault(name, Child(raw, f"{pointer}/properties/{escape(name)}"))
    required = schema.get("required")
    if isinstance(required, list):
        into.required |= {r for r in required if isinstance(r, str)}
    additional = schema.get("additionalProperties")
    if additional is False or (isinstance(additional, dict) and into.additional is True):
        into.additional = False if additional is False else Child(additional, f"{pointer}/additionalProperties")
    if "items" in schema and into.items is None:
        into.items = Child(schema["items"], f"{pointer}/items")
    for key in ("format", "pattern"):
        if isinstance(schema.get(key), str):
            setattr(into, key, schema[key])
    if "default" in schema:
        into.default = _json(schema["default"])
    for i, member in enumerate(_list(schema.get("allOf"))):
        _merge(into, member, f"{pointer}/allOf/{i}", active)
    for kind in ("oneOf", "anyOf"):
        branches = _list(schema.get(kind))
        if branches:
            _union(into, kind, branches, pointer, active)
    active.discard(id(schema))


def _union(into: View, kind: str, branches: list[Any], pointer: str, active: set[int]) -> None:
    rest = [(i, b) for i, b in enumerate(branches) if not _only_null(b)]
    if len(rest) < len(branches):
        into.nullable = True
    # `anyOf: [string, {type: string, enum: [known, values]}]` ("any string; these are the known ones") is a
    # string: the enum branch adds nothing a client or server must handle, so its values are not compared.
    plain = {_plain_type(b) for _, b in rest} - {None}
    rest = [(i, b) for i, b in rest if _plain_type(b) is not None or _enum_type(b) not in plain]
    if len(rest) == 1:  # `anyOf: [X, {type: null}]` is X, nullable
        i, branch = rest[0]
        _merge(into, branch, f"{pointer}/{kind}/{i}", active)
        return
    into.union_kind = kind
    into.union = [Child(b, f"{pointer}/{kind}/{i}") for i, b in rest]


def _types(into: View, schema: dict[str, Any]) -> None:
    raw = schema.get("type")
    kinds = {raw} if isinstance(raw, str) else {t for t in raw if isinstance(t, str)} if isinstance(raw, list) else None
    if schema.get("nullable") is True or (kinds is not None and "null" in kinds):
        into.nullable = True
    if kinds is None:
        return
    kinds.discard("null")
    if not kinds and raw is not None and into.types is None:
        into.types = frozenset()  # `type: "null"`: null only
        return
    into.types = frozenset(kinds) if into.types is None else into.types & frozenset(kinds)


def _enum(into: View, schema: dict[str, Any]) -> None:
    values: list[Any] | None = None
    if "const" in schema:
        values = [schema["const"]]
    elif isinstance(schema.get("enum"), list):
        values = schema["enum"]
    if values is None:
        return
    if None in values:
        into.nullable = True
    texts = frozenset(_json(v) for v in values if v is not None)
    into.enum = texts if into.enum is None else into.enum & texts


def _bounds(into: View, schema: dict[str, Any]) -> None:
    for plain, exclusive, side in (("minimum", "exclusiveMinimum", "low"), ("maximum", "exclusiveMaximum", "high")):
        candidates: list[tuple[float, bool]] = []
        value, flag = schema.get(plain), schema.get(exclusive)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            candidates.append((value, flag is True))  # 3.0: `exclusiveMinimum: true` beside `minimum`
        if isinstance(flag, (int, float)) and not isinstance(flag, bool):
            candidates.append((flag, True))  # 3.1: `exclusiveMinimum: 5`
        current = getattr(into, side)
        if current is not None:
            candidates.append(current)
        if candidates:
            tighter = max if side == "low" else min
            # The tightest bound wins; at the same number, the exclusive one is tighter.
            best = tighter(candidates, key=lambda c: (c[0], c[1]) if side == "low" else (c[0], not c[1]))
            setattr(into, side, best)
    for key, _ in SIZE_BOUNDS:
        if _number(schema.get(key)):
            into.sizes[key] = schema[key]


def _plain_type(schema: Any, depth: int = 0) -> str | None:
    """The type of a branch that takes any value of one type, else None: `{type: string}`, or an `anyOf` that comes
    to that ("any string; these are the known ones", however deeply nested: OpenAI's model ids)."""
    if not isinstance(schema, dict) or depth > _OPEN_DEPTH:
        return None
    meaningful = {k for k in schema if k not in _ANNOTATIONS}
    if meaningful == {"type"}:
        return str(schema["type"]) if isinstance(schema["type"], str) else None
    if meaningful != {"anyOf"}:  # (`oneOf` refuses a value two branches take: not "any string")
        return None
    kinds = [(_plain_type(b, depth + 1), b) for b in _list(schema["anyOf"])]
    plain = {kind for kind, _ in kinds} - {None}
    if len(plain) != 1 or not all(kind in plain or _enum_type(b) in plain for kind, b in kinds):
        return None
    return next(iter(plain))


def _enum_type(schema: Any) -> str | None:
    """The type of a branch that is a list of values of one type (`{type: string, enum: […]}`), else None."""
    if not isinstance(schema, dict) or not isinstance(schema.get("type"), str):
        return None
    return str(schema["type"]) if {k for k in schema if k not in _ANNOTATIONS} <= {"type", "enum", "const"} else None


def _only_null(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    meaningful = {k for k in schema if k not in _ANNOTATIONS}
    return ((kind == "null" or kind == ["null"]) and meaningful <= {"type"}) or schema.get("enum") == [None]


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


_OPEN_DEPTH = 8  # nested unions looked through for "any value of one type"
_ANNOTATIONS = frozenset({"description", "title", "example", "examples", "default", "deprecated", "x-ref", "nullable"})
