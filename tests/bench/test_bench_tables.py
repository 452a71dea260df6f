"""The printed tables (bench/tables.py), column for column: README quotes them, so their format is pinned."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "bench") not in sys.path:  # the bench is scripts beside each other, imported as bench/run.py does
    sys.path.append(str(ROOT / "bench"))

from corpus_runs import CorpusRow, ServerRun  # noqa: E402
from corpus_section import CorpusReport, RoutingResult  # noqa: E402
from options import parse_args  # noqa: E402
from startup import Check, Launch, StartupSeries, checks  # noqa: E402
from stats import TargetResult, median_ratios, round_ratios, summarize  # noqa: E402
from tables import corpus_table, load_table, ratio_table, startup_table, table  # noqa: E402
from wrk import WrkResult, parse_wrk  # noqa: E402

SAMPLE = parse_wrk((Path(__file__).parent / "wrk_output" / "mock-round.txt").read_text())


def rounds(rps: list[float], p50_ms: float, p99_ms: float, size: float, errors: int = 0) -> list[WrkResult]:
    return [
        dataclasses.replace(
            SAMPLE, requests_per_s=r, p50_ms=p50_ms, p99_ms=p99_ms, bytes_per_response=size, non_2xx_3xx=errors
        )
        for r in rps
    ]


def target(key: str, label: str, measured: list[WrkResult]) -> TargetResult:
    return TargetResult(key, label, "", "", 1.0, 200, 0, "", summarize(measured), tuple(measured))


RESULTS = {
    "mock": target("mock", "mock (dynamic)", rounds([4616.0, 4851.0, 4740.4], 3.17, 6.40, 1291)),
    "prism": target("prism", "Prism 5.16 (-d)", rounds([1212.0, 1256.1, 1264.0], 12.37, 27.06, 1448)),
    "starlette": target("starlette", "Starlette, constant body", rounds([24371.0, 24775.0, 23771.0], 0.6, 1.35, 1283)),
}


def test_load_table_has_one_row_per_target_with_medians_and_each_rounds_rate() -> None:
    assert load_table(RESULTS) == [
        "target                         req/s   p50 ms   p99 ms bytes/resp  errors   req/s by round",
        "------------------------------------------------------------------------------------------",
        "mock (dynamic)                4740.4     3.17     6.40       1291       0   4616 / 4851 / 4740",
        "Prism 5.16 (-d)               1256.1    12.37    27.06       1448       0   1212 / 1256 / 1264",
        "Starlette, constant body     24371.0     0.60     1.35       1283       0   24371 / 24775 / 23771",
    ]


def test_load_table_counts_errors_over_all_rounds() -> None:
    erring = {"mock": target("mock", "mock (dynamic)", rounds([10.0, 10.0], 1.0, 2.0, 5, errors=3))}
    assert load_table(erring)[2].split()[6] == "6"


def test_ratio_table_shows_ratios_of_medians_then_per_round_spread() -> None:
    lines = ratio_table(RESULTS, median_ratios(RESULTS), round_ratios(RESULTS))
    assert lines == [
        "ratio                                  of medians   per round: median [min-max]",
        "mock / Prism throughput                     3.77x   3.81x [3.75-3.86]",
        "mock / Starlette throughput                 0.20x   0.20x [0.19-0.20]",
        "mock p99 vs Prism p50 (medians)        6.40 ms vs 12.37 ms (0.52x)",
    ]


def test_ratio_table_leaves_the_per_round_column_empty_without_round_ratios() -> None:
    lines = ratio_table(RESULTS, {"mock_over_prism_rps": 3.774}, {})
    assert lines[1] == "mock / Prism throughput                     3.77x   "


def series(name: str, label: str, times: list[float | None], answered_s: float | None) -> StartupSeries:
    launches = tuple(Launch(t, 200 if t else 0, 79.6, 70.0) for t in times)
    return StartupSeries(name, label, "", "", launches, answered_s, 79.6, 70.0)


def test_startup_table_lists_each_launch_and_marks_a_timeout_and_the_targets() -> None:
    bundled = series("bundled", "4 bundled specs (specs/)", [0.79, None, 0.75], 0.79)
    x1 = series("x1", "x1: 250 ops, 1200 schemas, 0.5 MB", [None], None)
    lines = startup_table([bundled, x1], checks(bundled, [x1]))
    assert lines[0] == "start-up: launch → first answer                runs      time   peak RSS        RSS"
    assert lines[1] == "-" * len(lines[0])
    assert lines[2:] == [
        "4 bundled specs (specs/)                          3    0.79 s    79.6 MB    70.0 MB   (0.79 s, > 180 s, 0.75 s)",
        "x1: 250 ops, 1200 schemas, 0.5 MB                 1   > 180 s    79.6 MB    70.0 MB   (> 180 s)",
        "PASS  target 4 bundled specs (specs/): first answer ≤ 1.5 s: 0.79 s",
        "FAIL  target x1: first answer ≤ 3 s, peak RSS ≤ 200 MB: > 180 s, 79.6 MB",
    ]


def test_table_leaves_out_the_startup_section_when_nothing_was_launched() -> None:
    text = table(RESULTS, median_ratios(RESULTS), round_ratios(RESULTS), [], [])
    assert "start-up" not in text
    assert text.split("\n\n")[1].startswith("ratio ")


def server(up_s: float | None, rss: float | None, rps: float | None, problem: str = "") -> ServerRun:
    return ServerRun("", 1, up_s, problem, 200, (), rss, rss, "", 200, None, rps, "", (up_s,), up_s)


def test_corpus_table_row_shows_start_memory_throughput_and_the_request() -> None:
    row = CorpusRow("asana", "", "3.0.0", 167, "GET /goals", server(1.81, 81, 4200), server(2.65, 187, 463), ())
    report = CorpusReport([row], None, None, [Check("c", True, "m")], 780.4)
    lines = corpus_table(report, parse_args([]))
    assert lines[0] == (
        "spec                       ops mock start s Prism start s mock RSS MB Prism RSS MB mock req/s Prism req/s  notes"
    )
    assert lines[2] == (
        "asana                      167         1.81          2.65          81          187       4200         463  GET /goals"
    )
    assert lines[-2:] == ["PASS  target c: m", "corpus section: 780 s"]


def test_corpus_table_says_why_a_server_has_no_numbers() -> None:
    not_up = server(None, None, None, "not up after 300 s")
    exited = server(None, None, None, "exited 1: No operations found")
    rows = [
        CorpusRow("stripe", "", "3.0.0", 588, "", server(5.03, 217, 1280), not_up, ("n",)),
        CorpusRow("webhooks", "", "3.1.0", 0, "", server(1.39, 75, None), exited, ()),
        CorpusRow("alone", "", "3.1.0", 1, "", server(1.0, 70, None), None, ()),
    ]
    lines = corpus_table(CorpusReport(rows, None, None, [], 1.0), parse_args([]))
    assert lines[2].split()[:8] == ["stripe", "588", "5.03", "not", "up", "217", "—", "1280"]
    assert lines[3].split()[:8] == ["webhooks", "0", "1.39", "exited", "75", "—", "—", "—"]
    assert lines[4].split()[:7] == ["alone", "1", "1.00", "—", "70", "—", "—"]


def test_corpus_table_reports_routing_per_round_or_why_it_failed() -> None:
    routing = RoutingResult("GET /r", 1223, "", "", (), (), (1.0, 1.33), 1.165, "")
    lines = corpus_table(CorpusReport([], routing, None, [], 1.0), parse_args([]))
    assert "  ratio per round 1.00, 1.33; median 1.17" in lines
    failed = dataclasses.replace(routing, ratios=(), ratio=None, problem="full mock: not up after 300 s")
    lines = corpus_table(CorpusReport([], failed, None, [], 1.0), parse_args([]))
    assert "routing GET /r: FAILED: full mock: not up after 300 s" in lines
