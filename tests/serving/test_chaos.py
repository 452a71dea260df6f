"""Chaos for client resilience: documented errors on demand, latency, reproducible by seed.

`ServerConfig(chaos=RATE)` (`--chaos`) or `Prefer: chaos=RATE` makes an operation answer one of ITS
documented error statuses, in the API's own envelope, marked with `X-Mock-Chaos`. Latency is only
checked through `Chaos.decide` (no real sleeps are timed here).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_app_type import ServeApp
from serving_support import AUTH, CALL_BY_API, CALLS, Call, assert_matches, operation_of
from starlette.testclient import TestClient

from mockserver.openapi.loader import load_all
from mockserver.openapi.model import ApiSpec, Operation
from mockserver.serving.chaos import Chaos, Decision
from mockserver.serving.config import ServerConfig
from mockserver.serving.prefer import NONE, Preferences

# The operations that document at least one numeric 4xx/5xx status (lightdash documents only `default`).
WITH_ERRORS = [c for c in CALLS if c.api != "lightdash"]


def error_statuses(op: Operation) -> set[int]:
    return {int(s) for s in op.documented_statuses if s.isdigit() and int(s) >= 400}


def get(client: TestClient, call: Call, prefer: str | None = None, seed: int | None = None) -> httpx.Response:
    values = [v for v in (prefer, f"seed={seed}" if seed is not None else None) if v]
    headers = {**call.headers, **({"Prefer": ", ".join(values)} if values else {})}
    response: httpx.Response = client.get(call.path, params=call.params, headers=headers)
    return response


@pytest.fixture(scope="module")
def chaos_client(serve_app: ServeApp, bundled: list[ApiSpec]) -> Iterator[TestClient]:
    """`mockserver serve --chaos 1 --seed 3`."""
    with serve_app(bundled, ServerConfig(seed=3, chaos=1.0)) as test_client:
        yield test_client


NAMED_EXAMPLE_SPEC = """
openapi: 3.0.3
info: {title: Named, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      security: [{basic: []}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {name: {type: string}}}
              examples:
                one: {value: {name: the one}}
        "401":
          description: Unauthorized
          content:
            application/json:
              schema:
                type: object
                required: [error]
                properties:
                  error:
                    type: object
                    required: [message, code]
                    additionalProperties: false
                    properties: {message: {type: string}, code: {type: string}}
        "503":
          description: Unavailable
components:
  securitySchemes:
    basic: {type: http, scheme: basic}
"""


@pytest.fixture(scope="module")
def named_apis(tmp_path_factory: pytest.TempPathFactory) -> list[ApiSpec]:
    spec = tmp_path_factory.mktemp("named") / "named.yaml"
    spec.write_text(NAMED_EXAMPLE_SPEC)
    return load_all([spec])


# --- chaos=1: always a documented error, in the envelope ---------------------------------------------------


@pytest.mark.parametrize("call", WITH_ERRORS, ids=lambda c: c.api)
def test_chaos_1_answers_a_documented_error_status_in_the_envelope_with_x_mock_chaos(
    chaos_client: TestClient, bundled: list[ApiSpec], call: Call
) -> None:
    api, op = operation_of(bundled, call)
    documented = error_statuses(op)
    seen = set()
    for seed in range(40):
        response = get(chaos_client, call, seed=seed)
        status = response.status_code
        assert status in documented, f"{call.id}: {status} is not one of {sorted(documented)}"
        assert response.headers["x-mock-chaos"] == str(status)
        assert response.headers["content-type"].startswith("application/json")
        assert_matches(api, op.response_for(status), response.json())
        if status == 401:
            assert response.headers["www-authenticate"].lower().startswith("bearer")
        seen.add(status)
    assert seen == documented, f"{call.id}: 40 chaotic answers never used {sorted(documented - seen)}"


@pytest.mark.parametrize("call", WITH_ERRORS, ids=lambda c: c.api)
def test_chaos_1_overrides_a_valid_request(chaos_client: TestClient, call: Call) -> None:
    response = get(chaos_client, call)
    assert response.status_code >= 400
    assert "x-mock-chaos" in response.headers


@pytest.mark.parametrize("call", WITH_ERRORS, ids=lambda c: c.api)
def test_an_explicit_prefer_code_wins_over_chaos_1(chaos_client: TestClient, call: Call) -> None:
    for seed in range(5):
        response = get(chaos_client, call, "code=200", seed=seed)
        assert response.status_code == 200
        assert "x-mock-chaos" not in response.headers


def test_an_explicit_prefer_example_wins_over_chaos_1(serve_app: ServeApp, named_apis: list[ApiSpec]) -> None:
    with serve_app(named_apis, ServerConfig(seed=3, chaos=1.0)) as chaotic:
        for seed in range(5):
            response = chaotic.get("/named/things", auth=("u", "p"), headers={"Prefer": f"example=one, seed={seed}"})
            assert response.status_code == 200
            assert response.json() == {"name": "the one"}
            assert "x-mock-chaos" not in response.headers


def test_a_chaos_401_is_in_the_same_envelope_with_the_same_challenge_as_a_real_401(
    serve_app: ServeApp, named_apis: list[ApiSpec]
) -> None:
    with serve_app(named_apis, ServerConfig(seed=3)) as plain:
        real = plain.get("/named/things")
        chaotic = next(
            r
            for seed in range(50)
            if (
                r := plain.get("/named/things", auth=("u", "p"), headers={"Prefer": f"chaos=1, seed={seed}"})
            ).status_code
            == 401
        )
    assert real.status_code == 401
    assert chaotic.headers["x-mock-chaos"] == "401"
    assert real.headers["www-authenticate"] == chaotic.headers["www-authenticate"] == 'Basic realm="mockserver"'
    assert set(real.json()) == set(chaotic.json()) == {"error"}
    assert set(real.json()["error"]) == set(chaotic.json()["error"]) == {"message", "code"}


def test_chaos_answer_is_not_a_mock_error(chaos_client: TestClient) -> None:
    response = get(chaos_client, CALL_BY_API["openrouter"])
    assert response.status_code >= 400
    assert "x-mock-error" not in response.headers  # a flaky upstream's answer, not the mock's own refusal


def test_chaos_does_not_touch_the_index_or_the_journal(chaos_client: TestClient) -> None:
    assert chaos_client.get("/").status_code == 200
    assert chaos_client.get("/__mock/requests").status_code == 200


def test_chaos_1_on_an_operation_documenting_errors_only_as_default_answers_an_error(
    chaos_client: TestClient, bundled: list[ApiSpec]
) -> None:
    call = CALL_BY_API["lightdash"]
    api, op = operation_of(bundled, call)
    response = get(chaos_client, call)
    assert response.status_code >= 400
    assert "x-mock-chaos" in response.headers
    assert_matches(api, op.responses["default"], response.json())


def test_chaos_1_on_an_operation_documenting_a_5xx_range_answers_a_5xx(serve_app: ServeApp, tmp_path: Path) -> None:
    spec = tmp_path / "ranged.yaml"
    spec.write_text(
        """
openapi: 3.0.3
info: {title: Ranged, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {n: {type: integer}}}
        "5XX":
          description: upstream failure
          content:
            application/json:
              schema: {type: object, required: [message], properties: {message: {type: string}}}
""",
        encoding="utf-8",
    )
    with serve_app(load_all([spec]), ServerConfig(chaos=1.0)) as client:
        response = client.get("/ranged/things")
    assert 500 <= response.status_code < 600
    assert "message" in response.json()


# --- chaos=0, and Prefer: chaos per request -----------------------------------------------------------------


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.api)
def test_chaos_0_never_answers_an_error(client: TestClient, call: Call) -> None:
    for seed in range(15):
        response = get(client, call, seed=seed)
        assert response.status_code == 200, response.text
        assert "x-mock-chaos" not in response.headers


def test_explicit_chaos_0_config_never_answers_an_error(serve_app: ServeApp, bundled: list[ApiSpec]) -> None:
    with serve_app(bundled, ServerConfig(seed=5, chaos=0.0)) as quiet:
        for call in CALLS:
            for seed in range(5):
                response = get(quiet, call, seed=seed)
                assert response.status_code == 200
                assert "x-mock-chaos" not in response.headers


@pytest.mark.parametrize("call", WITH_ERRORS, ids=lambda c: c.api)
def test_prefer_chaos_1_on_a_chaos_free_server_answers_a_documented_error(
    client: TestClient, bundled: list[ApiSpec], call: Call
) -> None:
    api, op = operation_of(bundled, call)
    for seed in range(10):
        response = get(client, call, "chaos=1", seed=seed)
        assert response.status_code in error_statuses(op)
        assert response.headers["x-mock-chaos"] == str(response.status_code)
        assert_matches(api, op.response_for(response.status_code), response.json())
    # ... and only for that request: the next one without the preference is answered normally.
    assert get(client, call).status_code == 200


def test_prefer_chaos_0_switches_chaos_off_for_one_request(chaos_client: TestClient) -> None:
    call = CALL_BY_API["openrouter"]
    response = get(chaos_client, call, "chaos=0")
    assert response.status_code == 200
    assert "x-mock-chaos" not in response.headers
    assert get(chaos_client, call).status_code >= 400


@pytest.mark.parametrize("value", ["chaos=2", "chaos=x", "chaos=-0.1", "chaos=", "chaos=nan"])
def test_prefer_chaos_out_of_range_or_not_a_number_is_a_400_problem_from_the_mock(
    client: TestClient, value: str
) -> None:
    response = get(client, CALL_BY_API["openrouter"], value)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["x-mock-error"] == "true"
    body = response.json()
    assert body["status"] == 400
    assert "chaos" in body["detail"]


# --- reproducible by seed ---------------------------------------------------------------------------------


SEQUENCE = [WITH_ERRORS[i % len(WITH_ERRORS)] for i in range(30)]


def status_sequence(serve_app: ServeApp, bundled: list[ApiSpec], seed: int) -> list[int]:
    with serve_app(bundled, ServerConfig(seed=seed, chaos=0.5)) as fresh:
        return [get(fresh, call).status_code for call in SEQUENCE]


def test_same_seed_and_same_requests_give_the_same_statuses_another_seed_others(
    serve_app: ServeApp, bundled: list[ApiSpec]
) -> None:
    first, again, other = (status_sequence(serve_app, bundled, seed) for seed in (11, 11, 12))
    assert first == again
    assert first != other
    # chaos=0.5 really mixes successes and documented errors
    assert 200 in first
    assert any(status >= 400 for status in first)


# --- Prefer: latency --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["latency=abc", "latency=5-1", "latency=-5", "latency=1-2-3", "latency=70000", "latency=1.5"]
)
def test_prefer_latency_malformed_is_a_400_problem_from_the_mock(client: TestClient, value: str) -> None:
    response = get(client, CALL_BY_API["openrouter"], value)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "latency" in response.json()["detail"]


@pytest.mark.parametrize("value", ["latency=0", "latency=0-1", "latency=1"])
def test_prefer_latency_well_formed_is_answered_normally(client: TestClient, value: str) -> None:
    response = get(client, CALL_BY_API["openrouter"], value)
    assert response.status_code == 200
    assert "x-mock-chaos" not in response.headers


def scope(n: int = 0) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": f"/openrouter/api/v1/activity/{n}", "query_string": b"a=1"}


@pytest.fixture(scope="module")
def operation(bundled: list[ApiSpec]) -> Operation:
    return operation_of(bundled, CALL_BY_API["openrouter"])[1]


def latencies(config: ServerConfig, op: Operation, prefs: Preferences = NONE, n: int = 40) -> list[int]:
    chaos = Chaos(config)
    return [chaos.decide(scope(i % 3), op, prefs).latency_ms for i in range(n)]


def test_configured_latency_is_drawn_within_min_max(operation: Operation) -> None:
    drawn = latencies(ServerConfig(seed=1, latency=(100, 400)), operation)
    assert all(100 <= ms <= 400 for ms in drawn)
    assert len(set(drawn)) > 5  # a range, not a constant


def test_latency_is_deterministic_per_seed(operation: Operation) -> None:
    config = ServerConfig(seed=1, latency=(100, 400))
    assert latencies(config, operation) == latencies(config, operation)
    assert latencies(config, operation) != latencies(ServerConfig(seed=2, latency=(100, 400)), operation)


def test_prefer_latency_overrides_the_server_latency(operation: Operation) -> None:
    config = ServerConfig(seed=1, latency=(100, 400))
    assert set(latencies(config, operation, Preferences(latency=(7, 7)))) == {7}
    assert all(10 <= ms <= 20 for ms in latencies(config, operation, Preferences(latency=(10, 20))))
    assert set(latencies(config, operation, Preferences(latency=(0, 0)))) == {0}


def test_prefer_latency_on_a_latency_free_server_is_within_its_bounds(operation: Operation) -> None:
    assert all(50 <= ms <= 60 for ms in latencies(ServerConfig(seed=4), operation, Preferences(latency=(50, 60))))


def test_prefer_seed_reseeds_the_latency(operation: Operation) -> None:
    config = ServerConfig(seed=1, latency=(0, 10_000))
    assert latencies(config, operation, Preferences(seed=9)) == latencies(config, operation, Preferences(seed=9))
    assert latencies(config, operation, Preferences(seed=9)) != latencies(config, operation)


def test_a_calm_server_decides_nothing(operation: Operation) -> None:
    chaos = Chaos(ServerConfig(seed=1))
    assert all(chaos.decide(scope(i), operation, NONE) == Decision() for i in range(10))


def test_decide_picks_only_documented_error_statuses(operation: Operation) -> None:
    chaos = Chaos(ServerConfig(seed=1, chaos=1.0))
    statuses = {chaos.decide(scope(i), operation, NONE).error_status for i in range(60)}
    assert statuses == error_statuses(operation)


def test_configured_faults_are_drawn_only_from_the_configured_kinds(operation: Operation) -> None:
    chaos = Chaos(ServerConfig(seed=1, faults=("drop", "trickle"), fault_rate=1.0))
    assert {chaos.decide(scope(i), operation, NONE).fault for i in range(40)} == {"drop", "trickle"}
    calm = Chaos(ServerConfig(seed=1, faults=("drop",), fault_rate=0.0))
    assert {calm.decide(scope(i), operation, NONE).fault for i in range(20)} == {None}
    assert Chaos(ServerConfig(seed=1)).decide(scope(), operation, Preferences(fault="truncate")).fault == "truncate"


def test_authentication_is_checked_before_chaos(chaos_client: TestClient) -> None:
    call = CALL_BY_API["onepin"]
    response = chaos_client.get(call.path)  # no credentials: the real 401, not a chaotic one
    assert response.status_code == 401
    assert "x-mock-chaos" not in response.headers
    assert chaos_client.get(call.path, headers=AUTH).headers.get("x-mock-chaos") is not None
