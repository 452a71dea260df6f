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
        [api],
        config or ServerConfig(access_log=False),
        {api.name: (ProxySettings(upstream=UPSTREAM, **settings), run)},
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


def test_a_tests_override_answers_instead_of_the_upstream(api: ApiSpec) -> None:
    upstream = Upstream()
    with proxied(api, upstream) as (client, _run):
        made = client.post("/__mock/overrides", json={"operation": "listThings", "status": 401, "times": 1})
        assert made.status_code == 201, made.text
        overridden = client.get("/things/v1/things", headers=AUTH)
        forwarded = client.get("/things/v1/things", headers=AUTH)  # the override was for one request only
        entries = journal(client)
    assert overridden.status_code == 401 and "X-Mock-Override" in overridden.headers
    assert forwarded.status_code == 200 and forwarded.json() == THINGS
    assert len(upstream.requests) == 1
    assert [e.get("proxy") for e in entries if e["path"] == "/things/v1/things"] == ["forwarded", "overridden"]


def test_an_override_whose_condition_does_not_hold_leaves_the_request_to_the_upstream(api: ApiSpec) -> None:
    upstream = Upstream()
    with proxied(api, upstream) as (client, _run):
        when = {"query": {"kind": "b"}}
        client.post("/__mock/overrides", json={"operation": "listThings", "status": 401, "when": when})
        answer = client.get("/things/v1/things?kind=a", headers=AUTH)
    assert answer.status_code == 200 and len(upstream.requests) == 1


def _statuses(client: TestClient, times: int) -> list[int]:
    return [client.get("/things/v1/things", headers=AUTH).status_code for _ in range(times)]


def test_a_mocked_operation_meets_the_same_seeded_chaos_as_in_the_mock_alone(api: ApiSpec) -> None:
    # One draw per request: had the mock behind the proxy drawn again, its fates would follow another sequence.
    from mockserver.serving.app import build_app

    config = ServerConfig(seed=7, chaos=0.5, access_log=False)
    with proxied(api, Upstream(), config, mocked=frozenset({"listThings"})) as (client, _run):
        through_proxy = _statuses(client, 16)
    with TestClient(build_app([api], config)) as client:
        mock_alone = _statuses(client, 16)
    assert through_proxy == mock_alone
    assert {200, 401} <= set(mock_alone)  # the sequence has both fates: the comparison can tell them apart


def test_an_api_without_an_upstream_is_served_by_the_mock_with_its_own_chaos(
    api: ApiSpec, tmp_path_factory: pytest.TempPathFactory
) -> None:
    other = things_api(tmp_path_factory.mktemp("other"), name="others")
    upstream = Upstream()
    run = ProxyRun(api, UPSTREAM)
    app = build_proxy_app(
        [api, other],
        ServerConfig(chaos=1.0, access_log=False),
        {api.name: (ProxySettings(upstream=UPSTREAM, max_rate=0), run)},
        transport=httpx.MockTransport(upstream),
    )
    with TestClient(app) as client:
        mocked = client.get(f"{other.mount_path}/things", headers=AUTH)
    assert mocked.status_code == 401 and mocked.headers["X-Mock-Chaos"] == "401"
    assert not upstream.requests


def test_a_proxy_for_an_api_not_served_is_refused(api: ApiSpec) -> None:
    with pytest.raises(ValueError, match="no API 'nope' to proxy; served: things"):
        build_proxy_app([api], ServerConfig(), {"nope": (ProxySettings(upstream=UPSTREAM), ProxyRun(api, UPSTREAM))})


def test_a_cookie_the_upstream_set_for_one_client_is_never_sent_for_another(api: ApiSpec) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=THINGS, headers={"Set-Cookie": "session=client-a-secret; Path=/"})

    upstream = Upstream(reply)
    with proxied(api, upstream) as (client, _run):
        first = client.get("/things/v1/things", headers=AUTH)
        client.cookies.clear()  # the second client has no cookie of its own
        client.get("/things/v1/things", headers=AUTH)
    assert first.headers["set-cookie"].startswith("session=")  # handed to the client it was for
    assert "cookie" not in upstream.requests[1].headers


def stored(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"size": len(request.read())})


UPLOAD = {"Content-Type": "application/octet-stream"}


def test_an_upload_goes_upstream_as_it_arrives_not_held_to_the_body_cap(api: ApiSpec) -> None:
    upstream = Upstream(stored)
    data = bytes(range(256)) * 64  # 16 KiB, four times the cap for a body that is read whole
    with proxied(api, upstream, allow_unsafe=True, max_body=4096) as (client, run):
        answer = client.put("/things/v1/files/a.bin", content=data, headers=UPLOAD)
        entries = journal(client)
    assert answer.status_code == 200 and answer.json() == {"size": len(data)}
    assert upstream.requests[0].content == data
    assert upstream.requests[0].headers["content-length"] == str(len(data))  # as announced, not re-chunked
    assert entries[0]["request_body"] == f"streamed upstream, {len(data)} bytes, not checked"
    assert not run.result.violations


def test_a_json_body_is_still_read_whole_and_bounded(api: ApiSpec) -> None:
    with proxied(api, Upstream(), allow_unsafe=True, max_body=64) as (client, _run):
        answer = client.post("/things/v1/things", json={"id": 1, "name": "x" * 100}, headers=AUTH)
    assert answer.status_code == 413


def test_a_streamed_upload_the_upstream_lacks_gets_the_upstreams_404_not_the_mock(api: ApiSpec) -> None:
    upstream = Upstream(lambda request: (request.read(), httpx.Response(404, json={"error": "none"}))[1])
    with proxied(api, upstream, allow_unsafe=True) as (client, _run):
        answer = client.put("/things/v1/files/a.bin", content=b"abc", headers=UPLOAD)
    assert answer.status_code == 404 and answer.json() == {"error": "none"}  # its body is gone: no replay to mock
