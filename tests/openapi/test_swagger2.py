"""Swagger 2.0 documents become equivalent OpenAPI 3.0.3 ones, and the loader serves them."""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import OpenAPIV30SpecValidator, validate

from mockserver.errors import SpecErrorKind, SpecLoadError
from mockserver.openapi.loader import load
from mockserver.openapi.swagger2 import to_openapi30

PETSTORE = textwrap.dedent(
    """\
    swagger: '2.0'
    info:
      title: Swagger Petstore
      version: 1.0.0
      x-audience: public
    host: petstore.example.com
    basePath: /v2
    schemes: [https, http]
    consumes: [application/json]
    produces: [application/json]
    tags:
      - {name: pet, description: Everything about your pets}
    externalDocs: {url: 'https://example.com/docs'}
    security:
      - api_key: []
    x-generated-by: hand
    paths:
      /pet:
        post:
          tags: [pet]
          operationId: addPet
          summary: Add a new pet to the store
          consumes: [application/json, application/xml]
          produces: [application/xml, application/json]
          parameters:
            - {$ref: '#/parameters/PetBody'}
          responses:
            '200':
              description: the stored pet
              schema: {$ref: '#/definitions/Pet'}
            '405': {$ref: '#/responses/Invalid'}
          security:
            - petstore_auth: ['write:pets', 'read:pets']
        put:
          operationId: updatePet
          parameters:
            - {$ref: '#/parameters/PetBody'}
          responses:
            '200':
              description: updated
              schema: {$ref: '#/definitions/Pet'}
      /pet/findByStatus:
        get:
          tags: [pet]
          operationId: findPetsByStatus
          produces: [application/xml, application/json]
          parameters:
            - name: status
              in: query
              required: true
              type: array
              items: {type: string, enum: [available, pending, sold], default: available}
              collectionFormat: multi
            - name: fields
              in: query
              type: array
              items: {type: string}
              collectionFormat: csv
            - {$ref: '#/parameters/Limit'}
          responses:
            '200':
              description: successful operation
              schema:
                type: array
                items: {$ref: '#/definitions/Pet'}
              headers:
                X-Rate-Limit:
                  type: integer
                  format: int32
                  description: calls per hour allowed
              examples:
                application/json: [{id: 1, name: doggie, photoUrls: []}]
            '400':
              description: Invalid status value
      /pet/{petId}:
        parameters:
          - {name: petId, in: path, required: true, type: integer, format: int64}
        get:
          operationId: getPetById
          parameters:
            - {name: X-Request-Id, in: header, type: string, format: uuid}
          responses:
            '200':
              description: successful operation
              schema: {$ref: '#/definitions/Pet'}
            '404':
              description: Pet not found
          security:
            - api_key: []
            - basic: []
        post:
          operationId: updatePetWithForm
          consumes: [application/x-www-form-urlencoded]
          parameters:
            - {name: name, in: formData, type: string, description: Updated name of the pet}
            - {name: status, in: formData, type: string, required: true}
          responses:
            '405':
              description: Invalid input
        delete:
          operationId: deletePet
          deprecated: true
          responses:
            '204':
              description: deleted
      /pet/{petId}/uploadImage:
        post:
          operationId: uploadFile
          consumes: [multipart/form-data]
          parameters:
            - {name: petId, in: path, required: true, type: integer, format: int64}
            - {name: additionalMetadata, in: formData, type: string}
            - {name: file, in: formData, type: file, required: true}
          responses:
            '200':
              description: successful operation
              schema: {$ref: '#/definitions/ApiResponse'}
      /pet/{petId}/photo:
        get:
          operationId: getPetPhoto
          produces: [image/png]
          parameters:
            - {name: petId, in: path, required: true, type: integer}
          responses:
            '200':
              description: the photo
              schema: {type: file}
    parameters:
      PetBody:
        name: body
        in: body
        description: Pet object that needs to be added to the store
        required: true
        schema: {$ref: '#/definitions/Pet'}
      Limit:
        name: limit
        in: query
        type: integer
        minimum: 1
        maximum: 100
        default: 20
    responses:
      Invalid:
        description: Invalid input
        schema: {$ref: '#/definitions/ApiResponse'}
    securityDefinitions:
      api_key: {type: apiKey, name: api_key, in: header}
      basic: {type: basic, description: HTTP basic}
      petstore_auth:
        type: oauth2
        flow: implicit
        authorizationUrl: 'https://petstore.example.com/oauth/dialog'
        scopes: {'write:pets': modify pets, 'read:pets': read your pets}
    definitions:
      Category:
        type: object
        properties:
          id: {type: integer, format: int64}
          name: {type: string}
      Tag:
        type: object
        properties:
          id: {type: integer, format: int64}
          name: {type: string, x-nullable: true}
      Pet:
        type: object
        required: [name, photoUrls]
        properties:
          id: {type: integer, format: int64}
          category: {$ref: '#/definitions/Category'}
          name: {type: string, example: doggie}
          photoUrls:
            type: array
            items: {type: string}
          tags:
            type: array
            items: {$ref: '#/definitions/Tag'}
          status:
            type: string
            enum: [available, pending, sold]
            x-nullable: true
      ApiResponse:
        type: object
        properties:
          code: {type: integer, format: int32}
          type: {type: string}
          message: {type: string}
    """
)


