"""`mockserver proxy` over real HTTP, in front of the stand-in upstreams (contract_tests/upstreams/).

The variant matrix runs the proxy's app in a thread (one per variant, fast); the command-line behaviour (banner,
report on exit, JUnit, --fail-on-violation, --mock, fallback, credentials) runs `mockserver proxy` itself.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import jsonschema
import pytest
from contract_support import APIS
from serve_support import Served, serving, until
from upstreams.server import VARIANTS, base_url, serve_all
from uvicorn_thread import serving_in_thread

from mockserver.proxy.app import build_proxy_app
from mockserver.proxy.middleware import ProxySettings
from mockserver.proxy.run import ProxyRun
from mockserver.serving.config import ServerConfig

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "good-token"  # the only token the stand-ins take; it must show nowhere the proxy writes
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TODAY = datetime.now(UTC).date()
CLIENT = "aa7cf840-9ca9-46a3-9778-9015d6580d50"
USER = "a1d97031-04e2-4907-a249-093f7436207b"
PROJECT = "3675b69e-8324-4110-bdca-059031aa8da3"


def day(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


# What a client sends each API: (path below the mount, query), with the token; then the same without it.
TRAFFIC: dict[str, list[tuple[str, dict[str, str]]]] = {
    "openrouter": [("/activity", {}), ("/activity", {"date": day(3)})],
    "lightdash": [(f"/api/v1/analytics/user-activity/{PROJECT}", {})],
    "client-analytics": [
        (
            f"/clients/{CLIENT}/analytics/users/{USER}/activity",
            {"metric": "activity-count", "granularity": "daily", "start_date": day(15), "end_date": day(1)},
        )
    ],
    "onepin": [("/api/v1/usage/activity", {"limit": "5"}), ("/api/v1/usage/activity", {"type": "workflow_run"})],
}
# A request the contract refuses (each stand-in answers it with its documented 4xx).
BAD_INPUT: dict[str, tuple[str, dict[str, str]]] = {
    "openrouter": ("/activity", {"date": "yesterday"}),
    "lightdash": ("/api/v1/analytics/user-activity/not-a-uuid", {}),
    "client-analytics": (f"/clients/{CLIENT}/analytics/users/{USER}/activity", {"metric": "activity-count"}),
    "onepin": ("/api/v1/usage/activity", {"limit": "many"}),
}
# Which check names each drift (as `mockserver contract` names it: see test_contract_upstreams.py).
NAMED_BY: dict[str, set[str]] = {
    "missing_required_field": {"response_schema_conformance"},
    "wrong_type": {"response_schema_conformance"},
    "enum_out_of_spec": {"response_schema_conformance"},
    "undocumented_status": {"status_code_conformance"},
    "wrong_content_type": {"content_type_conformance"},
    "auth_not_enforced": {"ignored_auth"},
    "server_error_on_bad_input": {"not_a_server_error"},
    "xmock_rule_broken": {"xmock_filter", "xmock_limit", "xmock_series", "xmock_echo"},
    "wrong_error_envelope": {"response_schema_conformance"},
}
# Lightdash's error envelope is only reached by a method its path does not declare: the proxy answers that
# itself (the mock's 405), so its drift there is not the upstream's to show.
NOT_VISIBLE = {("lightdash", "wrong_error_envelope")}
CASES = [(a, v) for a, variants in VARIANTS.items() for v in variants if (a, v) not in NOT_VISIBLE]


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    with serve_all() as url:
        yield url


@contextmanager
def proxy_app(root: str, api: str, variant: str, **settings: Any) -> Iterator[tuple[str, ProxyRun]]:
    """The proxy's app for `api` in front of its `variant` stand-in, in a thread; yields its mount URL and report."""
    upstream = base_url(root, api, variant)
    run = ProxyRun(APIS[api], upstream)
    app = build_proxy_app(
        [APIS[api]], ServerConfig(access_log=False), {api: (ProxySettings(upstream=upstream, **settings), run)}
    )
    with serving_in_thread(app) as port:
        yield f"http://127.0.0.1:{port}{APIS[api].mount_path}", run


def send_traffic(client: httpx.Client, api: str, *, bad_input: bool = True) -> list[httpx.Response]:
    secured = bool(APIS[api].operations[0].security)
    sent = [client.get(path, params=query, headers=AUTH) for path, query in TRAFFIC[api]]
    if secured:
        path, query = TRAFFIC[api][0]
        sent.append(client.get(path, params=query))  # no credentials: the documented 401
    if bad_input:
        path, query = BAD_INPUT[api]
        sent.append(client.get(path, params=query, headers=AUTH))
    return sent


