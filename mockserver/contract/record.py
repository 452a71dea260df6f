"""`mockserver fixtures record`: what a real API answered, kept as fixtures the mock can replay.

Only safe operations are called; request credentials are never stored, and response headers are
reduced to the content type, so cookies and tokens stay out of `fixtures/`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import schemathesis
import yaml
from schemathesis.config import SchemathesisConfig

from mockserver.contract.cases import minimal_case
from mockserver.spec.model import ApiSpec

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Recorded:
    operation_id: str
    status: int
    path: Path


def record(
    api: ApiSpec, base_url: str, headers: dict[str, str], fixtures_root: Path, name: str = "recorded"
) -> list[Recorded]:
    """Call every safe operation once with a minimal valid request; write each answer as a fixture."""
    config = SchemathesisConfig.from_dict({"base-url": base_url.rstrip("/"), "headers": headers})
    schema: Any = schemathesis.openapi.from_path(str(api.path), config=config)
    written: list[Recorded] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        op = next(
            (o for o in api.operations if o.method.upper() == operation.method.upper() and o.path == operation.path),
            None,
        )
        if op is None or op.method.upper() not in SAFE_METHODS:
            continue
        case = minimal_case(operation)
        response = case.call(base_url=base_url.rstrip("/"), headers=dict(headers))
        try:
            body: Any = json.loads(response.content) if response.content else None
        except ValueError:
            body = response.content.decode("utf-8", "replace")
        content_type = response.headers.get("content-type")
        fixture = {
            "status": response.status_code,
            "headers": {"Content-Type": content_type[0] if isinstance(content_type, list) else content_type}
            if content_type
            else {},
            "body": body,
        }
        folder = fixtures_root / api.name / op.operation_id
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{name}-{response.status_code}.yaml"
        header = (
            f"# Recorded from {op.method.upper()} {op.path} ({response.status_code}); request credentials not stored.\n"
        )
        target.write_text(header + yaml.safe_dump(fixture, sort_keys=False, allow_unicode=True), encoding="utf-8")
        written.append(Recorded(op.operation_id, response.status_code, target))
    return written