def petstore() -> dict[str, Any]:
    document = yaml.safe_load(PETSTORE)
    assert isinstance(document, dict)
    return document


def swagger(**parts: Any) -> dict[str, Any]:
    """A minimal Swagger 2.0 document with `parts` added at the top level."""
    return {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}, **parts}


def one_operation(operation: dict[str, Any], **parts: Any) -> dict[str, Any]:
    """The converted form of a 2.0 document whose only operation is `POST /things`."""
    operation = {"responses": {"200": {"description": "ok"}}, **operation}
    converted = to_openapi30(swagger(paths={"/things": {"post": operation}}, **parts))
    result = converted["paths"]["/things"]["post"]
    assert isinstance(result, dict)
    return result


# -- the whole document --------------------------------------------------------------------------


def test_converted_petstore_is_a_valid_openapi_30_document() -> None:
    converted = to_openapi30(petstore())
    assert converted["openapi"] == "3.0.3"
    validate(converted, cls=OpenAPIV30SpecValidator)


def test_converted_petstore_passes_the_loaders_own_conformance_check(tmp_path: Path) -> None:
    path = tmp_path / "petstore.yaml"
    path.write_text(PETSTORE, encoding="utf-8")
    api = load(path)
    assert api.version == "3.0.3"
    assert api.document["openapi"] == "3.0.3" and "swagger" not in api.document


def test_conversion_leaves_the_input_untouched() -> None:
    document = petstore()
    before = copy.deepcopy(document)
    converted = to_openapi30(document)
    assert document == before
    converted["info"]["title"] = "changed"
    converted["components"]["schemas"]["Pet"]["properties"].clear()
    assert document == before


def test_info_tags_external_docs_security_and_extensions_are_kept() -> None:
    source = petstore()
    converted = to_openapi30(source)
    for key in ("info", "tags", "externalDocs", "security", "x-generated-by"):
        assert converted[key] == source[key]
    assert "swagger" not in converted
    for gone in ("host", "basePath", "schemes", "consumes", "produces", "definitions", "securityDefinitions"):
        assert gone not in converted


# -- servers --------------------------------------------------------------------------------------


def test_host_base_path_and_schemes_become_one_server_per_scheme() -> None:
    converted = to_openapi30(swagger(host="api.example.com:8443", basePath="/v2", schemes=["https", "http"]))
    assert converted["servers"] == [
        {"url": "https://api.example.com:8443/v2"},
        {"url": "http://api.example.com:8443/v2"},
    ]


def test_host_without_schemes_becomes_a_scheme_relative_server() -> None:
    converted = to_openapi30(swagger(host="api.example.com", basePath="/v1"))
    assert converted["servers"] == [{"url": "//api.example.com/v1"}]


def test_no_host_gives_the_base_path_as_a_relative_server() -> None:
    assert to_openapi30(swagger(basePath="/api", schemes=["https"]))["servers"] == [{"url": "/api"}]


def test_no_host_and_no_base_path_gives_the_root_server() -> None:
    assert to_openapi30(swagger())["servers"] == [{"url": "/"}]


@pytest.mark.parametrize(
    ("parts", "mount"),
    [
        ({"host": "slack.com", "basePath": "/api", "schemes": ["https"]}, "/slack/api"),
        ({"basePath": "/api"}, "/slack/api"),
        ({"host": "slack.com"}, "/slack"),
        ({}, "/slack"),
    ],
)
def test_the_mock_mounts_a_converted_spec_at_its_base_path(tmp_path: Path, parts: dict[str, Any], mount: str) -> None:
    path = tmp_path / "slack.yaml"
    document = swagger(paths={"/ping": {"get": {"responses": {"200": {"description": "ok"}}}}}, **parts)
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    api = load(path)
    assert f"/{api.name}{api.base_path}" == mount


# -- components -----------------------------------------------------------------------------------


def test_definitions_become_component_schemas_with_refs_rewritten() -> None:
    converted = to_openapi30(petstore())
    schemas = converted["components"]["schemas"]
    assert set(schemas) == {"Category", "Tag", "Pet", "ApiResponse"}
    assert schemas["Pet"]["properties"]["category"] == {"$ref": "#/components/schemas/Category"}
    assert schemas["Pet"]["properties"]["tags"]["items"] == {"$ref": "#/components/schemas/Tag"}


