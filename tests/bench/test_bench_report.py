"""The reproduce line and the command line (bench/report.py, bench/options.py): README quotes the line
`make bench` prints, and running that line must run the same benchmark."""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "bench") not in sys.path:  # the bench is scripts beside each other, imported as bench/run.py does
    sys.path.append(str(ROOT / "bench"))

from options import parse_args  # noqa: E402
from report import Run, document, print_report, reproduce_command  # noqa: E402
from settings import RESULTS, python_cmd  # noqa: E402


def line(*options: str) -> str:
    return f"cd {shlex.quote(str(ROOT))} && {shlex.join([python_cmd(), 'bench/run.py', *options])}"


def test_reproduce_line_of_a_run_without_the_corpus_is_the_one_readme_quotes() -> None:
    expected = "--rounds 3 --duration 8 --warmup 2 --startup-runs 3 --scales 1 4 16 --no-corpus"
    assert reproduce_command(parse_args(["--no-corpus"])) == line(*expected.split())


def test_reproduce_line_of_the_corpus_section_alone_is_the_one_readme_quotes() -> None:
    expected = "--only-corpus --corpus-duration 4 --corpus-timeout 300 --corpus-launches 3"
    assert reproduce_command(parse_args(["--only-corpus"])) == line(*expected.split())


def test_reproduce_line_names_every_non_default_corpus_choice() -> None:
    args = parse_args(["--only-corpus", "--corpus-only", "github", "--corpus-only", "box", "--no-corpus-prism"])
    assert reproduce_command(args).endswith("--corpus-only github --corpus-only box --no-corpus-prism")
    assert "--no-corpus-routing" in reproduce_command(parse_args(["--no-corpus-routing"]))


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--no-corpus"],
        ["--rounds", "1", "--duration", "1", "--warmup", "0", "--startup-runs", "0", "--scales", "--only", "mock"],
        ["--scales", "2", "--only", "mock", "prism", "--corpus-timeout", "12.5", "--no-corpus-x16"],
        ["--corpus-launches", "1", "--corpus-duration", "2", "--corpus-only", "slack", "--no-corpus-routing"],
    ],
)
def test_running_the_reproduce_line_parses_to_the_same_options(argv: list[str]) -> None:
    args = parse_args(argv)
    words = shlex.split(reproduce_command(args))
    assert words[:4] == ["cd", str(ROOT), "&&", python_cmd()]
    assert words[4] == "bench/run.py"
    assert vars(parse_args(words[5:])) == vars(args)


def test_the_corpus_section_alone_reproduces_without_the_load_options() -> None:
    args = parse_args(["--only-corpus", "--rounds", "5", "--corpus-duration", "2"])
    reparsed = parse_args(shlex.split(reproduce_command(args))[5:])
    assert reparsed.only_corpus
    assert reparsed.corpus_duration == 2
    assert reparsed.rounds == 3  # not measured in this section, so not carried


@pytest.mark.parametrize("argv", [["--rounds", "0"], ["--duration", "-1"], ["--warmup", "x"], ["--only", "nginx"]])
def test_bad_options_exit_2_with_a_message_naming_the_option(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args(argv)
    assert exited.value.code == 2
    assert argv[0] in capsys.readouterr().err


def test_the_report_ends_with_the_wall_time_and_the_reproduce_line(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse_args(["--no-corpus", "--only", "mock", "--scales"])
    run = Run(datetime(2026, 11, 30, tzinfo=UTC), 158.4, [0.5], [0.6], "wrk 4.1.0", None, {}, [], {}, None)
    print_report(run, args, RESULTS / "latest.json")
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == f"wall time 158 s; reproduce with: {reproduce_command(args)}"
    assert out[-2] == "written to bench/results/latest.json; server and wrk output in bench/results/logs/"
    assert out[1].startswith("mockserver bench — 2026-11-30T00:00:00+00:00, nproc=")
    assert out[1].endswith(
        ", wrk -t2 -c16 -d8s, 3 rounds alternating over the targets (medians shown), after a 2s warm-up per server"
    )


def test_the_json_document_carries_the_reproduce_line_and_each_failure() -> None:
    args: argparse.Namespace = parse_args(["--no-corpus"])
    run = Run(datetime(2026, 11, 30, tzinfo=UTC), 1.0, [0.5], [0.6], "wrk 4.1.0", None, {}, [], {"prism": "x"}, None)
    written = document(run, args)
    assert written["reproduce"] == reproduce_command(args)
    assert written["failures"] == {"prism": "x"}
    assert written["corpus"] is None
    assert written["commands"]["wrk"].startswith("wrk -t 2 -c 16 -d 8s --timeout 10s --latency -s bench/report.lua")
