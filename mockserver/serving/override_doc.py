"""The override document (`POST /__mock/overrides`), read into frozen dataclasses and checked strictly.

    {"operation": "get-user-activity", "sequence": [503, 503, 200]}
    {"method": "GET", "path": "/activity", "when": {"query": {"date": "2026-01-01"}}, "status": 403, "times": 1}
    {"operation": "get-user-activity", "status": 429, "allow_undocumented": true, "headers": {"Retry-After": "2"}}
    {"chaos": 0.5}                                  # every operation: chaos at this rate (the plugin's switch)

An unknown key, an unknown operation, an undocumented status (unless `allow_undocumented`), a value of
the wrong type: an `OverrideError` naming the key and the value, answered 400 by the admin endpoint.
Pure: it reads the compiled APIs, never a request.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mockserver.generation.responses import ApiMock, OperationMock
from mockserver.serving.echo import clip
from mockserver.serving.prefer import FAULTS

MAX_SEQUENCE = 1000  # steps in one sequence
MAX_TIMES = 1_000_000
MAX_HEADERS = 50  # headers one answer may set
MAX_LATENCY_MS = 60_000
SOURCES = ("query", "header", "path")
_STEP_KEYS = frozenset({"status", "example", "body", "headers", "latency_ms", "fault", "chaos"})
_TOP_KEYS = _STEP_KEYS | {"api", "operation", "method", "path", "when", "times", "sequence", "allow_undocumented"}
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}\Z")  # an HTTP header name
_LINE = re.compile(r"[\t\x20-\x7e\x80-\xff]{0,8192}\Z")  # a header value: one line, latin-1 as HTTP sends it


class OverrideError(ValueError):
    """An override document the mock cannot honour as written."""


@dataclass(frozen=True)
class Condition:
    """The request's `source` value `name` equals `equals` (or, with `equals` None, is present / absent)."""

    source: str  # query, header (lower-case name), path
    name: str
    equals: str | None = None
    present: bool = True


@dataclass(frozen=True)
class Step:
    """One answer: any of a status, a named example or fixture, a literal body, headers, latency, a fault."""

    status: int | None = None
    example: str | None = None
    has_body: bool = False
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()
    latency_ms: int = 0
    fault: str | None = None
    chaos: float | None = None  # a chaos rate instead of an answer


@dataclass(frozen=True)
class OverrideDoc:
    api: str | None  # None: every API (a chaos-only override)
    operation: str | None  # operationId; None: every operation of `api`
    when: tuple[Condition, ...]
    steps: tuple[Step, ...]
    times: int | None  # how many requests it answers; None: until removed
    allow_undocumented: bool = False


def parse_override(raw: Any, apis: Sequence[ApiMock]) -> OverrideDoc:
    """`raw` (the decoded JSON) checked against the served `apis`, or an OverrideError saying what is wrong."""
    if not isinstance(raw, dict):
        raise OverrideError(f"an override is a JSON object, not {type(raw).__name__}")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise OverrideError(f"unknown key {clip(str(unknown[0]))!r}; known: {', '.join(sorted(_TOP_KEYS))}")
    allow = raw.get("allow_undocumented", False)
    if not isinstance(allow, bool):
        raise OverrideError(f"allow_undocumented={clip(repr(allow))} must be true or false")
    api, mock = _operation(raw, apis)
    when = _conditions(raw.get("when", {}))
    if "sequence" in raw:
        mixed = sorted(k for k in raw if k in _STEP_KEYS or k == "times")
        if mixed:
            raise OverrideError(f"sequence and {mixed[0]}: give each answer inside the sequence")
        sequence = raw["sequence"]
        if not isinstance(sequence, list) or not 1 <= len(sequence) <= MAX_SEQUENCE:
            raise OverrideError(f"sequence must be a list of 1 to {MAX_SEQUENCE} answers")
        steps = tuple(_step(item, mock, allow, f"sequence[{i}]") for i, item in enumerate(sequence))
        times: int | None = len(steps)
    else:
        steps = (_step({k: v for k, v in raw.items() if k in _STEP_KEYS}, mock, allow, "override"),)
        times = _times(raw["times"]) if "times" in raw else None
    return OverrideDoc(api, mock.op.operation_id if mock else None, when, steps, times, allow)


