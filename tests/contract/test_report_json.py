"""The JSON report: the documented, versioned structure; its coverage matrix; credentials never in it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from mockserver.contract.report import ApiResult, Violation, curl
from mockserver.contract.report_html import render_html
from mockserver.contract.report_json import RunInfo, build_report, save
from mockserver.openapi.loader import load
from mockserver.openapi.model import ApiSpec
from mockserver.redact import secret_values

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "report-schema.json").read_text(encoding="utf-8"))
TOKEN = "sk-or-v1-DISTINCTIVE-7f3a9c"  # must never appear in a report, in any form
OP = "GET /activity"


@pytest.fixture(scope="module")
def openrouter() -> ApiSpec:
    return load(ROOT / "specs" / "openrouter.yaml")


def _result(**fields: object) -> ApiResult:
    result = ApiResult(
        "openrouter",
        "http://127.0.0.1:1/api/v1",
        operations=[OP],
        secrets=secret_values({"Authorization": f"Bearer {TOKEN}"}),
    )
    for name, value in fields.items():
        setattr(result, name, value)
    return result


def _violation(message: str = '"217" is not of type "number"', body: str = '{"requests": "217"}') -> Violation:
    return Violation(
        "openrouter",
        OP,
        "response_schema_conformance",
        "Response violates schema",
        message + "\n\nSchema at /components/schemas/ActivityItem/properties/requests:\n\n    {}",
        200,
        body,
        curl("GET", "http://127.0.0.1:1/api/v1/activity", {"Authorization": f"Bearer {TOKEN}"}),
    )


def test_report_validates_against_the_documented_schema(openrouter: ApiSpec) -> None:
    result = _result()
    for status in (200, 200, 400, 418):
        result.answered(OP, status)
    result.answered(OP, 403, provoked=True)
    result.add(_violation())
    report = build_report([(openrouter, result)], RunInfo(excluded_checks=("ignored_auth",)))
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    assert (report["format"], report["version"]) == ("mockserver-contract-report", 1)
    assert report["run"]["excluded_checks"] == ["ignored_auth"]


def test_matrix_tells_checked_from_provoked_from_never_and_lists_undocumented_answers(openrouter: ApiSpec) -> None:
    result = _result()
    for status in (200, 200, 400, 418):
        result.answered(OP, status)
    result.answered(OP, 403, provoked=True)
    (operation,) = build_report([(openrouter, result)], RunInfo())["apis"][0]["operations"]
    cells = {c["status"]: (c["outcome"], c["count"]) for c in operation["cells"]}
    assert cells == {
        "200": ("checked", 2),
        "400": ("checked", 1),
        "401": ("never", 0),
        "403": ("provoked", 1),
        "500": ("never", 0),
    }
    assert operation["undocumented"] == [{"status": 418, "count": 1}]
    assert operation["requests"] == 5


def test_an_answer_to_another_method_is_counted_as_a_request_but_not_in_the_matrix(openrouter: ApiSpec) -> None:
    result = _result()
    result.answered(OP, 405, own_method=False)
    (operation,) = build_report([(openrouter, result)], RunInfo())["apis"][0]["operations"]
    assert operation["requests"] == 1 and operation["undocumented"] == []
    assert all(c["outcome"] == "never" for c in operation["cells"])


def test_a_distinctive_token_never_reaches_the_json_or_the_html(openrouter: ApiSpec, tmp_path: Path) -> None:
    result = _result()
    result.add(_violation(message=f"echoed {TOKEN}", body=f'{{"key": "{TOKEN}"}}'))
    result.errors.append(f"cannot reach https://user:{TOKEN}@example.com")
    result.target = f"http://127.0.0.1:1/?key={TOKEN}"  # a field the runner never fills with a secret, masked anyway
    report = build_report([(openrouter, result)], RunInfo())
    save(report, str(tmp_path / "r.json"))
    save(report, str(tmp_path / "r.html"))
    for name in ("r.json", "r.html"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert TOKEN not in text and TOKEN[8:] not in text, name
        assert "Bearer ***" in text, name


def test_violation_carries_the_contract_excerpt_the_answer_and_a_curl(openrouter: ApiSpec) -> None:
    result = _result()
    result.add(_violation())
    (violation,) = build_report([(openrouter, result)], RunInfo())["apis"][0]["violations"]
    assert violation["contract"]["pointer"] == "/components/schemas/ActivityItem/properties/requests"
    assert '"type": "number"' in violation["contract"]["excerpt"]
    assert violation["response"] == {"status": 200, "body_excerpt": '{"requests": "217"}'}
    assert violation["reproduce"].startswith("curl -X GET ")
    assert violation["key"]["defect"] == (
        '/components/schemas/ActivityItem/properties/requests: <value> is not of type "number"'
    )


def test_html_is_rendered_from_the_json_with_stable_hooks_and_nothing_fetched(openrouter: ApiSpec) -> None:
    result = _result()
    result.answered(OP, 200)
    result.add(_violation(body='<script>alert("x")</script>'))
    html = render_html(build_report([(openrouter, result)], RunInfo()))
    assert '<table id="coverage-matrix" class="coverage-matrix"' in html
    assert 'class="violation" data-check="response_schema_conformance" data-operation="GET /activity"' in html
    assert 'data-status="200" data-outcome="checked"' in html
    assert "<script" not in html  # the echoed body is text, and the page needs no script
    for fetch in ("src=", "href=", "@import", "url("):
        assert fetch not in html, fetch


def test_report_suffix_picks_the_format(openrouter: ApiSpec, tmp_path: Path) -> None:
    report = build_report([(openrouter, _result())], RunInfo())
    save(report, str(tmp_path / "r.JSON"))
    save(report, str(tmp_path / "r.htm"))
    assert json.loads((tmp_path / "r.JSON").read_text(encoding="utf-8"))["format"] == "mockserver-contract-report"
    assert (tmp_path / "r.htm").read_text(encoding="utf-8").startswith("<!doctype html>")