def test_top_level_parameters_are_split_into_parameters_and_request_bodies() -> None:
    components = to_openapi30(petstore())["components"]
    assert components["parameters"] == {
        "Limit": {
            "name": "limit",
            "in": "query",
            "schema": {"type": "integer", "default": 20, "maximum": 100, "minimum": 1},
        }
    }
    assert components["requestBodies"]["PetBody"] == {
        "description": "Pet object that needs to be added to the store",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
        "required": True,
        "x-codegen-request-body-name": "body",
    }


def test_top_level_form_data_parameters_are_inlined_where_they_are_used() -> None:
    converted = to_openapi30(
        swagger(
            parameters={"Note": {"name": "note", "in": "formData", "type": "string", "required": True}},
            paths={
                "/notes": {
                    "post": {"parameters": [{"$ref": "#/parameters/Note"}], "responses": {"201": {"description": "ok"}}}
                }
            },
        )
    )
    assert "components" not in converted  # no 3.0 place for a reusable form field
    body = converted["paths"]["/notes"]["post"]["requestBody"]
    assert body["content"]["application/x-www-form-urlencoded"]["schema"] == {
        "type": "object",
        "properties": {"note": {"type": "string"}},
        "required": ["note"],
    }
    validate(converted, cls=OpenAPIV30SpecValidator)


def test_top_level_responses_become_component_responses() -> None:
    converted = to_openapi30(petstore())
    assert converted["components"]["responses"]["Invalid"] == {
        "description": "Invalid input",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiResponse"}}},
    }
    assert converted["paths"]["/pet"]["post"]["responses"]["405"] == {"$ref": "#/components/responses/Invalid"}


def test_basic_security_becomes_http_basic() -> None:
    schemes = to_openapi30(petstore())["components"]["securitySchemes"]
    assert schemes["basic"] == {"type": "http", "scheme": "basic", "description": "HTTP basic"}


def test_api_key_security_is_kept_as_it_is() -> None:
    schemes = to_openapi30(petstore())["components"]["securitySchemes"]
    assert schemes["api_key"] == {"type": "apiKey", "name": "api_key", "in": "header"}


@pytest.mark.parametrize(
    ("flow", "name", "urls"),
    [
        ("implicit", "implicit", {"authorizationUrl": "https://a.example/auth"}),
        ("password", "password", {"tokenUrl": "https://a.example/token"}),
        ("application", "clientCredentials", {"tokenUrl": "https://a.example/token"}),
        (
            "accessCode",
            "authorizationCode",
            {"authorizationUrl": "https://a.example/auth", "tokenUrl": "https://a.example/token"},
        ),
    ],
)
def test_oauth2_flows_become_3_0_flows(flow: str, name: str, urls: dict[str, str]) -> None:
    scheme = {"type": "oauth2", "flow": flow, "scopes": {"read": "read things"}, **urls}
    converted = to_openapi30(swagger(securityDefinitions={"oauth": scheme}))
    assert converted["components"]["securitySchemes"]["oauth"] == {
        "type": "oauth2",
        "flows": {name: {**urls, "scopes": {"read": "read things"}}},
    }
    validate(converted, cls=OpenAPIV30SpecValidator)


# -- references -----------------------------------------------------------------------------------


def test_refs_to_other_files_keep_their_file_part_with_the_pointer_rewritten() -> None:
    operation = one_operation(
        {
            "parameters": [{"$ref": "common.yaml#/parameters/Page"}],
            "responses": {
                "200": {"description": "ok", "schema": {"$ref": "models.yaml#/definitions/Thing"}},
                "404": {"$ref": "common.yaml#/responses/NotFound"},
                "500": {"description": "oops", "schema": {"$ref": "error.yaml"}},
            },
        }
    )
    assert operation["parameters"] == [{"$ref": "common.yaml#/components/parameters/Page"}]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "models.yaml#/components/schemas/Thing"
    }
    assert operation["responses"]["404"] == {"$ref": "common.yaml#/components/responses/NotFound"}
    assert operation["responses"]["500"]["content"]["application/json"]["schema"] == {"$ref": "error.yaml"}


def test_refs_inside_examples_are_literal_data_and_stay_as_they_are() -> None:
    literal = {"$ref": "#/definitions/Thing"}
    converted = to_openapi30(
        swagger(
            definitions={
                "Thing": {
                    "type": "object",
                    "example": {"link": literal},
                    "x-example": literal,
                    "properties": {"link": {"type": "object", "default": literal, "enum": [literal]}},
                }
            },
            paths={
                "/things": {
                    "get": {
                        "parameters": [{"name": "q", "in": "query", "type": "string", "x-example": literal}],
                        "responses": {
                            "200": {
                                "description": "ok",
                                "schema": {"$ref": "#/definitions/Thing"},
                                "examples": {"application/json": literal},
                            }
                        },
                    }
                }
            },
        )
    )
    thing = converted["components"]["schemas"]["Thing"]
    assert thing["example"] == {"link": literal}
    assert thing["x-example"] == literal
    assert thing["properties"]["link"]["default"] == literal and thing["properties"]["link"]["enum"] == [literal]
    operation = converted["paths"]["/things"]["get"]
    assert operation["parameters"][0]["example"] == literal
    assert operation["responses"]["200"]["content"]["application/json"]["example"] == literal


