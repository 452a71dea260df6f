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
    doc = _bridged(document)
    doc.pop("security", None)
    doc.get("components", {}).pop("securitySchemes", None)
    for operation in _operations(doc):
        operation.pop("security", None)
    return doc


def to_swagger_document(document: dict[str, Any]) -> dict[str, Any]:
    """The 3.0.3 copy Swagger UI renders (each API's openapi.json), security kept in the form the mock accepts.

    Swagger UI's Authorize button comes from `securitySchemes`, and Try it out sends what they say; so each
    scheme is given as the mock checks it (serving/auth.py): OAuth 2, OpenID Connect and mutual TLS tokens
    travel as bearer tokens (the mock has no authorization server: any token typed in is sent as one), a
    requirement naming an undeclared scheme is a bearer token, and an operation that asks for a required
    Authorization header parameter instead of a scheme (which Swagger UI ignores) gets an apiKey scheme
    named `Authorization`."""
    doc = _bridged(document, keep_authorization_security=True)
    components = doc.setdefault("components", {})
    declared = components.get("securitySchemes")
    schemes: dict[str, Any] = {
        str(name): _as_mock_accepts(raw) for name, raw in (declared.items() if isinstance(declared, dict) else ())
    }
    for requirements in [doc.get("security"), *(op.get("security") for op in _operations(doc))]:
        for requirement in requirements if isinstance(requirements, list) else ():
            for name in requirement if isinstance(requirement, dict) else ():
                schemes.setdefault(str(name), {"type": "http", "scheme": "bearer"})
    for operation in _operations(doc):
        if operation.pop(_AUTHORIZATION_PARAMETER, False) and not _secured(
            operation.get("security", doc.get("security"))
        ):
            schemes.setdefault(_AUTHORIZATION, {"type": "apiKey", "in": "header", "name": "Authorization"})
            operation["security"] = [{_AUTHORIZATION: []}]
    if schemes:
        components["securitySchemes"] = schemes
    return doc


_AUTHORIZATION = "Authorization"
_AUTHORIZATION_PARAMETER = "x-mockserver-authorization-parameter"  # set by _bridged, removed by its callers
_BEARER_NOTE = "Any token is accepted by the mock (sent as Authorization: Bearer …)."


def _secured(requirements: Any) -> bool:
    """Whether these requirements make the mock ask for a scheme (`[]` and `{}` alternatives ask for none)."""
    return isinstance(requirements, list) and bool(requirements) and all(requirements)


def _as_mock_accepts(raw: Any) -> Any:
    if not isinstance(raw, dict) or raw.get("type") in ("apiKey", "http"):
        return raw
    # oauth2, openIdConnect, mutualTLS: the mock takes their tokens as bearer tokens (auth.py)
    described = f"{raw['description']} ({_BEARER_NOTE})" if isinstance(raw.get("description"), str) else _BEARER_NOTE
    return {"type": "http", "scheme": "bearer", "description": described}


def _bridged(document: dict[str, Any], keep_authorization_security: bool = False) -> dict[str, Any]:
    """A 3.0.3 copy of `document` without Authorization header parameters (Swagger UI ignores them; the mock
    reads the header itself). Operations that required one are marked, for `to_swagger_document`."""
    doc = copy.deepcopy(document)
    if str(doc.get("openapi", "")).startswith("3.1"):
        doc = _downgrade(doc)
    for item in (doc.get("paths") or {}).values():
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters", [])
        item["parameters"] = _without_authorization(shared)
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                own = operation.get("parameters", [])
                operation["parameters"] = _without_authorization(own)
                required = any(_is_authorization(p) and p.get("required") is True for p in [*shared, *own])
                if keep_authorization_security and required:
                    operation[_AUTHORIZATION_PARAMETER] = True
    return doc


def _operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        operation
        for item in (doc.get("paths") or {}).values()
        if isinstance(item, dict)
        for operation in item.values()
        if isinstance(operation, dict) and "responses" in operation
    ]


def _is_authorization(p: Any) -> bool:
    return isinstance(p, dict) and p.get("in") == "header" and str(p.get("name", "")).lower() == "authorization"


def _without_authorization(parameters: list[Any]) -> list[Any]:
    return [p for p in parameters if not _is_authorization(p)]


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
