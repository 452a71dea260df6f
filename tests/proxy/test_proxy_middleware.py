"""The proxy's layer in process, its upstream an httpx MockTransport: what is forwarded, refused, mocked, cut."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from proxy_support import things_api
from starlette.testclient import TestClient

from mockserver.openapi.model import ApiSpec, Operation
from mockserver.proxy.app import build_proxy_app
from mockserver.proxy.middleware import ProxySettings
from mockserver.proxy.run import ProxyRun
from mockserver.serving.config import ServerConfig

UPSTREAM = "https://things.example/v1"
AUTH = {"Authorization": "Bearer t0ken-4e2a"}
THINGS = {"data": [{"id": 1, "kind": "a"}]}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiSpec:
    return things_api(tmp_path_factory.mktemp("spec"))


class Upstream:
    """A scripted upstream: answers with `reply(request)`, remembers every request."""

    def __init__(self, reply: Any = None) -> None:
        self.requests: list[httpx.Request] = []
        self.reply = reply or (lambda request: httpx.Response(200, json=THINGS))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response: httpx.Response = self.reply(request)
        return response


@contextmanager
def proxied(
    api: ApiSpec, upstream: Upstream, config: ServerConfig | None = None, **settings: Any
) -> Iterator[tuple[TestClient, ProxyRun]]:
    run = ProxyRun(api, UPSTREAM)
    app = build_proxy_app(
        api,
        config or ServerConfig(access_log=False),
        ProxySettings(upstream=UPSTREAM, **settings),
        run,
        transport=httpx.MockTransport(upstream),
    )
    with TestClient(app) as client:
        yield client, run


def journal(client: TestClient) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = client.get("/__mock/requests").json()["requests"]
    return entries


def test_a_request_is_forwarded_with_the_upstreams_host_and_without_hop_by_hop_headers(api: ApiSpec) -> None:
    upstream = Upstream()
    with proxied(api, upstream) as (client, run):
        answer = client.get(
            "/things/v1/things?kind=a",
            headers={**AUTH, "Connection": "close, X-Hop", "X-Hop": "proxy only", "X-Trace": "1"},
        )
    assert answer.status_code == 200 and answer.json() == THINGS and "x-mock-violations" not in answer.headers
    (sent,) = upstream.requests
    assert str(sent.url) == f"{UPSTREAM}/things?kind=a"
    assert sent.headers["host"] == "things.example" and sent.headers["x-trace"] == "1"
    assert sent.headers["authorization"] == AUTH["Authorization"] and "x-hop" not in sent.headers
    assert sent.headers["connection"] == "keep-alive"  # the proxy's own connection, not the client's "close"
    assert run.result.requests == 1 and run.result.statuses_seen == {"GET /things": {200}}


def test_a_violation_is_journaled_and_named_in_a_header(api: ApiSpec) -> None:
    upstream = Upstream(lambda request: httpx.Response(200, json={"data": "none"}))
    with proxied(api, upstream) as (client, run):
        answer = client.get("/things/v1/things", headers=AUTH)
        (entry,) = [e for e in journal(client) if e["path"] == "/things/v1/things"]
    assert answer.status_code == 200 and answer.headers["x-mock-violations"] == "1; response_schema_conformance"
    assert entry["proxy"] == "forwarded" and entry["violations"][0]["check"] == "response_schema_conformance"
    assert [v.check for v in run.result.violations] == ["response_schema_conformance"]


def test_fail_on_violation_answers_502_problem_json(api: ApiSpec) -> None:
    upstream = Upstream(lambda request: httpx.Response(418, json={}))
    with proxied(api, upstream, fail_on_violation=True) as (client, _run):
        answer = client.get("/things/v1/things", headers=AUTH)
    assert answer.status_code == 502 and answer.headers["content-type"] == "application/problem+json"
    assert "status_code_conformance" in answer.json()["detail"] and answer.headers["x-mock-error"] == "true"


def test_a_redirect_is_passed_back_not_followed(api: ApiSpec) -> None:
    elsewhere = "https://cdn.other.example/files/a"
    upstream = Upstream(lambda request: httpx.Response(302, headers={"Location": elsewhere}))
    with proxied(api, upstream) as (client, run):
        answer = client.get("/things/v1/files/a", headers=AUTH, follow_redirects=False)
    assert answer.status_code == 302 and answer.headers["location"] == elsewhere
    assert len(upstream.requests) == 1 and not run.result.violations


def test_a_file_streams_through_unchanged(api: ApiSpec) -> None:
    payload = bytes(range(256)) * 64
    upstream = Upstream(
        lambda request: httpx.Response(200, content=payload, headers={"content-type": "application/octet-stream"})
    )
    with proxied(api, upstream) as (client, run):
        answer = client.get("/things/v1/files/a")
    assert answer.status_code == 200 and answer.content == payload and not run.result.violations


def test_a_streamed_answer_past_the_size_cap_is_cut_off_and_journaled(api: ApiSpec) -> None:
    payload = b"x" * 4096
    upstream = Upstream(
        lambda request: httpx.Response(200, content=payload, headers={"content-type": "application/octet-stream"})
    )
    with proxied(api, upstream, max_bytes=1024) as (client, _run):
        answer = client.get("/things/v1/files/a")
        (entry,) = [e for e in journal(client) if e["path"] == "/things/v1/files/a"]
    assert answer.status_code == 200 and len(answer.content) < len(payload)
    assert "cut off" in entry["problem"]


def test_head_is_forwarded_as_head_to_the_get_operation(api: ApiSpec) -> None:
    upstream = Upstream(lambda request: httpx.Response(200, headers={"content-type": "application/json"}))
    with proxied(api, upstream) as (client, run):
        answer = client.head("/things/v1/things/4", headers=AUTH)
    assert answer.status_code == 200 and upstream.requests[0].method == "HEAD" and not run.result.violations


def test_an_answer_past_the_size_cap_is_the_proxys_502(api: ApiSpec) -> None:
    upstream = Upstream(lambda request: httpx.Response(200, json={"data": [{"id": n} for n in range(1000)]}))
    with proxied(api, upstream, max_bytes=1024) as (client, _run):
        answer = client.get("/things/v1/things", headers=AUTH)
    assert answer.status_code == 502 and answer.json()["type"] == "urn:mockserver:problem:proxy-answer-too-large"


def test_an_unsafe_method_is_refused_unless_allowed(api: ApiSpec) -> None:
    thing = {"id": 7, "name": "seven"}
    upstream = Upstream(lambda request: httpx.Response(201, json=json.loads(request.content)))
    with proxied(api, upstream) as (client, _run):
        refused = client.post("/things/v1/things", json=thing, headers=AUTH)
    assert refused.status_code == 405 and refused.headers["x-mock-error"] == "true" and not upstream.requests
    assert refused.json()["type"] == "urn:mockserver:problem:proxy-unsafe-method"
    with proxied(api, upstream, allow_unsafe=True) as (client, run):
        made = client.post("/things/v1/things", json=thing, headers=AUTH)
    assert made.status_code == 201 and made.json() == thing and not run.result.violations


def test_an_invalid_request_the_upstream_accepts_is_negative_data_rejection(api: ApiSpec) -> None:
    upstream = Upstream(lambda request: httpx.Response(201, json={"id": 1, "name": "x"}))
    with proxied(api, upstream, allow_unsafe=True) as (client, run):
        client.post("/things/v1/things", json={"id": "x"}, headers=AUTH)
    assert [v.check for v in run.result.violations] == ["negative_data_rejection"]


@pytest.mark.parametrize("status", [404, 501])
def test_an_operation_the_upstream_lacks_is_answered_by_the_mock(api: ApiSpec, status: int) -> None:
    upstream = Upstream(lambda request: httpx.Response(status, json={"detail": "no"}))
    with proxied(api, upstream) as (client, run):
        answer = client.get("/things/v1/things/3", headers=AUTH)
        (entry,) = [e for e in journal(client) if e["path"] == "/things/v1/things/3"]
    assert answer.status_code == 200 and answer.json()["id"] == 3  # the mock echoes the path parameter
    assert entry["proxy"] == "fallback" and run.result.requests == 0


def test_without_fallback_the_upstreams_404_is_passed_back(api: ApiSpec) -> None:
    upstream = Upstream(lambda request: httpx.Response(404, json={"detail": "no"}))
    with proxied(api, upstream, fallback=False) as (client, _run):
        answer = client.get("/things/v1/things/3", headers=AUTH)
    assert answer.status_code == 404 and answer.json() == {"detail": "no"}


def test_an_unreachable_upstream_is_mocked_or_a_502(api: ApiSpec) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with proxied(api, Upstream(refuse)) as (client, _run):
        assert client.get("/things/v1/things/3", headers=AUTH).status_code == 200
    with proxied(api, Upstream(refuse), fallback=False) as (client, _run):
        answer = client.get("/things/v1/things/3", headers=AUTH)
    assert answer.status_code == 502 and "connection refused" in answer.json()["detail"]


def test_mocked_operations_never_reach_the_upstream(api: ApiSpec) -> None:
    upstream = Upstream()
    with proxied(api, upstream, mocked=frozenset({"getThing"})) as (client, _run):
        assert client.get("/things/v1/things/5", headers=AUTH).json()["id"] == 5
        assert client.get("/things/v1/things", headers=AUTH).json() == THINGS
    assert [r.url.path for r in upstream.requests] == ["/v1/things"]


def test_chaos_applies_to_proxied_traffic(api: ApiSpec) -> None:
    upstream = Upstream()
    with proxied(api, upstream, ServerConfig(chaos=1.0, access_log=False)) as (client, _run):
        answer = client.get("/things/v1/things", headers=AUTH)
    assert answer.status_code == 401 and not upstream.requests  # the one documented error, in its envelope


def test_chaos_switched_on_at_run_time_applies_to_proxied_traffic(api: ApiSpec) -> None:
    upstream = Upstream()
    with proxied(api, upstream) as (client, _run):
        assert client.put("/__mock/chaos", json={"chaos": 1}).status_code == 200
        answer = client.get("/things/v1/things", headers=AUTH)
        assert answer.status_code == 401 and not upstream.requests
        assert journal(client)[0]["proxy"] == "chaos"


def test_chaos_switched_on_at_run_time_is_the_proxys_for_mocked_operations_too(api: ApiSpec) -> None:
    with proxied(api, Upstream(), mocked=frozenset({"getThing"})) as (client, _run):
        client.put("/__mock/chaos", json={"chaos": 1})
        assert client.get("/things/v1/things/5", headers=AUTH).status_code >= 400
        # drawn by the proxy, once, as for forwarded requests (not by the mock behind it, a second time)
        assert journal(client)[0]["proxy"] == "chaos"


def test_the_chaos_settings_shown_are_the_proxys_options(api: ApiSpec) -> None:
    with proxied(api, Upstream(), ServerConfig(chaos=0.25, latency=(0, 3), access_log=False)) as (client, _run):
        shown = client.get("/__mock/chaos").json()
    assert (shown["chaos"], shown["latency_ms"], shown["changed"]) == (0.25, [0, 3], False)


def test_each_upstream_answer_reaches_the_hooks(api: ApiSpec) -> None:
    seen: list[tuple[str, int, str, Any]] = []

    def hook(op: Operation, status: int, headers: Any, body: bytes, secrets: tuple[str, ...]) -> None:
        assert "t0ken-4e2a" in secrets  # the request's own credential, for the recorder to mask
        seen.append((op.operation_id, status, headers["content-type"], json.loads(body)))

    with proxied(api, Upstream(), hooks=(hook,)) as (client, _run):
        client.get("/things/v1/things", headers=AUTH)
    assert seen == [("listThings", 200, "application/json", THINGS)]


def test_a_failing_hook_is_logged_and_the_client_still_gets_its_answer(
    api: ApiSpec, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(op: Operation, status: int, headers: Any, body: bytes, secrets: tuple[str, ...]) -> None:
        raise OSError("disk full")

    with proxied(api, Upstream(), hooks=(broken,)) as (client, _run):
        answer = client.get("/things/v1/things", headers=AUTH)
    assert answer.status_code == 200 and answer.json() == THINGS
    assert any("hook broken failed on GET /things: disk full" in r.getMessage() for r in caplog.records)


def test_past_the_rate_bound_a_request_that_would_wait_too_long_gets_the_proxys_429(
    api: ApiSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mockserver.proxy.middleware as middleware

    monkeypatch.setattr(middleware, "MAX_WAIT", 0.5)
    upstream = Upstream()
    # One request every 2 s: the second, sent at once, would wait about 2 s, longer than it may.
    with proxied(api, upstream, max_rate=0.5) as (client, _run):
        first = client.get("/things/v1/things", headers=AUTH)
        second = client.get("/things/v1/things", headers=AUTH)
    assert first.status_code == 200 and len(upstream.requests) == 1
    assert second.status_code == 429 and second.headers["retry-after"] == "2"
    assert second.json()["type"] == "urn:mockserver:problem:proxy-rate-bound"


def test_the_environments_key_is_sent_and_masked_in_the_journal(api: ApiSpec) -> None:
    key = "env-k3y-91c2"
    upstream = Upstream(lambda request: httpx.Response(200, json={"data": key}))  # echoes it, and drifts
    with proxied(api, upstream, api_key=key) as (client, run):
        client.get("/things/v1/things")
        entries = json.dumps(journal(client))
    assert upstream.requests[0].headers["authorization"] == f"Bearer {key}"
    assert run.result.violations and key not in run.text() and key not in entries
