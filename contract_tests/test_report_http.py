"""`mockserver contract --report` against a drifting stand-in over real HTTP: the files a reader opens.

The JSON must validate against docs/report-schema.json; the HTML must hold the coverage matrix and the
violation, fetch nothing, and neither may hold the token. A baseline written by one run accepts the same
defect in the next, which then passes, with the defect shown as baselined. Against the mock, the statuses
only `Prefer: code=N` reached are told apart in the matrix.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from contract_support import APIS, AUTH, TODAY, make_app
from report_support import API, TOKEN, write_drift_report

from mockserver.contract.report_json import RunInfo, build_report
from mockserver.contract.runner import ContractOptions, Target, run_contract

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "report-schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One run's (html, json); its baseline is beside them, as `baseline.json`."""
    folder = tmp_path_factory.mktemp("report")
    # Writing the baseline adopts the check: the run exits 0, though it found the violation.
    return write_drift_report(folder, "--write-baseline", str(folder / "baseline.json"), expect_exit=0)


def _report(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_json_report_validates_against_the_documented_schema(written: tuple[Path, Path]) -> None:
    report = _report(written[1])
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    (api,) = report["apis"]
    assert api["name"] == API and api["verdict"] == "violations" and not api["in_process"]
    (operation,) = api["operations"]
    cells = {c["status"]: c["outcome"] for c in operation["cells"]}
    assert cells["200"] == "checked" and "never" in cells.values()  # the stand-in never answers 500
    assert operation["requests"] > 0 and operation["violations"] >= 1
    violation = next(v for v in api["violations"] if v["check"] == "response_schema_conformance")
    assert violation["reproduce"].startswith("curl -X GET http://127.0.0.1:")
    assert "Bearer ***" in violation["reproduce"]


def test_html_report_shows_the_matrix_and_the_violation_and_fetches_nothing(written: tuple[Path, Path]) -> None:
    html = written[0].read_text(encoding="utf-8")
    assert '<table id="coverage-matrix"' in html
    assert re.search(r'<tr data-operation="GET /activity">.*data-outcome="checked"', html)
    assert 'class="violation" data-check="response_schema_conformance" data-operation="GET /activity"' in html
    assert "<script" not in html and "src=" not in html and "href=" not in html and "url(" not in html


def test_no_report_holds_the_token(written: tuple[Path, Path]) -> None:
    for path in written:
        assert TOKEN not in path.read_text(encoding="utf-8"), path


def test_a_written_baseline_accepts_the_defect_next_run_and_the_report_says_so(
    written: tuple[Path, Path], tmp_path: Path
) -> None:
    baseline = written[0].parent / "baseline.json"
    assert TOKEN not in baseline.read_text(encoding="utf-8")
    options = ("--baseline", str(baseline), "--exclude-check", "not_a_server_error")
    write_drift_report(tmp_path, *options, expect_exit=0)  # nothing new: the run passes
    report = _report(tmp_path / "contract.json")
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    assert report["run"]["baseline"] == {"path": str(baseline), "entries": 1}
    assert report["run"]["excluded_checks"] == ["not_a_server_error"]
    (api,) = report["apis"]
    assert api["verdict"] == "conforms" and [v["baselined"] for v in api["violations"]] == [True]
    html = (tmp_path / "contract.html").read_text(encoding="utf-8")
    assert 'class="violation baselined"' in html and "excluded checks: not_a_server_error" in html


def test_against_the_mock_statuses_only_prefer_reached_are_marked_provoked() -> None:
    api = APIS["openrouter"]
    target = Target(app=make_app(), mount_path=api.mount_path)
    result = run_contract(api, target, ContractOptions(headers=dict(AUTH), max_examples=3, today=lambda: TODAY))
    assert result.ok, result.summary()
    (operation,) = build_report([(api, result)], RunInfo())["apis"][0]["operations"]
    cells = {c["status"]: c["outcome"] for c in operation["cells"]}
    # Nothing a client sends makes the mock answer 500 or 403 (a provisioning-key rule): only Prefer: code=N does.
    assert cells["500"] == "provoked" and cells["403"] == "provoked", cells
    assert cells["200"] == "checked", cells
