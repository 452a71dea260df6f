"""`make bench`: the mock's throughput and latency against Prism and two ceilings, its start-up time and memory.

Installs its tools when missing (wrk from Debian, Stoplight Prism 5.16 from npm into bench/.prism),
then starts four servers on free 127.0.0.1 ports (one process each), kept up while they are measured:

    mock       python -m mockserver serve specs/openrouter.yaml --quiet   (dynamic data, every request generated)
    prism      prism mock -d specs/openrouter.yaml                         (dynamic mode, json-schema-faker)
    connexion  bench/ceilings.py connexion: the same Connexion stack, a constant precomputed body
    starlette  bench/ceilings.py starlette: a bare Starlette route, the same constant body

Each server gets one warm-up; then, for R rounds, wrk loads each target in turn with the same load
(the order rotated each round), so a drift in the machine's load touches every target alike. Per target
it reports the median over rounds; ratios are given both from those medians and per round (median and
range), since targets measured within the same round share the machine's state.

Start-up: launch → first answer and memory (peak RSS and RSS at that moment, from /proc) for
`python -m mockserver serve specs` (all bundled specs) and for synthetic specs from bench/large_spec.py
at several scales. Prints a table and writes bench/results/latest.json.

Corpus (`--only-corpus` alone, `make bench-corpus`; `--no-corpus` skips it): for every spec in tests/corpus/
(a .gz one decompressed into a temp dir, as tests/corpus/run.py does), the mock then Prism (`prism mock -d`),
one at a time: launch → first answer (the mock: `GET /` → 200; Prism: the chosen GET, any status), peak RSS
(VmHWM: the mock's own process, Prism's whole process group), and wrk on the first documented GET without
required query/header parameters that the mock answers 2xx (path parameters filled with plausible values; the
mock at `apis[0].base_path` + path, Prism at the path alone: it drops the server URL's base path); only answers
below 400 count as req/s. A server not up within --corpus-timeout is reported, never fatal. Then GitHub's spec
(1,223 operations) against a 1-operation spec holding the same GET with every component it references, same URL,
alternating rounds; and scale 16 of bench/large_spec.py when the start-up section did not time it.

The parts, one module each beside this script: settings (paths, the load's shape), installs (wrk, Prism),
processes (starting, polling, stopping servers), wrk (running it, reading its result), stats (medians, ratios),
throughput, startup, corpus_specs / corpus_runs / corpus_section (the corpus section), tables (the printed
tables), report (latest.json and the printed report), options (the command line).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from datetime import UTC, datetime
from types import FrameType

from corpus_section import measure_corpus
from corpus_specs import corpus_specs
from installs import ensure_prism, ensure_wrk, installed_prism_version, loadavg
from options import parse_args
from report import Run, document, print_report, write_json
from settings import BenchError, say
from startup import StartupSeries, measure_bundled_or_record, measure_scales
from throughput import TARGET_KEYS, build_targets, measure_throughput


def terminate(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C: every server started is stopped


def bench(args: argparse.Namespace) -> Run:
    started, clock, load_start = datetime.now(UTC), time.perf_counter(), loadavg()
    wanted = set() if args.only_corpus else set(args.only or TARGET_KEYS)
    with_corpus = args.only_corpus or args.corpus
    if with_corpus:
        corpus_specs(args.corpus_only)  # an unknown name fails now, not after the other sections
    wrk_version = ensure_wrk()
    needs_prism = "prism" in wanted or (with_corpus and args.corpus_prism)
    prism_version = ensure_prism() if needs_prism else installed_prism_version()
    failures: dict[str, str] = {}
    targets = [t for t in build_targets() if t.key in wanted]
    results = measure_throughput(targets, args.rounds, args.duration, args.warmup, failures) if targets else {}
    series: list[StartupSeries] = []
    if not args.only_corpus:
        series += measure_bundled_or_record(args.startup_runs, failures)
        series += measure_scales(args.scales, max(args.startup_runs, 1), failures)
    corpus = measure_corpus(args, series) if with_corpus else None
    return Run(
        started=started,
        wall_time_s=round(time.perf_counter() - clock, 1),
        loadavg_start=load_start,
        loadavg_end=loadavg(),
        wrk_version=wrk_version,
        prism_version=prism_version,
        results=results,
        series=series,
        failures=failures,
        corpus=corpus,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, terminate)
    try:
        run = bench(args)
    except BenchError as exc:
        say(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        say("interrupted; every server it started is stopped")
        return 130
    print_report(run, args, write_json(document(run, args)))
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
