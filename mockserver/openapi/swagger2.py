"""Swagger 2.0 → OpenAPI 3.0.3, so the loader serves 2.0 specs as their 3.0 equivalent.

Pure data: `to_openapi30` reads a parsed Swagger 2.0 document and builds a new 3.0.3 one, following
the OpenAPI 3.0 specification's mapping (as swagger2openapi does). The input is never modified and
the result shares no objects with it. Parameters and headers are converted by `swagger2_params.py`,
schemas and `$ref`s by `swagger2_schemas.py`.

Not converted (dropped): an operation's own `schemes` (the mock mounts at the first server's path,
the same for every scheme), `formData` parameters declared in the top-level `parameters` (3.0 has no
reusable form field; each operation that references one gets it inlined into its form body), and
`$ref`s into `#/paths/…` (left as they are). A `$ref` to another file keeps its file part and gets
its pointer rewritten like a local one, so that file is expected to be laid out as 3.0 too.
"""

from __future__ import annotations

import copy
from typing import Any

from mockserver.openapi.swagger2_params import Parameters, style
from mockserver.openapi.swagger2_schemas import as_dict, as_list, extensions

__all__ = ["to_openapi30"]

OPENAPI_VERSION = "3.0.3"
_DEFAULT_MEDIA = "application/json"
_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
_OAUTH2_FLOWS = {
    "implicit": ("implicit", ("authorizationUrl",)),
    "password": ("password", ("tokenUrl",)),
    "application": ("clientCredentials", ("tokenUrl",)),
    "accessCode": ("authorizationCode", ("authorizationUrl", "tokenUrl")),
}


def to_openapi30(document: dict[str, Any]) -> dict[str, Any]:
    """A new OpenAPI 3.0.3 document equivalent to the Swagger 2.0 `document` (left untouched)."""
    return _Converter(copy.deepcopy(document)).convert()


def _media_types(value: Any) -> list[str]:
    return [str(m) for m in as_list(value) if isinstance(m, str) and m]