@pytest.mark.parametrize(("api", "variant"), CASES, ids=[f"{a}-{v}" for a, v in CASES])
def test_traffic_through_the_proxy_is_clean_when_faithful_and_names_each_drift(
    root: str, api: str, variant: str
) -> None:
    with proxy_app(root, api, variant) as (mount, run), httpx.Client(base_url=mount, timeout=30) as client:
        answers = send_traffic(client, api)
    report = run.text()
    assert run.result.requests == len(answers), report  # every request went upstream, none to the mock
    if variant == "faithful":
        assert not run.result.violations, f"false positive against a faithful {api}:\n{report}"
        assert not any("x-mock-violations" in a.headers for a in answers)
        return
    found = {v.check for v in run.result.violations}
    assert found & NAMED_BY[variant], f"{variant} not named; checks that fired: {sorted(found)}\n{report}"
    flagged = [a.headers["x-mock-violations"] for a in answers if "x-mock-violations" in a.headers]
    assert flagged and all(h.split("; ")[1] in found for h in flagged)


def test_the_openrouter_sdk_works_through_the_proxy_unchanged(root: str) -> None:
    from openrouter import OpenRouter

    with proxy_app(root, "openrouter", "faithful") as (mount, run):
        sdk = OpenRouter(api_key=TOKEN, server_url=mount)
        every = sdk.analytics.get_user_activity()
        one_day = sdk.analytics.get_user_activity(request={"date": day(2)})
    assert every.data and {item.date_ for item in one_day.data} <= {day(2)}
    assert run.result.requests == 2 and not run.result.violations, run.text()


# ---------------------------------------------------------------------------------------------- command line


