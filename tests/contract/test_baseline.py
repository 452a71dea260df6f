"""Baselines: known violations written by key, read back, accepted; a malformed file is one clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.contract.baseline import BaselineError, apply_baseline, read_baseline, write_baseline
from mockserver.contract.report import ApiResult, Violation

TOKEN = "sk-live-BASELINE-91c2"


def _violation(check: str, message: str) -> Violation:
    return Violation("onepin", "GET /activity", check, "t", message, 200, f"body {TOKEN}", f"curl -H 'X-Key: {TOKEN}'")


def _result(*violations: Violation) -> ApiResult:
    result = ApiResult("onepin", "http://127.0.0.1:1", secrets=(TOKEN,))
    for violation in violations:
        result.add(violation)
    return result


def test_written_baseline_accepts_the_same_violations_found_with_other_values(tmp_path: Path) -> None:
    path = str(tmp_path / "baseline.json")
    write_baseline([_result(_violation("response_schema_conformance", '"217" is not of type "number"'))], path)
    again = _result(
        _violation("response_schema_conformance", '"12" is not of type "number"'),
        _violation("not_a_server_error", "Server error"),
    )
    apply_baseline(again, read_baseline(path))
    assert [v.check for v in again.baselined] == ["response_schema_conformance"]
    assert [v.check for v in again.violations] == ["not_a_server_error"]
    assert not again.ok  # only the new one fails the run


def test_a_baseline_holds_keys_only_never_a_credential(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    write_baseline([_result(_violation("xmock_limit", f"limit broken for key {TOKEN}"))], str(path))
    text = path.read_text(encoding="utf-8")
    assert TOKEN not in text and "curl" not in text and "body" not in text
    entry = json.loads(text)["violations"][0]
    assert entry == {"api": "onepin", "operation": "GET /activity", "check": "xmock_limit", "defect": ""}


def test_all_found_violations_are_rewritten_including_already_baselined_ones(tmp_path: Path) -> None:
    path = str(tmp_path / "baseline.json")
    write_baseline([_result(_violation("not_a_server_error", "Server error"))], path)
    result = _result(_violation("not_a_server_error", "Server error"))
    apply_baseline(result, read_baseline(path))
    write_baseline([result], path)
    assert len(read_baseline(path)) == 1


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not JSON"),
        ("[]", "not a baseline"),
        ('{"format": "mockserver-contract-baseline", "version": 7, "violations": []}', "version 7"),
        ('{"format": "mockserver-contract-baseline", "version": 1}', '"violations" must be a list'),
        ('{"format": "mockserver-contract-baseline", "version": 1, "violations": [{"api": 1}]}', "violations[0]"),
    ],
)
def test_a_malformed_baseline_is_one_line_naming_the_file_and_the_problem(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "known.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError) as caught:
        read_baseline(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message


def test_a_missing_baseline_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match=r"absent\.json: cannot read it"):
        read_baseline(str(tmp_path / "absent.json"))
