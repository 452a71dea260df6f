"""Check values against (resolved) OpenAPI schemas, with the dialect of the document they come from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonschema import FormatChecker
from jsonschema.validators import extend
from openapi_schema_validator import OAS30ReadValidator, OAS30Validator, OAS31Validator

from mockserver.openapi.fastcheck import Fast, compile_fast
from mockserver.openapi.patterns import KEYWORDS

Check = Callable[[Any], list[str]]
_FORMATS = FormatChecker()
# Patterns matched in linear time (see spec.patterns): these also check request values and generated ones.
_OAS30 = extend(OAS30Validator, {k: v for k, v in KEYWORDS.items() if k in OAS30Validator.VALIDATORS})
_OAS31 = extend(OAS31Validator, KEYWORDS)
# An answer read back (OAS 3.0): a required readOnly property is required, a required writeOnly one is not, and
# a writeOnly property present is an error (the plain validator excuses both kinds; schemathesis does not).
_OAS30_READ = extend(OAS30ReadValidator, {k: v for k, v in KEYWORDS.items() if k in OAS30ReadValidator.VALIDATORS})


def schema_validator(schema: Any, *, openapi_31: bool, reading: bool = False) -> Check:
    """A function returning the problems of a value against `schema` (empty when it is valid).

    3.0 schemas are checked with OpenAPI 3.0 semantics (`nullable`), 3.1 with JSON Schema 2020-12;
    formats (date, date-time, uuid, email, ipv4, …) are checked too. `reading`: the value is an answer a
    client reads (3.0: readOnly required properties are required, writeOnly ones must be absent).
    """
    if schema is True or schema == {}:
        return lambda value: []
    full = jsonschema_errors(schema, openapi_31=openapi_31, reading=reading)
    fast: Fast | None = None  # compiled at the first check: many validators are made, fewer are used

    def check(value: Any) -> list[str]:
        nonlocal fast
        if fast is None:
            fast = compile_fast(schema, openapi_31=openapi_31, formats=_FORMATS, reading=reading)
        if fast(value):  # valid for sure (fastcheck.py); else jsonschema's verdict and messages
            return []
        return full(value)

    return check


def schema_accepts(schema: Any, *, openapi_31: bool) -> Callable[[Any], bool]:
    """Whether a value is valid against `schema`: `schema_validator`'s verdict without its messages, so it
    stops at the first error (a union's draw asks this of every other branch)."""
    if schema is True or schema == {}:
        return lambda value: True
    validator = _dialect(openapi_31, reading=False)(schema, format_checker=_FORMATS)
    fast: Fast | None = None

    def accepts(value: Any) -> bool:
        nonlocal fast
        if fast is None:
            fast = compile_fast(schema, openapi_31=openapi_31, formats=_FORMATS)
        return fast(value) or bool(validator.is_valid(value))

    return accepts


def jsonschema_errors(schema: Any, *, openapi_31: bool, reading: bool = False) -> Check:
    """`schema_validator` without its fast path: jsonschema's verdict on every value (its tests compare the two)."""
    validator = _dialect(openapi_31, reading=reading)(schema, format_checker=_FORMATS)

    def check(value: Any) -> list[str]:
        return [
            f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
            for error in validator.iter_errors(value)
        ]

    return check


def _dialect(openapi_31: bool, *, reading: bool) -> Any:
    if openapi_31:
        return _OAS31  # 2020-12 has no read/write variant: `required` is required, writeOnly an annotation
    return _OAS30_READ if reading else _OAS30
