"""A diff's findings as text (a terminal), markdown (a pull request comment) or JSON (a program)."""

from __future__ import annotations

import json
from collections.abc import Callable

from mockserver.diff.compare import DiffResult
from mockserver.diff.findings import Finding
from mockserver.diff.rules import Severity

FORMATS = ("text", "markdown", "json")


def summary(result: DiffResult) -> str:
    counts = [f"{result.count(s)} {s.label}" for s in (Severity.BREAKING, Severity.WARNING, Severity.INFO)]
    return f"{result.base} → {result.revision}: {', '.join(counts)}"


def text(result: DiffResult) -> str:
    lines = [summary(result)]
    for f in result.findings:
        lines.append(f"{f.severity.label.upper():8} {f.rule.id}  {f.operation or '(document)'}  {f.where}: {f.detail}")
        lines.append(f"         {f.rule.explanation}; base {f.base or '-'}, revision {f.revision or '-'}")
    return "\n".join(lines) + "\n"


def markdown(result: DiffResult) -> str:
    breaking = result.count(Severity.BREAKING)
    verdict = f"**{breaking} breaking change{'s' if breaking != 1 else ''}**" if breaking else "No breaking changes"
    lines = [
        f"### API diff: `{result.base}` → `{result.revision}`",
        "",
        f"{verdict}; {result.count(Severity.WARNING)} warning(s), {result.count(Severity.INFO)} compatible change(s).",
    ]
    for severity, title in (
        (Severity.BREAKING, "Breaking"),
        (Severity.WARNING, "Warnings"),
        (Severity.INFO, "Compatible"),
    ):
        found = [f for f in result.findings if f.severity == severity]
        if not found:
            continue
        lines += ["", f"#### {title}", "", "| Operation | Location | Change | Rule |", "|---|---|---|---|"]
        lines += [_row(f) for f in found]
    return "\n".join(lines) + "\n"


def as_json(result: DiffResult) -> str:
    document = {
        "base": result.base,
        "revision": result.revision,
        "summary": {s.label: result.count(s) for s in (Severity.BREAKING, Severity.WARNING, Severity.INFO)},
        "findings": [
            {
                "rule": f.rule.id,
                "severity": f.severity.label,
                "breaks": f.rule.side,
                "explanation": f.rule.explanation,
                "operation": f.operation,
                "location": f.where,
                "detail": f.detail,
                "base_pointer": f.base,
                "revision_pointer": f.revision,
            }
            for f in result.findings
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


RENDER: dict[str, Callable[[DiffResult], str]] = {"text": text, "markdown": markdown, "json": as_json}


def _row(f: Finding) -> str:
    shown = [f"`{_cell(p)}`" if p else "(none)" for p in (f.base, f.revision)]
    # One pointer when the place is the same in both documents; else BASE's → REVISION's.
    pointers = shown[0] if f.base == f.revision else f"{shown[0]} → {shown[1]}"
    change = f"{_cell(f.detail)}<br>{_cell(f.rule.explanation)}"
    return f"| {_cell(f.operation) or '(document)'} | {_cell(f.where)}<br>{pointers} | {change} | `{f.rule.id}` |"


def _cell(text: str) -> str:
    """Safe inside a table cell: no pipe ends the cell, no line break ends the row."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("`", "'")
