"""Seeding and inspecting a collection over `/__mock/state/<api><collection>`, and initial entities from
`fixtures/<api>/_state/`, in process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_app_type import ServeApp
from starlette.testclient import TestClient

from mockserver.openapi.loader import load
from mockserver.openapi.model import ApiSpec
from mockserver.serving import entities, seeding
from mockserver.serving.config import ServerConfig

ROOT = Path(__file__).resolve().parents[2]
TASKS = ROOT / "examples" / "tasks" / "tasks.yaml"
SHELF = Path(__file__).resolve().parent / "seeding_api" / "specs" / "shelf.yaml"
LIST = "/tasks/v1/tasks"
SEED = "/__mock/state/tasks/v1/tasks"
AUTH = {"Authorization": "Bearer t"}


@pytest.fixture(scope="module")
def tasks() -> ApiSpec:
    return load(TASKS)


@pytest.fixture(scope="module")
def shelf() -> ApiSpec:
    return load(SHELF)


@pytest.fixture
def client(serve_app: ServeApp, tasks: ApiSpec) -> Iterator[TestClient]:
    with serve_app([tasks], ServerConfig(seed=5)) as test_client:
        yield test_client


@pytest.fixture
def shelf_client(serve_app: ServeApp, shelf: ApiSpec) -> Iterator[TestClient]:
    with serve_app([shelf], ServerConfig(seed=5)) as test_client:
        yield test_client


def _task(n: int, **fields: Any) -> dict[str, Any]:
    stamp = "2026-01-01T00:00:00Z"
    task = {"id": f"00000000-0000-4000-8000-{n:012d}", "title": f"task {n}", "status": "todo"}
    return {**task, "created_at": stamp, "updated_at": stamp, **fields}


def _walk(client: TestClient) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        body = client.get(LIST, params={"limit": 10, **({"cursor": cursor} if cursor else {})}, headers=AUTH).json()
        seen += body["data"]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("the pages never end")


def test_get_lists_the_initial_entities_the_list_pages_show(client: TestClient) -> None:
    listed = client.get(SEED)
    assert listed.status_code == 200
    body = listed.json()
    assert (body["api"], body["collection"], body["count"]) == ("/tasks/v1", "/tasks", 137)
    assert body["entities"] == _walk(client)


def test_put_replaces_the_collection_and_the_api_serves_exactly_those_in_order(client: TestClient) -> None:
    client.get(LIST, headers=AUTH)  # the initial entities made first: seeding replaces them
    seeded = [_task(2), _task(1, status="done")]
    answer = client.put(SEED, json=seeded)
    assert answer.status_code == 200
    assert answer.json() == {"api": "/tasks/v1", "collection": "/tasks", "count": 2}
    assert client.get(LIST, headers=AUTH).json() == {"data": seeded, "next_cursor": None}
    assert client.get(f"{LIST}/{seeded[1]['id']}", headers=AUTH).json() == seeded[1]
    assert client.get(SEED).json()["entities"] == seeded


def test_put_of_an_empty_list_leaves_the_collection_empty(client: TestClient) -> None:
    assert client.put(SEED, json=[]).status_code == 200
    assert client.get(LIST, headers=AUTH).json() == {"data": [], "next_cursor": None}
    created = client.post(LIST, json={"title": "first"}, headers=AUTH).json()
    assert [t["id"] for t in client.get(LIST, headers=AUTH).json()["data"]] == [created["id"]]


def test_an_invalid_entity_is_a_400_naming_the_entity_and_field_and_nothing_changes(client: TestClient) -> None:
    before = client.get(SEED).json()["entities"]
    answer = client.put(SEED, json=[_task(1), _task(2, status="someday")])
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert (problem["entity"], problem["field"]) == (1, "status")
    assert "entity [1]" in problem["detail"] and "someday" in problem["detail"]
    assert client.get(SEED).json()["entities"] == before


@pytest.mark.parametrize(
    ("entities_sent", "entity", "field", "words"),
    [
        ([_task(1), _task(1)], 1, "id", "is entity [0]'s id too"),
        ([{"title": "no id", "status": "todo"}], 0, "id", "required"),
        ([_task(1), "a task"], 1, None, "not an object"),
        ([_task(1, created_at="yesterday")], 0, "created_at", "date-time"),
    ],
)
def test_entities_that_cannot_be_kept_are_refused_with_the_reason(
    client: TestClient, entities_sent: list[Any], entity: int, field: str | None, words: str
) -> None:
    answer = client.put(SEED, json=entities_sent)
    assert answer.status_code == 400
    problem = answer.json()
    assert (problem["entity"], problem["field"]) == (entity, field)
    assert words in problem["detail"]


@pytest.mark.parametrize(
    ("body", "words"), [(b"[{", "not JSON"), (b'{"entities": []}', "not a list"), (b"\xff", "not JSON")]
)
def test_a_body_that_is_not_a_json_list_is_a_400(client: TestClient, body: bytes, words: str) -> None:
    answer = client.put(SEED, content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert words in answer.json()["detail"]


def test_more_entities_than_a_collection_holds_is_a_413(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seeding, "MAX_ENTITIES", 2)
    answer = client.put(SEED, json=[_task(1), _task(2), _task(3)])
    assert answer.status_code == 413
    assert "at most 2" in answer.json()["detail"]


def test_a_body_larger_than_the_seed_limit_is_a_413(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seeding, "MAX_SEED_BYTES", 100)
    answer = client.put(SEED, json=[_task(n) for n in range(1, 5)])
    assert answer.status_code == 413


def test_past_the_servers_total_seeding_is_a_507_and_nothing_changes(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.get(LIST, headers=AUTH)  # 137 kept
    monkeypatch.setattr(entities, "MAX_TOTAL", 3)
    answer = client.put(SEED, json=[_task(n) for n in range(1, 5)])
    assert answer.status_code == 507
    assert client.get(SEED).json()["count"] == 137
    assert client.put(SEED, json=[_task(1), _task(2), _task(3)]).status_code == 200  # replaces: 3 in all


def test_past_the_servers_bytes_seeding_is_a_507_and_nothing_changes(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.get(LIST, headers=AUTH)  # 137 kept
    monkeypatch.setattr(entities, "MAX_BYTES", len(json.dumps(_task(1))) * 7 // 2)  # three tasks and a half
    answer = client.put(SEED, json=[_task(n) for n in range(1, 5)])
    assert answer.status_code == 507 and "bytes of JSON" in answer.json()["detail"]
    assert client.get(SEED).json()["count"] == 137
    assert client.put(SEED, json=[_task(1), _task(2), _task(3)]).status_code == 200  # the 137 go: 3 in all


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/__mock/state/tasks/v1/tags", "/tags is not a collection of /tasks/v1 (collections: /tasks)"),
        ("/__mock/state/nowhere/tasks", "No API is mounted at /nowhere/tasks"),
    ],
)
def test_a_path_naming_no_collection_is_a_404_listing_what_there_is(client: TestClient, path: str, words: str) -> None:
    for answer in (client.get(path), client.put(path, json=[])):
        assert answer.status_code == 404
        assert answer.headers["x-mock-error"] == "true"
        assert words in answer.json()["detail"]


def test_delete_forgets_the_collection_and_it_starts_again_from_the_seed(client: TestClient) -> None:
    initial = client.get(SEED).json()["entities"]
    client.put(SEED, json=[_task(1)])
    assert client.delete(SEED).status_code == 204
    assert client.get(LIST, headers=AUTH).json()["data"] == initial[:20]


def test_delete_of_all_state_forgets_what_was_seeded(client: TestClient) -> None:
    initial = client.get(SEED).json()["entities"]
    client.put(SEED, json=[_task(1)])
    assert client.delete("/__mock/state").status_code == 204
    assert client.get(SEED).json()["entities"] == initial


def test_other_methods_are_405_with_allow(client: TestClient) -> None:
    answer = client.post(SEED, json=[])
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD, PUT, DELETE"


def test_seeding_a_stateless_server_is_a_409(serve_app: ServeApp, tasks: ApiSpec) -> None:
    with serve_app([tasks], ServerConfig(seed=5, stateless=True)) as stateless:
        answer = stateless.put(SEED, json=[_task(1)])
        assert answer.status_code == 409
        assert "--stateless" in answer.json()["detail"]


def test_a_cross_origin_page_cannot_seed(client: TestClient) -> None:
    answer = client.put(SEED, json=[_task(1)], headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert client.get(SEED).json()["count"] == 137


def test_books_created_after_seeding_are_numbered_past_the_seeded_ids(shelf_client: TestClient) -> None:
    seeded = [{"id": 7, "title": "Dune"}, {"id": 2, "title": "Emma"}]
    assert shelf_client.put("/__mock/state/shelf/books", json=seeded).status_code == 200
    created = shelf_client.post("/shelf/books", json={"title": "Ulysses"}).json()
    assert created["id"] == 8
    assert shelf_client.get("/shelf/books").json() == [*seeded, created]


def test_a_nested_collection_is_seeded_for_its_parent_only(shelf_client: TestClient) -> None:
    notes = [{"id": "n1", "text": "Fragile"}]
    assert shelf_client.put("/__mock/state/shelf/shelves/low/notes", json=notes).status_code == 200
    assert shelf_client.get("/shelf/shelves/low/notes").json() == {"data": notes}
    assert shelf_client.get("/shelf/shelves/mid/notes").json()["data"] != notes


# Initial entities from fixtures/<api>/_state/ (tests/serving/seeding_api/fixtures/shelf/_state) -----------------


def test_a_state_fixture_gives_the_initial_entities_instead_of_generated_ones(shelf_client: TestClient) -> None:
    books = shelf_client.get("/shelf/books").json()
    assert books == [
        {"id": 3, "title": "Dune", "pages": 412},
        {"id": 10, "title": "Emma"},
        {"id": 4, "title": "Ulysses", "pages": 730},
    ]
    assert shelf_client.get("/shelf/books/10").json() == {"id": 10, "title": "Emma"}
    assert shelf_client.get("/shelf/books/1").status_code == 404
    created = shelf_client.post("/shelf/books", json={"title": "Middlemarch"}).json()
    assert created["id"] == 11  # past the fixture's largest id: no fixture book is overwritten


def test_a_parent_without_its_own_state_fixture_takes_the_templates(shelf_client: TestClient) -> None:
    assert shelf_client.get("/shelf/shelves/any/notes").json() == {"data": [{"id": "dust", "text": "Dust this shelf"}]}
    top = shelf_client.get("/shelf/shelves/top/notes").json()["data"]
    assert [note["id"] for note in top] == ["high", "light"]


def test_fixture_entities_come_back_after_a_reset(shelf_client: TestClient) -> None:
    shelf_client.put("/__mock/state/shelf/books", json=[{"id": 1, "title": "Seeded"}])
    shelf_client.delete("/__mock/state")
    assert [b["id"] for b in shelf_client.get("/shelf/books").json()] == [3, 10, 4]
