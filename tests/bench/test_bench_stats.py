"""The bench's statistics (bench/stats.py): medians over rounds, ratios of medians and per round."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "bench") not in sys.path:  # the bench is scripts beside each other, imported as bench/run.py does
    sys.path.append(str(ROOT / "bench"))

from stats import RoundRatio, TargetResult, median_ratios, median_time, round_ratios, summarize  # noqa: E402
from wrk import WrkResult, parse_wrk  # noqa: E402

SAMPLES = Path(__file__).parent / "wrk_output"
MOCK = parse_wrk((SAMPLES / "mock-round.txt").read_text())  # 4615.6 req/s, p50 3.211, p99 6.455 ms
PRISM = parse_wrk((SAMPLES / "prism-round.txt").read_text())  # 1212.0 req/s, p50 12.519, p99 33.716 ms


def rounds_at(base: WrkResult, *rps: float) -> list[WrkResult]:
    return [dataclasses.replace(base, requests_per_s=value) for value in rps]


def target(key: str, rounds: list[WrkResult]) -> TargetResult:
    return TargetResult(
        key, key, f"serve {key}", f"http://127.0.0.1/{key}", 1.0, 200, 10, "", summarize(rounds), tuple(rounds)
    )


def test_summary_takes_each_fields_median_over_rounds() -> None:
    slow = dataclasses.replace(MOCK, requests_per_s=1000.0, p50_ms=9.0, p99_ms=90.0, bytes_per_response=100.0)
    fast = dataclasses.replace(MOCK, requests_per_s=5000.0, p50_ms=1.0, p99_ms=10.0, bytes_per_response=300.0)
    summary = summarize([slow, MOCK, fast])
    # Each field on its own: the medians come from different rounds.
    assert (summary.requests_per_s, summary.p50_ms, summary.p99_ms) == (MOCK.requests_per_s, 3.211, 10.0)
    assert summary.bytes_per_response == 300.0  # 100, 300 and the sample's 1291


def test_summary_of_an_even_number_of_rounds_is_the_mean_of_the_middle_two() -> None:
    assert summarize(rounds_at(MOCK, 100.0, 200.0)).requests_per_s == 150.0


def test_summary_sums_socket_errors_and_bad_statuses_over_rounds() -> None:
    rounds = [dataclasses.replace(MOCK, socket_errors=2, non_2xx_3xx=3), dataclasses.replace(MOCK, non_2xx_3xx=5)]
    assert summarize(rounds).errors == 10


def test_ratios_of_medians_divide_the_mock_by_each_other_target() -> None:
    results = {"mock": target("mock", [MOCK]), "prism": target("prism", [PRISM])}
    ratios = median_ratios(results)
    assert ratios == {
        "mock_over_prism_rps": round(4615.6 / 1212.0, 3),
        "mock_p99_over_prism_p50": round(6.455 / 12.519, 3),
    }


def test_a_ratio_needs_both_its_targets() -> None:
    assert median_ratios({"mock": target("mock", [MOCK])}) == {}
    assert round_ratios({"prism": target("prism", [PRISM])}) == {}


def test_a_target_with_no_throughput_gives_no_ratio_rather_than_a_division_error() -> None:
    results = {"mock": target("mock", [MOCK]), "starlette": target("starlette", rounds_at(MOCK, 0.0))}
    assert "mock_over_starlette_rps" not in median_ratios(results)
    assert "mock_over_starlette_rps" not in round_ratios(results)


def test_the_two_worker_ratio_divides_mock_2w_by_the_single_process_mock() -> None:
    results = {"mock": target("mock", rounds_at(MOCK, 1000.0)), "mock-2w": target("mock-2w", rounds_at(MOCK, 1800.0))}
    assert median_ratios(results) == {"mock_2_workers_over_mock_rps": 1.8}


def test_round_ratios_pair_rounds_in_order_and_give_median_min_max() -> None:
    results = {
        "mock": target("mock", rounds_at(MOCK, 400.0, 300.0, 900.0)),
        "prism": target("prism", rounds_at(PRISM, 100.0, 200.0, 300.0)),
    }
    assert round_ratios(results) == {"mock_over_prism_rps": RoundRatio((4.0, 1.5, 3.0), 3.0, 1.5, 4.0)}
    # Of medians it is another number: 400 / 200.
    assert median_ratios(results)["mock_over_prism_rps"] == 2.0


def test_round_ratios_refuse_targets_whose_rounds_do_not_align() -> None:
    results = {"mock": target("mock", rounds_at(MOCK, 1.0, 2.0)), "prism": target("prism", rounds_at(PRISM, 1.0))}
    with pytest.raises(ValueError):
        round_ratios(results)


def test_median_time_counts_a_timeout_as_slower_than_any_answer() -> None:
    assert median_time([0.5, None, 0.7]) == 0.7
    assert median_time([1.23456]) == 1.235


def test_median_time_is_none_when_most_launches_timed_out() -> None:
    assert median_time([None, 0.5, None]) is None
