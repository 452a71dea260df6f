"""Check values against (resolved) OpenAPI schemas, with the dialect of the document they come from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonschema import FormatChecker
from jsonschema.validators import extend
from openapi_schema_validator import OAS30Validator, OAS31Validator

from mockserver.openapi.fastcheck import Fast, compile_fast
from mockserver.openapi.patterns import KEYWORDS

Check = Callable[[Any], list[str]]
_FORMATS = FormatChecker()
# Patterns matched in linear time (see spec.patterns): these also check request values and generated ones.
_OAS30 = extend(OAS30Validator, {k: v for k, v in KEYWORDS.items() if k in OAS30Validator.VALIDATORS})
_OAS31 = extend(OAS31Validator, KEYWORDS)


def schema_validator(schema: Any, *, openapi_31: bool) -> Check:
    """A function returning the problems of a value against `schema` (empty when it is valid).

    3.0 schemas are checked with OpenAPI 3.0 semantics (`nullable`), 3.1 with JSON Schema 2020-12;
    formats (date, date-time, uuid, email, ipv4, …) are checked too.
    """
    if schema is True or schema == {}:
        return lambda value: []
    full = jsonschema_errors(schema, openapi_31=openapi_31)
    fast: Fast | None = None  # compiled at the first check: many validators are made, fewer are used

    def check(value: Any) -> list[str]:
        nonlocal fast
        if fast is None:
            fast = compile_fast(schema, openapi_31=openapi_31, formats=_FORMATS)
        if fast(value):  # valid for sure (fastcheck.py); else jsonschema's verdict and messages
            return []
        return full(value)

    return check


def schema_accepts(schema: Any, *, openapi_31: bool) -> Callable[[Any], bool]:
    """Whether a value is valid against `schema`: `schema_validator`'s verdict without its messages, so it
    stops at the first error (a union's draw asks this of every other branch)."""
    if schema is True or schema == {}:
        return lambda value: True
    cls = _OAS31 if openapi_31 else _OAS30
    validator = cls(schema, format_checker=_FORMATS)
    fast: Fast | None = None

    def accepts(value: Any) -> bool:
        nonlocal fast
        if fast is None:
            fast = compile_fast(schema, openapi_31=openapi_31, formats=_FORMATS)
        return fast(value) or bool(validator.is_valid(value))

    return accepts


def jsonschema_errors(schema: Any, *, openapi_31: bool) -> Check:
    """`schema_validator` without its fast path: jsonschema's verdict on every value (its tests compare the two)."""
    cls = _OAS31 if openapi_31 else _OAS30
    validator = cls(schema, format_checker=_FORMATS)

    def check(value: Any) -> list[str]:
        return [
            f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
            for error in validator.iter_errors(value)
        ]

    return check
