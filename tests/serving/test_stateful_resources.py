"""State from the spec, in process: what a client writes to a resource it reads back, and lists page consistently."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from serve_app_type import ServeApp
from starlette.testclient import TestClient

from mockserver.openapi.loader import load
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.validation import schema_validator
from mockserver.serving import entities, resources
from mockserver.serving.config import ServerConfig

TASKS = Path(__file__).resolve().parents[2] / "examples" / "tasks" / "tasks.yaml"
BASE = "/tasks/v1/tasks"
AUTH = {"Authorization": "Bearer t"}


@pytest.fixture(scope="module")
def tasks() -> ApiSpec:
    return load(TASKS)


@pytest.fixture
def client(serve_app: ServeApp, tasks: ApiSpec) -> Iterator[TestClient]:
    with serve_app([tasks], ServerConfig(seed=5)) as test_client:
        yield test_client


def _valid(api: ApiSpec, operation_id: str, status: int, body: Any) -> None:
    schema = api.operation(operation_id).responses[str(status)].schema
    assert schema_validator(schema, openapi_31=False)(body) == []


def _walk(client: TestClient, **query: Any) -> list[dict[str, Any]]:
    """Every page of the list, following next_cursor; asserts it is null on the last page only."""
    seen: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        params = {**query, **({"cursor": cursor} if cursor else {})}
        page = client.get(BASE, params=params, headers=AUTH)
        assert page.status_code == 200, page.text
        body = page.json()
        seen += body["data"]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
        assert body["data"], "a page before the last one is empty"
    raise AssertionError("the pages never end")


def test_a_created_task_keeps_what_was_sent_and_gets_a_server_id(client: TestClient, tasks: ApiSpec) -> None:
    created = client.post(BASE, json={"title": "widget", "status": "doing"}, headers=AUTH)
    assert created.status_code == 201
    task = created.json()
    _valid(tasks, "createTask", 201, task)
    assert (task["title"], task["status"]) == ("widget", "doing")
    assert "notes" not in task  # a writable field the client did not send is not invented
    uuid.UUID(task["id"])
    assert created.headers["location"] == f"http://testserver{BASE}/{task['id']}"  # absolute, as documented headers
    other = client.post(BASE, json={"title": "widget"}, headers=AUTH).json()
    assert other["id"] != task["id"]
    assert other["status"] in ("todo", "doing", "done")  # required in a Task: generated, as the request omitted it


def test_a_task_is_read_listed_patched_and_deleted(client: TestClient, tasks: ApiSpec) -> None:
    task = client.post(BASE, json={"title": "write the report", "status": "todo"}, headers=AUTH).json()
    url = f"{BASE}/{task['id']}"
    assert client.get(url, headers=AUTH).json() == task
    assert task in _walk(client, limit=50)
    patched = client.patch(url, json={"status": "done"}, headers=AUTH)
    assert patched.status_code == 200
    _valid(tasks, "updateTask", 200, patched.json())
    assert patched.json()["status"] == "done" and patched.json()["title"] == "write the report"
    assert client.get(url, headers=AUTH).json()["status"] == "done"
    assert client.delete(url, headers=AUTH).status_code == 204
    gone = client.get(url, headers=AUTH)
    assert gone.status_code == 404
    _valid(tasks, "getTask", 404, gone.json())
    assert task["id"] in gone.json()["error"]["message"]
    assert client.patch(url, json={"title": "x"}, headers=AUTH).status_code == 404
    assert client.delete(url, headers=AUTH).status_code == 404
    assert all(item["id"] != task["id"] for item in _walk(client, limit=100))


def test_an_unknown_id_is_404_in_the_apis_envelope(client: TestClient) -> None:
    answer = client.get(f"{BASE}/{uuid.UUID(int=7)}", headers=AUTH)
    assert answer.status_code == 404
    assert set(answer.json()) == {"error"} and answer.json()["error"]["code"] == "not_found"


def test_137_tasks_are_walked_ten_at_a_time_each_exactly_once(client: TestClient, tasks: ApiSpec) -> None:
    pages = []
    cursor = None
    while True:
        body = client.get(BASE, params={"limit": 10, **({"cursor": cursor} if cursor else {})}, headers=AUTH).json()
        _valid(tasks, "listTasks", 200, body)
        pages.append(body["data"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert [len(page) for page in pages] == [10] * 13 + [7]
    ids = [item["id"] for page in pages for item in page]
    assert len(ids) == len(set(ids)) == resources.INITIAL_ITEMS


def test_the_list_and_its_items_agree(client: TestClient) -> None:
    for item in client.get(BASE, params={"limit": 5}, headers=AUTH).json()["data"]:
        assert client.get(f"{BASE}/{item['id']}", headers=AUTH).json() == item


def test_the_initial_tasks_come_from_the_seed(serve_app: ServeApp, tasks: ApiSpec, client: TestClient) -> None:
    first = client.get(BASE, headers=AUTH).json()["data"]
    with serve_app([tasks], ServerConfig(seed=5)) as again:
        assert again.get(BASE, headers=AUTH).json()["data"] == first
    with serve_app([tasks], ServerConfig(seed=6)) as other:
        assert other.get(BASE, headers=AUTH).json()["data"] != first


def test_tasks_created_or_deleted_mid_walk_cause_no_repeats_or_gaps(client: TestClient) -> None:
    first = client.get(BASE, params={"limit": 10}, headers=AUTH).json()
    client.delete(f"{BASE}/{first['data'][0]['id']}", headers=AUTH)  # already seen
    created = client.post(BASE, json={"title": "late"}, headers=AUTH).json()
    rest = _walk_from(client, first["next_cursor"])
    ids = [item["id"] for item in first["data"] + rest]
    assert len(ids) == len(set(ids)) == resources.INITIAL_ITEMS + 1
    assert ids[-1] == created["id"]


def _walk_from(client: TestClient, cursor: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    while cursor is not None:
        body = client.get(BASE, params={"limit": 10, "cursor": cursor}, headers=AUTH).json()
        seen += body["data"]
        cursor = body["next_cursor"]
    return seen


def test_a_filter_is_honoured_on_every_page(client: TestClient) -> None:
    done = _walk(client, status="done", limit=7)
    assert done and all(item["status"] == "done" for item in done)
    everything = _walk(client, limit=100)
    assert [i["id"] for i in done] == [i["id"] for i in everything if i["status"] == "done"]


def test_a_cursor_the_mock_did_not_issue_is_refused_in_the_envelope(client: TestClient, tasks: ApiSpec) -> None:
    issued = client.get(BASE, params={"limit": 3}, headers=AUTH).json()["next_cursor"]
    for forged in ("abc", "0" * 12, issued[:-1] + ("0" if issued[-1] != "0" else "1")):
        answer = client.get(BASE, params={"cursor": forged}, headers=AUTH)
        assert answer.status_code == 400, forged
        _valid(tasks, "listTasks", 400, answer.json())
        assert "was not issued" in answer.json()["error"]["message"]


def test_prefer_code_still_wins_over_state(client: TestClient) -> None:
    missing = f"{BASE}/{uuid.UUID(int=9)}"
    assert client.get(missing, headers={**AUTH, "Prefer": "code=200"}).status_code == 200
    some = client.get(BASE, headers=AUTH).json()["data"][0]
    assert client.get(f"{BASE}/{some['id']}", headers={**AUTH, "Prefer": "code=404"}).status_code == 404


def test_resetting_the_state_forgets_writes_and_restores_the_initial_tasks(client: TestClient) -> None:
    before = client.get(BASE, params={"limit": 100}, headers=AUTH).json()["data"]
    created = client.post(BASE, json={"title": "temporary"}, headers=AUTH).json()
    client.delete(f"{BASE}/{before[0]['id']}", headers=AUTH)
    assert client.delete("/__mock/state").status_code == 204
    assert client.get(f"{BASE}/{created['id']}", headers=AUTH).status_code == 404
    assert client.get(BASE, params={"limit": 100}, headers=AUTH).json()["data"] == before


def test_stateless_generates_every_answer_afresh(serve_app: ServeApp, tasks: ApiSpec) -> None:
    with serve_app([tasks], ServerConfig(seed=5, stateless=True)) as stateless:
        created = stateless.post(BASE, json={"title": "widget"}, headers=AUTH).json()
        assert stateless.get(f"{BASE}/{created['id']}", headers=AUTH).json()["id"] != created["id"]


def test_past_the_cap_creating_is_refused_with_507_in_the_envelope(
    serve_app: ServeApp, tasks: ApiSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(entities, "MAX_ENTITIES", resources.INITIAL_ITEMS + 1)
    with serve_app([tasks], ServerConfig(seed=5)) as capped:
        assert capped.post(BASE, json={"title": "fits"}, headers=AUTH).status_code == 201
        refused = capped.post(BASE, json={"title": "one too many"}, headers=AUTH)
        assert refused.status_code == 507 and refused.headers["x-mock-error"] == "true"
        assert "at most 138" in refused.json()["error"]["message"]


INTEGER_THINGS = {
    "openapi": "3.1.0",
    "info": {"title": "things", "version": "1"},
    "paths": {
        "/things": {
            "get": {
                "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {"name": "per_page", "in": "query", "schema": {"type": "integer", "maximum": 50}},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
                                        "total": {"type": "integer"},
                                        "has_more": {"type": "boolean"},
                                    },
                                }
                            }
                        },
                    }
                },
            },
            "put": {"responses": {"204": {"description": "nothing here"}}},
        },
        "/things/{thingId}": {
            "parameters": [{"name": "thingId", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                    }
                }
            },
            "put": {
                "requestBody": {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                    }
                },
            },
        },
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["id", "label"],
                "properties": {"id": {"type": "integer", "readOnly": True}, "label": {"type": "string"}},
            }
        }
    },
}


def test_integer_ids_count_up_and_pages_are_numbered(serve_app: ServeApp, tmp_path: Path) -> None:
    path = tmp_path / "things.yaml"
    path.write_text(yaml.safe_dump(INTEGER_THINGS, sort_keys=False), encoding="utf-8")
    with serve_app([load(path)], ServerConfig(seed=1)) as client:
        first = client.get("/things/things", params={"page": 1, "per_page": 50}).json()
        assert [item["id"] for item in first["items"]] == list(range(1, 51))
        assert (first["total"], first["has_more"]) == (resources.INITIAL_ITEMS, True)
        last = client.get("/things/things", params={"page": 3, "per_page": 50}).json()
        assert len(last["items"]) == resources.INITIAL_ITEMS - 100 and last["has_more"] is False
        assert client.get("/things/things/7").json() == first["items"][6]
        replaced = client.put("/things/things/7", json={"id": 7, "label": "seven"})
        assert replaced.json() == {**first["items"][6], "label": "seven"}
        upserted = client.put("/things/things/500", json={"id": 500, "label": "new"}).json()
        assert upserted["id"] == 500 and upserted["label"] == "new"
        assert client.get("/things/things/500").json() == upserted


def test_a_put_replaces_the_entity_a_field_left_out_is_gone(serve_app: ServeApp, tmp_path: Path) -> None:
    document = copy.deepcopy(INTEGER_THINGS)
    document["components"]["schemas"]["Thing"]["properties"]["note"] = {"type": "string"}
    path = tmp_path / "things.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with serve_app([load(path)], ServerConfig(seed=1)) as client:
        client.put("/things/things/900", json={"id": 900, "label": "first", "note": "keep me?"})
        replaced = client.put("/things/things/900", json={"id": 900, "label": "second"}).json()
        assert replaced == {"id": 900, "label": "second"}
        assert client.get("/things/things/900").json() == replaced


def test_a_post_never_overwrites_an_entity_a_client_put_at_a_later_integer_id(
    serve_app: ServeApp, tmp_path: Path
) -> None:
    document = copy.deepcopy(INTEGER_THINGS)
    thing = {"$ref": "#/components/schemas/Thing"}
    document["paths"]["/things"]["post"] = {
        "requestBody": {"content": {"application/json": {"schema": thing}}},
        "responses": {"201": _json(thing)},
    }
    path = tmp_path / "things.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with serve_app([load(path)], ServerConfig(seed=1)) as client:
        ahead = resources.INITIAL_ITEMS + 3  # the id the third POST would be given
        client.put(f"/things/things/{ahead}", json={"id": ahead, "label": "mine"})
        created = [client.post("/things/things", json={"label": f"new {i}"}).json()["id"] for i in range(4)]
        assert ahead not in created and len(set(created)) == 4
        assert client.get(f"/things/things/{ahead}").json()["label"] == "mine"


def test_a_nested_collection_keeps_each_parents_entities_apart(serve_app: ServeApp, tmp_path: Path) -> None:
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "notes", "version": "1"},
        "paths": {
            "/users/{userId}/notes": {
                "parameters": [{"name": "userId", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "get": {"responses": {"200": _json({"type": "array", "items": {"$ref": "#/components/schemas/Note"}})}},
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Note"}}}},
                    "responses": {"201": _json({"$ref": "#/components/schemas/Note"})},
                },
            },
            "/users/{userId}/notes/{noteId}": {
                "parameters": [
                    {"name": "userId", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "noteId", "in": "path", "required": True, "schema": {"type": "integer"}},
                ],
                "get": {"responses": {"200": _json({"$ref": "#/components/schemas/Note"}), "404": _json({})}},
            },
        },
        "components": {
            "schemas": {
                "Note": {
                    "type": "object",
                    "properties": {"id": {"type": "integer", "readOnly": True}, "text": {"type": "string"}},
                }
            }
        },
    }
    path = tmp_path / "notes.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with serve_app([load(path)], ServerConfig(seed=1)) as client:
        mine, theirs = client.get("/notes/users/1/notes").json(), client.get("/notes/users/2/notes").json()
        assert len(mine) == 20 and mine != theirs  # 20: a page, as no limit parameter says otherwise
        created = client.post("/notes/users/1/notes", json={"text": "hello"})
        assert created.headers["location"] == f"http://testserver/notes/users/1/notes/{created.json()['id']}"
        assert client.get(created.headers["location"]).json() == created.json()
        assert client.get(f"/notes/users/2/notes/{created.json()['id']}").status_code == 404


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": "ok", "content": {"application/json": {"schema": schema}}}


def test_an_entity_id_is_a_cursor_too(client: TestClient) -> None:
    first = client.get(BASE, params={"limit": 10}, headers=AUTH).json()["data"]
    second = client.get(BASE, params={"limit": 10}, headers=AUTH).json()
    after_id = client.get(BASE, params={"limit": 5, "cursor": first[4]["id"]}, headers=AUTH).json()["data"]
    assert after_id == first[5:10] == second["data"][5:10]


def test_an_unknown_cursor_where_no_refusal_is_documented_is_an_empty_last_page(
    serve_app: ServeApp, tmp_path: Path
) -> None:
    document: dict[str, Any] = yaml.safe_load(yaml.safe_dump(INTEGER_THINGS))
    listing = document["paths"]["/things"]["get"]
    listing["parameters"] = [{"name": "after", "in": "query", "schema": {"type": "string"}}]
    page = listing["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
    page.update({"first_id": {"type": "integer", "nullable": True}, "last_id": {"type": "integer", "nullable": True}})
    del page["total"]
    document["openapi"] = "3.0.3"
    path = tmp_path / "things.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with serve_app([load(path)], ServerConfig(seed=1)) as client:
        first = client.get("/things/things").json()
        assert (first["first_id"], first["last_id"], first["has_more"]) == (1, 20, True)
        assert client.get("/things/things", params={"after": "20"}).json()["first_id"] == 21
        unknown = client.get("/things/things", params={"after": "nope"})
        assert unknown.status_code == 200
        assert unknown.json()["items"] == [] and unknown.json()["has_more"] is False


def test_a_page_that_would_not_fit_its_schema_is_generated_whole(serve_app: ServeApp, tmp_path: Path) -> None:
    document: dict[str, Any] = yaml.safe_load(yaml.safe_dump(INTEGER_THINGS))
    listing = document["paths"]["/things"]["get"]
    listing["parameters"] = [{"name": "after", "in": "query", "schema": {"type": "string"}}]
    schema = listing["responses"]["200"]["content"]["application/json"]["schema"]
    schema["properties"]["items"]["minItems"] = 1  # an empty page (after an unknown cursor) cannot be sent
    schema["required"] = ["items", "total"]
    path = tmp_path / "things.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    api = load(path)
    with serve_app([api], ServerConfig(seed=1)) as client:
        answer = client.get("/things/things", params={"after": "nope"})
        assert answer.status_code == 200
        _valid(api, "get_things", 200, answer.json())


def test_a_write_only_field_is_taken_but_never_read_back(serve_app: ServeApp, tmp_path: Path) -> None:
    document: dict[str, Any] = yaml.safe_load(yaml.safe_dump(INTEGER_THINGS))
    document["components"]["schemas"]["Thing"]["properties"]["secret"] = {"type": "string", "writeOnly": True}
    path = tmp_path / "things.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with serve_app([load(path)], ServerConfig(seed=1)) as client:
        written = client.put("/things/things/7", json={"id": 7, "label": "seven", "secret": "hunter2"}).json()
        assert written["label"] == "seven"
        assert "hunter2" not in str(written) and "hunter2" not in client.get("/things/things/7").text


def test_state_lists_what_it_holds_and_a_reset_forgets_what_was_created(client: TestClient) -> None:
    created = client.post(BASE, json={"title": "buy milk", "status": "todo"}, headers=AUTH).json()
    assert client.get("/__mock/state").json()["rows"]["entities"] == 138
    assert client.delete("/__mock/state").status_code == 204
    assert client.get(f"{BASE}/{created['id']}", headers=AUTH).status_code == 404
    assert len(_walk(client)) == 137  # the initial ones again, from the seed


def test_generated_tasks_are_not_modified_before_they_were_created(client: TestClient) -> None:
    tasks = _walk(client)
    assert all(t["updated_at"] >= t["created_at"] for t in tasks)


def test_a_write_only_field_inside_a_kept_field_is_never_read_back(serve_app: ServeApp, tmp_path: Path) -> None:
    # Box's sign requests: signers[].password is writeOnly; the stored entity answered it in lists and reads.
    document: dict[str, Any] = yaml.safe_load(yaml.safe_dump(INTEGER_THINGS))
    signer = {
        "type": "object",
        "properties": {"email": {"type": "string"}, "password": {"type": "string", "writeOnly": True}},
    }
    properties = document["components"]["schemas"]["Thing"]["properties"]
    properties["signers"] = {"type": "array", "items": {"allOf": [signer]}}
    properties["owner"] = signer
    path = tmp_path / "things.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    sent = {"id": 7, "label": "seven", "signers": [{"email": "a@example.com", "password": "hunter2"}]}
    with serve_app([load(path)], ServerConfig(seed=1)) as client:
        written = client.put("/things/things/7", json={**sent, "owner": {"email": "o", "password": "hunter2"}}).json()
        assert written["signers"] == [{"email": "a@example.com"}] and written["owner"] == {"email": "o"}
        assert "hunter2" not in client.get("/things/things/7").text


def test_a_delete_documenting_another_answer_than_the_entity_gets_that_answer(
    serve_app: ServeApp, tmp_path: Path
) -> None:
    # GitHub's DELETE …/code-scanning/analyses/{id}: 200 is {next_analysis_url, confirm_delete_url}, both required
    # and readOnly. 3.0's plain validator excuses required readOnly fields, so the deleted entity was answered.
    document: dict[str, Any] = yaml.safe_load(yaml.safe_dump(INTEGER_THINGS))
    document["openapi"] = "3.0.3"  # 3.1's validator requires a required field whatever its readOnly says
    url = {"type": "string", "format": "uri", "nullable": True, "readOnly": True}
    deleted = {"type": "object", "required": ["next_url"], "properties": {"next_url": url}}
    document["paths"]["/things/{thingId}"]["delete"] = {
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": deleted}}}}
    }
    path = tmp_path / "things.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with serve_app([load(path)], ServerConfig(seed=1)) as client:
        assert client.put("/things/things/7", json={"id": 7, "label": "seven"}).status_code in (200, 201)
        answer = client.delete("/things/things/7")
        assert answer.status_code == 200 and set(answer.json()) == {"next_url"}


@pytest.mark.parametrize(
    "query",
    [
        {"per_page": 10**30},  # GitHub's `per_page` and OpenAI's `limit` have no maximum: schemathesis sent these
        {"page": 10**30, "per_page": 10**20},
        {"rank": 10**30},
        {"rank": -(10**30)},
        {"rank": 10**400},  # past a double too
    ],
)
def test_integers_past_64_bits_in_a_list_query_are_answered_not_a_500(
    serve_app: ServeApp, tmp_path: Path, query: dict[str, int]
) -> None:
    document: dict[str, Any] = yaml.safe_load(yaml.safe_dump(INTEGER_THINGS))
    listing = document["paths"]["/things"]["get"]
    listing["parameters"][1]["schema"].pop("maximum")
    listing["parameters"].append({"name": "rank", "in": "query", "schema": {"type": "integer"}})
    document["components"]["schemas"]["Thing"]["properties"]["rank"] = {"type": "integer"}
    path = tmp_path / "things.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    with serve_app([load(path)], ServerConfig(seed=1)) as client:
        answer = client.get("/things/things", params=query)
    assert answer.status_code == 200, answer.text
    if "rank" in query or "page" in query:
        assert answer.json()["items"] == []
    else:
        assert len(answer.json()["items"]) == 137  # the whole collection: a page holds at most what it has