def test_a_property_named_like_a_keyword_is_still_a_schema() -> None:
    converted = to_openapi30(
        swagger(definitions={"A": {"type": "object", "properties": {"example": {"$ref": "#/definitions/B"}}}})
    )
    assert converted["components"]["schemas"]["A"]["properties"]["example"] == {"$ref": "#/components/schemas/B"}


# -- request bodies -------------------------------------------------------------------------------


def test_body_parameter_becomes_a_request_body_for_each_consumed_media_type() -> None:
    operation = one_operation(
        {
            "consumes": ["application/json", "application/xml"],
            "parameters": [
                {
                    "name": "thing",
                    "in": "body",
                    "required": True,
                    "description": "the thing",
                    "schema": {"$ref": "#/definitions/Thing"},
                }
            ],
        }
    )
    assert "parameters" not in operation
    schema = {"$ref": "#/components/schemas/Thing"}
    assert operation["requestBody"] == {
        "description": "the thing",
        "content": {"application/json": {"schema": schema}, "application/xml": {"schema": schema}},
        "required": True,
        "x-codegen-request-body-name": "thing",
    }


def test_body_media_types_fall_back_to_global_consumes_then_json() -> None:
    body = {"name": "b", "in": "body", "schema": {"type": "object"}}
    with_global = one_operation({"parameters": [body]}, consumes=["text/plain"])
    assert list(with_global["requestBody"]["content"]) == ["text/plain"]
    without = one_operation({"parameters": [body]})
    assert list(without["requestBody"]["content"]) == ["application/json"]
    assert "required" not in without["requestBody"]


def test_ref_to_a_body_parameter_becomes_a_ref_to_a_component_request_body() -> None:
    operation = to_openapi30(petstore())["paths"]["/pet"]["put"]
    assert operation["requestBody"] == {"$ref": "#/components/requestBodies/PetBody"}
    assert "parameters" not in operation


def test_ref_to_a_body_parameter_under_other_consumes_is_inlined_with_those_media_types() -> None:
    operation = to_openapi30(petstore())["paths"]["/pet"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "application/xml"}
    assert operation["requestBody"]["required"] is True


def test_form_data_parameters_become_a_urlencoded_request_body() -> None:
    operation = one_operation(
        {
            "parameters": [
                {"name": "name", "in": "formData", "type": "string", "description": "the name"},
                {"name": "age", "in": "formData", "type": "integer", "minimum": 0, "required": True},
                {"name": "q", "in": "query", "type": "string"},
            ]
        }
    )
    assert [p["name"] for p in operation["parameters"]] == ["q"]
    assert operation["requestBody"] == {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "description": "the name"},
                        "age": {"type": "integer", "minimum": 0},
                    },
                    "required": ["age"],
                }
            }
        },
        "required": True,
    }


def test_a_file_form_field_makes_a_multipart_body_with_a_binary_string() -> None:
    operation = one_operation({"parameters": [{"name": "upload", "in": "formData", "type": "file"}]})
    assert operation["requestBody"]["content"] == {
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"upload": {"type": "string", "format": "binary"}}}
        }
    }


def test_form_data_is_multipart_when_consumes_says_so() -> None:
    operation = one_operation(
        {"consumes": ["multipart/form-data"], "parameters": [{"name": "n", "in": "formData", "type": "string"}]}
    )
    assert list(operation["requestBody"]["content"]) == ["multipart/form-data"]


def test_a_csv_form_array_is_encoded_as_unexploded_form() -> None:
    operation = one_operation(
        {"parameters": [{"name": "ids", "in": "formData", "type": "array", "items": {"type": "integer"}}]}
    )
    media = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert media["schema"]["properties"]["ids"] == {"type": "array", "items": {"type": "integer"}}
    assert media["encoding"] == {"ids": {"style": "form", "explode": False}}


