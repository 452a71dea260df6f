"""Swagger 2.0 schemas and `$ref`s as their OpenAPI 3.0 equivalents (for `swagger2.py`)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

__all__ = ["as_dict", "as_list", "convert_ref", "convert_schema", "extensions"]

# Values, not schemas: a `$ref` inside them is literal data.
_VALUE_KEYS = frozenset({"example", "x-example", "examples", "x-examples", "default", "enum"})
# Schema keywords whose value is a map of names to schemas, or one schema, or a list of schemas.
_SCHEMA_MAPS = ("properties", "patternProperties")
_SCHEMA_ONE = ("items", "additionalProperties", "not")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
# Where each top-level 2.0 section lives in 3.0 (a body parameter moves to requestBodies instead).
_POINTERS = {
    "definitions": "schemas",
    "parameters": "parameters",
    "responses": "responses",
    "securityDefinitions": "securitySchemes",
}


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def extensions(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if isinstance(k, str) and k.startswith("x-")}


def convert_ref(ref: str, body_names: Collection[str]) -> str:
    """`ref` pointing where its 2.0 target lives in 3.0; a file part is kept as it is.

    `body_names`: the top-level parameters that are request bodies in 3.0 (refs to them leave `parameters`)."""
    file_part, hash_, pointer = ref.partition("#")
    if not hash_:
        return ref
    section, slash, rest = pointer.lstrip("/").partition("/")
    if not slash or section not in _POINTERS:
        return ref
    target = _POINTERS[section]
    name = rest.split("/", 1)[0].replace("~1", "/").replace("~0", "~")
    if section == "parameters" and not file_part and name in body_names:
        target = "requestBodies"
    return f"{file_part}#/components/{target}/{rest}"


def convert_schema(node: Any, body_names: Collection[str]) -> Any:
    """A 2.0 schema as a 3.0 schema: refs rewritten, `x-nullable`, `type: file`, discriminator.

    Also the JSON Schema forms 2.0 does not allow but real specs (Slack's) use, as swagger2openapi
    reads them: a `type` list or `type: "null"` → `nullable`, and a list of `items` → one
    `items` schema (`anyOf` the list; a null member makes it nullable) — or, in a schema without
    `type`, `anyOf` the list itself."""
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$ref"), str):
        ref = {"$ref": convert_ref(node["$ref"], body_names)}
        if node.get("x-nullable") is True:  # 3.0 ignores keywords beside $ref
            return {"allOf": [ref], "nullable": True}
        return ref
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "x-nullable":
            if value is True:
                out["nullable"] = True
        elif key in _VALUE_KEYS or (isinstance(key, str) and key.startswith("x-")):
            out[key] = value
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: convert_schema(sub, body_names) for name, sub in value.items()}
        elif key == "items" and isinstance(value, list):
            members = [convert_schema(s, body_names) for s in value]
            if not members:  # an empty list constrains nothing
                continue
            if "type" not in node and "anyOf" not in node:
                # Untyped, a list of items means "one of these" (Slack's objs_user), not a tuple;
                # what it describes is valid against the original (a non-array passes `items`).
                out["anyOf"] = members
            else:
                out[key] = _nullable_union({"anyOf": members}, "anyOf")
        elif key in _SCHEMA_ONE or key in _SCHEMA_LISTS:
            out[key] = (
                [convert_schema(s, body_names) for s in value]
                if isinstance(value, list)
                else convert_schema(value, body_names)
            )
        elif key == "discriminator" and isinstance(value, str):
            out[key] = {"propertyName": value}
        else:
            out[key] = value
    kind = out.get("type")
    if kind == "file":
        out["type"] = "string"
        out["format"] = "binary"
    elif isinstance(kind, list):
        types = [str(t) for t in kind if t != "null"]
        if "null" in kind:
            out["nullable"] = True
        if len(types) == 1:
            out["type"] = types[0]
        else:
            del out["type"]
            if types:
                out["anyOf"] = [{"type": t} for t in types] + list(out.get("anyOf", []))
            else:
                out["enum"] = [None]
    elif kind == "null":
        del out["type"]
        out["nullable"] = True
        out["enum"] = [None]
    for combiner in ("anyOf", "oneOf"):
        _nullable_union(out, combiner)
    return out


def _is_null_schema(schema: Any) -> bool:
    """The 3.0 form of `{type: "null"}`."""
    return isinstance(schema, dict) and schema.get("nullable") is True and schema.get("enum") == [None]


def _nullable_union(schema: dict[str, Any], combiner: str) -> dict[str, Any]:
    """`schema` with a null member of its `combiner` list turned into `nullable` (and a single
    remaining member merged in; a `$ref` one through `allOf`, as 3.0 ignores keywords beside `$ref`)."""
    members = schema.get(combiner)
    if not isinstance(members, list) or not any(_is_null_schema(m) for m in members):
        if isinstance(members, list) and len(members) == 1 and combiner == "anyOf" and len(schema) == 1:
            return members[0] if isinstance(members[0], dict) else schema
        return schema
    rest = [m for m in members if not _is_null_schema(m)]
    schema["nullable"] = True
    if len(rest) > 1:
        schema[combiner] = rest
        return schema
    del schema[combiner]
    if not rest or not isinstance(rest[0], dict):
        schema["enum"] = [None]
    elif "$ref" in rest[0]:
        schema["allOf"] = [rest[0], *schema.get("allOf", [])]
    else:
        for key, value in rest[0].items():
            schema.setdefault(key, value)
    return schema
