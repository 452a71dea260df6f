"""`mockserver fixtures record`: what a real API answered, kept as fixtures the mock can replay.

Only safe operations are called, each once; `openapi.recorder.FixtureRecorder` writes the answers
(redacted, checked against the schema, atomically) as `<name>-<status>.yaml`. What it refuses (a 401/403
refusing the credentials, an error answer, a body that does not match its schema) is returned with the
reason, for the caller to say.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig

from mockserver.contract.cases import minimal_case
from mockserver.contract.limits import ResponseLimits, bounded_responses
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.recorder import FixtureRecorder, Recording
from mockserver.redact import mask_values, secret_values

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def record(
    api: ApiSpec,
    base_url: str,
    headers: dict[str, str],
    fixtures_root: Path,
    name: str = "recorded",
    limits: ResponseLimits | None = None,
    *,
    record_errors: bool = False,
) -> list[Recording]:
    """Call every safe operation once with a minimal valid request; hand each answer to the recorder.

    Raises `ResponseLimitExceeded` for an answer too large or too slow (see `limits`), `UnsafeName` for a
    `name` that is not a safe file name."""
    limits = limits or ResponseLimits()
    secrets = secret_values(headers, base_url)
    # The body cap is the user's --max-response-bytes: what the run may read, it may keep.
    recorder = FixtureRecorder(
        api, fixtures_root, name, secrets, max_body_bytes=limits.max_bytes, snapshot=True, record_errors=record_errors
    )
    config = SchemathesisConfig.from_dict({"base-url": base_url.rstrip("/"), "headers": headers})
    schema: Any = schemathesis.openapi.from_path(str(api.file), config=config)
    recordings: list[Recording] = []
    with bounded_responses(limits, label=mask_values(base_url, secrets)):
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
            pairs = [(k, v) for k, values in response.headers.items() for v in values]
            content_type = next((v for k, v in pairs if k.lower() == "content-type"), None)
            recordings.append(recorder.record(op, response.status_code, pairs, response.content, content_type))
    return recordings