def test_path_level_body_goes_to_each_operation_unless_overridden() -> None:
    shared_body = {"name": "b", "in": "body", "schema": {"type": "string"}}
    own_body = {"name": "other", "in": "body", "schema": {"type": "integer"}}
    converted = to_openapi30(
        swagger(
            paths={
                "/things": {
                    "parameters": [shared_body, {"name": "trace", "in": "header", "type": "string"}],
                    "post": {"responses": {"200": {"description": "ok"}}},
                    "put": {"parameters": [own_body], "responses": {"200": {"description": "ok"}}},
                    "get": {"responses": {"200": {"description": "ok"}}},
                }
            }
        )
    )
    item = converted["paths"]["/things"]
    assert item["parameters"] == [{"name": "trace", "in": "header", "schema": {"type": "string"}}]
    assert item["post"]["requestBody"]["content"]["application/json"]["schema"] == {"type": "string"}
    assert item["put"]["requestBody"]["content"]["application/json"]["schema"] == {"type": "integer"}
    assert item["get"]["requestBody"]["content"]["application/json"]["schema"] == {"type": "string"}
    validate(converted, cls=OpenAPIV30SpecValidator)


def test_path_level_form_fields_merge_with_the_operations_own() -> None:
    converted = to_openapi30(
        swagger(
            paths={
                "/things": {
                    "parameters": [
                        {"name": "a", "in": "formData", "type": "string"},
                        {"name": "b", "in": "formData", "type": "string"},
                    ],
                    "post": {
                        "parameters": [{"name": "b", "in": "formData", "type": "integer", "required": True}],
                        "responses": {"200": {"description": "ok"}},
                    },
                }
            }
        )
    )
    item = converted["paths"]["/things"]
    assert "parameters" not in item
    schema = item["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert schema == {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "required": ["b"],
    }


def test_an_operations_own_form_replaces_a_path_level_body() -> None:
    converted = to_openapi30(
        swagger(
            paths={
                "/things": {
                    "parameters": [{"name": "b", "in": "body", "schema": {"type": "string"}}],
                    "post": {
                        "parameters": [{"name": "f", "in": "formData", "type": "string"}],
                        "responses": {"200": {"description": "ok"}},
                    },
                }
            }
        )
    )
    content = converted["paths"]["/things"]["post"]["requestBody"]["content"]
    assert list(content) == ["application/x-www-form-urlencoded"]
    assert list(content["application/x-www-form-urlencoded"]["schema"]["properties"]) == ["f"]


def test_refs_to_parameters_in_other_files_do_not_override_each_other() -> None:
    converted = to_openapi30(
        swagger(
            paths={
                "/things": {
                    "parameters": [{"$ref": "common.yaml#/parameters/Page"}],
                    "get": {
                        "parameters": [{"$ref": "common.yaml#/parameters/Size"}],
                        "responses": {"200": {"description": "ok"}},
                    },
                }
            }
        )
    )
    item = converted["paths"]["/things"]
    assert item["parameters"] == [{"$ref": "common.yaml#/components/parameters/Page"}]
    assert item["get"]["parameters"] == [{"$ref": "common.yaml#/components/parameters/Size"}]


# -- query, path and header parameters ------------------------------------------------------------


def test_parameter_type_keywords_move_into_schema() -> None:
    parameter = {
        "name": "size",
        "in": "query",
        "description": "page size",
        "required": False,
        "type": "integer",
        "format": "int32",
        "minimum": 1,
        "maximum": 50,
        "exclusiveMaximum": True,
        "multipleOf": 5,
        "default": 10,
        "enum": [5, 10, 50],
        "x-internal": True,
    }
    (converted,) = one_operation({"parameters": [parameter]})["parameters"]
    assert converted == {
        "name": "size",
        "in": "query",
        "description": "page size",
        "required": False,
        "schema": {
            "type": "integer",
            "format": "int32",
            "default": 10,
            "maximum": 50,
            "exclusiveMaximum": True,
            "minimum": 1,
            "enum": [5, 10, 50],
            "multipleOf": 5,
        },
        "x-internal": True,
    }


def test_string_parameter_keywords_move_into_schema() -> None:
    parameter = {
        "name": "code",
        "in": "header",
        "type": "string",
        "pattern": "^[A-Z]+$",
        "minLength": 2,
        "maxLength": 8,
    }
    (converted,) = one_operation({"parameters": [parameter]})["parameters"]
    assert converted["schema"] == {"type": "string", "pattern": "^[A-Z]+$", "maxLength": 8, "minLength": 2}


def test_path_parameters_are_always_required() -> None:
    converted = to_openapi30(
        swagger(
            paths={
                "/things/{id}": {
                    "get": {
                        "parameters": [{"name": "id", "in": "path", "type": "string"}],
                        "responses": {"200": {"description": "ok"}},
                    }
                }
            }
        )
    )
    assert converted["paths"]["/things/{id}"]["get"]["parameters"][0]["required"] is True


def test_allow_empty_value_is_kept_for_query_parameters() -> None:
    parameters = [
        {"name": "flag", "in": "query", "type": "boolean", "allowEmptyValue": True},
        {"name": "X-Flag", "in": "header", "type": "boolean", "allowEmptyValue": True},
    ]
    query, header = one_operation({"parameters": parameters})["parameters"]
    assert query["allowEmptyValue"] is True
    assert "allowEmptyValue" not in header


