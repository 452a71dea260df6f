"""`diff(BASE, REVISION)`: load both sides, compare them, and return the findings.

A linear pipeline: open each side (a file, a bundled name, `git:REF:path`) → load it without the OpenAPI
schema check (the two versions are compared, not judged; `mockserver serve` judges) → compare operations,
x-mock rules, then examples and fixtures.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from mockserver.diff.examples import compare_examples
from mockserver.diff.findings import Finding, Findings
from mockserver.diff.operations import OperationComparer
from mockserver.diff.rules import Severity
from mockserver.diff.sources import Side, open_side
from mockserver.diff.xmock_rules import compare_xmock
from mockserver.errors import SpecLoadError
from mockserver.openapi.loader import load_unchecked
from mockserver.openapi.model import ApiSpec


@dataclass(frozen=True)
class DiffResult:
    base: str  # as given
    revision: str
    findings: list[Finding]  # most severe first

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def fails(self, threshold: Severity) -> bool:
        return any(f.severity >= threshold for f in self.findings)


def diff(base: str, revision: str, *, cwd: Path | None = None, ref_root: Path | str | None = None) -> DiffResult:
    """Compare the spec `base` with `revision`; raises `SpecLoadError` when either cannot be read.

    `ref_root`: the folder whose files a `$ref` of a spec file may read (default: the spec's folder); a
    `git:` side may read any file of the repository at its revision."""
    with ExitStack() as stack:
        old_side, new_side = open_side(base, stack, cwd=cwd), open_side(revision, stack, cwd=cwd)
        with _quiet():
            old, new = _load(old_side, ref_root), _load(new_side, ref_root)
        return compare(old, new, base_label=base, revision_label=revision, sides=(old_side, new_side))


def compare(
    old: ApiSpec,
    new: ApiSpec,
    *,
    base_label: str = "BASE",
    revision_label: str = "REVISION",
    sides: tuple[Side, Side] | None = None,
) -> DiffResult:
    findings = Findings()
    OperationComparer(old, new, findings).compare()
    compare_xmock(old, new, findings)
    compare_examples(
        old,
        new,
        findings,
        base_fixtures=sides[0].fixtures if sides else None,
        revision_fixtures=sides[1].fixtures if sides else None,
    )
    found = findings.ordered()
    if sides is not None:
        found = [dataclasses.replace(f, detail=sides[1].shown(sides[0].shown(f.detail))) for f in found]
    return DiffResult(base_label, revision_label, found)


def _load(side: Side, ref_root: Path | str | None) -> ApiSpec:
    try:
        return load_unchecked(side.path, ref_root=side.copy or ref_root)
    except SpecLoadError as exc:
        if side.copy is None:
            raise
        # Name the file as the user gave it, not the temporary copy it was read from.
        raise SpecLoadError(side.label, exc.kind, exc.detail.replace(f"{side.copy}/", "")) from None


@contextmanager
def _quiet() -> Iterator[None]:
    """The loader's warnings (an operation without a body, a `$ref` left out) are for `serve`, not a diff."""
    logger = logging.getLogger("mockserver")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
