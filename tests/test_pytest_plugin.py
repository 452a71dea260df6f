"""The pytest plugin, exercised the way a team uses it: inner pytest sessions run by `pytester`."""

from __future__ import annotations

from pathlib import Path

# Imported here, before any inner session: pytester runs them in this process and then drops every module
# they imported first, so a later `import httpcore` would make classes that httpx no longer recognises.
import httpcore  # noqa: F401
import httpx  # noqa: F401
import pytest
import uvicorn  # noqa: F401

pytest_plugins = ["pytester"]
TASKS = Path(__file__).resolve().parent.parent / "examples" / "tasks" / "tasks.yaml"

OPENROUTER_OVER_HTTP = """
import httpx
import pytest

from mockserver.pytest_plugin import MockJournalUnavailable

AUTH = {"Authorization": "Bearer anything"}


def test_openrouter_answers_200_json_over_real_http(mock_server):
    assert mock_server.url.startswith("http://127.0.0.1:")
    base = mock_server.base_url("openrouter")
    assert base == mock_server.url + "/openrouter/api/v1"
    response = httpx.get(base + "/activity", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["data"]


def test_an_unknown_api_names_the_served_ones(mock_server):
    with pytest.raises(KeyError, match="served: client-analytics, lightdash, onepin, openrouter"):
        mock_server.base_url("nope")


def test_the_request_journal_or_a_clear_error(mock_server):
    httpx.get(mock_server.base_url("openrouter") + "/activity", headers=AUTH)
    try:
        entries = mock_server.requests()
    except MockJournalUnavailable as exc:
        assert "does not record requests" in str(exc)
    else:
        assert any(entry["path"] == "/openrouter/api/v1/activity" for entry in entries)
        mock_server.clear_requests()
        assert mock_server.requests() == []
"""

SEEDED = """
import httpx

AUTH = {"Authorization": "Bearer anything"}


def get(mock_server, **headers):
    response = httpx.get(mock_server.base_url("openrouter") + "/activity", headers={**AUTH, **headers})
    assert response.status_code == 200
    return response.json()


def test_the_seed_reaches_the_server(mock_server, mock_config, mock_specs):
    assert [api.name for api in mock_specs] == ["openrouter"]
    assert mock_config.seed == 5 and mock_server.config.seed == 5
    first = get(mock_server)
    assert get(mock_server) == first                       # same seed, same request: same body
    assert get(mock_server, Prefer="seed=5") == first      # what the server answers is seed 5's body
    assert get(mock_server, Prefer="seed=6") != first
"""


def test_mock_server_serves_the_bundled_apis_over_real_http(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=OPENROUTER_OVER_HTTP)
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["mockserver: bundled specs; seed=0"])  # the report header


def test_mock_seed_option_reaches_the_config(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=SEEDED)
    pytester.runpytest("-q", "--mock-seed", "5", "--mock-specs", "openrouter").assert_outcomes(passed=1)


def test_ini_options_and_the_in_process_app(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmock_seed = 3\nmock_specs = openrouter\n")
    pytester.makepyfile(
        test_inner="""
import asyncio

import httpx


def test_ini(mock_app, mock_config, mock_specs):
    assert mock_config.seed == 3 and [api.name for api in mock_specs] == ["openrouter"]

    async def fetch():
        transport = httpx.ASGITransport(app=mock_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            return await client.get("/openrouter/api/v1/activity", headers={"Authorization": "Bearer x"})

    response = asyncio.run(fetch())
    assert response.status_code == 200 and response.json()["data"]
"""
    )
    pytester.runpytest("-q").assert_outcomes(passed=1)


def test_chaos_is_passed_on_or_ignored_with_a_warning(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inner="""
import dataclasses


def test_chaos(mock_config):
    if "chaos" in {f.name for f in dataclasses.fields(mock_config)}:
        assert mock_config.chaos == 0.25
    else:
        assert not hasattr(mock_config, "chaos")
"""
    )
    result = pytester.runpytest("--mock-chaos", "0.25", "--mock-specs", "openrouter")
    result.assert_outcomes(passed=1)
    assert "chaos=0.25" in result.stdout.str()


def test_chaos_must_be_a_rate(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--mock-chaos", "1.5")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mock-chaos: 1.5 is not a rate between 0 and 1*"])


