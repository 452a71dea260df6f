"""`mockserver diff BASE REVISION`: the parser's options, then hand-over to `mockserver.diff` (thin)."""

from __future__ import annotations

import argparse
import sys

from mockserver.diff.compare import diff
from mockserver.diff.formats import FORMATS, RENDER
from mockserver.diff.rules import Severity

EXIT_FOUND = 1  # something at or above --fail-on
_SIDE = "a spec file, a bundled API name, or git:REF:path (read from the repository's history)"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("diff", help="classify the changes between two versions of a spec (breaking or not)")
    parser.add_argument("base", metavar="BASE", help=_SIDE)
    parser.add_argument("revision", metavar="REVISION", help=_SIDE)
    parser.add_argument(
        "--fail-on",
        choices=("breaking", "warning"),
        default="breaking",
        help="exit 1 when a change of this severity or worse is found (default: %(default)s)",
    )
    parser.add_argument(
        "--ref-root",
        metavar="DIR",
        default=None,
        help="the folder whose files a $ref may read (default: the spec's own folder; a git: side reads its repository)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: %(default)s)")


def run_diff(args: argparse.Namespace) -> int:
    """0: nothing at or above --fail-on; 1: something is; a spec that cannot be read raises (the CLI's exit 2)."""
    result = diff(args.base, args.revision, ref_root=args.ref_root)
    sys.stdout.write(RENDER[args.format](result))
    return EXIT_FOUND if result.fails(Severity[args.fail_on.upper()]) else 0
