"""The 3.1 → 3.0.3 bridge: what Connexion gets is a valid 3.0 document, and the contract is untouched."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator, validate
from starlette.testclient import TestClient

from mockserver.openapi.loader import load, load_all
from mockserver.serving.app import build_app
from mockserver.serving.bridge import to_connexion_document, to_swagger_document
from mockserver.serving.config import ServerConfig

SPECS = Path(__file__).resolve().parents[2] / "specs"
BUNDLED = sorted(SPECS.glob("*.yaml"))


def document_31(schemas: dict[str, Any], parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1", "summary": "3.1 only"},
        "security": [{"bearer": []}],
        "paths": {
            "/things": {
                "parameters": [
                    {"name": "Authorization", "in": "header", "required": True, "schema": {"type": "string"}}
                ],
                "get": {
                    "operationId": "listThings",
                    "security": [{"bearer": []}],
                    "parameters": [
                        {"name": "authorization", "in": "header", "schema": {"type": "string"}},
                        {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                        *(parameters or []),
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                        }
                    },
                },
            }
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Thing": {"type": "object", "properties": schemas}},
        },
    }


def bridged_properties(schemas: dict[str, Any]) -> dict[str, Any]:
    result = to_connexion_document(document_31(schemas))
    props: dict[str, Any] = result["components"]["schemas"]["Thing"]["properties"]
    return props


def test_31_document_becomes_303() -> None:
    result = to_connexion_document(document_31({}))
    assert result["openapi"] == "3.0.3"
    assert "summary" not in result["info"]  # info.summary is 3.1 only


def test_30_document_keeps_its_version() -> None:
    lightdash = load(SPECS / "lightdash.yaml")
    assert to_connexion_document(lightdash.document)["openapi"] == "3.0.0"


def test_type_list_with_null_becomes_nullable() -> None:
    props = bridged_properties({"name": {"type": ["string", "null"], "maxLength": 5}})
    assert props["name"] == {"type": "string", "nullable": True, "maxLength": 5}


def test_type_list_of_several_types_becomes_any_of() -> None:
    props = bridged_properties({"id": {"type": ["string", "integer", "null"]}})
    assert props["id"]["nullable"] is True
    assert "type" not in props["id"]
    assert props["id"]["anyOf"] == [{"type": "string"}, {"type": "integer"}]


def test_const_becomes_single_value_enum() -> None:
    props = bridged_properties({"kind": {"type": "string", "const": "thing"}})
    assert props["kind"] == {"type": "string", "enum": ["thing"]}


@pytest.mark.parametrize(("bound", "plain"), [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")])
def test_numeric_exclusive_bound_becomes_boolean_form(bound: str, plain: str) -> None:
    props = bridged_properties({"n": {"type": "number", bound: 5}})
    assert props["n"] == {"type": "number", plain: 5, bound: True}


def test_examples_list_becomes_example() -> None:
    props = bridged_properties({"kind": {"type": "string", "examples": ["first", "second"]}})
    assert props["kind"] == {"type": "string", "example": "first"}


def test_any_of_with_null_member_becomes_nullable() -> None:
    props = bridged_properties({"ip": {"description": "d", "anyOf": [{"type": "string"}, {"type": "null"}]}})
    assert props["ip"] == {"description": "d", "nullable": True, "type": "string"}


def test_any_of_ref_or_null_becomes_nullable_all_of() -> None:
    props = bridged_properties({"other": {"anyOf": [{"$ref": "#/components/schemas/Thing"}, {"type": "null"}]}})
    assert props["other"] == {"nullable": True, "allOf": [{"$ref": "#/components/schemas/Thing"}]}


def test_any_of_of_two_types_and_null_keeps_the_two() -> None:
    props = bridged_properties({"v": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}})
    assert props["v"] == {"nullable": True, "anyOf": [{"type": "string"}, {"type": "integer"}]}


def test_values_are_not_rewritten_as_schemas() -> None:
    value = {"type": ["a", "null"], "const": 1, "examples": [2]}
    props = bridged_properties({"blob": {"type": "object", "example": value, "default": value, "enum": [value]}})
    assert props["blob"] == {"type": "object", "example": value, "default": value, "enum": [value]}


def test_property_named_like_a_keyword_is_still_a_schema() -> None:
    props = bridged_properties({"default": {"type": ["string", "null"]}, "const": {"type": "integer"}})
    assert props["default"] == {"type": "string", "nullable": True}
    assert props["const"] == {"type": "integer"}


def test_31_only_keywords_are_dropped() -> None:
    props = bridged_properties({"t": {"type": "array", "prefixItems": [{"type": "string"}], "$comment": "x"}})
    assert props["t"] == {"type": "array"}


def test_security_requirements_and_schemes_are_stripped() -> None:
    result = to_connexion_document(document_31({}))
    assert "security" not in result
    assert "security" not in result["paths"]["/things"]["get"]
    assert "securitySchemes" not in result["components"]


def test_authorization_header_parameters_are_stripped_and_others_kept() -> None:
    result = to_connexion_document(document_31({}))
    item = result["paths"]["/things"]
    assert item["parameters"] == []
    names = [p["name"] for p in item["get"]["parameters"]]
    assert names == ["X-Trace"]


def test_synthetic_bridged_document_is_valid_openapi_30() -> None:
    doc = document_31(
        {
            "a": {"type": ["string", "null"]},
            "b": {"const": 3},
            "c": {"type": "number", "exclusiveMinimum": 0},
            "d": {"anyOf": [{"$ref": "#/components/schemas/Thing"}, {"type": "null"}]},
            "e": {"type": "string", "examples": ["x"]},
        }
    )
    validate(to_connexion_document(doc), cls=OpenAPIV30SpecValidator)


def test_bridging_does_not_touch_its_input() -> None:
    doc = document_31({"a": {"type": ["string", "null"]}, "b": {"const": 3}})
    before = copy.deepcopy(doc)
    to_connexion_document(doc)
    assert doc == before


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_bridged_document_is_valid_openapi_30(path: Path) -> None:
    api = load(path)
    bridged = to_connexion_document(api.document)
    assert bridged["openapi"].startswith("3.0.")
    validate(bridged, cls=OpenAPIV30SpecValidator)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_connexion_accepts_bundled_spec_and_original_document_is_unchanged(path: Path) -> None:
    api = load(path)
    before = copy.deepcopy(api.document)
    app = build_app([api], ServerConfig(seed=1))
    assert app is not None
    assert api.document == before
    assert api.document["openapi"] == before["openapi"]  # 3.1 stays 3.1: the contract
    assert ("security" in api.document) == ("security" in before)


def test_connexion_accepts_all_bundled_specs_together_and_originals_are_unchanged() -> None:
    apis = load_all([SPECS])
    before = {api.name: copy.deepcopy(api.document) for api in apis}
    build_app(apis, ServerConfig(seed=1))
    assert {api.name: api.document for api in apis} == before


# The document Swagger UI renders (each API's openapi.json) ---------------------------------------------------


def test_swagger_document_keeps_security_schemes_and_requirements() -> None:
    result = to_swagger_document(document_31({}))
    assert result["security"] == [{"bearer": []}]
    assert result["paths"]["/things"]["get"]["security"] == [{"bearer": []}]
    assert result["components"]["securitySchemes"] == {"bearer": {"type": "http", "scheme": "bearer"}}
    validate(result, cls=OpenAPIV30SpecValidator)


def test_swagger_document_gives_oauth2_and_undeclared_schemes_as_bearer_tokens() -> None:
    doc = document_31({})
    oauth = {"implicit": {"authorizationUrl": "https://auth.example/authorize", "scopes": {}}}
    doc["components"]["securitySchemes"] = {"oauth": {"type": "oauth2", "flows": oauth}}
    doc["paths"]["/things"]["get"]["security"] = [{"oauth": []}, {"nowhere": []}]
    schemes = to_swagger_document(doc)["components"]["securitySchemes"]
    assert schemes["oauth"]["type"] == "http" and schemes["oauth"]["scheme"] == "bearer"
    assert schemes["nowhere"] == {"type": "http", "scheme": "bearer"}


def test_swagger_document_makes_a_required_authorization_parameter_an_api_key_scheme() -> None:
    doc = document_31({})
    del doc["security"]
    del doc["paths"]["/things"]["get"]["security"]
    result = to_swagger_document(doc)
    operation = result["paths"]["/things"]["get"]
    assert operation["security"] == [{"Authorization": []}]
    assert result["components"]["securitySchemes"]["Authorization"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
    }
    assert "x-mockserver-authorization-parameter" not in operation
    validate(result, cls=OpenAPIV30SpecValidator)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_served_openapi_json_keeps_the_bundled_apis_security(path: Path) -> None:
    api = load(path)
    client = TestClient(build_app([api], ServerConfig(seed=1)))
    served = client.get(f"{api.mount_path}/openapi.json").json()
    validate(served, cls=OpenAPIV30SpecValidator)
    if api.document.get("components", {}).get("securitySchemes"):
        assert served["components"]["securitySchemes"].keys() == api.document["components"]["securitySchemes"].keys()
    for op in [op for op in api.operations if op.security]:
        assert served["paths"][op.path][op.method].get("security", served.get("security")), op.operation_id
