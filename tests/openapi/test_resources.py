"""Resources read from a spec's paths (or `x-mock.resource`), and how their lists page: pure inference."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.errors import SpecErrorKind, SpecLoadError
from mockserver.openapi.loader import load
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.resources import cursor_parameter, infer_resources, normalize, pagination
from mockserver.openapi.xmock import ResourceKey

TASKS = Path(__file__).resolve().parents[2] / "examples" / "tasks" / "tasks.yaml"


def _thing(id_name: str = "id", id_schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {id_name: id_schema or {"type": "string"}, "name": {"type": "string"}},
    }


def _document(
    item: str = "/things/{id}", thing: dict[str, Any] | None = None, listing: dict[str, Any] | None = None
) -> dict[str, Any]:
    thing = thing or _thing()
    ok = {"description": "ok", "content": {"application/json": {"schema": thing}}}
    page = {"type": "array", "items": thing} if listing is None else listing
    param = item.rpartition("/")[2][1:-1]
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {
                "get": {
                    "parameters": [
                        {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}},
                    ],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": page}}}},
                },
                "post": {"responses": {"201": ok}},
            },
            item: {
                "parameters": [{"name": param, "in": "path", "required": True, "schema": {"type": "string"}}],
                "get": {"responses": {"200": ok, "404": {"description": "gone"}}},
                "patch": {"responses": {"200": ok}},
                "delete": {"responses": {"204": {"description": "gone"}}},
            },
        },
    }


def _load(tmp_path: Path, document: dict[str, Any]) -> ApiSpec:
    path = tmp_path / "things.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return load(path)


def test_a_collection_and_its_item_path_are_one_resource_with_every_role(tmp_path: Path) -> None:
    roles = infer_resources(_load(tmp_path, _document()))
    assert {key: role for key, (_, role) in roles.items()} == {
        ("get", "/things"): "list",
        ("post", "/things"): "create",
        ("get", "/things/{id}"): "read",
        ("patch", "/things/{id}"): "update",
        ("delete", "/things/{id}"): "delete",
    }
    resource = roles[("get", "/things")][0]
    assert (resource.collection, resource.item, resource.param, resource.id_field, resource.items) == (
        "/things",
        "/things/{id}",
        "id",
        "id",
        (),
    )


@pytest.mark.parametrize(
    ("param", "field"),
    [("thingId", "id"), ("thing_id", "thing_id"), ("thingId", "thingId"), ("uuid", "uuid"), ("thingUuid", "uuid")],
)
def test_the_id_field_is_the_one_the_path_parameter_names(tmp_path: Path, param: str, field: str) -> None:
    roles = infer_resources(_load(tmp_path, _document(f"/things/{{{param}}}", _thing(field))))
    assert roles[("get", f"/things/{{{param}}}")][0].id_field == field


def test_no_id_like_field_matching_the_parameter_is_no_resource(tmp_path: Path) -> None:
    assert infer_resources(_load(tmp_path, _document("/things/{owner}", _thing("id")))) == {}
    assert infer_resources(_load(tmp_path, _document("/things/{thingId}", _thing("code")))) == {}


def test_a_wrapped_list_is_known_by_the_array_whose_items_carry_the_id(tmp_path: Path) -> None:
    listing = {
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"type": "string"}},
            "data": {"type": "array", "items": _thing()},
        },
    }
    roles = infer_resources(_load(tmp_path, _document(listing=listing)))
    assert roles[("get", "/things")][0].items == ("data",)


def test_a_list_whose_items_cannot_be_found_is_left_stateless(tmp_path: Path) -> None:
    listing = {"type": "object", "properties": {"count": {"type": "integer"}}}
    roles = infer_resources(_load(tmp_path, _document(listing=listing)))
    assert ("get", "/things") not in roles and ("get", "/things/{id}") in roles


def test_resource_false_leaves_one_operation_out(tmp_path: Path) -> None:
    document = _document()
    document["paths"]["/things/{id}"]["delete"]["x-mock"] = {"resource": False}
    roles = infer_resources(_load(tmp_path, document))
    assert ("delete", "/things/{id}") not in roles and ("get", "/things/{id}") in roles


def test_x_mock_resource_states_what_inference_cannot(tmp_path: Path) -> None:
    document = _document("/things/{owner}", _thing("id"))
    document["paths"]["/things"]["get"]["x-mock"] = {
        "resource": {"collection": "/things", "item": "/things/{owner}", "id": "name"}
    }
    api = _load(tmp_path, document)
    assert api.operation("get_things").x_mock.resource == ResourceKey("/things", "/things/{owner}", "name")
    roles = infer_resources(api)
    assert roles[("get", "/things/{owner}")][0].id_field == "name"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"collection": "/things", "item": "/things/{id}", "id": "id", "ids": 1}, "x-mock.resource.ids: unknown key"),
        (
            {"collection": "/thngs", "item": "/things/{id}", "id": "id"},
            "x-mock.resource.collection: '/thngs' is not a path",
        ),
        ({"collection": "/things", "item": "/things/{id}"}, "x-mock.resource.id: is required"),
        ({"collection": "/things", "item": "/things/{id}", "id": "key"}, "x-mock.resource.id: '[].key' is not a field"),
        ({"collection": "/things", "item": "/things", "id": "id"}, "x-mock.resource.item: '/things' must end in"),
        ("yes", "x-mock.resource: must be a mapping"),
    ],
)
def test_a_mistake_in_x_mock_resource_is_a_load_error_naming_the_key(tmp_path: Path, edit: Any, message: str) -> None:
    document = copy.deepcopy(_document())
    document["paths"]["/things"]["get"]["x-mock"] = {"resource": edit}
    with pytest.raises(SpecLoadError) as raised:
        _load(tmp_path, document)
    assert raised.value.kind is SpecErrorKind.BAD_EXTENSION
    assert "GET /things" in str(raised.value) and message in str(raised.value)
    assert len(str(raised.value).splitlines()) == 1


def test_the_tasks_example_pages_by_cursor_into_next_cursor() -> None:
    api = load(TASKS)
    roles = infer_resources(api)
    resource, role = roles[("get", "/tasks")]
    assert role == "list" and resource.items == ("data",) and resource.param == "taskId"
    pages = pagination(api.operation("listTasks"), resource)
    assert (pages.kind, pages.param, pages.limit, pages.next_field) == ("cursor", "cursor", "limit", ("next_cursor",))
    assert (pages.default_size, pages.max_size) == (20, 100)
    assert cursor_parameter(api.operation("listTasks")) == "cursor"


def test_page_and_offset_parameters_are_read_as_such(tmp_path: Path) -> None:
    document = _document()
    document["paths"]["/things"]["get"]["parameters"] = [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 0}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "default": 5}},
    ]
    api = _load(tmp_path, document)
    pages = pagination(api.operation("get_things"), infer_resources(api)[("get", "/things")][0])
    assert (pages.kind, pages.param, pages.limit, pages.first_page, pages.default_size) == (
        "page",
        "page",
        "per_page",
        0,
        5,
    )


def test_names_are_compared_whatever_their_spelling() -> None:
    assert normalize("nextCursor") == normalize("next_cursor") == normalize("next-cursor") == "next_cursor"
    assert normalize("thingUUID") == "thing_uuid"


def test_a_nested_collection_is_named_per_parent_and_its_items_have_urls(tmp_path: Path) -> None:
    document = _document()
    document["paths"] = {"/users/{userId}" + route: item for route, item in document["paths"].items()}
    for item in document["paths"].values():
        item["parameters"] = [
            {"name": "userId", "in": "path", "required": True, "schema": {"type": "integer"}},
            *item.get("parameters", []),
        ]
    resource = infer_resources(_load(tmp_path, document))[("get", "/users/{userId}/things")][0]
    assert resource.instance({"userId": 7}) == "/users/7/things"
    assert resource.item_path({"userId": 7}, "a/b c") == "/users/7/things/a%2Fb%20c"
