"""Is a parsed document a valid OpenAPI 3.0/3.1 description? openapi-spec-validator decides.

On a large spec this is most of the start-up (seconds for hundreds of operations), so the command
line runs it in a forked process while the parent compiles and builds the app (`loader.loading`).
The validator is imported here only, so a parent that forks the check never pays for its import.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

from mockserver.errors import SpecErrorKind, SpecLoadError


def check_document(path: Path, document: dict[str, Any], version: str) -> None:
    """Raise `SpecLoadError` naming the file and the first problem, if the document is invalid."""
    from jsonschema_path import SchemaPath
    from referencing.exceptions import Unresolvable

    validator_cls = _validators()["3.1" if version.startswith("3.1") else "3.0"]
    # The validator follows $refs relative to base_uri, so external file refs resolve beside the spec.
    # Its cache of resolved refs holds 128 by default: far fewer than a large spec's schemas.
    schema_path = SchemaPath.from_dict(
        document,
        base_uri=path.resolve().as_uri(),
        handlers=validator_cls.resolver_handlers,
        resolved_cache_maxsize=_RESOLVED_CACHE,
    )
    validator = validator_cls(schema_path, base_uri=path.resolve().as_uri())
    try:
        error = next(iter(validator.iter_errors()), None)
    except Unresolvable as exc:
        raise SpecLoadError(
            path, SpecErrorKind.BAD_REFERENCE, f"{exc.ref!r} does not resolve" if hasattr(exc, "ref") else str(exc)
        ) from exc
    if error is not None:
        where = "/".join(str(p) for p in getattr(error, "absolute_path", ())) or "(document)"
        message = str(getattr(error, "message", error)).splitlines()[0]
        if len(message) > 300:
            message = message[:300] + "…"
        raise SpecLoadError(path, SpecErrorKind.INVALID, f"at {where}: {message}")


_RESOLVED_CACHE = 1 << 20


class _Seen(set[int]):
    """The `list` openapi-spec-validator 0.9 keeps the ids of visited schemas in, with a set's speed.

    It only ever calls `in` and `append` on it; as a list that is quadratic in the number of schemas
    (most of the validation time at 1,000 operations: `python bench/large_spec.py 4 …`)."""

    def append(self, schema_id: int) -> None:
        self.add(schema_id)


@cache
def _validators() -> dict[str, Any]:
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
    from openapi_spec_validator.validation import keywords

    def deduplicated(base: Any) -> Any:
        class Schema(base):  # type: ignore[misc]
            def __init__(self, registry: Any) -> None:
                super().__init__(registry)
                self.visited_schema_ids = _Seen()
                self.meta_checked_schema_ids = _Seen()

        return Schema

    def validator(base: Any, schema: Any) -> Any:
        return type(base.__name__, (base,), {"keyword_validators": {**base.keyword_validators, "schema": schema}})

    return {
        "3.0": validator(OpenAPIV30SpecValidator, deduplicated(keywords.OpenAPIV30SchemaValidator)),
        "3.1": validator(OpenAPIV31SpecValidator, deduplicated(keywords.OpenAPIV31SchemaValidator)),
    }


Checked = tuple[Path, dict[str, Any], str]


def first_problem(documents: list[Checked]) -> SpecLoadError | None:
    """The first document's problem, or None when every one is valid."""
    for path, document, version in documents:
        try:
            check_document(path, document, version)
        except SpecLoadError as exc:
            return exc
    return None


def can_fork() -> bool:
    """Forking a process that has started no threads is safe and cheap on Linux (copy-on-write)."""
    return sys.platform == "linux" and hasattr(os, "fork")


class ForkedCheck:
    """`first_problem(documents)` computed in a forked child while this process goes on."""

    def __init__(self, documents: list[Checked]) -> None:
        self._documents = documents
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: check, report (path, kind, detail) or nothing, and leave at once
            status = 0
            try:
                os.close(read)
                problem = first_problem(documents)
                report = "" if problem is None else "\0".join((problem.path, problem.kind.name, problem.detail))
                os.write(write, report.encode("utf-8", "surrogatepass"))
            except BaseException:  # anything at all: the parent checks again itself (see `result`)
                status = 1
            finally:
                os._exit(status)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> SpecLoadError | None:
        """Wait for the child; if it could not finish, check here instead (never trust a silent child)."""
        chunks = []
        while chunk := os.read(self._read, 65536):
            chunks.append(chunk)
        os.close(self._read)
        _, status = os.waitpid(self._pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return first_problem(self._documents)
        report = b"".join(chunks).decode("utf-8", "surrogatepass")
        if not report:
            return None
        path, kind, detail = report.split("\0", 2)
        return SpecLoadError(path, SpecErrorKind[kind], detail)
