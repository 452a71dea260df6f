"""The bench's command-line options."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from corpus_runs import CORPUS_DURATION_S, CORPUS_TIMEOUT_S, RELAUNCH_UNDER_S
from corpus_section import ROUTING_SPEC
from throughput import TARGET_KEYS


def count(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the mock against Prism and Connexion/Starlette ceilings.")
    parser.add_argument("--rounds", type=count(1), default=3, help="alternating rounds over the targets (default 3)")
    parser.add_argument("--duration", type=count(1), default=8, help="seconds of load per target per round (default 8)")
    parser.add_argument("--warmup", type=count(0), default=2, help="seconds of discarded load per server (default 2)")
    parser.add_argument(
        "--startup-runs", type=count(0), default=3, help="launches of the bundled specs and of scale 1 (default 3)"
    )
    parser.add_argument(
        "--scales",
        type=count(1),
        nargs="*",
        default=[1, 4, 16],
        help="bench/large_spec.py scales to time and weigh (default 1 4 16; none: skip)",
    )
    parser.add_argument("--only", nargs="*", choices=TARGET_KEYS, help="a subset of the load targets")
    corpus = parser.add_argument_group("corpus section: the mock beside Prism on the specs in tests/corpus/")
    corpus.add_argument(
        "--corpus", action=argparse.BooleanOptionalAction, default=True, help="run the corpus section (default: yes)"
    )
    corpus.add_argument("--only-corpus", action="store_true", help="the corpus section alone")
    corpus.add_argument(
        "--corpus-only", action="append", default=[], metavar="NAME", help="this corpus spec only (repeatable)"
    )
    corpus.add_argument(
        "--corpus-duration",
        type=count(1),
        default=CORPUS_DURATION_S,
        help=f"seconds of wrk load per server and spec, and per routing round (default {CORPUS_DURATION_S})",
    )
    corpus.add_argument(
        "--corpus-launches",
        type=count(1),
        default=3,
        help=f"start-ups per server when both came up within {RELAUNCH_UNDER_S:g} s, median shown (default 3)",
    )
    corpus.add_argument(
        "--corpus-timeout",
        type=float,
        default=CORPUS_TIMEOUT_S,
        metavar="SECONDS",
        help=f"per server: launch → first answer, else 'not up' (default {CORPUS_TIMEOUT_S:g})",
    )
    corpus.add_argument(
        "--corpus-prism",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Prism beside the mock (default: yes)",
    )
    corpus.add_argument(
        "--corpus-routing",
        action=argparse.BooleanOptionalAction,
        default=True,
        help=f"{ROUTING_SPEC} vs a 1-operation spec, same GET (default: yes)",
    )
    corpus.add_argument(
        "--corpus-x16",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="time scale 16 of bench/large_spec.py when the start-up section did not (default: yes)",
    )
    return parser.parse_args(argv)
