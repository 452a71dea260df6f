"""Examples and fixtures against the new contract: BASE's must still match REVISION, REVISION's their own.

BASE's inline examples and its fixtures (hand-written or recorded, `fixtures/<api>/<operationId>/`) are
checked against the response REVISION documents for the same route and status: one that no longer
matches is what the mock would serve, or a test would replay, against the new contract
(`example-breaks-revision`). REVISION's own inline examples and fixtures are checked against REVISION
(`example-invalid`), with the check `serve` makes at start-up (`openapi/examples.py`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockserver.diff.findings import Findings
from mockserver.diff.operations import label, route_key
from mockserver.openapi.examples import Validators, escape, follow, inline_examples, is_json_media
from mockserver.openapi.fixtures import STATE_FOLDER, UnreadableFixture, fixtures_dir, read_data
from mockserver.openapi.model import ApiSpec, Operation

MAX_FIXTURES = 10_000  # files read per side: a fixtures folder is not a place for a data dump


@dataclass(frozen=True)
class Sample:
    """One value the mock would serve: an inline example or a fixture's body."""

    operation: Operation
    status: int | str
    media_type: str | None  # None: a fixture (the response's JSON media type)
    value: Any
    where: str  # a pointer into the spec, or a fixture file
    pointer: str | None  # a pointer into the spec; None for a fixture

    @property
    def key(self) -> tuple[tuple[str, str], str, str]:
        return route_key(self.operation), str(self.status), json.dumps(self.value, sort_keys=True, default=str)


def samples(api: ApiSpec, fixtures: Path | None = None) -> Iterator[Sample]:
    """Every inline JSON example of `api`, then every fixture file beside it (or in `fixtures`)."""
    for example in inline_examples(api):
        if is_json_media(example.media_type):
            where = f"{api.file.name}#{example.pointer}"
            yield Sample(example.operation, example.status, example.media_type, example.value, where, example.pointer)
    root = fixtures or fixtures_dir(api)
    if not root.is_dir():
        return
    by_id = {op.operation_id: op for op in api.operations}
    count = 0
    for folder in sorted(p for p in root.rglob("*") if p.is_dir() and p.name != STATE_FOLDER):
        op = by_id.get(folder.relative_to(root).as_posix())
        if op is None:
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".yaml", ".yml", ".json") or count >= MAX_FIXTURES:
                continue
            count += 1
            try:
                raw = read_data(path)
            except UnreadableFixture:
                continue  # `serve` says so; not a change of the contract
            if isinstance(raw, dict) and "body" in raw:
                status = raw.get("status", 200)
                yield Sample(op, status if isinstance(status, (int, str)) else 200, None, raw["body"], str(path), None)


def compare_examples(
    base: ApiSpec,
    revision: ApiSpec,
    findings: Findings,
    *,
    base_fixtures: Path | None = None,
    revision_fixtures: Path | None = None,
) -> None:
    routes = {route_key(op): op for op in revision.operations}
    validators = Validators(openapi_31=revision.is_31)
    own = Validators(openapi_31=base.is_31)
    reported: set[tuple[tuple[str, str], str, str]] = set()
    for sample in samples(base, base_fixtures):
        op = routes.get(route_key(sample.operation))
        if op is None:
            continue  # the operation is gone: `operation-removed` says so
        if _check(base, sample.operation, sample, own)[0] is not None:
            continue  # broken before the change: REVISION's own check reports it if it is still there
        problem, pointer = _check(revision, op, sample, validators)
        if problem is not None:
            reported.add(sample.key)
            findings.add(
                "example-breaks-revision",
                label(op),
                _what(sample),
                f"{sample.where}: {problem}",
                sample.pointer,
                pointer,
            )
    for sample in samples(revision, revision_fixtures):
        if sample.key in reported:
            continue  # the same value, already reported as BASE's
        problem, pointer = _check(revision, sample.operation, sample, validators)
        if problem is not None:
            findings.add(
                "example-invalid",
                label(sample.operation),
                _what(sample),
                f"{sample.where}: {problem}",
                None,
                sample.pointer or pointer,
            )


def _check(api: ApiSpec, op: Operation, sample: Sample, validators: Validators) -> tuple[str | None, str | None]:
    """The first problem of `sample` against `op`'s response in `api` (and where that response is), or None."""
    status = sample.status
    response = op.responses.get(str(status))
    if response is None and (isinstance(status, int) or str(status).isdigit()):
        response = op.response_for(int(status))
    if response is None:
        return f"status {status} is not documented", None
    at = follow(api.document, f"/paths/{escape(op.path)}/{op.method}/responses/{escape(response.status)}")
    media = sample.media_type if sample.media_type in response.content else response.media_type
    if media is None or not is_json_media(media):
        return None, None
    schema = response.content.get(media, {}).get("schema")
    problems = validators.problems(schema, sample.value)
    pointer = f"{at}/content/{escape(media)}/schema" if at.startswith("/") else at
    return (problems[0] if problems else None), pointer


def _what(sample: Sample) -> str:
    kind = "fixture" if sample.pointer is None else "example"
    return f"{kind} for response {sample.status}"
