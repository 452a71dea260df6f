"""A fast yes for valid values: a schema compiled to plain closures that say "valid" or "not sure".

jsonschema walks a schema keyword by keyword through generic machinery, about 10 µs a value: a 20 KB answer
of a hundred records takes 15 ms to check, which is what a proxy pays on every answer. Most answers are
valid, and proving that takes far less: `compile_fast(schema)` returns a function that answers True only when
the value is valid for the dialect's validator (`validation.schema_validator`), and False when it is invalid
*or* when the schema uses something compiled here does not cover (`oneOf`, `not`, `$ref`, `multipleOf`,
`uniqueItems`, `patternProperties`, …). A False sends the value to jsonschema, which gives the exact verdict
and messages; a True skips it. So the verdict never changes, only its cost
(tests/openapi/test_fastcheck.py checks agreement on generated and mutated values).

Being conservative is the rule: where a keyword's exact meaning is in doubt, the closure answers False
(e.g. every `required` property is demanded, although OAS 3.0 excuses readOnly/writeOnly ones).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sized
from typing import Any

from jsonschema import FormatChecker
from jsonschema._utils import equal

from mockserver.openapi.patterns import PatternTimeout, search

Fast = Callable[[Any], bool]

# Keywords each dialect's validator acts on (`validation.py`); anything else is an annotation it ignores.
_OAS30_ACTIVE = frozenset(
    {
        "multipleOf", "maximum", "minimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
        "uniqueItems", "maxProperties", "minProperties", "enum", "type", "allOf", "oneOf", "anyOf", "not", "items",
        "properties", "required", "additionalProperties", "format", "$ref",
    }
)  # fmt: skip
_OAS31_ACTIVE = _OAS30_ACTIVE | frozenset(
    {
        "$dynamicRef", "const", "contains", "dependentRequired", "dependentSchemas", "exclusiveMaximum",
        "exclusiveMinimum", "if", "patternProperties", "prefixItems", "propertyNames", "unevaluatedItems",
        "unevaluatedProperties", "minContains", "maxContains", "then", "else", "$defs",
    }
)  # fmt: skip
# Acted on here; every other active keyword makes the schema "not sure" (False).
_COVERED = frozenset(
    {
        "type", "enum", "const", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
        "minLength", "maxLength", "minProperties", "maxProperties", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "format", "pattern", "allOf", "anyOf", "$defs",
    }
)  # fmt: skip
_MAX_DEPTH = 64  # deeper schemas are left to jsonschema


def _never(value: Any) -> bool:
    return False


def _always(value: Any) -> bool:
    return True


def compile_fast(schema: Any, *, openapi_31: bool, formats: FormatChecker, reading: bool = False) -> Fast:
    """A function answering True only for values `schema` accepts (see the module: False means "ask jsonschema").

    `reading` (3.0): the validator also acts on `writeOnly` (such a property must be absent), which is not
    covered here: a schema that says it is left to jsonschema."""
    context = _Context(openapi_31, formats)
    if reading and not openapi_31:
        context.active = _OAS30_ACTIVE | {"writeOnly"}
    return context.compile(schema)


class _Context:
    """One compilation: the dialect, the formats, and each subschema compiled once (specs share subschemas; a
    resolved recursive schema refers to itself, which is left to jsonschema)."""

    def __init__(self, v31: bool, formats: FormatChecker) -> None:
        self.v31 = v31
        self.formats = formats
        self.active = _OAS31_ACTIVE if v31 else _OAS30_ACTIVE
        self._done: dict[int, Fast] = {}
        self._open: set[int] = set()  # ids: every subschema is part of the root the caller holds, so they stay

    def compile(self, schema: Any) -> Fast:
        if schema is True:
            return _always
        if not isinstance(schema, Mapping):
            return _never  # `false`, or something jsonschema must judge
        key = id(schema)
        if key in self._done:
            return self._done[key]
        if key in self._open or len(self._open) > _MAX_DEPTH:
            return _never  # recursive, or too deep
        self._open.add(key)
        try:
            fast = self._compile(schema)
        finally:
            self._open.discard(key)
        self._done[key] = fast
        return fast

    def _compile(self, schema: Mapping[str, Any]) -> Fast:
        keywords = [k for k in schema if k in self.active]
        if any(k not in _COVERED for k in keywords):
            return _never
        if self.v31 and any(
            k in schema and not _is_number(schema[k]) for k in ("exclusiveMinimum", "exclusiveMaximum")
        ):
            return _never
        checks: list[Fast] = []
        for keyword in keywords:
            check = _KEYWORDS[keyword](schema, self)
            if check is _never:
                return _never
            if check is not _always:
                checks.append(check)
        if not checks:
            return _always
        if len(checks) == 1:
            return checks[0]
        first, *rest = checks

        def all_of(value: Any) -> bool:
            if not first(value):
                return False
            for check in rest:  # noqa: SIM110  (a loop: a generator costs more on this path)
                if not check(value):
                    return False
            return True

        return all_of


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _bounded(value: Any, ok: Callable[[Any], bool]) -> bool:
    """A numeric bound's verdict: not applicable to non-numbers; other number types (Decimal) to jsonschema."""
    kind = type(value)
    if kind is int or kind is float:
        return ok(value)
    return kind is bool or not isinstance(value, numbers.Number)


