"""`mockserver fixtures record`: what a real API answered, kept as fixtures the mock can replay.

Only safe operations are called; request credentials are never stored (not as headers, and not where
the server echoes one in its body), and response headers are reduced to the content type, so cookies
and tokens stay out of `fixtures/`. An answer refusing the credentials (401, 403) is not a recording
of the API: it is not written, and the caller is told.
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
from mockserver.contract.limits import ResponseLimits, bounded_responses
from mockserver.openapi.model import ApiSpec
from mockserver.redact import mask_values, secret_values

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
REFUSED = (401, 403)  # the credentials were refused: nothing of the API's answer to record


@dataclass(frozen=True)
class Recorded:
    operation_id: str
    status: int
    path: Path | None  # None: not written (the answer refused the credentials)


def record(
    api: ApiSpec,
    base_url: str,
    headers: dict[str, str],
    fixtures_root: Path,
    name: str = "recorded",
    limits: ResponseLimits | None = None,
) -> list[Recorded]:
    """Call every safe operation once with a minimal valid request; write each answer as a fixture.

    Raises `ResponseLimitExceeded` for an answer too large or too slow (see `limits`)."""
    config = SchemathesisConfig.from_dict({"base-url": base_url.rstrip("/"), "headers": headers})
    schema: Any = schemathesis.openapi.from_path(str(api.file), config=config)
    secrets = secret_values(headers, base_url)
    written: list[Recorded] = []
    with bounded_responses(limits or ResponseLimits(), label=mask_values(base_url, secrets)):
        for result in schema.get_all_operations():
            operation = result.ok()
            op = next(
                (
                    o
                    for o in api.operations
                    if o.method.upper() == operation.method.upper() and o.path == operation.path
                ),
                None,
            )
            if op is None or op.method.upper() not in SAFE_METHODS:
                continue
            response = minimal_case(operation).call(base_url=base_url.rstrip("/"), headers=dict(headers))
            if response.status_code in REFUSED:
                written.append(Recorded(op.operation_id, response.status_code, None))
                continue
            target = fixtures_root / api.name / op.operation_id / f"{name}-{response.status_code}.yaml"
            _write(target, _fixture(response, secrets), f"{op.method.upper()} {op.path} ({response.status_code})")
            written.append(Recorded(op.operation_id, response.status_code, target))
    return written


def _fixture(response: Any, secrets: tuple[str, ...]) -> dict[str, Any]:
    text = mask_values(response.content.decode("utf-8", "replace"), secrets)
    try:
        body: Any = json.loads(text) if text else None
    except ValueError:
        body = text
    content_type = response.headers.get("content-type")
    if isinstance(content_type, list):
        content_type = content_type[0]
    return {
        "status": response.status_code,
        "headers": {"Content-Type": mask_values(content_type, secrets)} if content_type else {},
        "body": body,
    }


def _write(target: Path, fixture: dict[str, Any], what: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    header = f"# Recorded from {what}; request credentials not stored.\n"
    target.write_text(header + yaml.safe_dump(fixture, sort_keys=False, allow_unicode=True), encoding="utf-8")
