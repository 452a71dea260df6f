"""The contract part a violation is about, cut from the spec as written, with a pointer to it."""

from __future__ import annotations

from typing import Any

from mockserver.contract.excerpts import LIMIT, excerpt_for

DOCUMENT: dict[str, Any] = {
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Item": {"type": "object", "properties": {"n": {"type": "integer"}}}},
        "responses": {"Error": {"description": "bad", "content": {"application/json": {"example": {"x": 1}}}}},
    },
    "paths": {
        "/items/{id}": {
            "get": {
                "x-mock": {"limit": {"param": "limit", "array": "data"}},
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"example": "x" * 5000}}},
                    "4XX": {"$ref": "#/components/responses/Error"},
                },
            }
        }
    },
}
OP = "GET /items/{id}"


def test_a_schema_violation_shows_the_schema_its_message_names() -> None:
    message = "1 is not of type 'integer'\n\nSchema at /components/schemas/Item/properties/n:\n\n  {}"
    found = excerpt_for(DOCUMENT, OP, "response_schema_conformance", 200, message)
    assert found.pointer == "/components/schemas/Item/properties/n" and '"integer"' in found.text


def test_an_error_envelope_shows_the_documented_response_resolved_without_examples() -> None:
    found = excerpt_for(DOCUMENT, OP, "error_envelope", 404, "")
    assert found.pointer == "/paths/~1items~1{id}/get/responses/4XX"
    assert '"description": "bad"' in found.text and "example" not in found.text


def test_an_x_mock_rule_shows_the_operation_s_x_mock() -> None:
    found = excerpt_for(DOCUMENT, OP, "xmock_limit", 200)
    assert found.pointer.endswith("/get/x-mock") and '"param": "limit"' in found.text


def test_ignored_auth_shows_the_security_requirement_and_schemes() -> None:
    found = excerpt_for(DOCUMENT, OP, "ignored_auth", 200)
    assert found.pointer == "/security" and '"scheme": "bearer"' in found.text


def test_a_status_check_shows_which_statuses_are_documented() -> None:
    found = excerpt_for(DOCUMENT, OP, "status_code_conformance", 418)
    assert found.pointer.endswith("/get/responses") and '"200": "ok"' in found.text


def test_a_long_part_is_cut_and_an_unknown_operation_gives_an_empty_excerpt() -> None:
    document = {"paths": {"/a": {"get": {"responses": {"200": {"description": "d" * 5000}}}}}}
    assert len(excerpt_for(document, "GET /a", "content_type_conformance", 200).text) <= LIMIT + 2
    assert excerpt_for(DOCUMENT, "GET /nope", "not_a_server_error", 500).pointer == ""
