"""`contract --report/--baseline/--exclude-check`: a bad value is exit 2 and one line, before anything is sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.cli import main

# Port 9 (discard) is never reached: each mistake is caught before the run starts.
UNREACHED = ("contract", "onepin", "--base-url", "http://127.0.0.1:9")


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


def test_a_report_with_an_unknown_suffix_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*UNREACHED, "--report", "out.html", "--report", "out.txt"]) == 2
    assert _one_line(capsys) == "mockserver: error: --report 'out.txt' must end in .html or .json"


def test_an_unknown_check_is_a_usage_error_naming_the_valid_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*UNREACHED, "--exclude-check", "ignored_auth", "--exclude-check", "no_such_check"]) == 2
    line = _one_line(capsys)
    assert line.startswith("mockserver: error: --exclude-check 'no_such_check' is not a check; valid: ")
    for name in ("response_schema_conformance", "ignored_auth", "xmock_limit", "error_envelope"):
        assert name in line


def test_a_malformed_baseline_is_exit_2_naming_the_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    baseline = tmp_path / "known.json"
    baseline.write_text('{"format": "something-else"}', encoding="utf-8")
    assert main([*UNREACHED, "--baseline", str(baseline)]) == 2
    line = _one_line(capsys)
    assert line.startswith(f"mockserver: error: --baseline {baseline}: not a baseline")