@pytest.mark.parametrize(
    ("location", "collection_format", "style"),
    [
        ("query", None, {"style": "form", "explode": False}),
        ("query", "csv", {"style": "form", "explode": False}),
        ("query", "ssv", {"style": "spaceDelimited", "explode": False}),
        ("query", "pipes", {"style": "pipeDelimited", "explode": False}),
        ("query", "multi", {"style": "form", "explode": True}),
        ("query", "tsv", {"style": "form", "explode": False, "x-collectionFormat": "tsv"}),
        ("path", "csv", {"style": "simple"}),
        ("header", None, {"style": "simple"}),
        ("header", "pipes", {"style": "simple", "x-collectionFormat": "pipes"}),
    ],
)
def test_collection_format_becomes_style_and_explode(
    location: str, collection_format: str | None, style: dict[str, Any]
) -> None:
    parameter: dict[str, Any] = {"name": "ids", "in": location, "type": "array", "items": {"type": "string"}}
    if location == "path":
        parameter["required"] = True
    if collection_format:
        parameter["collectionFormat"] = collection_format
    route = "/things/{ids}" if location == "path" else "/things"
    converted = to_openapi30(
        swagger(paths={route: {"get": {"parameters": [parameter], "responses": {"200": {"description": "ok"}}}}})
    )
    (result,) = converted["paths"][route]["get"]["parameters"]
    assert {k: v for k, v in result.items() if k in ("style", "explode", "x-collectionFormat")} == style
    assert result["schema"] == {"type": "array", "items": {"type": "string"}}
    assert "collectionFormat" not in result
    validate(converted, cls=OpenAPIV30SpecValidator)


def test_nested_array_items_lose_their_collection_format() -> None:
    parameter = {
        "name": "grid",
        "in": "query",
        "type": "array",
        "collectionFormat": "pipes",
        "items": {"type": "array", "collectionFormat": "csv", "items": {"type": "integer", "minimum": 0}},
    }
    (converted,) = one_operation({"parameters": [parameter]})["parameters"]
    assert converted["schema"] == {
        "type": "array",
        "items": {"type": "array", "items": {"type": "integer", "minimum": 0}},
    }


def test_a_nullable_parameter_gets_a_nullable_schema() -> None:
    parameter = {"name": "q", "in": "query", "type": "string", "x-nullable": True}
    (converted,) = one_operation({"parameters": [parameter]})["parameters"]
    assert converted["schema"] == {"type": "string", "nullable": True}
    assert "x-nullable" not in converted


def test_an_operation_parameter_overrides_the_path_level_one_of_the_same_name() -> None:
    converted = to_openapi30(
        swagger(
            paths={
                "/things/{id}": {
                    "parameters": [{"name": "id", "in": "path", "required": True, "type": "string"}],
                    "get": {
                        "parameters": [{"name": "id", "in": "path", "required": True, "type": "integer"}],
                        "responses": {"200": {"description": "ok"}},
                    },
                }
            }
        )
    )
    item = converted["paths"]["/things/{id}"]
    assert item["parameters"][0]["schema"] == {"type": "string"}
    assert item["get"]["parameters"][0]["schema"] == {"type": "integer"}


# -- responses ------------------------------------------------------------------------------------


def test_response_schema_becomes_content_for_each_produced_media_type() -> None:
    responses = to_openapi30(petstore())["paths"]["/pet/findByStatus"]["get"]["responses"]
    content = responses["200"]["content"]
    assert list(content) == ["application/xml", "application/json"]
    assert content["application/xml"]["schema"] == {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}


def test_response_media_types_fall_back_to_global_produces_then_json() -> None:
    response = {"description": "ok", "schema": {"type": "string"}}
    with_global = one_operation({"responses": {"200": response}}, produces=["text/csv"])
    assert list(with_global["responses"]["200"]["content"]) == ["text/csv"]
    without = one_operation({"responses": {"200": response}})
    assert list(without["responses"]["200"]["content"]) == ["application/json"]


def test_response_examples_become_media_type_examples() -> None:
    content = to_openapi30(petstore())["paths"]["/pet/findByStatus"]["get"]["responses"]["200"]["content"]
    assert content["application/json"]["example"] == [{"id": 1, "name": "doggie", "photoUrls": []}]
    assert "example" not in content["application/xml"]


def test_response_headers_get_a_schema() -> None:
    response = to_openapi30(petstore())["paths"]["/pet/findByStatus"]["get"]["responses"]["200"]
    assert response["headers"] == {
        "X-Rate-Limit": {"description": "calls per hour allowed", "schema": {"type": "integer", "format": "int32"}}
    }


def test_a_response_without_schema_keeps_its_media_types_without_a_schema() -> None:
    # The answer still carries a produced Content-Type (schemathesis checks it against `produces`).
    response = to_openapi30(petstore())["paths"]["/pet/findByStatus"]["get"]["responses"]["400"]
    assert response == {
        "description": "Invalid status value",
        "content": {"application/json": {}, "application/xml": {}},
    }


