"""Lists without an item path page one stable data set, in process: Onepin's activity feed walked by cursor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from serve_app_type import ServeApp
from serving_support import AUTH, ONEPIN
from starlette.testclient import TestClient

from mockserver.openapi.loader import load
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.validation import schema_validator
from mockserver.serving import resources
from mockserver.serving.config import ServerConfig

SPEC = Path(__file__).resolve().parents[2] / "specs" / "onepin.yaml"
TODAY = date(2026, 3, 15)
OPERATION = "usage_activity_api_v1_usage_activity_get"


@pytest.fixture(scope="module")
def onepin() -> ApiSpec:
    return load(SPEC)


@pytest.fixture(scope="module")
def client(serve_app: ServeApp, onepin: ApiSpec) -> Iterator[TestClient]:
    with serve_app([onepin], ServerConfig(seed=4, today=lambda: TODAY)) as test_client:
        yield test_client


def _walk(client: TestClient, onepin: ApiSpec, **query: Any) -> list[list[dict[str, Any]]]:
    """Every page of the feed, following `pagination.next`; each page valid, `next` only before the last one."""
    valid = schema_validator(onepin.operation(OPERATION).responses["200"].schema, openapi_31=True)
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    for _ in range(200):
        response = client.get(ONEPIN, params={**query, **({"cursor": cursor} if cursor else {})}, headers=AUTH)
        assert response.status_code == 200, response.text
        body = response.json()
        assert valid(body) == []
        pages.append(body["data"])
        cursor = body["pagination"].get("next")
        if cursor is None:
            return pages
        assert len(body["data"]) == query.get("limit", 20), "a page before the last one is short"
    raise AssertionError("the pages never end")


def test_walking_the_feed_by_ten_sees_each_event_once_and_next_ends_on_the_last_page(
    client: TestClient, onepin: ApiSpec
) -> None:
    pages = _walk(client, onepin, limit=10)
    ids = [event["id"] for page in pages for event in page]
    assert len(pages) == 14 and len(ids) == len(set(ids)) == resources.INITIAL_ITEMS
    assert len(pages[-1]) == resources.INITIAL_ITEMS - 130
    assert _walk(client, onepin, limit=10) == pages  # the same data set each time, not pages drawn per request
    by_seven = [event["id"] for page in _walk(client, onepin, limit=7) for event in page]
    assert by_seven == ids  # one order, whatever the page size


def test_the_feed_is_newest_first_across_pages_within_its_window(client: TestClient, onepin: ApiSpec) -> None:
    stamps = [event["timestamp"] for page in _walk(client, onepin, limit=25) for event in page]
    assert stamps == sorted(stamps, reverse=True)
    assert (TODAY - timedelta(days=30)).isoformat() <= stamps[-1] and stamps[0] < TODAY.isoformat() + "T23:59:59Z"


def test_a_type_filter_holds_on_every_page_and_loses_no_event(client: TestClient, onepin: ApiSpec) -> None:
    every = [event for page in _walk(client, onepin, limit=50) for event in page]
    pages = _walk(client, onepin, limit=10, type="workflow_run")
    assert len(pages) > 1
    assert all(event["action"] == "workflow_run" for page in pages for event in page)
    assert [event for page in pages for event in page] == [e for e in every if e["action"] == "workflow_run"]


def test_a_user_id_filter_on_a_nested_field_holds_on_every_page(client: TestClient, onepin: ApiSpec) -> None:
    every = [event for page in _walk(client, onepin, limit=100) for event in page]
    user_id = next(event["user"]["id"] for event in every if event.get("user"))
    wanted = [e for e in every if (e.get("user") or {}).get("id") == user_id]
    pages = _walk(client, onepin, limit=1, user_id=user_id)
    assert [event for page in pages for event in page] == wanted
    both = _walk(client, onepin, limit=1, user_id=user_id, type=wanted[0]["action"])
    assert both and all(e["user"]["id"] == user_id and e["action"] == wanted[0]["action"] for p in both for e in p)


def test_a_cursor_the_mock_did_not_issue_is_refused_in_onepins_422(client: TestClient, onepin: ApiSpec) -> None:
    foreign = "cursor_eyJpZCI6IjNmYTg1ZjY0NTcxNzQ1NjJiM2ZjMmM5NjNmNjZhZmE2In0"  # the docs' example cursor
    response = client.get(ONEPIN, params={"cursor": foreign}, headers=AUTH)
    assert response.status_code == 422
    body = response.json()
    assert schema_validator(onepin.operation(OPERATION).responses["422"].schema, openapi_31=True)(body) == []
    assert body["detail"][0]["loc"] == ["query", "cursor"]
    assert "not issued by this server" in body["detail"][0]["msg"]


def test_prev_leads_back_to_the_page_before(client: TestClient) -> None:
    first = client.get(ONEPIN, params={"limit": 10}, headers=AUTH).json()
    assert first["pagination"].get("prev") is None
    second = client.get(ONEPIN, params={"limit": 10, "cursor": first["pagination"]["next"]}, headers=AUTH).json()
    third = client.get(ONEPIN, params={"limit": 10, "cursor": second["pagination"]["next"]}, headers=AUTH).json()
    back = client.get(ONEPIN, params={"limit": 10, "cursor": third["pagination"]["prev"]}, headers=AUTH).json()
    assert back["data"] == second["data"]
    again = client.get(ONEPIN, params={"limit": 10, "cursor": back["pagination"]["prev"]}, headers=AUTH).json()
    assert again["data"] == first["data"] and again["pagination"].get("prev") is None


def test_prefer_seed_walks_that_seeds_data_set_as_a_server_started_with_it_would(
    client: TestClient, serve_app: ServeApp, onepin: ApiSpec
) -> None:
    seeded = {**AUTH, "Prefer": "seed=9"}
    with serve_app([onepin], ServerConfig(seed=9, today=lambda: TODAY)) as nine:
        cursor = None
        for _ in range(20):
            params = {"limit": 40, **({"cursor": cursor} if cursor else {})}
            asked = client.get(ONEPIN, params=params, headers=seeded)
            assert asked.content == nine.get(ONEPIN, params=params, headers=AUTH).content
            cursor = asked.json()["pagination"].get("next")
            if cursor is None:
                break
        assert cursor is None
    # The server's own cursors are not seed 9's.
    own = client.get(ONEPIN, params={"limit": 40}, headers=AUTH).json()["pagination"]["next"]
    assert client.get(ONEPIN, params={"limit": 40, "cursor": own}, headers=seeded).status_code == 422


def test_edge_cases_stay_generated_per_request(client: TestClient) -> None:
    edgy = {**AUTH, "Prefer": "edge=1"}
    stored = client.get(ONEPIN, params={"limit": 100}, headers=AUTH).json()["data"]
    assert client.get(ONEPIN, params={"limit": 100}, headers=edgy).json()["data"] != stored
    assert client.get(ONEPIN, params={"cursor": "made-up"}, headers=edgy).status_code == 200


def test_stateless_the_feed_is_generated_per_request(serve_app: ServeApp, onepin: ApiSpec) -> None:
    with serve_app([onepin], ServerConfig(seed=4, stateless=True)) as stateless:
        foreign = stateless.get(ONEPIN, params={"cursor": "anything"}, headers=AUTH)
        assert foreign.status_code == 200
        seeds = {
            tuple(e["id"] for e in stateless.get(ONEPIN, headers={**AUTH, "Prefer": f"seed={n}"}).json()["data"])
            for n in range(3)
        }
        assert len(seeds) == 3


def _write(tmp_path: Path, document: dict[str, Any]) -> ApiSpec:
    path = tmp_path / "feed.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return load(path)


def test_resource_false_leaves_the_feed_generated_per_request(serve_app: ServeApp, tmp_path: Path) -> None:
    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    document["paths"]["/api/v1/usage/activity"]["get"]["x-mock"]["resource"] = False
    with serve_app([_write(tmp_path, document)], ServerConfig(seed=4)) as opted_out:
        path = "/feed" + ONEPIN.removeprefix("/onepin")
        assert opted_out.get(path, params={"cursor": "anything"}, headers=AUTH).status_code == 200


NUMBERS: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "numbers", "version": "1"},
    "paths": {
        "/readings": {
            "get": {
                "parameters": [
                    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                    {"name": "count", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50}},
                    {"name": "unit", "in": "query", "schema": {"type": "string", "enum": ["c", "f"]}},
                ],
                "x-mock": {"limit": {"param": "query.count", "array": "readings"}},
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["readings"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "readings": {
                                            "type": "array",
                                            "items": {
                                                "type": "object",
                                                "additionalProperties": False,
                                                "required": ["value", "unit"],
                                                "properties": {
                                                    "value": {"type": "number"},
                                                    "unit": {"type": "string", "enum": ["c", "f"]},
                                                },
                                            },
                                        },
                                        "next_offset": {"type": "integer", "nullable": True},
                                    },
                                }
                            }
                        },
                    }
                },
            }
        }
    },
}


def test_items_without_an_id_are_kept_by_position_and_paged_by_offset(serve_app: ServeApp, tmp_path: Path) -> None:
    with serve_app([_write(tmp_path, NUMBERS)], ServerConfig(seed=2)) as numbers:
        seen: list[dict[str, Any]] = []
        offset: int | None = 0
        while offset is not None:
            body = numbers.get("/feed/readings", params={"offset": offset, "count": 40}).json()
            assert set(body) <= {"readings", "next_offset"}  # the position key is never sent
            assert all(set(reading) == {"value", "unit"} for reading in body["readings"])
            seen += body["readings"]
            offset = body.get("next_offset")
        assert len(seen) == resources.INITIAL_ITEMS
        assert numbers.get("/feed/readings", params={"offset": 40, "count": 40}).json()["readings"] == seen[40:80]
        celsius = numbers.get("/feed/readings", params={"count": 50, "unit": "c"}).json()["readings"]
        assert celsius == [reading for reading in seen if reading["unit"] == "c"][:50]


def test_a_page_of_zero_items_is_answered_and_its_next_stays_in_place(serve_app: ServeApp, tmp_path: Path) -> None:
    document = yaml.safe_load(yaml.safe_dump(NUMBERS))
    parameters = document["paths"]["/readings"]["get"]["parameters"]
    parameters[0] = {"name": "cursor", "in": "query", "schema": {"type": "string"}}
    parameters[1]["schema"]["minimum"] = 0
    readings = document["paths"]["/readings"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    readings["properties"]["next_cursor"] = readings["properties"].pop("next_offset")
    readings["properties"]["next_cursor"]["type"] = "string"
    with serve_app([_write(tmp_path, document)], ServerConfig(seed=2)) as numbers:
        first = numbers.get("/feed/readings", params={"count": 3}).json()
        empty = numbers.get("/feed/readings", params={"count": 0, "cursor": first["next_cursor"]})
        assert empty.status_code == 200 and empty.json()["readings"] == []
        after = numbers.get("/feed/readings", params={"count": 3, "cursor": empty.json()["next_cursor"]}).json()
        second = numbers.get("/feed/readings", params={"count": 3, "cursor": first["next_cursor"]}).json()
        assert after == second
