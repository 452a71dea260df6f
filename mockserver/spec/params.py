"""Request parameters as the operation's schemas type them: what handlers and rule checks reason about."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mockserver.spec.model import Operation, Parameter
from mockserver.spec.rules import RequestValues


def coerce(param: Parameter, raw: list[str]) -> Any:
    """A query/path/header string as the type its schema names (the validator has accepted it)."""
    schema = param.schema
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "array" in kinds:
        items = raw if len(raw) > 1 else [v for v in raw[0].split(",") if v] if raw else []
        item = Parameter(param.name, param.location, False, schema.get("items") or {})
        return [coerce(item, [v]) for v in items]
    value = raw[-1] if raw else None
    if value is None or (value == "null" and _nullable(schema)):
        return None
    try:
        if "integer" in kinds:
            return int(value)
        if "number" in kinds:
            number = float(value)
            return int(number) if number.is_integer() and "." not in value else number
        if "boolean" in kinds:
            return value.lower() == "true"
    except ValueError:
        return value
    return value


def request_values(
    op: Operation, query: Iterable[tuple[str, str]], path_params: Mapping[str, Any], headers: Iterable[tuple[str, str]]
) -> RequestValues:
    """The request's parameters, typed by `op`'s schemas, with defaults filled in (header names lower-case)."""
    raw: dict[str, list[str]] = {}
    for name, value in query:
        raw.setdefault(name, []).append(value)
    values: dict[str, Any] = {}
    path: dict[str, Any] = {}
    for p in op.parameters:
        if p.location == "query":
            values[p.name] = coerce(p, raw[p.name]) if p.name in raw else p.schema.get("default")
        elif p.location == "path" and p.name in path_params:
            path[p.name] = coerce(p, [str(path_params[p.name])])
    return RequestValues(query=values, path=path, headers={k.lower(): v for k, v in headers})


def _nullable(schema: dict[str, Any]) -> bool:
    """Whether `null` is a value of `schema` (3.0 `nullable`, a 3.1 type list, or a null branch)."""
    kind = schema.get("type")
    if schema.get("nullable") is True or kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(
        isinstance(b, dict) and _nullable(b) for b in [*(schema.get("anyOf") or []), *(schema.get("oneOf") or [])]
    )
