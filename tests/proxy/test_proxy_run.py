"""The proxy's report: the contract's dedup and format, coverage per operation × status, credentials masked."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
from proxy_support import things_api

from mockserver.openapi.model import ApiSpec
from mockserver.proxy.checks import Finding
from mockserver.proxy.run import ProxyRun

SECRET = "sk-proxy-7f3e9a"
SCHEMA = Finding("response_schema_conformance", "Response violates schema", "data: 'x' is not of type 'array'")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiSpec:
    return things_api(tmp_path_factory.mktemp("spec"))


def test_the_same_defect_twice_is_one_violation_seen_twice(api: ApiSpec) -> None:
    run = ProxyRun(api, "https://things.example/v1")
    op = api.operation("listThings")
    for _ in range(2):
        run.add(op, [SCHEMA], 200, b"{}", "curl -X GET 'https://things.example/v1/things'", ())
    assert len(run.result.violations) == 1 and "seen 2 times" in run.text()


def test_coverage_lists_every_documented_status_seen_or_not(api: ApiSpec) -> None:
    run = ProxyRun(api, "https://things.example/v1")
    run.answered(api.operation("listThings"), 200)
    lines = run.text().splitlines()
    assert "  GET /things 200: seen" in lines and "  GET /things 401: not seen" in lines
    assert "  POST /things 201: not seen" in lines and "  GET /files/{name} 302: not seen" in lines


def test_the_junit_file_has_a_failure_per_violation_and_a_skipped_case_per_unseen_status(
    api: ApiSpec, tmp_path: Path
) -> None:
    run = ProxyRun(api, "https://things.example/v1")
    op = api.operation("listThings")
    run.answered(op, 200)
    run.add(op, [SCHEMA], 200, b"{}", "curl", ())
    path = tmp_path / "proxy.xml"
    run.write_junit(str(path))
    suite = ElementTree.parse(path).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    statuses = sum(len(op.documented_statuses) for op in api.operations)
    assert suite.get("skipped") == str(statuses - 1)
    names = {case.get("name") for case in suite.iter("testcase")}
    assert {"response_schema_conformance", "status 200", "status 401"} <= names


def test_a_credential_is_masked_in_the_message_the_excerpt_and_the_request(api: ApiSpec, tmp_path: Path) -> None:
    run = ProxyRun(api, "https://things.example/v1")
    leaky = Finding("xmock_echo", "Documented rule broken", f"`token` should echo, got {SECRET!r}")
    body = f'{{"token": "{SECRET}"}}'.encode()
    run.add(api.operation("listThings"), [leaky], 200, body, f"curl 'https://x/things?api_key={SECRET}'", (SECRET,))
    path = tmp_path / "proxy.xml"
    run.write_junit(str(path))
    assert SECRET not in run.text() and SECRET not in path.read_text(encoding="utf-8")
    assert "***" in run.text()
