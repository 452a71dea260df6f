"""Paged lists with no item path are list-only resources: which are, their key, their array, their page size."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from mockserver.openapi.loader import load
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.resources import POSITION, infer_resources, pagination

ONEPIN = Path(__file__).resolve().parents[2] / "specs" / "onepin.yaml"


def _event(*fields: str) -> dict[str, Any]:
    return {"type": "object", "properties": {name: {"type": "string"} for name in fields}}


def _feed(parameters: list[str], listing: dict[str, Any], x_mock: dict[str, Any] | None = None) -> dict[str, Any]:
    get: dict[str, Any] = {
        "parameters": [{"name": name, "in": "query", "schema": {"type": "string"}} for name in parameters],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": listing}}}},
    }
    if x_mock is not None:
        get["x-mock"] = x_mock
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/events": {"get": get}}}


def _load(tmp_path: Path, document: dict[str, Any]) -> ApiSpec:
    path = tmp_path / "feed.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return load(path)


def _wrapped(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {"meta": {"type": "object"}, "data": {"type": "array", "items": items}}}


def test_onepins_feed_is_a_list_only_resource_keyed_by_id_in_data() -> None:
    api = load(ONEPIN)
    resource, role = infer_resources(api)[("get", "/api/v1/usage/activity")]
    assert (role, resource.list_only, resource.id_field, resource.items) == ("list", True, "id", ("data",))
    pages = pagination(api.operations[0], resource)
    assert (pages.kind, pages.param, pages.limit, pages.max_size) == ("cursor", "cursor", "limit", 100)
    assert (pages.next_field, pages.previous_field) == (("pagination", "next"), ("pagination", "prev"))


def test_items_without_an_id_like_field_are_keyed_by_position(tmp_path: Path) -> None:
    roles = infer_resources(_load(tmp_path, _feed(["page"], {"type": "array", "items": _event("name")})))
    resource, _ = roles[("get", "/events")]
    assert (resource.id_field, resource.items) == (POSITION, ())


def test_an_id_like_field_is_the_key_id_first(tmp_path: Path) -> None:
    roles = infer_resources(_load(tmp_path, _feed(["offset"], _wrapped(_event("slug", "uuid", "id")))))
    assert roles[("get", "/events")][0].id_field == "id"
    roles = infer_resources(_load(tmp_path, _feed(["offset"], _wrapped(_event("name", "uuid")))))
    assert roles[("get", "/events")][0].id_field == "uuid"


def test_a_list_without_a_cursor_page_or_offset_parameter_is_left_generated(tmp_path: Path) -> None:
    assert infer_resources(_load(tmp_path, _feed(["limit", "q"], _wrapped(_event("id"))))) == {}


def test_a_list_of_scalars_is_left_generated(tmp_path: Path) -> None:
    listing = {"type": "object", "properties": {"data": {"type": "array", "items": {"type": "string"}}}}
    assert infer_resources(_load(tmp_path, _feed(["cursor"], listing))) == {}


def test_resource_false_and_a_series_opt_a_list_out(tmp_path: Path) -> None:
    assert infer_resources(_load(tmp_path, _feed(["cursor"], _wrapped(_event("id")), {"resource": False}))) == {}
    series = {"series": {"array": "data", "start": "query.start", "end": "query.end", "field": "day"}}
    document = _feed(["cursor", "start", "end"], _wrapped(_event("id", "day")), series)
    assert infer_resources(_load(tmp_path, document)) == {}


def test_a_list_with_an_item_path_below_it_is_no_list_only_resource(tmp_path: Path) -> None:
    document = _feed(["cursor"], _wrapped(_event("code")))  # `{owner}` names no field: no resource either
    ok = {"description": "ok", "content": {"application/json": {"schema": _event("code")}}}
    document["paths"]["/events/{owner}"] = {
        "parameters": [{"name": "owner", "in": "path", "required": True, "schema": {"type": "string"}}],
        "get": {"responses": {"200": ok}},
    }
    assert infer_resources(_load(tmp_path, document)) == {}


def test_x_mock_limit_names_the_array_and_the_page_size(tmp_path: Path) -> None:
    listing = {
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": _event("id")},
            "rows": {"type": "array", "items": _event("id")},
        },
    }
    document = _feed(["cursor", "count"], listing, {"limit": {"param": "query.count", "array": "rows"}})
    api = _load(tmp_path, copy.deepcopy(document))
    resource, _ = infer_resources(api)[("get", "/events")]
    assert resource.items == ("rows",)
    assert pagination(api.operations[0], resource).limit == "count"
