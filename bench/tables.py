"""The printed tables: load, ratios, start-up, corpus. Pure: results in, lines out."""

from __future__ import annotations

import argparse

from corpus_runs import RELAUNCH_UNDER_S, cell_mb, cell_rps, cell_s
from corpus_section import ROUTING_SPEC, CorpusReport
from startup import Check, StartupSeries, seconds
from stats import RATIO_LABELS, RoundRatio, TargetResult


def load_table(results: dict[str, TargetResult]) -> list[str]:
    header = f"{'target':26} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'bytes/resp':>10} {'errors':>7}   req/s by round"
    lines = [header, "-" * len(header)]
    for r in results.values():
        m = r.median
        by_round = " / ".join(f"{w.requests_per_s:.0f}" for w in r.rounds)
        lines.append(
            f"{r.label:26} {m.requests_per_s:9.1f} {m.p50_ms:8.2f} {m.p99_ms:8.2f} "
            f"{m.bytes_per_response:10.0f} {m.errors:7d}   {by_round}"
        )
    return lines


def ratio_table(
    results: dict[str, TargetResult], medians: dict[str, float], rounds: dict[str, RoundRatio]
) -> list[str]:
    lines = [f"{'ratio':38} {'of medians':>10}   per round: median [min-max]"]
    for key, label in RATIO_LABELS.items():
        if key in medians:
            per_round = rounds.get(key)
            spread = f"{per_round.median:.2f}x [{per_round.min:.2f}-{per_round.max:.2f}]" if per_round else ""
            lines.append(f"{label:38} {medians[key]:9.2f}x   {spread}")
    mock, prism = results.get("mock"), results.get("prism")
    if mock and prism and "mock_p99_over_prism_p50" in medians:
        lines.append(
            f"{'mock p99 vs Prism p50 (medians)':38} {mock.median.p99_ms:.2f} ms vs {prism.median.p50_ms:.2f} ms "
            f"({medians['mock_p99_over_prism_p50']:.2f}x)"
        )
    return lines


def startup_table(series: list[StartupSeries], passes: list[Check]) -> list[str]:
    header = f"{'start-up: launch → first answer':46} {'runs':>4} {'time':>9} {'peak RSS':>10} {'RSS':>10}"
    lines = [header, "-" * len(header)]
    for s in series:
        runs = ", ".join(seconds(x.answered_s) for x in s.launches)
        lines.append(
            f"{s.label:46} {len(s.launches):4d} {seconds(s.answered_s):>9} "
            f"{s.peak_rss_mb:7.1f} MB {s.rss_mb:7.1f} MB   ({runs})"
        )
    lines.extend(f"{'PASS' if c.passed else 'FAIL'}  target {c.name}: {c.measured}" for c in passes)
    return lines


def table(
    results: dict[str, TargetResult],
    medians: dict[str, float],
    rounds: dict[str, RoundRatio],
    series: list[StartupSeries],
    passes: list[Check],
) -> str:
    lines = [*load_table(results), "", *ratio_table(results, medians, rounds)]
    if series:
        lines += ["", *startup_table(series, passes)]
    return "\n".join(lines)


def corpus_table(report: CorpusReport, args: argparse.Namespace) -> list[str]:
    header = (
        f"{'spec':24} {'ops':>5} {'mock start s':>12} {'Prism start s':>13} {'mock RSS MB':>11} {'Prism RSS MB':>12} "
        f"{'mock req/s':>10} {'Prism req/s':>11}  notes"
    )
    lines = [header, "-" * len(header)]
    for row in report.rows:
        notes = "; ".join(([row.request] if row.request else []) + list(row.notes))
        lines.append(
            f"{row.name:24} {row.operations:5d} {cell_s(row.mock):>12} {cell_s(row.prism):>13} {cell_mb(row.mock):>11} "
            f"{cell_mb(row.prism):>12} {cell_rps(row.mock):>10} {cell_rps(row.prism):>11}  {notes}"
        )
    lines.append(
        f"start: launch → first answer (mock: GET / → 200; Prism: the request, any status), median of "
        f"{args.corpus_launches} launches when both were up within {RELAUNCH_UNDER_S:g} s, else one. "
        "RSS: peak (VmHWM), read before stopping (the mock's own process; Prism: its process group). "
        "req/s: answers < 400 per second, wrk -t2 -c16, one run per server after a 1 s warm-up."
    )
    if report.routing:
        r = report.routing
        lines.append("")
        if r.ratio is None:
            lines.append(f"routing {r.request}: FAILED: {r.problem}")
        else:
            full = " / ".join(f"{w.requests_per_s:.0f}" for w in r.full_rounds)
            one = " / ".join(f"{w.requests_per_s:.0f}" for w in r.one_op_rounds)
            lines.append(
                f"routing {r.request}: {ROUTING_SPEC} ({r.full_operations} ops) {full} req/s; 1-op spec {one} req/s"
            )
            lines.append(f"  ratio per round {', '.join(f'{x:.2f}' for x in r.ratios)}; median {r.ratio:.2f}")
    if report.x16:
        lines.append(
            f"{report.x16.label}: first answer {seconds(report.x16.answered_s)}, peak RSS {report.x16.peak_rss_mb:.1f} MB"
        )
    lines.append("")
    lines.extend(f"{'PASS' if c.passed else 'FAIL'}  target {c.name}: {c.measured}" for c in report.checks)
    lines.append(f"corpus section: {report.wall_time_s:.0f} s")
    return lines
