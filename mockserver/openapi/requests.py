"""Is a request what the operation documents? Parameters and bodies, checked in the spec's own dialect.

Pure: it gets the request's parts as plain values (the serving layer reads them off the wire) and
returns typed values and every problem, each with where it was (FastAPI-style locations). Checks are
compiled once per operation, the first time it is asked, so start-up pays nothing for them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from jsonschema.exceptions import ValidationError
from jsonschema.validators import Draft202012Validator, extend
from openapi_schema_validator import OAS30Validator, OAS31Validator, oas30_format_checker, oas31_format_checker

from mockserver.openapi.model import Operation, Parameter
from mockserver.openapi.params import brackets, group, has_related, kinds, parameter_value, properties, typed
from mockserver.openapi.patterns import KEYWORDS

logger = logging.getLogger("mockserver")
_MESSAGE_LIMIT = 300


@dataclass(frozen=True)
class FieldError:
    """One invalid input, FastAPI-style: where it was, what is wrong, a machine-readable type."""

    location: tuple[str | int, ...]  # ("query", "limit")
    message: str
    type: str = "value_error"
    input: Any = None


@dataclass(frozen=True)
class RawRequest:
    """A request's parts as strings, before anything is decoded (header names lower-case)."""

    path: Mapping[str, str] = field(default_factory=dict)
    query: Sequence[tuple[str, str]] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    cookies: Mapping[str, str] = field(default_factory=dict)


