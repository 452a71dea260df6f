"""The contract report as data: a versioned JSON structure (docs/report.md, docs/report-schema.json).

The HTML report is rendered from this structure and nothing else (`report_html.render_html`), so the two
cannot disagree. Every string in it has the run's credentials masked, once more, on the way out.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from mockserver.contract.baseline import key_of
from mockserver.contract.coverage import documented_key
from mockserver.contract.excerpts import excerpt_for
from mockserver.contract.report import ApiResult, Violation
from mockserver.openapi.model import ApiSpec, Operation
from mockserver.redact import mask_values

FORMAT = "mockserver-contract-report"
VERSION = 1


@dataclass(frozen=True)
class RunInfo:
    """How the run was made, as the report records it."""

    seed: int = 0
    max_examples: int = 25
    allow_unsafe: bool = False
    excluded_checks: tuple[str, ...] = ()
    baseline: str | None = None  # the --baseline file, as given
    baseline_entries: int = 0
    generated_at: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


def build_report(runs: list[tuple[ApiSpec, ApiResult]], info: RunInfo) -> dict[str, Any]:
    """The report of one contract run (one or more APIs) as plain JSON data."""
    secrets = tuple(s for _, result in runs for s in result.secrets)
    run = {
        "seed": info.seed,
        "max_examples": info.max_examples,
        "allow_unsafe": info.allow_unsafe,
        "excluded_checks": sorted(info.excluded_checks),
        "baseline": {"path": info.baseline, "entries": info.baseline_entries} if info.baseline else None,
    }
    return {
        "format": FORMAT,  # fixed words, never masked (a credential may be a word of them: "mockserver-contract")
        "version": VERSION,
        "generated_at": info.generated_at,
        "tool": {"name": "mockserver", "version": _version()},
        "run": _masked(run, secrets),
        "apis": _masked([_api(api, result) for api, result in runs], secrets),
    }


def write_report(report: dict[str, Any], path: str) -> None:
    """`report` as JSON at `path`, written atomically."""
    _write(path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def _write(path: str, text: str) -> None:
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)


def _api(api: ApiSpec, result: ApiResult) -> dict[str, Any]:
    columns = _columns(api.operations)
    verdict = "error" if result.errors else ("violations" if result.violations else "conforms")
    return {
        "name": result.api,
        "target": result.target,
        "in_process": bool(result.reproduce),
        "reproduce": result.reproduce,
        "verdict": verdict,
        "summary": result.summary(),
        "requests": result.requests,
        "errors": [result.mask(e) for e in result.errors],
        "statuses": columns,
        "operations": [_operation(op, result) for op in api.operations],
        "violations": [_violation(api, result, v, baselined=False) for v in _ordered(result.violations)]
        + [_violation(api, result, v, baselined=True) for v in _ordered(result.baselined)],
    }


def _columns(operations: tuple[Operation, ...] | list[Operation]) -> list[str]:
    """Every status key any operation documents: codes in order, then ranges (4XX), then default."""
    keys = {key for op in operations for key in op.responses}
    return sorted(keys, key=lambda k: (k == "default", not k.isdigit(), k.upper()))


def _operation(op: Operation, result: ApiResult) -> dict[str, Any]:
    label = f"{op.method.upper()} {op.path}"
    keys = list(op.responses)
    cells: dict[str, dict[str, Any]] = {
        key: {"status": key, "outcome": "never", "count": 0, "description": op.responses[key].description[:200]}
        for key in keys
    }
    undocumented: dict[int, int] = {}
    for provoked, counts in ((False, result.answers.get(label, {})), (True, result.provoked.get(label, {}))):
        for status, count in sorted(counts.items()):
            key = documented_key(status, keys)
            if key is None:
                undocumented[status] = undocumented.get(status, 0) + count
                continue
            cell = cells[key]
            if cell["outcome"] == "never" or (cell["outcome"] == "provoked" and not provoked):
                cell["outcome"], cell["count"] = ("provoked" if provoked else "checked"), 0
            if cell["outcome"] == ("provoked" if provoked else "checked"):
                cell["count"] += count
    exercised = result.exercised.get(label)
    parameters = [
        {
            "name": p.name,
            "in": p.location,
            "required": p.required,
            "sent": exercised.parameters.get((p.location, p.name), 0) if exercised else 0,
        }
        for p in op.parameters
    ]
    if op.request_content:
        sent = exercised.parameters.get(("body", ""), 0) if exercised else 0
        parameters.append({"name": "(body)", "in": "body", "required": op.request_body_required, "sent": sent})
    return {
        "operation": label,
        "operation_id": op.operation_id,
        "run": label in result.operations,
        "requests": result.requests_by_op.get(label, 0),
        "violations": sum(1 for v in result.violations if v.operation == label),
        "baselined": sum(1 for v in result.baselined if v.operation == label),
        "cells": [cells[key] for key in keys],
        "undocumented": [{"status": s, "count": n} for s, n in sorted(undocumented.items())],
        "cases": exercised.cases if exercised else 0,
        "parameters": parameters,
        "phases": dict(sorted(exercised.phases.items())) if exercised else {},
        "scenarios": dict(sorted(exercised.scenarios.items())) if exercised else {},
        "keywords": {k: sorted(v) for k, v in sorted(exercised.keywords.items())} if exercised else {},
    }


def _ordered(violations: list[Violation]) -> list[Violation]:
    """Grouped by check, then operation, in the order found within a group."""
    return sorted(violations, key=lambda v: (v.check, v.operation))


def _violation(api: ApiSpec, result: ApiResult, v: Violation, *, baselined: bool) -> dict[str, Any]:
    contract = excerpt_for(api.document, v.operation, v.check, v.status, v.message)
    return {
        "key": dict(zip(("api", "operation", "check", "defect"), key_of(result.api, v), strict=True)),
        "check": v.check,
        "operation": v.operation,
        "title": v.title,
        "message": v.message,
        "seen": result.seen.get(v.key, 1),
        "baselined": baselined,
        "contract": {"pointer": contract.pointer, "excerpt": contract.text},
        "response": {"status": v.status, "body_excerpt": v.body_excerpt},
        "reproduce": v.request,
    }


def _masked(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return mask_values(value, secrets)
    if isinstance(value, dict):
        return {k: _masked(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, secrets) for v in value]
    return value


def _version() -> str:
    try:
        return metadata.version("mockserver")
    except metadata.PackageNotFoundError:
        return "unknown"


SUFFIXES = (".json", ".html", ".htm")


def save(report: dict[str, Any], path: str) -> None:
    """`report` written to `path` as JSON or as the HTML page, by the file's suffix (one of SUFFIXES)."""
    from mockserver.contract.report_html import render_html

    if Path(path).suffix.lower() == ".json":
        write_report(report, path)
    else:
        _write(path, render_html(report))