class _TypeCheck:
    """`type` as the set of Python types a JSON value of it has: exact types only (a subclass, or 3.1's 2.0 for an
    integer, is left to jsonschema). Properties and items of a type-only schema test the set inline."""

    __slots__ = ("types",)

    def __init__(self, types: frozenset[type]) -> None:
        self.types = types

    def __call__(self, value: Any) -> bool:
        return type(value) in self.types


_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "array": (list,),
    "object": (dict,),
    "boolean": (bool,),
    "number": (int, float),
    "integer": (int,),
    "null": (type(None),),
}


def _type(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    declared = schema["type"]
    names = declared if isinstance(declared, list) else [declared]
    if not names or not all(isinstance(n, str) for n in names) or (not ctx.v31 and len(names) != 1):
        return _never
    if any(n not in _PY_TYPES or (n == "null" and not ctx.v31) for n in names):
        return _never  # an unknown type name: jsonschema says what it makes of it
    types = {t for name in names for t in _PY_TYPES[name]}
    if not ctx.v31 and schema.get("nullable") is True:
        types.add(type(None))
    return _TypeCheck(frozenset(types))


def _enum(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    options = schema["enum"]
    if not isinstance(options, list):
        return _never
    strings = frozenset(o for o in options if isinstance(o, str))
    others = [o for o in options if not isinstance(o, str)]

    def check(value: Any) -> bool:
        if type(value) is str:
            return value in strings
        return any(equal(o, value) for o in others)

    return check


def _const(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    wanted = schema["const"]
    return lambda value: bool(equal(wanted, value))


def _properties(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    declared = schema["properties"]
    if not isinstance(declared, Mapping):
        return _never
    compiled = {name: ctx.compile(sub) for name, sub in declared.items()}
    if any(c is _never for c in compiled.values()):
        return _never
    typed = [(name, c.types) for name, c in compiled.items() if isinstance(c, _TypeCheck)]
    checked = [(name, c) for name, c in compiled.items() if c is not _always and not isinstance(c, _TypeCheck)]

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for name, types in typed:
            if name in value and type(value[name]) not in types:
                return False
        for name, sub in checked:  # noqa: SIM110
            if name in value and not sub(value[name]):
                return False
        return True

    return check


def _required(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    names = schema["required"]
    if not isinstance(names, list):
        return _never
    wanted = tuple(names)
    return lambda value: not isinstance(value, dict) or all(name in value for name in wanted)


def _additional(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    extra = schema["additionalProperties"]
    declared = frozenset(schema.get("properties") or ())
    if extra is True:
        return _always
    sub = ctx.compile(extra) if extra is not False else None
    if sub is _never:
        return _never

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():  # noqa: SIM110
            if key not in declared and (sub is None or not sub(item)):
                return False
        return True

    return check


def _items(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    sub = ctx.compile(schema["items"])
    if sub is _always:
        return _always
    if sub is _never:
        return _never
    if isinstance(sub, _TypeCheck):
        types = sub.types
        return lambda value: not isinstance(value, list) or all(type(item) in types for item in value)

    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        for item in value:  # noqa: SIM110
            if not sub(item):
                return False
        return True

    return check


def _count(keyword: str, kind: type[Sized], at_least: bool) -> Callable[..., Fast]:
    def make(schema: Mapping[str, Any], ctx: _Context) -> Fast:
        bound = schema[keyword]
        if not _is_number(bound):
            return _never
        if at_least:
            return lambda value: not isinstance(value, kind) or len(value) >= bound
        return lambda value: not isinstance(value, kind) or len(value) <= bound

    return make


def _minimum(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    bound = schema["minimum"]
    if not _is_number(bound):
        return _never
    strict = not ctx.v31 and schema.get("exclusiveMinimum") is not None  # 3.0's boolean form: strict when in doubt
    if strict:
        return lambda value: _bounded(value, lambda v: v > bound)
    return lambda value: _bounded(value, lambda v: v >= bound)


def _maximum(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    bound = schema["maximum"]
    if not _is_number(bound):
        return _never
    strict = not ctx.v31 and schema.get("exclusiveMaximum") is not None
    if strict:
        return lambda value: _bounded(value, lambda v: v < bound)
    return lambda value: _bounded(value, lambda v: v <= bound)


def _exclusive_minimum(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    bound = schema["exclusiveMinimum"]  # 3.1 only (3.0's boolean form is read by _minimum)
    return lambda value: _bounded(value, lambda v: v > bound)


def _exclusive_maximum(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    bound = schema["exclusiveMaximum"]
    return lambda value: _bounded(value, lambda v: v < bound)


def _format(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    name = schema["format"]
    if not isinstance(name, str):
        return _never
    formats = ctx.formats
    if name not in formats.checkers:
        return _always  # an unknown format is an annotation
    return lambda value: value is None or formats.conforms(value, name)


def _pattern(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    pattern = schema["pattern"]
    if not isinstance(pattern, str):
        return _never

    def check(value: Any) -> bool:
        if not isinstance(value, str):
            return True
        try:
            return search(pattern, value)
        except (PatternTimeout, ValueError):
            return False

    return check


def _all_of(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    members = schema["allOf"]
    if not isinstance(members, list) or not members:
        return _never
    compiled = [ctx.compile(m) for m in members]
    if any(c is _never for c in compiled):
        return _never
    return lambda value: all(c(value) for c in compiled)


def _any_of(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    members = schema["anyOf"]
    if not isinstance(members, list) or not members:
        return _never
    compiled = [c for c in (ctx.compile(m) for m in members) if c is not _never]
    if not compiled:
        return _never
    return lambda value: any(c(value) for c in compiled)  # a branch not compiled could still accept it: False


def _annotation(schema: Mapping[str, Any], ctx: _Context) -> Fast:
    return _always


_KEYWORDS: dict[str, Callable[[Mapping[str, Any], _Context], Fast]] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "properties": _properties,
    "required": _required,
    "additionalProperties": _additional,
    "items": _items,
    "minItems": _count("minItems", list, True),
    "maxItems": _count("maxItems", list, False),
    "minLength": _count("minLength", str, True),
    "maxLength": _count("maxLength", str, False),
    "minProperties": _count("minProperties", dict, True),
    "maxProperties": _count("maxProperties", dict, False),
    "minimum": _minimum,
    "maximum": _maximum,
    "exclusiveMinimum": _exclusive_minimum,
    "exclusiveMaximum": _exclusive_maximum,
    "format": _format,
    "pattern": _pattern,
    "allOf": _all_of,
    "anyOf": _any_of,
    "$defs": _annotation,  # definitions: only used through $ref, which is not covered
}
