"""`/__mock/chaos`: chaos, latency and faults switched while the server runs, shared by every worker."""

from __future__ import annotations

from pathlib import Path

import pytest
from serve_app_type import ServeApp
from serving_support import CALL_BY_API
from starlette.testclient import TestClient

from mockserver.openapi.model import ApiSpec
from mockserver.serving.config import ServerConfig

CALL = CALL_BY_API["openrouter"]
CHAOS = "/__mock/chaos"


def chaotic(client: TestClient) -> bool:
    return client.get(CALL.path, params=CALL.params, headers=CALL.headers).status_code >= 400


def test_get_shows_the_servers_options_unchanged(serve_app: ServeApp, bundled: list[ApiSpec]) -> None:
    with serve_app(bundled, ServerConfig(chaos=0.25, latency=(0, 5))) as client:
        shown = client.get(CHAOS).json()
    assert shown["chaos"] == 0.25 and shown["latency_ms"] == [0, 5] and shown["changed"] is False
    assert shown["options"]["chaos"] == 0.25


def test_put_turns_chaos_on_for_every_operation_and_delete_turns_it_back_off(
    serve_app: ServeApp, bundled: list[ApiSpec]
) -> None:
    with serve_app(bundled, ServerConfig()) as client:
        assert not chaotic(client)
        answer = client.put(CHAOS, json={"chaos": 1})
        assert answer.status_code == 200 and answer.json()["chaos"] == 1.0 and answer.json()["changed"] is True
        response = client.get(CALL.path, params=CALL.params, headers=CALL.headers)
        assert response.status_code >= 400 and "X-Mock-Chaos" in response.headers
        assert client.get("/__mock/requests").json()["requests"][0]["chaos"] == response.status_code
        assert client.delete(CHAOS).json()["changed"] is False
        assert not chaotic(client)


def test_latency_set_at_run_time_is_marked_in_the_journal(serve_app: ServeApp, bundled: list[ApiSpec]) -> None:
    with serve_app(bundled, ServerConfig()) as client:
        assert client.put(CHAOS, json={"latency_ms": [1, 2]}).json()["latency_ms"] == [1, 2]
        client.get(CALL.path, params=CALL.params, headers=CALL.headers)
        assert client.get("/__mock/requests").json()["requests"][0]["latency_ms"] in (1, 2)


def test_keys_not_given_keep_the_servers_options(serve_app: ServeApp, bundled: list[ApiSpec]) -> None:
    with serve_app(bundled, ServerConfig(chaos=0.5)) as client:
        shown = client.put(CHAOS, json={"latency_ms": "10-20"}).json()
    assert shown["chaos"] == 0.5 and shown["latency_ms"] == [10, 20]


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"chaos": 2}, "chaos=2"),
        ({"chaos": True}, "chaos=True"),
        ({"latency_ms": 60001}, "latency_ms"),
        ({"latency_ms": [5, 1]}, "latency_ms"),
        ({"faults": ["explode"]}, "faults"),
        ({"fault_rate": -1}, "fault_rate"),
        ({"speed": 1}, "unknown key 'speed'"),
        ([1], "JSON object"),
    ],
)
def test_bad_settings_are_a_400_naming_the_key_and_change_nothing(
    serve_app: ServeApp, bundled: list[ApiSpec], body: object, names: str
) -> None:
    with serve_app(bundled, ServerConfig()) as client:
        answer = client.put(CHAOS, json=body)
        assert answer.status_code == 400 and names in answer.json()["detail"]
        assert client.get(CHAOS).json()["changed"] is False


def test_a_large_or_non_json_body_is_refused(serve_app: ServeApp, bundled: list[ApiSpec]) -> None:
    with serve_app(bundled, ServerConfig()) as client:
        assert client.put(CHAOS, content=b"{" + b" " * 5000 + b"}").status_code == 413
        assert client.put(CHAOS, content=b"not json").status_code == 400
        assert client.post(CHAOS, json={}).status_code == 405


def test_a_cross_site_page_cannot_switch_chaos_on(serve_app: ServeApp, bundled: list[ApiSpec]) -> None:
    with serve_app(bundled, ServerConfig()) as client:
        answer = client.put(CHAOS, json={"chaos": 1}, headers={"Origin": "https://evil.example"})
        assert answer.status_code == 403
        assert client.get(CHAOS).json()["changed"] is False


def test_every_worker_follows_a_setting_made_through_another(
    serve_app: ServeApp, bundled: list[ApiSpec], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mockserver.serving.chaos_settings.REFRESH", 0.0)  # re-read on every request
    config = ServerConfig(state_file=str(tmp_path / "state.sqlite"))
    with serve_app(bundled, config) as one, serve_app(bundled, config) as other:
        assert not chaotic(other)
        one.put(CHAOS, json={"chaos": 1})
        assert chaotic(other) and other.get(CHAOS).json()["changed"] is True
        one.delete(CHAOS)
        assert not chaotic(other)


def test_resetting_the_state_keeps_the_chaos_setting(serve_app: ServeApp, bundled: list[ApiSpec]) -> None:
    with serve_app(bundled, ServerConfig()) as client:
        client.put(CHAOS, json={"chaos": 1})
        assert client.delete("/__mock/state").status_code == 204
        assert client.get(CHAOS).json()["chaos"] == 1.0