@contextmanager
def proxying(root: str, api: str, variant: str, *args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    upstream = base_url(root, api, variant)
    with serving(api, "--upstream", upstream, *args, cwd=ROOT, subcommand="proxy", env=env) as served:
        yield served


def stop(served: Served, how: signal.Signals = signal.SIGTERM) -> str:
    """SIGTERM (or `how`), then everything the proxy printed (its report comes last)."""
    served.process.send_signal(how)
    served.process.wait(timeout=20)
    assert until(lambda: any("coverage (operation" in line for line in served.stdout), 10), served.stdout
    return "\n".join(served.stdout + served.stderr)


def test_report_on_exit_lists_violations_and_coverage_and_masks_every_credential(root: str, tmp_path: Path) -> None:
    junit, html, report = tmp_path / "proxy.xml", tmp_path / "proxy.html", tmp_path / "proxy.json"
    secret = "sk-distinctive-4b1d7e"  # a second credential, in the query: masked everywhere too
    outputs = ("--junit-xml", str(junit), "--report", str(html), "--report", str(report))
    with proxying(root, "onepin", "wrong_type", *outputs) as served:
        mount = f"{served.base}/onepin"
        answer = httpx.get(f"{mount}/api/v1/usage/activity", params={"limit": "3", "api_key": secret}, headers=AUTH)
        assert answer.status_code == 200 and answer.headers["x-mock-violations"].startswith("2; ")
        journal = httpx.get(f"{served.base}/__mock/requests").text
        output = stop(served)
    assert served.process.returncode == 1  # violations found
    assert "response_schema_conformance" in journal and "xmock_limit" in journal
    assert "GET /api/v1/usage/activity 200: seen" in output and "GET /api/v1/usage/activity 404: not seen" in output
    assert "violation: GET /api/v1/usage/activity (response_schema_conformance)" in output
    xml = junit.read_text(encoding="utf-8")
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "2" and suite.get("skipped") == "3"  # 401, 404, 422
    # The contract's own report of the traffic: its matrix counts the upstream's answers, its violations the checks'.
    data = json.loads(report.read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads((ROOT / "docs" / "report-schema.json").read_text(encoding="utf-8")))
    (api,) = data["apis"]
    assert {v["check"] for v in api["violations"]} == {"response_schema_conformance", "xmock_limit"}
    page = html.read_text(encoding="utf-8")
    assert 'id="coverage-matrix"' in page and 'class="violation"' in page
    for text in (output, journal, xml, page, report.read_text(encoding="utf-8")):
        assert TOKEN not in text and secret not in text


def test_fail_on_violation_answers_502_naming_the_violation(root: str) -> None:
    with proxying(root, "openrouter", "undocumented_status", "--fail-on-violation", "--quiet") as served:
        answer = httpx.get(f"{served.base}/openrouter/api/v1/activity", headers=AUTH)
        stop(served)
    assert answer.status_code == 502 and answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "urn:mockserver:problem:proxy-contract-violation"
    assert "status_code_conformance" in problem["detail"] and "202" in problem["detail"]


def test_an_operation_the_upstream_lacks_is_answered_by_the_mock_with_a_warning(root: str) -> None:
    # The stand-in root has no /nowhere/ mount: every request there is its 404.
    with serving("onepin", "--upstream", f"{root}/nowhere", "--quiet", cwd=ROOT, subcommand="proxy") as served:
        answer = httpx.get(f"{served.base}/onepin/api/v1/usage/activity", params={"limit": "2"}, headers=AUTH)
        journal = httpx.get(f"{served.base}/__mock/requests").json()["requests"]
        output = stop(served)
    assert answer.status_code == 200 and len(answer.json()["data"]) == 2  # the mock's answer, honouring limit
    assert journal[0]["proxy"] == "fallback"
    assert "fallback: GET /api/v1/usage/activity answered by the mock: the upstream answered 404" in output


def test_no_fallback_passes_the_upstreams_404_back(root: str) -> None:
    with serving(
        "onepin", "--upstream", f"{root}/nowhere", "--no-fallback", "--quiet", cwd=ROOT, subcommand="proxy"
    ) as served:
        answer = httpx.get(f"{served.base}/onepin/api/v1/usage/activity", headers=AUTH)
        output = stop(served, signal.SIGINT)  # Ctrl-C prints the report too
    assert answer.status_code == 404 and "mounts" in answer.json()  # the stand-in root's own 404
    assert "onepin: conforms" in output and "GET /api/v1/usage/activity 404: seen" in output


def test_mock_forces_the_mock_for_that_operation(root: str) -> None:
    with proxying(root, "onepin", "wrong_type", "--mock", "GET /api/v1/usage/activity", "--quiet") as served:
        answer = httpx.get(f"{served.base}/onepin/api/v1/usage/activity", params={"limit": "2"}, headers=AUTH)
        journal = httpx.get(f"{served.base}/__mock/requests").json()["requests"]
        stop(served)
    assert answer.status_code == 200 and "x-mock-violations" not in answer.headers
    assert isinstance(answer.json()["pagination"]["limit"], int)  # the mock's, not the drifted upstream's string
    assert journal[0]["proxy"] == "mocked"


def test_unsafe_methods_are_refused_without_allow_unsafe(root: str) -> None:
    with proxying(root, "onepin", "faithful", "--quiet") as served:
        # onepin documents only GET: a POST is not routed, so the mock's own 405 answers; a documented unsafe
        # operation gets the proxy's 405 (tests/proxy/ pins that on a spec with one).
        answer = httpx.post(f"{served.base}/onepin/api/v1/usage/activity", headers=AUTH)
        stop(served)
    assert answer.status_code == 405


def test_unreachable_upstream_without_fallback_is_a_502(root: str) -> None:
    with serving(
        "onepin", "--upstream", "http://127.0.0.1:9", "--no-fallback", "--quiet", cwd=ROOT, subcommand="proxy"
    ) as served:
        answer = httpx.get(f"{served.base}/onepin/api/v1/usage/activity", headers=AUTH)
        stop(served)
    assert answer.status_code == 502 and answer.json()["type"] == "urn:mockserver:problem:proxy-upstream-unreachable"
    assert answer.headers["x-mock-error"] == "true"


def test_the_api_key_from_the_environment_is_sent_when_the_client_sends_none(root: str) -> None:
    env = {**os.environ, "ONEPIN_API_KEY": TOKEN}
    with proxying(root, "onepin", "faithful", env=env) as served:
        answer = httpx.get(f"{served.base}/onepin/api/v1/usage/activity")
        output = stop(served)
    assert answer.status_code == 200, answer.text
    assert TOKEN not in output


def test_recorded_answers_are_served_back_and_hold_no_credential(root: str, tmp_path: Path) -> None:
    import shutil

    (tmp_path / "specs").mkdir()
    spec = tmp_path / "specs" / "openrouter.yaml"
    shutil.copy(ROOT / "specs" / "openrouter.yaml", spec)
    upstream = base_url(root, "openrouter", "faithful")
    fixtures = tmp_path / "fixtures"  # beside the specs folder: where `serve` reads fixtures from
    with serving(str(spec), "--upstream", upstream, "--record", str(fixtures), cwd=ROOT, subcommand="proxy") as served:
        real = httpx.get(f"{served.base}/openrouter/api/v1/activity", headers=AUTH, timeout=10)
        assert real.status_code == 200
        unauthorised = httpx.get(f"{served.base}/openrouter/api/v1/activity", timeout=10)
        assert unauthorised.status_code == 401
        output = stop(served)
    [written] = list(fixtures.rglob("*.yaml"))
    assert written.parent.name == "get-user-activity" and TOKEN not in written.read_text(encoding="utf-8")
    assert "not recorded: get-user-activity 401" in output and TOKEN not in output
    with serving(str(spec), "--quiet", cwd=ROOT) as mock:
        replayed = httpx.get(
            f"{mock.base}/openrouter/api/v1/activity", headers={**AUTH, "Prefer": f"example={written.stem}"}, timeout=10
        )
    assert replayed.status_code == 200 and replayed.json() == real.json()