class _Converter:
    """One conversion: `doc` is a private deep copy, so parts of it may move into the result."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.consumes = _media_types(doc.get("consumes")) or [_DEFAULT_MEDIA]
        self.produces = _media_types(doc.get("produces")) or [_DEFAULT_MEDIA]
        self.params = Parameters(as_dict(doc.get("parameters")))

    def convert(self) -> dict[str, Any]:
        doc = self.doc
        out: dict[str, Any] = {"openapi": OPENAPI_VERSION}
        out.update({k: doc[k] for k in ("info", "externalDocs") if k in doc})
        out["servers"] = self._servers()
        out.update({k: doc[k] for k in ("tags", "security") if k in doc})
        out["paths"] = self._paths(as_dict(doc.get("paths")))
        components = self._components()
        if components:
            out["components"] = components
        out.update(extensions(doc))
        return out

    # -- servers ---------------------------------------------------------------------------------

    def _servers(self) -> list[dict[str, Any]]:
        base = str(self.doc.get("basePath") or "")
        if base and not base.startswith("/"):
            base = "/" + base
        host = self.doc.get("host")
        if not host:
            return [{"url": base or "/"}]
        schemes = [str(s) for s in as_list(self.doc.get("schemes")) if s]
        # Without schemes, 2.0 means "the scheme the spec was fetched with": a scheme-relative URL.
        return [{"url": f"{scheme}://{host}{base}"} for scheme in schemes] or [{"url": f"//{host}{base}"}]

    # -- components ------------------------------------------------------------------------------

    def _components(self) -> dict[str, Any]:
        components: dict[str, Any] = {}
        schemas = {name: self.params.schema(s) for name, s in as_dict(self.doc.get("definitions")).items()}
        parameters: dict[str, Any] = {}
        bodies: dict[str, Any] = {}
        for name, raw in self.params.parameters.items():
            location = self.params.deref(raw).get("in")
            if location == "formData":  # 3.0 has no reusable form field: inlined into each form body
                continue
            if isinstance(as_dict(raw).get("$ref"), str):
                (bodies if location == "body" else parameters)[name] = {"$ref": self.params.ref(raw["$ref"])}
            elif location == "body":
                bodies[name] = self._request_body(raw, self.consumes)
            else:
                parameters[name] = self.params.convert(as_dict(raw))
        responses = {
            str(code): self._response(as_dict(r), self.produces)
            for code, r in as_dict(self.doc.get("responses")).items()
        }
        schemes = {
            name: self._security_scheme(as_dict(s)) for name, s in as_dict(self.doc.get("securityDefinitions")).items()
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
            settings["scopes"] = as_dict(scheme.get("scopes"))
            out = {"type": "oauth2", "flows": {flow: settings}}
        else:  # apiKey is the same in both versions
            out = {k: v for k, v in scheme.items() if k in ("type", "name", "in")}
        if "description" in scheme:
            out["description"] = scheme["description"]
        out.update(extensions(scheme))
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
                item["$ref"] = self.params.ref(raw["$ref"])
            shared = as_list(raw.get("parameters"))
            plain = [self.params.convert_or_ref(p) for p in shared if not self.params.is_body_or_form(p)]
            if plain:
                item["parameters"] = plain
            for method in _METHODS:
                if isinstance(raw.get(method), dict):
                    item[method] = self._operation(raw[method], shared)
            item.update(extensions(raw))
            out[str(route)] = item
        return out

    def _operation(self, raw: dict[str, Any], shared: list[Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("tags", "summary", "description", "externalDocs", "operationId"):
            if key in raw:
                out[key] = raw[key]
        own = as_list(raw.get("parameters"))
        overridden = {self.params.key(p) for p in own}
        # Path-level parameters apply unless the operation declares one with the same name and place.
        inherited = [p for p in shared if self.params.key(p) not in overridden]
        plain = [self.params.convert_or_ref(p) for p in own if not self.params.is_body_or_form(p)]
        if plain:
            out["parameters"] = plain
        consumes = _media_types(raw.get("consumes")) or self.consumes
        body = self._operation_body(own, inherited, consumes)
        if body is not None:
            out["requestBody"] = body
        produces = _media_types(raw.get("produces")) or self.produces
        out["responses"] = {
            str(code): self._response(as_dict(r), produces) for code, r in as_dict(raw.get("responses")).items()
        }
        for key in ("deprecated", "security"):
            if key in raw:
                out[key] = raw[key]
        out.update(extensions(raw))
        return out

    def _operation_body(self, own: list[Any], inherited: list[Any], consumes: list[str]) -> dict[str, Any] | None:
        """The requestBody of the operation's body or formData parameters. Its own decide over the
        path's: a body or form of its own replaces a path-level body; form fields of both merge."""
        own_body = next((p for p in own if self.params.deref(p).get("in") == "body"), None)
        if own_body is not None:
            return self._body_parameter(own_body, consumes)
        form = [p for p in map(self.params.deref, [*inherited, *own]) if p.get("in") == "formData"]
        path_body = next((p for p in inherited if self.params.deref(p).get("in") == "body"), None)
        if path_body is not None and not any(self.params.deref(p).get("in") == "formData" for p in own):
            return self._body_parameter(path_body, consumes)
        return self._form_body(form, consumes) if form else None

    def _body_parameter(self, raw: Any, consumes: list[str]) -> dict[str, Any]:
        ref = as_dict(raw).get("$ref")
        if self.params.local_name(ref) in self.params.body_names and consumes == self.consumes:
            # The component was made with the global consumes: the same content.
            return {"$ref": self.params.ref(str(ref))}
        return self._request_body(self.params.deref(raw), consumes)

    def _request_body(self, parameter: dict[str, Any], consumes: list[str]) -> dict[str, Any]:
        schema = self.params.schema(parameter.get("schema", {}))
        body: dict[str, Any] = {}
        if "description" in parameter:
            body["description"] = parameter["description"]
        examples = as_dict(parameter.get("x-examples"))
        body["content"] = {media: {"schema": copy.deepcopy(schema)} for media in consumes}
        for media, example in examples.items():
            body["content"].setdefault(media, {"schema": copy.deepcopy(schema)})["example"] = example
        if parameter.get("required"):
            body["required"] = True
        if "name" in parameter:
            body["x-codegen-request-body-name"] = parameter["name"]
        body.update({k: v for k, v in extensions(parameter).items() if k != "x-examples"})
        return body

    def _form_body(self, fields: list[dict[str, Any]], consumes: list[str]) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        encoding: dict[str, Any] = {}
        has_file = False
        for field in fields:
            name = str(field.get("name", ""))
            schema = self.params.value_schema(field)
            if "description" in field:
                schema["description"] = field["description"]
            if "x-example" in field:
                schema["example"] = field["x-example"]
            has_file = has_file or field.get("type") == "file"
            properties[name] = schema
            if field.get("required"):
                required.append(name)
            field_style = style(field, "query")
            if field_style and field_style != {"style": "form", "explode": True}:
                encoding[name] = field_style
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

    # -- responses -------------------------------------------------------------------------------

    def _response(self, raw: dict[str, Any], produces: list[str]) -> dict[str, Any]:
        if isinstance(raw.get("$ref"), str):
            return {"$ref": self.params.ref(raw["$ref"])}
        out: dict[str, Any] = {"description": str(raw.get("description", ""))}
        headers = {name: self.params.header(as_dict(h)) for name, h in as_dict(raw.get("headers")).items()}
        if headers:
            out["headers"] = headers
        content: dict[str, Any] = {}
        schema = self.params.schema(raw["schema"]) if "schema" in raw else None
        # Without a schema 2.0 says "no content", yet `produces` still names the Content-Type clients (and
        # schemathesis) expect: each media type is kept, with no schema, so the answer carries that type.
        content = {media: {} if schema is None else {"schema": copy.deepcopy(schema)} for media in produces}
        for media, example in as_dict(raw.get("examples")).items():
            # An example for a media type the operation does not list still documents that type.
            media_type = content.setdefault(str(media), {} if schema is None else {"schema": copy.deepcopy(schema)})
            media_type["example"] = example
        if content:
            out["content"] = content
        out.update(extensions(raw))
        return out
