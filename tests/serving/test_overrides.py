"""`/__mock/overrides`: tests steer the answer of an operation (status, example, body, headers, sequence)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_app_type import ServeApp
from starlette.testclient import TestClient

from mockserver.generation.responses import OperationMock
from mockserver.openapi.loader import load_all
from mockserver.openapi.model import ApiSpec
from mockserver.serving import overrides
from mockserver.serving.config import ServerConfig
from mockserver.serving.overrides import MAX_DOCUMENT, OVERRIDES_PATH

JOBS_SPEC = """
openapi: 3.0.3
info: {title: Jobs, version: '1'}
paths:
  /jobs:
    get:
      operationId: listJobs
      security: [{key: []}]
      parameters:
        - {name: state, in: query, schema: {type: string, enum: [queued, done]}}
      responses:
        '200':
          description: The jobs
          content:
            application/json:
              schema:
                type: object
                required: [jobs]
                properties: {jobs: {type: array, items: {type: string}, minItems: 1}}
              examples:
                none: {value: {jobs: [done-1]}}  # valid: an example breaking its schema is not served
        '429': {description: Too many requests, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        '503': {description: Jobs are unavailable, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Api-Key}
  schemas:
    Error:
      type: object
      required: [error]
      properties:
        error:
          type: object
          required: [message]
          properties: {message: {type: string}}
"""
JOBS = "/jobs/jobs"
KEY = {"X-Api-Key": "k-123"}


def jobs_spec(folder: Path) -> list[ApiSpec]:
    path = folder / "jobs.yaml"
    path.write_text(JOBS_SPEC)
    return load_all([path])


@pytest.fixture
def client(serve_app: ServeApp, tmp_path: Path) -> Iterator[TestClient]:
    with serve_app(jobs_spec(tmp_path), ServerConfig(seed=4)) as test_client:
        yield test_client


def override(client: TestClient, document: Any) -> dict[str, Any]:
    response = client.post(OVERRIDES_PATH, json=document)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def refused(client: TestClient, document: Any) -> str:
    response = client.post(OVERRIDES_PATH, json=document)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail: str = response.json()["detail"]
    return detail


def test_a_sequence_answers_each_step_in_order_then_the_normal_answer(client: TestClient) -> None:
    normal = client.get(JOBS, headers=KEY)
    override(client, {"operation": "listJobs", "sequence": [503, 503, 200]})
    answers = [client.get(JOBS, headers=KEY) for _ in range(4)]
    assert [r.status_code for r in answers] == [503, 503, 200, 200]
    assert answers[0].json() == {"error": {"message": "Jobs are unavailable"}}  # the documented envelope
    assert answers[2].json() == normal.json()  # a 200 step is the seeded, generated answer
    assert [r.headers.get("x-mock-override") for r in answers] == ["1", "1", "1", None]


def test_times_limits_an_override_and_the_newest_matching_one_wins(client: TestClient) -> None:
    override(client, {"operation": "listJobs", "status": 503})
    override(client, {"method": "GET", "path": "/jobs", "status": 429, "times": 1, "headers": {"Retry-After": "2"}})
    first, second, third = (client.get(JOBS, headers=KEY) for _ in range(3))
    assert (first.status_code, first.headers["retry-after"]) == (429, "2")
    assert (second.status_code, third.status_code) == (503, 503)


def test_a_condition_picks_the_requests_it_answers(client: TestClient) -> None:
    override(client, {"operation": "listJobs", "when": {"query": {"state": "done"}}, "example": "none"})
    override(client, {"operation": "listJobs", "when": {"header": {"X-Trace": {"present": True}}}, "status": 503})
    assert client.get(JOBS, params={"state": "done"}, headers=KEY).json() == {"jobs": ["done-1"]}
    assert client.get(JOBS, params={"state": "queued"}, headers=KEY).json()["jobs"]
    assert client.get(JOBS, headers={**KEY, "X-Trace": "1"}).status_code == 503


def test_a_literal_body_and_headers_are_sent_as_given(client: TestClient) -> None:
    override(client, {"operation": "listJobs", "body": {"jobs": ["a"]}, "headers": {"X-Extra": "yes"}})
    response = client.get(JOBS, headers=KEY)
    assert (response.status_code, response.json(), response.headers["x-extra"]) == (200, {"jobs": ["a"]}, "yes")


def test_headers_alone_go_on_the_normal_answer(client: TestClient) -> None:
    normal = client.get(JOBS, headers=KEY).json()
    override(client, {"operation": "listJobs", "headers": {"ETag": '"v1"'}})
    response = client.get(JOBS, headers=KEY)
    assert (response.json(), response.headers["etag"]) == (normal, '"v1"')


def test_an_undocumented_status_needs_allow_undocumented_then_gets_the_mocks_own_problem(client: TestClient) -> None:
    assert "documents no response for 502" in refused(client, {"operation": "listJobs", "status": 502})
    override(client, {"operation": "listJobs", "status": 502, "allow_undocumented": True})
    response = client.get(JOBS, headers=KEY)
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-mock-error"] == "true"


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({"operation": "listJobs", "status": 503, "colour": "red"}, "unknown key 'colour'"),
        ({"operation": "nope", "status": 503}, "unknown operation 'nope'; operations: listJobs"),
        ({"method": "GET", "path": "/nope", "status": 503}, "unknown operation GET /nope"),
        ({"status": 503}, "operation (an operationId) or method and path is required"),
        ({"operation": "listJobs", "example": "missing"}, "unknown example 'missing'; examples and fixtures: none"),
        ({"operation": "listJobs", "sequence": [503, {"status": 200, "wait": 1}]}, "sequence[1]: unknown key 'wait'"),
        ({"operation": "listJobs", "sequence": []}, "sequence must be a list of 1 to 1000 answers"),
        ({"operation": "listJobs", "sequence": [503], "times": 2}, "sequence and times"),
        ({"operation": "listJobs", "status": "503"}, "status='503' must be a whole number"),
        ({"operation": "listJobs", "status": 503, "times": 0}, "times=0 must be a whole number from 1"),
        ({"operation": "listJobs", "fault": "explode"}, "fault='explode' must be one of drop, truncate, trickle"),
        ({"operation": "listJobs", "headers": {"X-A": "1\r\nX-B: 2"}}, "header 'X-A' must be a token"),
        ({"operation": "listJobs", "when": {"body": {"a": "1"}}}, "when.body: conditions are on query, header, path"),
        ({"operation": "listJobs", "latency_ms": 10**9}, "latency_ms=1000000000 must be a whole number"),
        ({"operation": "listJobs", "status": 204, "allow_undocumented": True, "body": {}}, "a 204 answer has no"),
        ([1, 2], "an override is a JSON object, not list"),
    ],
)
def test_a_bad_override_is_refused_naming_the_problem(client: TestClient, document: Any, named: str) -> None:
    assert named in refused(client, document)


def test_not_json_too_large_and_too_many_are_refused_with_problems(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(overrides, "MAX_OVERRIDES", 3)  # the bound, without posting 1,000 of them
    assert client.post(OVERRIDES_PATH, content=b"{").status_code == 400
    huge = {"operation": "listJobs", "body": "x" * MAX_DOCUMENT}
    assert client.post(OVERRIDES_PATH, json=huge).status_code == 413
    for _ in range(3):
        client.post(OVERRIDES_PATH, json={"operation": "listJobs", "headers": {"X-A": "1"}})
    response = client.post(OVERRIDES_PATH, json={"operation": "listJobs", "status": 503})
    assert response.status_code == 409 and "3 overrides are kept at most" in response.json()["detail"]


def test_list_delete_one_and_clear(client: TestClient) -> None:
    first = override(client, {"operation": "listJobs", "status": 503, "times": 2})
    second = override(client, {"operation": "listJobs", "status": 429})
    client.get(JOBS, headers=KEY)
    listed = client.get(OVERRIDES_PATH).json()["overrides"]
    assert [(o["id"], o["used"], o["times"]) for o in listed] == [(first["id"], 0, 2), (second["id"], 1, None)]
    assert client.delete(f"{OVERRIDES_PATH}/{second['id']}").status_code == 204
    assert client.delete(f"{OVERRIDES_PATH}/{second['id']}").status_code == 404
    assert client.get(JOBS, headers=KEY).status_code == 503
    assert client.delete(OVERRIDES_PATH).status_code == 204
    assert client.get(OVERRIDES_PATH).json() == {"overrides": []}
    assert client.get(JOBS, headers=KEY).status_code == 200


def test_resetting_the_state_forgets_the_overrides(client: TestClient) -> None:
    override(client, {"operation": "listJobs", "status": 503})
    assert client.delete("/__mock/state").status_code == 204
    assert client.get(JOBS, headers=KEY).status_code == 200


def test_the_journal_says_which_override_answered(client: TestClient) -> None:
    created = override(client, {"operation": "listJobs", "status": 503, "times": 1})
    client.get(JOBS, headers=KEY)
    client.get(JOBS, headers=KEY)
    entries = [e for e in client.get("/__mock/requests").json()["requests"] if e["path"] == JOBS]
    assert [e.get("override") for e in entries] == [None, created["id"]]  # newest first


def test_credentials_are_still_checked_before_an_override(client: TestClient) -> None:
    override(client, {"operation": "listJobs", "status": 503})
    assert client.get(JOBS).status_code == 401


def test_a_chaos_override_for_every_operation(client: TestClient) -> None:
    override(client, {"chaos": 1})
    response = client.get(JOBS, headers=KEY)
    assert response.status_code in (429, 503) and response.headers["x-mock-chaos"] == str(response.status_code)
    assert "operation (an operationId) or method and path is required" in refused(client, {"status": 503, "chaos": 1})


def test_a_page_on_another_origin_cannot_steer_the_mock(client: TestClient) -> None:
    document = {"operation": "listJobs", "status": 503}
    refused = client.post(OVERRIDES_PATH, json=document, headers={"Origin": "http://attacker.example"})
    assert refused.status_code == 403
    assert client.get(OVERRIDES_PATH).json() == {"overrides": []}


def test_an_override_whose_answer_fails_is_a_plain_500_not_a_crash(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("no luck")

    monkeypatch.setattr(OperationMock, "render", broken)
    override(client, {"operation": "listJobs", "status": 200})
    response = client.get(JOBS, headers=KEY)
    assert (response.status_code, response.headers["x-mock-error"]) == (500, "true")
    assert response.json()["detail"] == "The override's answer failed: RuntimeError: no luck"