def test_a_spec_that_cannot_load_fails_in_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner="def test_x(mock_specs):\n    pass\n")
    result = pytester.runpytest("-q", "--mock-specs", "missing.yaml")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*mockserver: *missing.yaml*"])


STEERING = """
import httpx
import pytest

from mockserver.pytest_plugin import MockOverrideError

AUTH = {"Authorization": "Bearer anything"}


def activity(mock_server, **params):
    return httpx.get(mock_server.base_url("openrouter") + "/activity", headers=AUTH, params=params)


def test_a_sequence_for_a_retry_test_then_removed_on_leaving(mock_server):
    with mock_server.override("get-user-activity", sequence=[500, 500, 200]) as override:
        assert [activity(mock_server).status_code for _ in range(3)] == [500, 500, 200]
        assert override.used == 3
    assert mock_server.overrides() == []


def test_an_override_left_in_place_by_a_failing_test(mock_server):
    mock_server.override("get-user-activity", status=403)
    assert activity(mock_server).status_code == 403
    raise AssertionError("this test fails with its override in force")


def test_the_next_test_starts_without_it(mock_server):
    assert mock_server.overrides() == []
    assert activity(mock_server).status_code == 200


def test_a_refused_override_says_why(mock_server):
    with pytest.raises(MockOverrideError, match="documents no response for 429"):
        mock_server.override("get-user-activity", status=429)


def test_assert_called_counts_this_tests_requests(mock_server):
    activity(mock_server, date="2026-11-20")
    activity(mock_server)
    assert len(mock_server.assert_called("get-user-activity", times=2)) == 2
    mock_server.assert_called("GET /activity", times=1, with_query={"date": "2026-11-20"})


def test_assert_called_lists_the_near_misses(mock_server):
    activity(mock_server, date="2026-11-19")
    httpx.get(mock_server.base_url("openrouter") + "/activities", headers=AUTH)
    with pytest.raises(AssertionError) as failure:
        mock_server.assert_called("get-user-activity", with_query={"date": "2026-11-20"})
    text = str(failure.value)
    assert "expected get-user-activity to be called at least once with query {'date': '2026-11-20'}" in text
    assert "called 0 times" in text
    assert "GET /openrouter/api/v1/activity?date=2026-11-19 -> " in text
    assert "date=['2026-11-19'], wanted '2026-11-20'" in text
    assert "GET /openrouter/api/v1/activities -> 404 (no operation)" in text
    with pytest.raises(ValueError, match="no operation 'get-activity'; operations: get-user-activity"):
        mock_server.assert_called("get-activity")
    with pytest.raises(AssertionError) as failure:
        mock_server.assert_called("get-user-activity", times=2)
    assert "called 1 time\\nmatching requests:\\n  GET /openrouter/api/v1/activity?date=2026-11-19 -> " in str(failure.value)


def test_chaos_for_a_block(mock_server):
    with mock_server.chaos(1.0):
        statuses = {activity(mock_server).status_code for _ in range(5)}
    assert statuses and statuses <= {400, 401, 403, 500}
    assert activity(mock_server).status_code == 200


def test_state_can_be_read_and_reset(mock_server):
    with mock_server.chaos(1.0):
        activity(mock_server)
    assert mock_server.state.get()["counted_requests"] >= 1
    mock_server.state.reset()
    assert mock_server.state.get()["counted_requests"] == 0
"""


def test_overrides_assert_called_chaos_and_state_in_a_users_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=STEERING)
    # In file order: the test that leaves its override in place fails, the next one starts without it.
    result = pytester.runpytest("-q", "--mock-specs", "openrouter")
    result.assert_outcomes(passed=7, failed=1)
    result.stdout.fnmatch_lines(["*this test fails with its override in force*"])