def test_a_file_response_is_a_binary_string() -> None:
    content = to_openapi30(petstore())["paths"]["/pet/{petId}/photo"]["get"]["responses"]["200"]["content"]
    assert content == {"image/png": {"schema": {"type": "string", "format": "binary"}}}


def test_integer_status_codes_become_strings() -> None:
    operation = one_operation({"responses": {200: {"description": "ok"}, "default": {"description": "error"}}})
    assert list(operation["responses"]) == ["200", "default"]


# -- schemas --------------------------------------------------------------------------------------


def test_x_nullable_anywhere_in_a_schema_becomes_nullable() -> None:
    schemas = to_openapi30(petstore())["components"]["schemas"]
    assert schemas["Pet"]["properties"]["status"] == {
        "type": "string",
        "enum": ["available", "pending", "sold"],
        "nullable": True,
    }
    assert schemas["Tag"]["properties"]["name"] == {"type": "string", "nullable": True}


def test_a_nullable_ref_is_wrapped_in_all_of() -> None:
    converted = to_openapi30(
        swagger(
            definitions={
                "A": {"type": "object", "properties": {"b": {"$ref": "#/definitions/B", "x-nullable": True}}},
                "B": {"type": "object", "additionalProperties": {"type": "string", "x-nullable": True}},
            }
        )
    )
    schemas = converted["components"]["schemas"]
    assert schemas["A"]["properties"]["b"] == {"allOf": [{"$ref": "#/components/schemas/B"}], "nullable": True}
    assert schemas["B"]["additionalProperties"] == {"type": "string", "nullable": True}
    validate(converted, cls=OpenAPIV30SpecValidator)


def test_a_discriminator_property_name_becomes_a_discriminator_object() -> None:
    converted = to_openapi30(
        swagger(
            definitions={
                "Pet": {
                    "type": "object",
                    "discriminator": "petType",
                    "required": ["petType"],
                    "properties": {"petType": {"type": "string"}},
                },
                "Cat": {"allOf": [{"$ref": "#/definitions/Pet"}, {"type": "object"}]},
            }
        )
    )
    schemas = converted["components"]["schemas"]
    assert schemas["Pet"]["discriminator"] == {"propertyName": "petType"}
    assert schemas["Cat"]["allOf"][0] == {"$ref": "#/components/schemas/Pet"}
    validate(converted, cls=OpenAPIV30SpecValidator)


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": ["string", "null"]}, {"type": "string", "nullable": True}),
        ({"type": ["integer", "string"]}, {"anyOf": [{"type": "integer"}, {"type": "string"}]}),
        ({"type": "null"}, {"nullable": True, "enum": [None]}),
        (
            {"type": "array", "items": [{"type": "integer"}, {"type": "null"}]},
            {"type": "array", "items": {"type": "integer", "nullable": True}},
        ),
        (
            {"type": "array", "items": [{"type": "integer"}, {"type": "string"}]},
            {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string"}]}},
        ),
        ({"type": "array", "items": [{"type": "integer"}]}, {"type": "array", "items": {"type": "integer"}}),
        ({"type": "array", "items": []}, {"type": "array"}),
        (
            {"items": [{"$ref": "#/definitions/A"}, {"type": "object", "properties": {"b": {"type": "string"}}}]},
            {
                "anyOf": [
                    {"$ref": "#/components/schemas/A"},
                    {"type": "object", "properties": {"b": {"type": "string"}}},
                ]
            },
        ),
        ({"items": [{"type": "integer"}, {"type": "null"}]}, {"type": "integer", "nullable": True}),
        (
            {"anyOf": [{"$ref": "#/definitions/A"}, {"type": "null"}]},
            {"nullable": True, "allOf": [{"$ref": "#/components/schemas/A"}]},
        ),
    ],
)
def test_json_schema_forms_real_2_0_specs_use_become_3_0_forms(
    schema: dict[str, Any], expected: dict[str, Any]
) -> None:
    # Not 2.0, but in Slack's spec: type lists, type null, lists of items (untyped: "one of these").
    converted = to_openapi30(swagger(definitions={"A": {"type": "object"}, "S": schema}))
    assert converted["components"]["schemas"]["S"] == expected
    validate(converted, cls=OpenAPIV30SpecValidator)


# -- operations -----------------------------------------------------------------------------------


