"""Turn a spec into the document Swagger UI 4 renders (each API's openapi.json): OpenAPI 3.0.3.

Swagger UI 4 (and Connexion 3.3) only accept 3.0.x documents, so 3.1 schemas are rewritten into their
nearest 3.0 form. The original document stays the contract: requests are checked and responses
generated against it.
"""

from __future__ import annotations

import copy
from typing import Any

# Values, not schemas: never rewrite inside them.
_VALUE_KEYS = frozenset({"example", "examples", "default", "enum", "const", "x-mock"})
# 3.1/JSON Schema 2020-12 keywords that 3.0 does not allow; dropping them only loosens validation.
_DROP_KEYS = frozenset(
    {
        "$schema",
        "$id",
        "$anchor",
        "$defs",
        "$comment",
        "contentMediaType",
        "contentEncoding",
        "unevaluatedProperties",
        "unevaluatedItems",
        "dependentRequired",
        "dependentSchemas",
        "prefixItems",
        "if",
        "then",
        "else",
        "propertyNames",
        "contains",
        "minContains",
        "maxContains",
    }
)


def to_connexion_document(document: dict[str, Any]) -> dict[str, Any]:
    """A 3.0.3 copy of `document` without security requirements or Authorization header parameters."""
    doc = copy.deepcopy(document)
    if str(doc.get("openapi", "")).startswith("3.1"):
        doc = _downgrade(doc)
    doc.pop("security", None)
    doc.get("components", {}).pop("securitySchemes", None)
    for item in (doc.get("paths") or {}).values():
        if not isinstance(item, dict):
            continue
        item["parameters"] = _without_authorization(item.get("parameters", []))
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation.pop("security", None)
                operation["parameters"] = _without_authorization(operation.get("parameters", []))
    return doc


def _without_authorization(parameters: list[Any]) -> list[Any]:
    return [
        p
        for p in parameters
        if not (isinstance(p, dict) and p.get("in") == "header" and str(p.get("name", "")).lower() == "authorization")
    ]


def _downgrade(doc: dict[str, Any]) -> dict[str, Any]:
    doc["openapi"] = "3.0.3"
    for key in ("webhooks", "jsonSchemaDialect"):
        doc.pop(key, None)
    info = doc.setdefault("info", {})
    info.pop("summary", None)
    if isinstance(info.get("license"), dict):
        info["license"].pop("identifier", None)
    doc.get("components", {}).pop("pathItems", None)
    doc.setdefault("paths", {})
    result = _rewrite(doc)
    assert isinstance(result, dict)
    return result


def _rewrite(node: Any) -> Any:
    if isinstance(node, list):
        return [_rewrite(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP_KEYS:
            continue
        if key in ("properties", "patternProperties") and isinstance(value, dict):
            # Property names are data: a property called `default` is still a schema.
            out[key] = {name: _rewrite(sub) for name, sub in value.items()}
        else:
            out[key] = value if key in _VALUE_KEYS else _rewrite(value)
    _rewrite_schema_keywords(out)
    return out


def _rewrite_schema_keywords(schema: dict[str, Any]) -> None:
    kind = schema.get("type")
    if isinstance(kind, list):
        types = [t for t in kind if t != "null"]
        if "null" in kind:
            schema["nullable"] = True
        if len(types) == 1:
            schema["type"] = types[0]
        else:
            del schema["type"]
            if types:
                schema["anyOf"] = [{"type": t} for t in types] + schema.get("anyOf", [])
    elif kind == "null":
        del schema["type"]
        schema["nullable"] = True
        schema["enum"] = [None]
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
    if isinstance(schema.get("examples"), list):
        examples = schema.pop("examples")
        if examples:
            schema["example"] = examples[0]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = schema.get(bound)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            schema[plain] = value
            schema[bound] = True
    for combiner in ("anyOf", "oneOf"):
        members = schema.get(combiner)
        if isinstance(members, list) and any(_is_null_schema(m) for m in members):
            rest = [m for m in members if not _is_null_schema(m)]
            schema["nullable"] = True
            if len(rest) == 1 and isinstance(rest[0], dict) and "$ref" not in rest[0]:
                del schema[combiner]
                for key, value in rest[0].items():
                    schema.setdefault(key, value)
            elif len(rest) == 1:
                del schema[combiner]
                # 3.0 ignores keywords beside $ref, so a nullable reference needs allOf.
                schema["allOf"] = [rest[0], *schema.get("allOf", [])]
            else:
                schema[combiner] = rest


def _is_null_schema(member: Any) -> bool:
    return isinstance(member, dict) and member.get("nullable") is True and member.get("enum") == [None]