def _writable_required(validator: Any, required: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    # In a request, a required readOnly property is the server's to fill (OpenAPI: "SHOULD NOT be sent").
    if not validator.is_type(instance, "object"):
        return
    props = schema.get("properties") or {}
    for name in required:
        sub = props.get(name)
        if name not in instance and not (isinstance(sub, dict) and sub.get("readOnly")):
            yield ValidationError(f"{name!r} is a required property")


def _nullable_first(check: Any) -> Any:
    def keyword(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
        # `nullable: true` admits null whatever else the schema says (beside `oneOf`, without `type`),
        # as GitHub's spec and the clients generated from it mean it; OAS 3.0.3's letter is stricter.
        if instance is None and schema.get("nullable") is True:
            return
        yield from check(validator, value, instance, schema)

    return keyword


# Request checks read the spec as liberally as its clients do: discriminators are not resolved by name
# (the resolved schemas have no `$ref` left to follow; the branches themselves decide), a required
# readOnly property is not required (3.0's validator knows; 3.1's plain 2020-12 needs telling). Patterns are
# matched by `spec.patterns` (RE2, or a backtracking engine on a clock), never by Python's `re`: a client's
# value must not be able to keep the server busy for minutes.
_PLAIN = {k: Draft202012Validator.VALIDATORS[k] for k in ("oneOf", "anyOf", "allOf")}
_PATTERNS_30 = {k: v for k, v in KEYWORDS.items() if k in OAS30Validator.VALIDATORS}  # 3.0: no patternProperties
_REQUEST_30 = extend(
    OAS30Validator,
    {k: _nullable_first(v) for k, v in {**OAS30Validator.VALIDATORS, **_PLAIN, **_PATTERNS_30}.items()},
)
_REQUEST_31 = extend(OAS31Validator, {**_PLAIN, **KEYWORDS, "required": _writable_required})


def validator_for(schema: Any, *, openapi_31: bool) -> Callable[[Any], list[tuple[str, str, str]]]:
    """A function giving (where, message, keyword) for each problem of a value against `schema`."""
    if not isinstance(schema, dict) or not schema:
        return lambda value: []
    cls = _REQUEST_31 if openapi_31 else _REQUEST_30
    # OpenAPI's formats as well as JSON Schema's: int32/int64 bound integers, byte is base64, date a date.
    validator = cls(schema, format_checker=oas31_format_checker if openapi_31 else oas30_format_checker)
    broken: list[bool] = []

    def check(value: Any) -> list[tuple[str, str, str]]:
        if broken:
            return []
        try:
            return [
                ("/".join(map(str, e.absolute_path)), _short(e.message), str(e.validator))
                for e in validator.iter_errors(value)
            ]
        except RecursionError:  # the value, not the schema, is the problem: refuse it
            return [("", "nested too deeply to check", "depth")]
        except Exception as exc:  # a pattern no engine can compile, a broken keyword: never refuse for it
            broken.append(True)
            logger.warning("cannot check values against a schema (%s: %s); accepting them", type(exc).__name__, exc)
            return []

    return check


class RequestCheck:
    """The parameter and body checks of one operation."""

    def __init__(self, op: Operation, *, openapi_31: bool) -> None:
        self.op = op
        self._openapi_31 = openapi_31
        self._params = [
            (p, validator_for(p.schema, openapi_31=openapi_31))
            for p in op.parameters
            if not (p.location == "header" and p.name.lower() in ("authorization", "content-type", "accept"))
        ]
        self._bodies: dict[str, Callable[[Any], list[tuple[str, str, str]]]] = {}

    def parameters(self, raw: RawRequest) -> tuple[dict[tuple[str, str], Any], list[FieldError]]:
        """Every parameter's typed value by (location, name), and every problem."""
        query = group(raw.query)
        values: dict[tuple[str, str], Any] = {}
        errors: list[FieldError] = []
        for param, check in self._params:
            strings = self._raw(param, raw, query)
            related = query if param.location == "query" else {}
            present = bool(strings) or (param.location == "query" and has_related(param, query))
            if not present:
                if param.required:
                    message = f"Missing required {param.location} parameter '{param.name}'"
                    errors.append(FieldError((param.location, param.name), message, "missing"))
                continue

            if param.allow_empty and strings == [""]:
                values[(param.location, param.name)] = None
                continue

            def fits(value: Any, check: Callable[[Any], list[tuple[str, str, str]]] = check) -> bool:
                return not check(value)

            value = parameter_value(param, strings, related, fits)
            values[(param.location, param.name)] = value
            problems = check(value)
            if problems:
                _where, message, keyword = problems[0]
                text = f"Invalid {param.location} parameter '{param.name}': {message}"
                errors.append(FieldError((param.location, param.name), text, f"{keyword}_error", value))
        return values, errors

    @staticmethod
    def _raw(param: Parameter, raw: RawRequest, query: Mapping[str, list[str]]) -> list[str]:
        if param.location == "query":
            return query.get(param.name, [])
        if param.location == "path":
            return [raw.path[param.name]] if param.name in raw.path else []
        if param.location == "header":
            value = raw.headers.get(param.name.lower())
            return [value] if value is not None else []
        value = raw.cookies.get(param.name)
        return [value] if value is not None else []

    def media_type(self, content_type: str | None) -> str | None:
        """The documented request media type `content_type` is (None: not one of them)."""
        documented = list(self.op.request_content)
        if not content_type:
            return documented[0] if documented else None
        binary = next((m for m in documented if m.lower() == "application/octet-stream"), None)
        wanted = content_type.split(";", 1)[0].strip().lower()
        for media in documented:
            if media.lower() == wanted:
                return media
        for media in documented:  # ranges: */*, application/*, and structured suffixes (+json)
            kind, _, sub = media.lower().partition("/")
            if (kind == "*" or kind == wanted.split("/")[0]) and sub in ("*", ""):
                return media
            if media.lower() == "application/json" and wanted.endswith("+json"):
                return media
        return binary  # "any bytes" takes whatever type the client names (Docker's build sends application/x-tar)

    def body(
        self, media: str, raw: bytes, parts: Sequence[tuple[str, Any]] | None = None
    ) -> tuple[Any, list[FieldError]]:
        """The body decoded as `media` documents it (`parts`: multipart fields, already parsed), and its problems."""
        content = self.op.request_content.get(media) or {}
        schema = content.get("schema")
        lowered = media.lower()
        if _is_json(lowered):
            if not raw.strip():
                return None, [FieldError(("body",), "Request body is empty; JSON was expected", "json_invalid")]
            try:
                value = json.loads(raw, parse_constant=_no_constant)
            except UnicodeDecodeError as exc:
                return None, [FieldError(("body",), f"Request body is not UTF-8 text: {exc.reason}", "json_invalid")]
            except ValueError as exc:
                return None, [
                    FieldError(("body",), f"Request body is not valid JSON: {_json_problem(exc)}", "json_invalid")
                ]
            except RecursionError:
                return None, [FieldError(("body",), "Request body is nested too deeply to read", "json_invalid")]
        elif lowered == "application/x-www-form-urlencoded" or parts is not None:
            try:
                pairs = parts if parts is not None else parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError as exc:
                return None, [FieldError(("body",), f"Form body is not UTF-8 text: {exc.reason}", "value_error")]
            value = form_fields(pairs, schema, content.get("encoding"))
        elif lowered.startswith("text/") and isinstance(schema, dict) and kinds(schema) & {"string", "any"}:
            value = raw.decode("utf-8", "replace")
        else:
            return raw, []  # binary, XML, …: nothing the mock can check by schema
        if not isinstance(schema, dict):
            return value, []
        check = self._bodies.get(media)
        if check is None:
            check = self._bodies[media] = validator_for(schema, openapi_31=self._openapi_31)
        return value, [
            FieldError(
                ("body", *_steps(where)),
                f"Invalid request body{' at ' + where if where else ''}: {message}",
                f"{keyword}_error",
            )
            for where, message, keyword in check(value)[:20]
        ]


def form_fields(pairs: Sequence[tuple[str, Any]], schema: Any, encoding: Any) -> dict[str, Any]:
    """Form fields (urlencoded or multipart) as the object the body schema describes.

    Repeated names make arrays, `a[b]=…` brackets make nested objects (Stripe's `metadata[k]`,
    `expand[]`), a field whose `encoding` says JSON is parsed; strings get the schema's types."""
    props = properties(schema)
    encodings = encoding if isinstance(encoding, dict) else {}
    grouped = group((name, value) for name, value in pairs)
    out: dict[str, Any] = {}
    nested: dict[str, dict[str, list[str]]] = {}
    for name, values in grouped.items():
        root = name.split("[", 1)[0]
        if root != name and root:
            nested.setdefault(root, {})[name] = values
            continue
        sub = props.get(name)
        files = [v for v in values if not isinstance(v, str)]
        if files:  # an upload: its content is binary, only its presence is checked
            out[name] = "" if len(values) == 1 else ["" for _ in values]
            continue
        found = encodings.get(name)
        how: dict[str, Any] = found if isinstance(found, dict) else {}
        if "json" in str(how.get("contentType", "")):
            try:
                out[name] = json.loads(values[-1], parse_constant=_no_constant)
                continue
            except ValueError:
                pass
        allowed = kinds(sub)
        if "array" in allowed:
            items = values if len(values) > 1 or how.get("explode", True) else values[-1].split(",")
            out[name] = typed(list(items), sub)
        else:
            out[name] = typed(values[-1], sub)
    for root, keys in nested.items():
        value = brackets(root, keys, props.get(root))
        out[root] = out.get(root, value)
    required = schema.get("required") if isinstance(schema, dict) else None
    for name in required if isinstance(required, list) else []:
        if name not in out and "array" in kinds(props.get(name)):
            out[name] = []  # an empty list has no form encoding: a missing array field is an empty one
    return out


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json") or media in ("*/*", "application/*", "text/json")


def _steps(where: str) -> tuple[str | int, ...]:
    return tuple(int(s) if s.isdigit() else s for s in where.split("/") if s)


def _no_constant(name: str) -> Any:
    """Python reads `NaN`, `Infinity` and `-Infinity`; JSON (RFC 8259) has no such values."""
    raise ValueError(f"{name} is not a JSON value")


def _json_problem(exc: ValueError) -> str:
    # Python's words for an integer past its limit name `sys.set_int_max_str_digits()`: not the client's concern.
    if "int_max_str_digits" in str(exc):
        return f"an integer has more than {sys.get_int_max_str_digits()} digits"
    return str(exc)


def _short(message: str) -> str:
    message = re.sub(r"\s+", " ", message)
    return message if len(message) <= _MESSAGE_LIMIT else message[:_MESSAGE_LIMIT] + "…"
