"""Reading wrk's result (bench/wrk.py) from real wrk output: the WRK_JSON line bench/report.lua prints."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "bench") not in sys.path:  # the bench is scripts beside each other, imported as bench/run.py does
    sys.path.append(str(ROOT / "bench"))

from settings import BenchError  # noqa: E402
from wrk import parse_wrk, wrk_argv  # noqa: E402

SAMPLES = Path(__file__).parent / "wrk_output"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text()


def wrk_summary(stdout: str, label: str) -> str:
    """A value from wrk's own human summary, e.g. 'Requests/sec:' or '50%'."""
    match = re.search(rf"^\s*{re.escape(label)}\s+(\S+)", stdout, re.M)
    assert match, label
    return match.group(1)


@pytest.mark.parametrize("name", ["mock-round.txt", "prism-round.txt", "all-404.txt", "read-errors.txt"])
def test_requests_per_second_agrees_with_wrks_own_summary(name: str) -> None:
    stdout = sample(name)
    result = parse_wrk(stdout)
    assert result.requests_per_s == pytest.approx(float(wrk_summary(stdout, "Requests/sec:")), abs=0.1)


@pytest.mark.parametrize("name", ["mock-round.txt", "prism-round.txt"])
def test_latency_percentiles_agree_with_wrks_latency_distribution(name: str) -> None:
    stdout = sample(name)
    result = parse_wrk(stdout)
    for label, value in (("50%", result.p50_ms), ("90%", result.p90_ms), ("99%", result.p99_ms)):
        printed = wrk_summary(stdout, label)
        assert printed.endswith("ms")
        assert value == pytest.approx(float(printed.removesuffix("ms")), abs=0.01), label


def test_a_clean_round_is_read_in_full() -> None:
    result = parse_wrk(sample("mock-round.txt"))
    assert result.requests == 36963
    assert result.duration_s == 8.008  # microseconds to seconds, 3 decimals
    assert result.requests_per_s == 4615.6
    assert result.bytes_per_response == round(47719233 / 36963, 1)  # headers included
    assert (result.p50_ms, result.p90_ms, result.p99_ms) == (3.211, 4.26, 6.455)
    assert (result.max_ms, result.mean_ms) == (28.904, 3.471)
    assert (result.socket_errors, result.non_2xx_3xx) == (0, 0)


def test_answers_outside_2xx_3xx_are_counted_apart_from_socket_errors() -> None:
    result = parse_wrk(sample("all-404.txt"))
    assert result.non_2xx_3xx == result.requests == 1610
    assert result.socket_errors == 0


def test_read_errors_count_as_socket_errors() -> None:
    result = parse_wrk(sample("read-errors.txt"))
    assert result.socket_errors == 5774  # connect + read + write + timeouts, as wrk's "Socket errors:" line
    assert result.non_2xx_3xx == 0


def test_a_run_without_answers_reads_as_zero_not_a_division_error() -> None:
    result = parse_wrk(sample("no-answers.txt"))
    assert (result.requests, result.requests_per_s, result.bytes_per_response) == (0, 0.0, 0.0)
    assert result.duration_s == 2.009


def test_output_without_the_wrk_json_line_is_a_bench_error_quoting_it() -> None:
    # What wrk prints when run without -s bench/report.lua: the human summary alone.
    human_only = "\n".join(line for line in sample("mock-round.txt").splitlines() if not line.startswith("WRK_JSON"))
    with pytest.raises(BenchError, match="no WRK_JSON line") as caught:
        parse_wrk(human_only)
    assert "Requests/sec:   4615.60" in str(caught.value)


def test_wrk_runs_with_the_report_script_latency_and_each_header() -> None:
    argv = wrk_argv("http://127.0.0.1:1/x", 8, ("Authorization: Bearer b", "X-Key: k"))
    assert argv[:9] == ["wrk", "-t", "2", "-c", "16", "-d", "8s", "--timeout", "10s"]
    assert argv[9:] == [
        "--latency",
        "-s",
        "bench/report.lua",
        "-H",
        "Authorization: Bearer b",
        "-H",
        "X-Key: k",
        "http://127.0.0.1:1/x",
    ]
    assert (ROOT / "bench" / "report.lua").is_file()
