"""Named canned responses under `fixtures/<api>/<operationId>/<name>.yaml|json`: `{status, body, headers}`.

A fixture that does not match its operation's schema is reported at start-up (file and path
inside it) and not served.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mockserver.bundled import bundled_fixtures_dir, is_bundled
from mockserver.spec.model import ApiSpec
from mockserver.spec.validation import schema_validator

logger = logging.getLogger("mockserver")


@dataclass(frozen=True)
class Fixture:
    name: str
    status: int
    body: Any
    path: Path
    headers: dict[str, str] = field(default_factory=dict)


def fixtures_dir(api: ApiSpec) -> Path:
    """A bundled spec's bundled fixtures; else `fixtures/<api>` beside the folder holding the spec
    (the repo layout: specs/ and fixtures/ side by side)."""
    found = bundled_fixtures_dir(api.name) if is_bundled(api.path) else None
    return found or api.path.resolve().parent.parent / "fixtures" / api.name


def load_fixtures(api: ApiSpec) -> dict[str, dict[str, Fixture]]:
    """Valid fixtures by operationId and name; invalid ones are logged and left out."""
    root = fixtures_dir(api)
    found: dict[str, dict[str, Fixture]] = {}
    if not root.is_dir():
        return found
    for op in api.operations:
        folder = root / op.operation_id
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".yaml", ".yml", ".json"):
                continue
            fixture = _read(path)
            if fixture is None:
                continue
            response = op.response_for(fixture.status)
            if response is None:
                logger.warning(
                    "%s: status %s is not documented for %s; not served", path, fixture.status, op.operation_id
                )
                continue
            problems = schema_validator(response.schema, openapi_31=api.is_31)(fixture.body) if response.schema else []
            if problems:
                logger.warning(
                    "%s: body does not match the %s schema at %s; not served", path, fixture.status, problems[0]
                )
                continue
            found.setdefault(op.operation_id, {})[fixture.name] = fixture
    return found


def _read(path: Path) -> Fixture | None:
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        logger.warning("%s: cannot read fixture: %s", path, exc)
        return None
    if not isinstance(raw, dict) or "body" not in raw:
        logger.warning("%s: a fixture is a mapping with `body` (and `status`, `headers`); not served", path)
        return None
    try:
        status = int(raw.get("status", 200))
    except (TypeError, ValueError):
        logger.warning("%s: status=%r is not a number; not served", path, raw.get("status"))
        return None
    headers = {str(k): str(v) for k, v in (raw.get("headers") or {}).items()}
    return Fixture(name=path.stem, status=status, body=raw["body"], path=path, headers=headers)
