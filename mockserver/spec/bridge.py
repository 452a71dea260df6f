"""Turn a spec into the document Connexion serves: OpenAPI 3.0.3, authentication left to the mock.

Connexion 3.3 only accepts 3.0.x documents, so 3.1 schemas are rewritten into their nearest 3.0
form. The original document stays the contract: responses are generated and checked against it.
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


_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def request_contract(document: dict[str, Any]) -> dict[str, Any]:
    """The part of `document` that requests are routed and validated with, for Connexion.

    Operations keep their parameters and request bodies; responses keep only their descriptions
    (the mock generates and checks them from the original), and components keep only what the kept
    parts reference. Connexion deep-copies its input twice and resolves every `$ref` in it, which on
    a large spec costs seconds for schemas it never reads. Shares structure with `document`.
    """
    paths: dict[str, Any] = {}
    for route, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict) or "$ref" in item:
            paths[route] = item
            continue
        kept = {k: v for k, v in item.items() if k not in _METHODS}
        for method in _METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                kept[method] = {k: v for k, v in operation.items() if k not in ("responses", "callbacks")}
                kept[method]["responses"] = {
                    str(code): {"description": str(r.get("description", "")) if isinstance(r, dict) else ""}
                    for code, r in (operation.get("responses") or {}).items()
                }
        paths[route] = kept
    contract = {k: v for k, v in document.items() if k not in ("paths", "components", "webhooks")}
    contract["paths"] = paths
    components = _referenced_components(document, paths)
    if components is None:  # a reference this pruning does not follow (another file): keep everything
        return document
    if components:
        contract["components"] = components
    return contract


def _referenced_components(document: dict[str, Any], root: Any) -> dict[str, dict[str, Any]] | None:
    """Every `#/components/<kind>/<name>` reachable from `root`, transitively; None if a ref leaves the file."""
    available = document.get("components") or {}
    found: dict[str, dict[str, Any]] = {}
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str):
            parts = ref.split("/")
            if len(parts) != 4 or parts[:2] != ["#", "components"]:
                return None
            kind, name = parts[2], parts[3].replace("~1", "/").replace("~0", "~")
            target = (available.get(kind) or {}).get(name)
            if target is None:
                return None
            if name not in found.setdefault(kind, {}):
                found[kind][name] = target
                pending.append(target)
        # Values too: an example may be a `$ref` to components/examples, and Connexion resolves those.
        pending.extend(node.values())
    return found


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
    for item in (result.get("paths") or {}).values():
        for parameter in _all_parameters(item):
            _give_type(parameter.get("schema"))
    return result


def _all_parameters(item: Any) -> list[dict[str, Any]]:
    if not isinstance(item, dict):
        return []
    found = [p for p in item.get("parameters", []) if isinstance(p, dict)]
    for operation in item.values():
        if isinstance(operation, dict):
            found.extend(p for p in operation.get("parameters", []) if isinstance(p, dict))
    return found


def _give_type(schema: Any) -> None:
    # Connexion's URI parser reads `type` of every parameter schema; 3.1 unions may have lost it.
    if not isinstance(schema, dict) or "type" in schema or "$ref" in schema:
        return
    enum = [v for v in schema.get("enum", []) if v is not None]
    if enum and all(isinstance(v, bool) for v in enum):
        schema["type"] = "boolean"
    elif enum and all(isinstance(v, int) for v in enum):
        schema["type"] = "integer"
    elif "anyOf" not in schema and "oneOf" not in schema:
        schema["type"] = "string"


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
