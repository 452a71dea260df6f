"""Swagger 2.0 parameters and headers as their OpenAPI 3.0 equivalents (for `swagger2.py`)."""

from __future__ import annotations

from typing import Any

from mockserver.openapi.swagger2_schemas import as_dict, convert_ref, convert_schema, extensions

__all__ = ["Parameters", "style"]

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


class Parameters:
    """A document's top-level `parameters`, and the conversion of parameters and headers that may refer to them."""

    def __init__(self, parameters: dict[str, Any]) -> None:
        self.parameters = parameters
        # Top-level parameters that are request bodies in 3.0: refs to them leave `parameters`.
        self.body_names = {n for n, p in parameters.items() if self.deref(p).get("in") == "body"}

    def ref(self, ref: str) -> str:
        return convert_ref(ref, self.body_names)

    def schema(self, node: Any) -> Any:
        return convert_schema(node, self.body_names)

    def deref(self, raw: Any) -> dict[str, Any]:
        """A parameter, with a local `#/parameters/…` ref followed (a few hops at most)."""
        parameter = as_dict(raw)
        for _ in range(8):
            name = self.local_name(parameter.get("$ref"))
            if name is None:
                break
            parameter = as_dict(self.parameters.get(name))
        return parameter

    @staticmethod
    def local_name(ref: Any) -> str | None:
        """The name of the top-level parameter a local `#/parameters/…` ref points at."""
        if isinstance(ref, str) and ref.startswith("#/parameters/"):
            return ref[len("#/parameters/") :].replace("~1", "/").replace("~0", "~")
        return None

    def key(self, raw: Any) -> tuple[str, str]:
        """What makes a parameter unique (name and place); a ref to another file stands for itself."""
        parameter = self.deref(raw)
        if isinstance(parameter.get("$ref"), str):
            return "$ref", parameter["$ref"]
        return str(parameter.get("name")), str(parameter.get("in"))

    def is_body_or_form(self, raw: Any) -> bool:
        return self.deref(raw).get("in") in ("body", "formData")

    def convert_or_ref(self, raw: Any) -> Any:
        if isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
            return {"$ref": self.ref(raw["$ref"])}
        return self.convert(as_dict(raw))

    def convert(self, parameter: dict[str, Any]) -> dict[str, Any]:
        location = str(parameter.get("in", "query"))
        out: dict[str, Any] = {k: parameter[k] for k in ("name", "in", "description") if k in parameter}
        if location == "path":
            out["required"] = True
        elif "required" in parameter:
            out["required"] = parameter["required"]
        if location == "query" and "allowEmptyValue" in parameter:
            out["allowEmptyValue"] = parameter["allowEmptyValue"]
        out.update(style(parameter, location) or {})
        out["schema"] = self.value_schema(parameter)
        if "x-example" in parameter:
            out["example"] = parameter["x-example"]
        out.update({k: v for k, v in extensions(parameter).items() if k != "x-nullable"})
        return out

    def header(self, header: dict[str, Any]) -> dict[str, Any]:
        if isinstance(header.get("$ref"), str):
            return {"$ref": self.ref(header["$ref"])}
        out: dict[str, Any] = {}
        if "description" in header:
            out["description"] = header["description"]
        if header.get("type") == "array":
            out["style"] = "simple"
        out["schema"] = self.value_schema(header)
        out.update({k: v for k, v in extensions(header).items() if k != "x-nullable"})
        return out

    def value_schema(self, node: dict[str, Any]) -> dict[str, Any]:
        """The schema of a 2.0 parameter, header or items object: its type keywords, converted."""
        schema: dict[str, Any] = {k: node[k] for k in _SCHEMA_KEYS if k in node}
        if isinstance(schema.get("items"), dict):
            items = schema["items"]
            schema["items"] = self.value_schema(items) if "$ref" not in items else self.schema(items)
        if node.get("x-nullable") is True:
            schema["nullable"] = True
        if schema.get("type") == "file":
            schema["type"] = "string"
            schema["format"] = "binary"
        return schema


def style(node: dict[str, Any], location: str) -> dict[str, Any] | None:
    """3.0's `style`/`explode` for an array's `collectionFormat` (csv when not given)."""
    if node.get("type") != "array":
        return None
    fmt = str(node.get("collectionFormat") or "csv")
    if location not in ("query", "formData"):
        # Path and header arrays are comma-separated (`simple`); other separators have no 3.0 form.
        simple: dict[str, Any] = {"style": "simple"}
        if fmt != "csv":
            simple["x-collectionFormat"] = fmt
        return simple
    if fmt == "multi":
        return {"style": "form", "explode": True}
    if fmt == "ssv":
        return {"style": "spaceDelimited", "explode": False}
    if fmt == "pipes":
        return {"style": "pipeDelimited", "explode": False}
    if fmt == "tsv":  # no 3.0 style for tab-separated values: nearest is form, the format noted
        return {"style": "form", "explode": False, "x-collectionFormat": "tsv"}
    return {"style": "form", "explode": False}