def test_operation_fields_and_extensions_are_kept() -> None:
    operation = one_operation(
        {
            "operationId": "makeThing",
            "summary": "make",
            "description": "makes a thing",
            "tags": ["things"],
            "deprecated": True,
            "security": [{"key": []}],
            "externalDocs": {"url": "https://example.com"},
            "x-mock": {"heuristics": False},
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "schemes": ["https"],
        }
    )
    assert operation == {
        "tags": ["things"],
        "summary": "make",
        "description": "makes a thing",
        "externalDocs": {"url": "https://example.com"},
        "operationId": "makeThing",
        "responses": {"200": {"description": "ok", "content": {"application/json": {}}}},
        "deprecated": True,
        "security": [{"key": []}],
        "x-mock": {"heuristics": False},
    }


def test_extensions_on_paths_and_path_items_are_kept_and_not_taken_for_routes() -> None:
    converted = to_openapi30(
        swagger(
            paths={
                "x-owner": {"get": {"team": "core"}},
                "/things": {"x-internal": True, "get": {"responses": {"200": {"description": "ok"}}}},
            }
        )
    )
    assert converted["paths"]["x-owner"] == {"get": {"team": "core"}}
    assert converted["paths"]["/things"]["x-internal"] is True
    validate(converted, cls=OpenAPIV30SpecValidator)


def test_an_example_for_a_media_type_not_produced_still_gets_the_schema() -> None:
    response = {"description": "ok", "schema": {"type": "string"}, "examples": {"text/plain": "hello"}}
    content = one_operation({"responses": {"200": response}})["responses"]["200"]["content"]
    assert content == {
        "application/json": {"schema": {"type": "string"}},
        "text/plain": {"schema": {"type": "string"}, "example": "hello"},
    }


def test_body_and_form_examples_are_kept_as_examples() -> None:
    body = {"name": "b", "in": "body", "schema": {"type": "object"}, "x-examples": {"application/json": {"a": 1}}}
    content = one_operation({"parameters": [body]})["requestBody"]["content"]
    assert content == {"application/json": {"schema": {"type": "object"}, "example": {"a": 1}}}
    field = {"name": "n", "in": "formData", "type": "string", "x-example": "Ada"}
    form = one_operation({"parameters": [field]})["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert form["schema"]["properties"]["n"] == {"type": "string", "example": "Ada"}


# -- loading --------------------------------------------------------------------------------------


def test_loading_a_swagger_2_file_indexes_its_operations(tmp_path: Path) -> None:
    path = tmp_path / "petstore.yaml"
    path.write_text(PETSTORE, encoding="utf-8")
    api = load(path)
    assert api.base_path == "/v2"
    operations = {o.operation_id: o for o in api.operations}
    add = operations["addPet"]
    assert add.request_body_required is True
    body = add.request_content["application/json"]["schema"]
    assert body["required"] == ["name", "photoUrls"]
    assert body["properties"]["status"]["nullable"] is True
    assert add.responses["200"].media_type == "application/json"  # preferred among xml and json
    assert add.responses["405"].schema is not None and "message" in add.responses["405"].schema["properties"]
    assert operations["updatePet"].request_content["application/json"]["schema"] is not None
    photo = operations["getPetPhoto"].responses["200"]
    assert photo.media_type == "image/png" and photo.schema == {"type": "string", "format": "binary"}
    found = operations["findPetsByStatus"]
    assert found.responses["200"].headers == {"X-Rate-Limit": {"type": "integer", "format": "int32"}}
    assert found.responses["200"].examples == {"default": [{"id": 1, "name": "doggie", "photoUrls": []}]}
    assert {p.name: p.required for p in found.parameters} == {"status": True, "fields": False, "limit": False}
    assert {p.name for p in operations["getPetById"].parameters} == {"petId", "X-Request-Id"}
    assert [[s.type for s in alt] for alt in operations["getPetById"].security] == [["apiKey"], ["http"]]
    assert operations["getPetById"].security[1][0].scheme == "basic"
    assert [s.type for s in operations["addPet"].security[0]] == ["oauth2"]


def test_loading_form_operations_keeps_their_form_bodies_in_the_document(tmp_path: Path) -> None:
    path = tmp_path / "petstore.yaml"
    path.write_text(PETSTORE, encoding="utf-8")
    api = load(path)
    upload = api.document["paths"]["/pet/{petId}/uploadImage"]["post"]
    schema = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["file"] == {"type": "string", "format": "binary"}
    assert schema["required"] == ["file"]
    form = api.document["paths"]["/pet/{petId}"]["post"]["requestBody"]["content"]
    assert list(form) == ["application/x-www-form-urlencoded"]


def test_swagger_2_unquoted_version_number_is_converted_too(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(PETSTORE.replace("swagger: '2.0'", "swagger: 2.0"), encoding="utf-8")
    assert load(path).version == "3.0.3"


def test_an_invalid_swagger_2_document_fails_as_an_invalid_spec_when_strict(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses: {'200': {description: ok}}\n"
        "      parameters: [{name: q, in: query, type: banana}]\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecLoadError) as caught:
        load(path, strict=True)
    assert caught.value.kind is SpecErrorKind.INVALID
