"""`mockserver.strategies`: hypothesis strategies over the mock's own generators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from mockserver.errors import SpecLoadError
from mockserver.openapi.loader import load_all
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.validation import schema_validator
from mockserver.strategies import api_mock, resolve_spec, response_bodies, response_body

SPECS = Path(__file__).resolve().parent.parent / "specs"
APIS = {api.name: api for api in load_all([SPECS])}
CASES = [
    pytest.param(api.name, op.operation_id, int(key), id=f"{api.name}-{op.operation_id}-{key}")
    for api in APIS.values()
    for op in api.operations
    for key, response in op.responses.items()
    if key.isdigit() and response.schema is not None and response.is_json
]
FAST = settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _problems(api: ApiSpec, operation_id: str, status: int, body: Any) -> list[str]:
    response = api.operation(operation_id).response_for(status)
    assert response is not None
    return schema_validator(response.schema, openapi_31=api.is_31)(body)


@pytest.mark.parametrize(("api_name", "operation_id", "status"), CASES)
@FAST
@given(data=st.data())
def test_every_documented_body_validates_against_the_spec(
    api_name: str, operation_id: str, status: int, data: st.DataObject
) -> None:
    api = APIS[api_name]
    body = data.draw(response_bodies(api, operation_id, status))
    assert _problems(api, operation_id, status, body) == []


@FAST
@given(response_bodies("openrouter", "get-user-activity"))
def test_default_status_is_the_success_one(body: Any) -> None:
    assert _problems(APIS["openrouter"], "get-user-activity", 200, body) == []
    assert body["data"] and all("/" in item["model"] for item in body["data"])


@FAST
@given(response_bodies("openrouter", "get-user-activity", 403))
def test_error_statuses_use_the_api_error_envelope(body: Any) -> None:
    assert body["error"]["code"] == 403
    assert body["error"]["message"] == "Only provisioning keys can fetch activity"  # the spec's description


@FAST
@given(response_bodies("onepin", "usage_activity_api_v1_usage_activity_get", 401))
def test_each_api_keeps_its_own_envelope(body: Any) -> None:
    # Onepin documents two 401 shapes: its own envelope, or FastAPI's {"detail": ...}.
    assert _problems(APIS["onepin"], "usage_activity_api_v1_usage_activity_get", 401, body) == []
    assert "error" in body or "detail" in body


def test_unknown_operation_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"no operation 'getActivity'; known operations: get-user-activity"):
        response_bodies("openrouter", "getActivity")


def test_undocumented_status_lists_the_documented_ones() -> None:
    with pytest.raises(ValueError, match=r"documents no response for 404; documented: 200, 400, 401, 403, 500"):
        response_bodies("openrouter", "get-user-activity", 404)


def test_shrinking_goes_to_the_simplest_seed_and_replays() -> None:
    strategy = response_bodies("openrouter", "get-user-activity")
    quick = settings(database=None, deadline=None, max_examples=500, derandomize=True)
    assert find(strategy, lambda body: True, settings=quick) == response_body("openrouter", "get-user-activity", seed=0)

    def eight_items(body: Any) -> bool:
        return len(body["data"]) == 8

    found = find(strategy, eight_items, settings=quick)
    assert eight_items(found)
    assert _problems(APIS["openrouter"], "get-user-activity", 200, found) == []
    assert find(strategy, eight_items, settings=quick) == found


def test_draws_are_fast_enough_for_the_default_deadline() -> None:
    # The first render fills Faker pools (~0.3 s); `response_bodies` does it up front, not in a draw.
    @given(response_bodies("client-analytics", "getUserActivity", 404))
    @settings(max_examples=5, database=None)
    def check(body: Any) -> None:
        assert body["error"]["code"] == "not_found"

    check()


def test_bundled_names_resolve_and_compile_once() -> None:
    assert resolve_spec("openrouter") == SPECS / "openrouter.yaml"
    assert api_mock("openrouter") is api_mock(SPECS / "openrouter.yaml") is api_mock(str(SPECS / "openrouter.yaml"))
    assert response_body("openrouter", "get-user-activity", seed=3) == response_body(
        SPECS / "openrouter.yaml", "get-user-activity", seed=3
    )


def test_an_unknown_name_is_reported_by_the_loader() -> None:
    with pytest.raises(SpecLoadError, match="no-such-api"):
        response_bodies("no-such-api", "anything")
