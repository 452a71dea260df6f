"""Swagger 2.0 → OpenAPI 3.0.3, so the loader serves 2.0 specs as their 3.0 equivalent.

Pure data: `to_openapi30` reads a parsed Swagger 2.0 document and builds a new 3.0.3 one, following
the OpenAPI 3.0 specification's mapping (as swagger2openapi does). The input is never modified and
the result shares no objects with it.

Not converted (dropped): an operation's own `schemes` (the mock mounts at the first server's path,
the same for every scheme), `formData` parameters declared in the top-level `parameters` (3.0 has no
reusable form field; each operation that references one gets it inlined into its form body), and
`$ref`s into `#/paths/…` (left as they are). A `$ref` to another file keeps its file part and gets
its pointer rewritten like a local one, so that file is expected to be laid out as 3.0 too.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["to_openapi30"]

OPENAPI_VERSION = "3.0.3"
_DEFAULT_MEDIA = "application/json"
_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
# A 2.0 parameter's, header's or items object's own keywords that describe its value: a 3.0 `schema`.
_SCHEMA_KEYS = (
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
)
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
_OAUTH2_FLOWS = {
    "implicit": ("implicit", ("authorizationUrl",)),
    "password": ("password", ("tokenUrl",)),
    "application": ("clientCredentials", ("tokenUrl",)),
    "accessCode": ("authorizationCode", ("authorizationUrl", "tokenUrl")),
}


def to_openapi30(document: dict[str, Any]) -> dict[str, Any]:
    """A new OpenAPI 3.0.3 document equivalent to the Swagger 2.0 `document` (left untouched)."""
    return _Converter(copy.deepcopy(document)).convert()


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _extensions(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if isinstance(k, str) and k.startswith("x-")}


def _media_types(value: Any) -> list[str]:
    return [str(m) for m in _list(value) if isinstance(m, str) and m]


class _Converter:
    """One conversion: `doc` is a private deep copy, so parts of it may move into the result."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.consumes = _media_types(doc.get("consumes")) or [_DEFAULT_MEDIA]
        self.produces = _media_types(doc.get("produces")) or [_DEFAULT_MEDIA]
        self.parameters = _dict(doc.get("parameters"))
        # Top-level parameters that are request bodies in 3.0: refs to them leave `parameters`.
        self.body_names = {n for n, p in self.parameters.items() if self._deref(p).get("in") == "body"}

    def convert(self) -> dict[str, Any]:
        doc = self.doc
        out: dict[str, Any] = {"openapi": OPENAPI_VERSION}
        out.update({k: doc[k] for k in ("info", "externalDocs") if k in doc})
        out["servers"] = self._servers()
        out.update({k: doc[k] for k in ("tags", "security") if k in doc})
        out["paths"] = self._paths(_dict(doc.get("paths")))
        components = self._components()
        if components:
            out["components"] = components
        out.update(_extensions(doc))
        return out

    # -- servers ---------------------------------------------------------------------------------

    def _servers(self) -> list[dict[str, Any]]:
        base = str(self.doc.get("basePath") or "")
        if base and not base.startswith("/"):
            base = "/" + base
        host = self.doc.get("host")
        if not host:
            return [{"url": base or "/"}]
        schemes = [str(s) for s in _list(self.doc.get("schemes")) if s]
        # Without schemes, 2.0 means "the scheme the spec was fetched with": a scheme-relative URL.
        return [{"url": f"{scheme}://{host}{base}"} for scheme in schemes] or [{"url": f"//{host}{base}"}]

    # -- components ------------------------------------------------------------------------------

    def _components(self) -> dict[str, Any]:
        components: dict[str, Any] = {}
        schemas = {name: self._schema(s) for name, s in _dict(self.doc.get("definitions")).items()}
        parameters: dict[str, Any] = {}
        bodies: dict[str, Any] = {}
        for name, raw in self.parameters.items():
            location = self._deref(raw).get("in")
            if location == "formData":  # 3.0 has no reusable form field: inlined into each form body
                continue
            if isinstance(_dict(raw).get("$ref"), str):
                (bodies if location == "body" else parameters)[name] = {"$ref": self._ref(raw["$ref"])}
            elif location == "body":
                bodies[name] = self._request_body(raw, self.consumes)
            else:
                parameters[name] = self._parameter(_dict(raw))
        responses = {
            str(code): self._response(_dict(r), self.produces) for code, r in _dict(self.doc.get("responses")).items()
        }
        schemes = {
            name: self._security_scheme(_dict(s)) for name, s in _dict(self.doc.get("securityDefinitions")).items()
        }
        for key, value in (
            ("schemas", schemas),
            ("responses", responses),
            ("parameters", parameters),
            ("requestBodies", bodies),
            ("securitySchemes", schemes),
        ):
            if value:
                components[key] = value
        return components

    def _security_scheme(self, scheme: dict[str, Any]) -> dict[str, Any]:
        kind = scheme.get("type")
        out: dict[str, Any]
        if kind == "basic":
            out = {"type": "http", "scheme": "basic"}
        elif kind == "oauth2":
            flow, urls = _OAUTH2_FLOWS.get(str(scheme.get("flow")), ("implicit", ("authorizationUrl",)))
            settings: dict[str, Any] = {url: scheme[url] for url in urls if url in scheme}
            settings["scopes"] = _dict(scheme.get("scopes"))
            out = {"type": "oauth2", "flows": {flow: settings}}
        else:  # apiKey is the same in both versions
            out = {k: v for k, v in scheme.items() if k in ("type", "name", "in")}
        if "description" in scheme:
            out["description"] = scheme["description"]
        out.update(_extensions(scheme))
        return out

    # -- paths and operations --------------------------------------------------------------------

    def _paths(self, paths: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for route, raw in paths.items():
            if not isinstance(raw, dict) or str(route).startswith("x-"):
                out[str(route)] = raw
                continue
            item: dict[str, Any] = {}
            if isinstance(raw.get("$ref"), str):
                item["$ref"] = self._ref(raw["$ref"])
            shared = _list(raw.get("parameters"))
            plain = [self._parameter_or_ref(p) for p in shared if not self._is_body_or_form(p)]
            if plain:
                item["parameters"] = plain
            for method in _METHODS:
                if isinstance(raw.get(method), dict):
                    item[method] = self._operation(raw[method], shared)
            item.update(_extensions(raw))
            out[str(route)] = item
        return out

    def _operation(self, raw: dict[str, Any], shared: list[Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("tags", "summary", "description", "externalDocs", "operationId"):
            if key in raw:
                out[key] = raw[key]
        own = _list(raw.get("parameters"))
        overridden = {self._key(p) for p in own}
        # Path-level parameters apply unless the operation declares one with the same name and place.
        inherited = [p for p in shared if self._key(p) not in overridden]
        plain = [self._parameter_or_ref(p) for p in own if not self._is_body_or_form(p)]
        if plain:
            out["parameters"] = plain
        consumes = _media_types(raw.get("consumes")) or self.consumes
        body = self._operation_body(own, inherited, consumes)
        if body is not None:
            out["requestBody"] = body
        produces = _media_types(raw.get("produces")) or self.produces
        out["responses"] = {
            str(code): self._response(_dict(r), produces) for code, r in _dict(raw.get("responses")).items()
        }
        for key in ("deprecated", "security"):
            if key in raw:
                out[key] = raw[key]
        out.update(_extensions(raw))
        return out

    def _operation_body(self, own: list[Any], inherited: list[Any], consumes: list[str]) -> dict[str, Any] | None:
        """The requestBody of the operation's body or formData parameters. Its own decide over the
        path's: a body or form of its own replaces a path-level body; form fields of both merge."""
        own_body = next((p for p in own if self._deref(p).get("in") == "body"), None)
        if own_body is not None:
            return self._body_parameter(own_body, consumes)
        form = [p for p in map(self._deref, [*inherited, *own]) if p.get("in") == "formData"]
        path_body = next((p for p in inherited if self._deref(p).get("in") == "body"), None)
        if path_body is not None and not any(self._deref(p).get("in") == "formData" for p in own):
            return self._body_parameter(path_body, consumes)
        return self._form_body(form, consumes) if form else None

    def _body_parameter(self, raw: Any, consumes: list[str]) -> dict[str, Any]:
        ref = _dict(raw).get("$ref")
        if self._local_parameter_name(ref) in self.body_names and consumes == self.consumes:
            # The component was made with the global consumes: the same content.
            return {"$ref": self._ref(str(ref))}
        return self._request_body(self._deref(raw), consumes)

    def _request_body(self, parameter: dict[str, Any], consumes: list[str]) -> dict[str, Any]:
        schema = self._schema(parameter.get("schema", {}))
        body: dict[str, Any] = {}
        if "description" in parameter:
            body["description"] = parameter["description"]
        examples = _dict(parameter.get("x-examples"))
        body["content"] = {media: {"schema": copy.deepcopy(schema)} for media in consumes}
        for media, example in examples.items():
            body["content"].setdefault(media, {"schema": copy.deepcopy(schema)})["example"] = example
        if parameter.get("required"):
            body["required"] = True
        if "name" in parameter:
            body["x-codegen-request-body-name"] = parameter["name"]
        body.update({k: v for k, v in _extensions(parameter).items() if k != "x-examples"})
        return body

    def _form_body(self, fields: list[dict[str, Any]], consumes: list[str]) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        encoding: dict[str, Any] = {}
        has_file = False
        for field in fields:
            name = str(field.get("name", ""))
            schema = self._value_schema(field)
            if "description" in field:
                schema["description"] = field["description"]
            if "x-example" in field:
                schema["example"] = field["x-example"]
            has_file = has_file or field.get("type") == "file"
            properties[name] = schema
            if field.get("required"):
                required.append(name)
            style = self._style(field, "query")
            if style and style != {"style": "form", "explode": True}:
                encoding[name] = style
        schema = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        media = _MULTIPART if has_file or _MULTIPART in consumes else _FORM
        content: dict[str, Any] = {"schema": schema}
        if encoding and media == _FORM:  # 3.0 applies style/explode to urlencoded bodies only
            content["encoding"] = encoding
        body: dict[str, Any] = {"content": {media: content}}
        if required:
            body["required"] = True
        return body

    # -- parameters ------------------------------------------------------------------------------

    def _deref(self, raw: Any) -> dict[str, Any]:
        """A parameter, with a local `#/parameters/…` ref followed (a few hops at most)."""
        parameter = _dict(raw)
        for _ in range(8):
            name = self._local_parameter_name(parameter.get("$ref"))
            if name is None:
                break
            parameter = _dict(self.parameters.get(name))
        return parameter

    @staticmethod
    def _local_parameter_name(ref: Any) -> str | None:
        if isinstance(ref, str) and ref.startswith("#/parameters/"):
            return ref[len("#/parameters/") :].replace("~1", "/").replace("~0", "~")
        return None

    def _key(self, raw: Any) -> tuple[str, str]:
        """What makes a parameter unique (name and place); a ref to another file stands for itself."""
        parameter = self._deref(raw)
        if isinstance(parameter.get("$ref"), str):
            return "$ref", parameter["$ref"]
        return str(parameter.get("name")), str(parameter.get("in"))

    def _is_body_or_form(self, raw: Any) -> bool:
        return self._deref(raw).get("in") in ("body", "formData")

    def _parameter_or_ref(self, raw: Any) -> Any:
        if isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
            return {"$ref": self._ref(raw["$ref"])}
        return self._parameter(_dict(raw))

    def _parameter(self, parameter: dict[str, Any]) -> dict[str, Any]:
        location = str(parameter.get("in", "query"))
        out: dict[str, Any] = {k: parameter[k] for k in ("name", "in", "description") if k in parameter}
        if location == "path":
            out["required"] = True
        elif "required" in parameter:
            out["required"] = parameter["required"]
        if location == "query" and "allowEmptyValue" in parameter:
            out["allowEmptyValue"] = parameter["allowEmptyValue"]
        out.update(self._style(parameter, location) or {})
        out["schema"] = self._value_schema(parameter)
        if "x-example" in parameter:
            out["example"] = parameter["x-example"]
        out.update({k: v for k, v in _extensions(parameter).items() if k != "x-nullable"})
        return out

    def _value_schema(self, node: dict[str, Any]) -> dict[str, Any]:
        """The schema of a 2.0 parameter, header or items object: its type keywords, converted."""
        schema: dict[str, Any] = {k: node[k] for k in _SCHEMA_KEYS if k in node}
        if isinstance(schema.get("items"), dict):
            items = schema["items"]
            schema["items"] = self._value_schema(items) if "$ref" not in items else self._schema(items)
        if node.get("x-nullable") is True:
            schema["nullable"] = True
        if schema.get("type") == "file":
            schema["type"] = "string"
            schema["format"] = "binary"
        return schema

    @staticmethod
    def _style(node: dict[str, Any], location: str) -> dict[str, Any] | None:
        """3.0's `style`/`explode` for an array's `collectionFormat` (csv when not given)."""
        if node.get("type") != "array":
            return None
        fmt = str(node.get("collectionFormat") or "csv")
        if location not in ("query", "formData"):
            # Path and header arrays are comma-separated (`simple`); other separators have no 3.0 form.
            style: dict[str, Any] = {"style": "simple"}
            if fmt != "csv":
                style["x-collectionFormat"] = fmt
            return style
        if fmt == "multi":
            return {"style": "form", "explode": True}
        if fmt == "ssv":
            return {"style": "spaceDelimited", "explode": False}
        if fmt == "pipes":
            return {"style": "pipeDelimited", "explode": False}
        if fmt == "tsv":  # no 3.0 style for tab-separated values: nearest is form, the format noted
            return {"style": "form", "explode": False, "x-collectionFormat": "tsv"}
        return {"style": "form", "explode": False}

    # -- responses -------------------------------------------------------------------------------

    def _response(self, raw: dict[str, Any], produces: list[str]) -> dict[str, Any]:
        if isinstance(raw.get("$ref"), str):
            return {"$ref": self._ref(raw["$ref"])}
        out: dict[str, Any] = {"description": str(raw.get("description", ""))}
        headers = {name: self._header(_dict(h)) for name, h in _dict(raw.get("headers")).items()}
        if headers:
            out["headers"] = headers
        content: dict[str, Any] = {}
        schema = self._schema(raw["schema"]) if "schema" in raw else None
        # Without a schema 2.0 says "no content", yet `produces` still names the Content-Type clients (and
        # schemathesis) expect: each media type is kept, with no schema, so the answer carries that type.
        content = {media: {} if schema is None else {"schema": copy.deepcopy(schema)} for media in produces}
        for media, example in _dict(raw.get("examples")).items():
            # An example for a media type the operation does not list still documents that type.
            media_type = content.setdefault(str(media), {} if schema is None else {"schema": copy.deepcopy(schema)})
            media_type["example"] = example
        if content:
            out["content"] = content
        out.update(_extensions(raw))
        return out

    def _header(self, header: dict[str, Any]) -> dict[str, Any]:
        if isinstance(header.get("$ref"), str):
            return {"$ref": self._ref(header["$ref"])}
        out: dict[str, Any] = {}
        if "description" in header:
            out["description"] = header["description"]
        if header.get("type") == "array":
            out["style"] = "simple"
        out["schema"] = self._value_schema(header)
        out.update({k: v for k, v in _extensions(header).items() if k != "x-nullable"})
        return out

    # -- schemas and references ------------------------------------------------------------------

    def _schema(self, node: Any) -> Any:
        """A 2.0 schema as a 3.0 schema: refs rewritten, `x-nullable`, `type: file`, discriminator.

        Also the JSON Schema forms 2.0 does not allow but real specs (Slack's) use, as swagger2openapi
        reads them: a `type` list or `type: "null"` → `nullable`, and a list of `items` → one
        `items` schema (`anyOf` the list; a null member makes it nullable) — or, in a schema without
        `type`, `anyOf` the list itself."""
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$ref"), str):
            ref = {"$ref": self._ref(node["$ref"])}
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
                out[key] = {name: self._schema(sub) for name, sub in value.items()}
            elif key == "items" and isinstance(value, list):
                members = [self._schema(s) for s in value]
                if not members:  # an empty list constrains nothing
                    continue
                if "type" not in node and "anyOf" not in node:
                    # Untyped, a list of items means "one of these" (Slack's objs_user), not a tuple;
                    # what it describes is valid against the original (a non-array passes `items`).
                    out["anyOf"] = members
                else:
                    out[key] = _nullable_union({"anyOf": members}, "anyOf")
            elif key in _SCHEMA_ONE or key in _SCHEMA_LISTS:
                out[key] = [self._schema(s) for s in value] if isinstance(value, list) else self._schema(value)
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

    def _ref(self, ref: str) -> str:
        """`ref` pointing where its 2.0 target lives in 3.0; a file part is kept as it is."""
        file_part, hash_, pointer = ref.partition("#")
        if not hash_:
            return ref
        section, slash, rest = pointer.lstrip("/").partition("/")
        if not slash or section not in _POINTERS:
            return ref
        target = _POINTERS[section]
        name = rest.split("/", 1)[0].replace("~1", "/").replace("~0", "~")
        if section == "parameters" and not file_part and name in self.body_names:
            target = "requestBodies"
        return f"{file_part}#/components/{target}/{rest}"


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