def _operation(raw: dict[str, Any], apis: Sequence[ApiMock]) -> tuple[str | None, OperationMock | None]:
    api_name = raw.get("api")
    if api_name is not None:
        if not isinstance(api_name, str) or api_name not in {a.api.name for a in apis}:
            raise OverrideError(f"api={clip(repr(api_name))} is not served; served: {_names(a.api.name for a in apis)}")
        apis = [a for a in apis if a.api.name == api_name]
    if "operation" in raw:
        if "method" in raw or "path" in raw:
            raise OverrideError("give operation (an operationId) or method and path, not both")
        wanted = raw["operation"]
        if not isinstance(wanted, str):
            raise OverrideError(f"operation={clip(repr(wanted))} must be an operationId (a string)")
        found = [(a, a.operations[wanted]) for a in apis if wanted in a.operations]
        what = f"operation {clip(wanted)!r}"
    elif "method" in raw or "path" in raw:
        method, path = raw.get("method"), raw.get("path")
        if not isinstance(method, str) or not isinstance(path, str):
            raise OverrideError("method and path (a path template such as /things/{id}) go together, as strings")
        found = [
            (a, m)
            for a in apis
            for m in a.operations.values()
            if m.op.method.upper() == method.upper() and path in (m.op.path, a.api.mount_path + m.op.path)
        ]
        what = f"operation {clip(method.upper())} {clip(path)}"
    else:
        if set(raw) & (_STEP_KEYS - {"chaos"}) or "sequence" in raw or "chaos" not in raw:
            # Only a chaos rate may apply to every operation (the pytest plugin's per-test switch).
            raise OverrideError("operation (an operationId) or method and path is required")
        return (api_name if isinstance(api_name, str) else None), None
    if not found:
        known = _names(op for a in apis for op in a.operations)
        raise OverrideError(f"unknown {what}; operations: {known}")
    if len(found) > 1:
        raise OverrideError(f"{what} is in several APIs ({_names(a.api.name for a, _ in found)}): add api")
    return found[0][0].api.name, found[0][1]


def _conditions(raw: Any) -> tuple[Condition, ...]:
    if not isinstance(raw, dict):
        raise OverrideError('when must be an object such as {"query": {"date": "2026-01-01"}}')
    found: list[Condition] = []
    for source, values in raw.items():
        if source not in SOURCES:
            raise OverrideError(f"when.{clip(str(source))}: conditions are on {', '.join(SOURCES)}")
        if not isinstance(values, dict) or not values:
            raise OverrideError(f"when.{source} must be a non-empty object of names to values")
        for name, value in values.items():
            key = name.lower() if source == "header" else name
            where = f"when.{source}.{clip(str(name))}"
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                found.append(Condition(source, key, str(value)))
            elif isinstance(value, dict) and set(value) == {"present"} and isinstance(value["present"], bool):
                found.append(Condition(source, key, None, value["present"]))
            else:
                raise OverrideError(f'{where} must be a string (equals) or {{"present": true|false}}')
    return tuple(found)


def _step(raw: Any, mock: OperationMock | None, allow: bool, where: str) -> Step:
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = {"status": raw}
    if not isinstance(raw, dict) or not raw:
        raise OverrideError(f"{where} must be a status or an object of {', '.join(sorted(_STEP_KEYS))}")
    unknown = sorted(set(raw) - _STEP_KEYS)
    if unknown:
        raise OverrideError(f"{where}: unknown key {clip(str(unknown[0]))!r}; known: {', '.join(sorted(_STEP_KEYS))}")
    if "example" in raw and ("status" in raw or "body" in raw):
        raise OverrideError(f"{where}: an example brings its own status and body; give example alone")
    status = _status(raw["status"], mock, allow, where) if "status" in raw else None
    if status in (204, 304) and "body" in raw:
        raise OverrideError(f"{where}: a {status} answer has no body")
    example = raw.get("example")
    if example is not None and (not isinstance(example, str) or mock is None or example not in mock.examples):
        known = _names(mock.examples) if mock else "none"
        raise OverrideError(f"{where}: unknown example {clip(repr(example))}; examples and fixtures: {known}")
    return Step(
        status=status,
        example=example,
        has_body="body" in raw,
        body=raw.get("body"),
        headers=_headers(raw.get("headers", {}), where),
        latency_ms=_bounded_int(raw.get("latency_ms", 0), 0, MAX_LATENCY_MS, f"{where}: latency_ms"),
        fault=_fault(raw.get("fault"), where),
        chaos=_chaos(raw["chaos"], where) if "chaos" in raw else None,
    )


def _status(value: Any, mock: OperationMock | None, allow: bool, where: str) -> int:
    status = _bounded_int(value, 200, 599, f"{where}: status")
    if mock is not None and not allow and not mock.documents(status):
        raise OverrideError(
            f"{where}: {mock.op.operation_id} documents no response for {status} "
            f"(documented: {', '.join(mock.op.documented_statuses)}); set allow_undocumented to send it anyway"
        )
    return status


def _headers(raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict) or len(raw) > MAX_HEADERS:
        raise OverrideError(f"{where}: headers must be an object of at most {MAX_HEADERS} names to strings")
    for name, value in raw.items():
        if not _TOKEN.match(name) or not isinstance(value, str) or not _LINE.match(value):
            raise OverrideError(f"{where}: header {clip(repr(name))} must be a token with a one-line string value")
    return tuple((name, value) for name, value in raw.items())


def _fault(value: Any, where: str) -> str | None:
    if value is not None and value not in FAULTS:
        raise OverrideError(f"{where}: fault={clip(repr(value))} must be one of {', '.join(FAULTS)}")
    return value if isinstance(value, str) else None


def _chaos(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise OverrideError(f"{where}: chaos={clip(repr(value))} must be a rate between 0 and 1")
    return float(value)


def _times(value: Any) -> int:
    return _bounded_int(value, 1, MAX_TIMES, "times")


def _bounded_int(value: Any, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise OverrideError(f"{what}={clip(repr(value))} must be a whole number from {low} to {high}")
    return value


def _names(names: Any) -> str:
    listed = sorted(set(names))
    return ", ".join(listed[:20]) + (f", … ({len(listed)} in all)" if len(listed) > 20 else "") if listed else "none"
