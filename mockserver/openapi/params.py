"""Request parameters as the operation's schemas type them: what handlers and rule checks reason about.

Deserialisation follows the parameter's `style` and `explode` (OpenAPI 3, "Style Values"), and is
liberal in what it accepts where clients disagree (`ids[]=1&ids[]=2`, brackets for nested objects as
Stripe's SDKs send them). Strings become the JSON type the schema admits (`anyOf`/`oneOf` and type
lists included): the first candidate that validates wins, so the validator judges what is left.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mockserver.openapi.model import Operation, Parameter
from mockserver.openapi.rules import RequestValues

Validates = Callable[[Any], bool]
_DELIMITERS = {"spaceDelimited": " ", "pipeDelimited": "|"}
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
# JSON's spelling of numbers, in ASCII: not Python's (`1_0`, fullwidth `１０`, ` 10 `, `+10` and `10\n` all pass
# `int()`), so that a client's typo is refused here as the real API would refuse it.
_INTEGER = re.compile(r"-?[0-9]+\Z")
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
MAX_DIGITS = 4300  # longer integers are not read as numbers (Python's own limit: past it `int()` refuses)
_MAX_ITEMS = 10_000  # bracket indexes past this are not list positions (`a[99999999]` must not allocate)
MAX_NESTING = 32  # brackets deeper than this (`a[b][c]…`) are not read as structure: a request cannot exhaust the stack


def kinds(schema: Any, depth: int = 0) -> set[str]:
    """The JSON types a value of `schema` may have ("any" when the schema does not say)."""
    if not isinstance(schema, dict) or depth > 8:
        return {"any"}
    kind = schema.get("type")
    if isinstance(kind, str):
        found = {kind}
    elif isinstance(kind, list):
        found = {str(k) for k in kind}
    else:
        found = set()
        for key in ("anyOf", "oneOf", "allOf"):
            for branch in schema.get(key) or []:
                found |= kinds(branch, depth + 1)
        if not found and isinstance(schema.get("enum"), list):
            found = {_json_type(v) for v in schema["enum"]}
        if not found and "const" in schema:
            found = {_json_type(schema["const"])}
        if not found:
            found = {"object"} if "properties" in schema else {"array"} if "items" in schema else {"any"}
    if schema.get("nullable") is True:
        found.add("null")
    return found


def scalar(text: str, allowed: set[str], fits: Validates | None = None) -> Any:
    """`text` as the first type in `allowed` that it parses as (and that `fits`, when given)."""
    candidates: list[Any] = []
    integer = len(text) <= MAX_DIGITS and _INTEGER.match(text) is not None
    if "integer" in allowed and integer:
        candidates.append(int(text))
    if "number" in allowed and len(text) <= MAX_DIGITS and _NUMBER.match(text):
        number = float(text)
        if abs(number) != float("inf"):  # past a float's range: not a number a JSON client could mean
            candidates.append(int(text) if integer else number)
    if "boolean" in allowed and text.lower() in ("true", "false"):
        candidates.append(text.lower() == "true")
    if "null" in allowed and text == "null":
        candidates.append(None)
    if allowed & {"object", "array"} and text[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            candidates.append(json.loads(text))
    candidates.append(text)
    if not text:  # `?metadata=`: an object or list with nothing in it, as deepObject and form spell it
        candidates += [{}] if "object" in allowed else []
        candidates += [[]] if "array" in allowed else []
    if fits is not None:
        for candidate in candidates:
            if fits(candidate):
                return candidate
    return candidates[0]


def parameter_value(param: Parameter, raw: list[str], related: Mapping[str, list[str]], fits: Validates | None) -> Any:
    """One parameter's value from its raw strings (`raw`: every value sent under its name; `related`:
    other query keys that belong to it, as `name[key]` brackets or exploded object properties)."""
    schema = param.schema
    allowed = kinds(schema)
    if param.location == "path" and raw:
        raw = [_strip_path_style(param, raw[-1])]
    nested = {k: v for k, v in related.items() if k.startswith(param.name + "[")}
    if nested and allowed & {"object", "array", "any"}:
        value = brackets(param.name, nested, schema)
        if fits is None or fits(value) or not raw:
            return value
    if "array" in allowed and raw:
        return _typed_list(_split_array(param, raw), schema)
    if "object" in allowed and not raw and related and param.style == "form" and param.explode:
        # form + explode: the object's properties travel as query parameters of their own.
        props = schema.get("properties") or {}
        return {k: scalar(v[-1], kinds(props.get(k))) for k, v in related.items() if k in props}
    if not raw:
        return None
    if "object" in allowed and "," in raw[-1] and not allowed & {"string", "any"}:
        return _object_from_pairs(param, raw[-1], schema)
    return scalar(raw[-1], allowed, fits)


def brackets(name: str, pairs: Mapping[str, list[str]], schema: Any) -> Any:
    """`a[b][c]=v`, `a[]=v`, `a[0][x]=v` (keys under `name`) as the nested value they spell, typed by `schema`."""
    tree: Any = {}
    for key, values in pairs.items():
        steps = _BRACKET.findall(key[len(name) :])
        if len(steps) > MAX_NESTING:
            continue
        for value in values:
            tree = _insert(tree, steps, value)
    return typed(_lists(tree, schema), schema)


def typed(value: Any, schema: Any) -> Any:
    """Strings inside `value` (from a form or query string) as the types `schema` gives them."""
    if isinstance(value, str):
        return scalar(value, kinds(schema))
    if not isinstance(schema, dict):
        return value
    if isinstance(value, list):
        items = _first_of(schema, "items")
        return [typed(v, items) for v in value]
    if isinstance(value, dict):
        props = properties(schema)
        extra = _first_of(schema, "additionalProperties")
        return {k: typed(v, props.get(k, extra)) for k, v in value.items()}
    return value


def request_values(
    op: Operation,
    query: Iterable[tuple[str, str]],
    path_params: Mapping[str, Any],
    headers: Iterable[tuple[str, str]],
    body: Any = None,
) -> RequestValues:
    """The request's parameters, typed by `op`'s schemas, with defaults filled in (header names lower-case)."""
    grouped = group(query)
    values: dict[str, Any] = {}
    path: dict[str, Any] = {}
    lowered = {k.lower(): v for k, v in headers}
    for p in op.parameters:
        if p.location == "query":
            raw = grouped.get(p.name, [])
            value = parameter_value(p, raw, grouped, None) if raw or has_related(p, grouped) else None
            values[p.name] = value if value is not None else (p.schema.get("default") if not raw else None)
        elif p.location == "path" and p.name in path_params:
            path[p.name] = parameter_value(p, [str(path_params[p.name])], {}, None)
    return RequestValues(query=values, path=path, headers=lowered, body=body)


def typed_request(
    op: Operation, typed: Mapping[tuple[str, str], Any], headers: Mapping[str, str], body: Any = None
) -> RequestValues:
    """`RequestValues` from values already typed by a request check (by (location, name)), defaults filled in."""
    query = {
        p.name: typed.get(("query", p.name), p.schema.get("default")) for p in op.parameters if p.location == "query"
    }
    path = {
        p.name: typed[("path", p.name)] for p in op.parameters if p.location == "path" and ("path", p.name) in typed
    }
    return RequestValues(query=query, path=path, headers=headers, body=body)


def group(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Query or form pairs by name, in order."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def has_related(param: Parameter, grouped: Mapping[str, list[str]]) -> bool:
    """Whether the query holds values of `param` under other names (`name[key]`, exploded properties)."""
    prefix = param.name + "["
    if any(k.startswith(prefix) for k in grouped):
        return True
    exploded = param.style == "form" and param.explode and "object" in kinds(param.schema)
    return exploded and bool(set(properties(param.schema)) & set(grouped))


def _strip_path_style(param: Parameter, text: str) -> str:
    if param.style == "label" and text.startswith("."):
        return text[1:].replace(".", ",")
    if param.style == "matrix" and text.startswith(";"):
        parts = [p.partition("=")[2] if "=" in p else p for p in text[1:].split(";")]
        return ",".join(parts)
    return text


def _split_array(param: Parameter, raw: list[str]) -> list[str]:
    if param.location == "query" and param.explode and param.style in ("form", "spaceDelimited", "pipeDelimited"):
        return list(raw)
    delimiter = _DELIMITERS.get(param.style, ",")
    return [item for value in raw for item in (value.split(delimiter) if value else [])]


def _typed_list(items: list[str], schema: Any) -> list[Any]:
    item_schema = _first_of(schema, "items")
    allowed = kinds(item_schema)
    return [scalar(item, allowed) for item in items]


def _object_from_pairs(param: Parameter, text: str, schema: Any) -> dict[str, Any]:
    props = properties(schema)
    if param.explode:  # k=v,k=v
        pairs = [p.partition("=") for p in text.split(",")]
        return {k: scalar(v, kinds(props.get(k))) for k, _, v in pairs}
    parts = text.split(",")
    return {parts[i]: scalar(parts[i + 1], kinds(props.get(parts[i]))) for i in range(0, len(parts) - 1, 2)}


def _insert(node: Any, steps: list[str], value: str) -> Any:
    if not steps:
        return value
    head, rest = steps[0], steps[1:]
    if head == "":  # `a[]`: append
        items = node if isinstance(node, list) else [] if not node else [node]
        items.append(_insert({}, rest, value) if rest else value)
        return items
    tree = node if isinstance(node, dict) else {}
    tree[head] = _insert(tree.get(head, {}), rest, value)
    return tree


def _lists(node: Any, schema: Any) -> Any:
    """Dicts keyed 0, 1, 2… where the schema wants an array become lists (`items[0][price]=…`)."""
    if isinstance(node, list):
        allowed = kinds(schema)
        if "object" in allowed and "array" not in allowed and node:
            # `metadata[]=v` for an object: the property whose name is empty
            return {"": _lists(node[-1], properties(schema).get("", _first_of(schema, "additionalProperties")))}
        item = _first_of(schema, "items")
        return [_lists(v, item) for v in node]
    if not isinstance(node, dict):
        return node
    if "array" in kinds(schema) and node and all(k.isdigit() and int(k) < _MAX_ITEMS for k in node):
        item = _first_of(schema, "items")
        return [_lists(node[k], item) for k in sorted(node, key=int)]
    props = properties(schema)
    extra = _first_of(schema, "additionalProperties")
    return {k: _lists(v, props.get(k, extra)) for k, v in node.items()}


def properties(schema: Any, depth: int = 0) -> dict[str, Any]:
    """Every property a schema (or one of its branches) declares."""
    if not isinstance(schema, dict) or depth > 8:  # resolved schemas may be cyclic
        return {}
    found = dict(schema.get("properties") or {})
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(key) or []:
            for name, sub in properties(branch, depth + 1).items():
                found.setdefault(name, sub)
    return found


def _first_of(schema: Any, keyword: str, depth: int = 0) -> Any:
    """`schema[keyword]`, or the first branch's, for a union whose branches carry it."""
    if not isinstance(schema, dict) or depth > 8:
        return {}
    value = schema.get(keyword)
    if isinstance(value, dict):
        return value
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(key) or []:
            found = _first_of(branch, keyword, depth + 1)
            if found:
                return found
    return {}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    return "array" if isinstance(value, list) else "string"