STRICT = """
import httpx

AUTH = {"Authorization": "Bearer anything"}


def test_a_valid_client(mock_server):
    assert httpx.get(mock_server.base_url("openrouter") + "/activity", headers=AUTH).status_code == 200


def test_an_invalid_date(mock_server):
    httpx.get(mock_server.base_url("openrouter") + "/activity", params={"date": "yesterday"}, headers=AUTH)


def test_an_undocumented_path(mock_server):
    httpx.get(mock_server.base_url("openrouter") + "/credits", headers=AUTH)


def test_an_unknown_mount(mock_server):
    httpx.get(mock_server.url + "/openroutr/api/v1/activity", headers=AUTH)


def test_errors_asked_for_are_not_the_clients_fault(mock_server):
    with mock_server.override("get-user-activity", status=400):
        httpx.get(mock_server.base_url("openrouter") + "/activity", headers=AUTH)
"""


def test_mock_strict_fails_a_test_whose_client_sent_an_invalid_request(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=STRICT)
    strict = pytester.runpytest("-q", "--mock-specs", "openrouter", "--mock-strict")
    strict.assert_outcomes(passed=2, failed=3)
    strict.stdout.fnmatch_lines(
        [
            "*--mock-strict: the mock refused 1 request(s):*",
            "*GET /openrouter/api/v1/activity?date=yesterday -> 400 (get-user-activity)*",
            "*GET /openrouter/api/v1/credits -> 404 (no operation): No route matches*",
            "*GET /openroutr/api/v1/activity -> 404 (no operation)",
        ]
    )
    pytester.runpytest("-q", "--mock-specs", "openrouter").assert_outcomes(passed=5)
    pytester.makeini("[pytest]\nmock_strict = true\nmock_specs = openrouter\n")
    pytester.runpytest("-q").assert_outcomes(passed=2, failed=3)


SEEDING = """
import httpx
import pytest

from mockserver.pytest_plugin import MockSeedError

AUTH = {"Authorization": "Bearer anything"}
STAMP = "2026-01-01T00:00:00Z"


def task(n, **fields):
    return {"id": f"00000000-0000-4000-8000-{n:012d}", "title": f"task {n}", "status": "todo",
            "created_at": STAMP, "updated_at": STAMP, **fields}


def listed(mock_server):
    response = httpx.get(mock_server.base_url("tasks") + "/tasks", params={"limit": 100}, headers=AUTH)
    return response.json()["data"]


def test_seeded_tasks_are_what_the_api_lists(mock_server):
    assert mock_server.state.seed("tasks", "/tasks", [task(2), task(1)]) == 2
    assert listed(mock_server) == [task(2), task(1)]
    assert mock_server.state.entities("tasks", "tasks") == [task(2), task(1)]


def test_the_next_test_starts_from_the_initial_tasks(mock_server):
    assert len(mock_server.state.entities("tasks", "/tasks")) == 137


def test_a_seeding_test_that_fails(mock_server):
    mock_server.state.seed("tasks", "/tasks", [])
    raise AssertionError("this test fails with its collection seeded")


def test_its_seed_is_forgotten_too(mock_server):
    assert len(listed(mock_server)) == 100


def test_a_refused_seed_names_the_entity_and_field(mock_server):
    with pytest.raises(MockSeedError, match=r"\\(400\\): /tasks entity \\[1\\]: .* at status: 'someday'"):
        mock_server.state.seed("tasks", "/tasks", [task(1), task(2, status="someday")])
    with pytest.raises(MockSeedError, match=r"\\(404\\): /tags is not a collection of /tasks/v1"):
        mock_server.state.seed("tasks", "/tags", [])
    with pytest.raises(KeyError, match="served: tasks"):
        mock_server.state.entities("todo", "/tasks")


def test_a_task_created_by_a_request(mock_server):
    httpx.post(mock_server.base_url("tasks") + "/tasks", json={"title": "kept"}, headers=AUTH)


def test_is_kept_for_the_next_test_when_nothing_was_seeded(mock_server):
    assert mock_server.state.entities("tasks", "/tasks")[-1]["title"] == "kept"
"""


def test_state_seed_and_entities_in_a_users_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=SEEDING)
    # In file order: a seeding test that fails still has its seed forgotten before the next one.
    result = pytester.runpytest("-q", "--mock-specs", str(TASKS))
    result.assert_outcomes(passed=6, failed=1)
    result.stdout.fnmatch_lines(["*this test fails with its collection seeded*"])
