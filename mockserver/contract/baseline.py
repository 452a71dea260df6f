"""Known violations, so that a team can adopt the contract check on an imperfect API and fail only on new breaks.

A baseline file is JSON written by `--write-baseline`: one entry per violation, named by the report's own dedup
key (API, operation, check, defect: where and how it broke, never the values that showed it, never a
credential). `--baseline FILE` moves the run's violations that match an entry into `ApiResult.baselined`:
they are still in the report, marked as known, and no longer fail the run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from mockserver.contract.report import ApiResult, Violation

FORMAT = "mockserver-contract-baseline"
VERSION = 1
Key = tuple[str, str, str, str]  # api, operation, check, defect
_FIELDS = ("api", "operation", "check", "defect")


class BaselineError(ValueError):
    """A baseline file that cannot be used: the message names the file and the problem, on one line."""


def key_of(api: str, violation: Violation) -> Key:
    return (api, *violation.key)


def read_baseline(path: str) -> frozenset[Key]:
    """The keys in the baseline file at `path`; `BaselineError` if it is missing or malformed."""
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read it ({exc.strerror or type(exc).__name__})") from None
    except UnicodeDecodeError:
        raise BaselineError(f"{path}: not UTF-8 text") from None
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise BaselineError(f"{path}: not JSON ({str(exc).splitlines()[0][:120]})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BaselineError(f'{path}: not a baseline (want an object with "format": "{FORMAT}")')
    if data.get("version") != VERSION:
        raise BaselineError(f"{path}: baseline version {data.get('version')!r} is not supported (want {VERSION})")
    entries = data.get("violations")
    if not isinstance(entries, list):
        raise BaselineError(f'{path}: "violations" must be a list')
    keys = []
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(f), str) for f in _FIELDS):
            raise BaselineError(f"{path}: violations[{n}] must be an object with string {', '.join(_FIELDS)}")
        keys.append((entry["api"], entry["operation"], entry["check"], entry["defect"]))
    return frozenset(keys)


def apply_baseline(result: ApiResult, known: frozenset[Key]) -> None:
    """Move the violations of `result` that `known` lists into `result.baselined`."""
    accepted = [v for v in result.violations if key_of(result.api, v) in known]
    result.violations = [v for v in result.violations if key_of(result.api, v) not in known]
    result.baselined.extend(accepted)


def write_baseline(results: Iterable[ApiResult], path: str) -> None:
    """Every violation the run found (new and already known) as a baseline file, written atomically."""
    keys = sorted({key_of(r.api, v) for r in results for v in (*r.violations, *r.baselined)})
    data = {
        "format": FORMAT,
        "version": VERSION,
        "violations": [dict(zip(_FIELDS, key, strict=True)) for key in keys],
    }
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, target)
