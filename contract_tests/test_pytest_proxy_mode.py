"""The pytest plugin's proxy mode, the way a team runs it: an app's tests (inner pytest sessions, `pytester`) use
`mock_server` with `--mock-upstream`, in front of the stand-in upstreams over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator

# Imported before any inner session (see tests/test_pytest_plugin.py: pytester drops what an inner session imported).
import httpcore  # noqa: F401
import httpx  # noqa: F401
import pytest
import uvicorn  # noqa: F401
from upstreams.server import base_url, serve_all

pytest_plugins = ["pytester"]
TOKEN = "good-token"  # the only token the stand-ins take; it must show nowhere in the session's output

APP_TESTS = """
import httpx

AUTH = {"Authorization": "Bearer good-token"}


def test_daily_usage(mock_server):
    response = httpx.get(mock_server.base_url("openrouter") + "/activity", headers=AUTH)
    assert response.status_code == 200
    assert isinstance(response.json()["data"], list)


def test_the_other_apis_stay_mocked(mock_server):
    assert set(mock_server.upstreams) == {"openrouter"}
    base = mock_server.base_url("onepin")
    assert httpx.get(base + "/api/v1/usage/activity", headers={"Authorization": "Bearer x"}).status_code == 200


def test_an_override_answers_instead_of_the_upstream(mock_server):
    with mock_server.override("get-user-activity", status=401):
        response = httpx.get(mock_server.base_url("openrouter") + "/activity", headers=AUTH)
    assert response.status_code == 401
    assert mock_server.violations() == []
"""


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    with serve_all() as url:
        yield url


def upstream(root: str, variant: str) -> str:
    return f"openrouter={base_url(root, 'openrouter', variant)}"


def run(pytester: pytest.Pytester, root: str, variant: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_app=APP_TESTS)
    result = pytester.runpytest("-q", "--mock-upstream", upstream(root, variant), *args)
    assert TOKEN not in result.stdout.str() + result.stderr.str()
    return result


def test_a_faithful_upstream_passes_and_the_summary_says_what_the_traffic_covered(
    pytester: pytest.Pytester, root: str
) -> None:
    result = run(pytester, root, "faithful")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "*mockserver proxy: the contract on the traffic*",
            "*openrouter*conforms*",
            "*GET /activity 200: seen",
            "*GET /activity 401: not seen",
        ]
    )


def test_a_drifting_upstream_fails_the_test_that_met_the_violation(pytester: pytest.Pytester, root: str) -> None:
    result = run(pytester, root, "missing_required_field")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_daily_usage*",
            "*mockserver proxy: 1 contract violation(s):*",
            "*GET /openrouter/api/v1/activity -> 200: *(response_schema_conformance)*",
            "*1 violation(s)*",
        ]
    )


def test_the_session_policy_fails_the_session_not_the_tests(pytester: pytest.Pytester, root: str) -> None:
    result = run(pytester, root, "missing_required_field", "--mock-violations", "session")
    result.assert_outcomes(passed=3)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*(response_schema_conformance)*", "*1 violation(s)*"])


def test_the_report_policy_only_lists_the_violations_and_the_report_files_hold_them(
    pytester: pytest.Pytester, root: str
) -> None:
    pytester.makeini("[pytest]\nmock_violations = report\n")
    result = run(pytester, root, "wrong_type", "--mock-proxy-report", "proxy.json", "--mock-proxy-report", "proxy.html")
    result.assert_outcomes(passed=3)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*(response_schema_conformance)*", "*report written to proxy.json*"])
    report = json.loads((pytester.path / "proxy.json").read_text(encoding="utf-8"))
    assert [v["check"] for api in report["apis"] for v in api["violations"]] == ["response_schema_conformance"]
    page = (pytester.path / "proxy.html").read_text(encoding="utf-8")
    assert 'id="coverage-matrix"' in page and TOKEN not in page


def test_a_report_file_must_be_html_or_json(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--mock-upstream", "openrouter=http://127.0.0.1:9", "--mock-proxy-report", "r.txt")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mock-proxy-report 'r.txt' must end in .html or .json*"])


def test_upstreams_from_the_ini_file(pytester: pytest.Pytester, root: str) -> None:
    pytester.makeini(f"[pytest]\nmock_upstreams =\n    {upstream(root, 'undocumented_status')}\n")
    pytester.makepyfile(test_app=APP_TESTS)
    result = pytester.runpytest("-q", "-k", "daily_usage")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*(status_code_conformance)*"])


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("openrouter", "*--mock-upstream 'openrouter' must look like NAME=URL*"),
        ("openrouter=ftp://example.com", "*--mock-upstream openrouter: ftp scheme; an http(s) URL is needed*"),
        ("openrouter=https://user:pw@example.com", "*credentials in the URL are not taken*"),
    ],
)
def test_a_malformed_upstream_is_a_usage_error(pytester: pytest.Pytester, given: str, said: str) -> None:
    result = pytester.runpytest("--mock-upstream", given)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([said])
    assert "pw@" not in result.stderr.str()


def test_an_upstream_for_an_api_not_served_fails_in_one_line(pytester: pytest.Pytester, root: str) -> None:
    pytester.makepyfile(test_app="def test_x(mock_server):\n    pass\n")
    result = pytester.runpytest("-q", "--mock-specs", "openrouter", "--mock-upstream", "nope=http://127.0.0.1:9")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*mockserver: --mock-upstream nope: no such API; served: openrouter*"])


def test_a_users_session_shows_no_warning_of_the_libraries_behind_the_proxy(
    pytester: pytest.Pytester, root: str
) -> None:
    # In a fresh process: here Connexion is imported already, and its deprecation warnings came at import.
    pytester.makepyfile(test_app=APP_TESTS)
    result = pytester.runpytest_subprocess("-q", "-k", "daily_usage", "--mock-upstream", upstream(root, "faithful"))
    result.assert_outcomes(passed=1)
    assert "DeprecationWarning" not in result.stdout.str()
