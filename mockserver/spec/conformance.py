"""Is a parsed document a valid OpenAPI 3.0/3.1 description? openapi-spec-validator decides.

Real vendor specs are rarely perfectly valid, and the user cannot fix the vendor's file, so by default
problems are warnings (one line per kind: how many, and where the first one is); `strict` turns the first
one into a `SpecLoadError`. What cannot be served at all (not YAML, not OpenAPI, a dangling `$ref`) is
refused by the loader itself, whatever the mode.

On a large spec validation is most of the start-up (seconds for hundreds of operations), so `serve`
runs it in a forked process: in strict mode while the parent builds the app (`loader.loading`), in
lenient mode while it already serves. The validator is imported here only, so a parent that forks the
check never pays for its import.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mockserver.errors import SpecErrorKind, SpecLoadError

logger = logging.getLogger("mockserver")
MAX_PROBLEMS = 500  # per document: enough to count every kind, bounded on a hopeless file
_QUOTED = re.compile(r"^(?:'[^']*'|\"[^\"]*\"|[^\s]+) (is|does|should|was)\b")


@dataclass(frozen=True)
class DocumentProblem:
    """One place where a document breaks the OpenAPI schema."""

    where: str  # JSON-pointer-like location, "(document)" for the root
    message: str

    @property
    def kind(self) -> str:
        """The message without the offending value: `True is not of type 'number'` → `… is not of type 'number'`."""
        return _QUOTED.sub(r"… \1", self.message, count=1)


def document_problems(
    path: Path, document: dict[str, Any], version: str, root: Path | None = None
) -> list[DocumentProblem]:
    """Every problem of the document (at most `MAX_PROBLEMS`); an empty list when it is valid.

    Files a `$ref` names are read only under `root` (default: the document's folder)."""
    from jsonschema_path import SchemaPath
    from referencing.exceptions import Unresolvable

    validator_cls = _validators()["3.1" if version.startswith("3.1") else "3.0"]
    # The validator follows $refs relative to base_uri, so external file refs resolve beside the spec.
    # Never over the network: a spec from anywhere must not make the mock fetch URLs (only file refs).
    # Its cache of resolved refs holds 128 by default: far fewer than a large spec's schemas.
    schema_path = SchemaPath.from_dict(
        document,
        base_uri=path.resolve().as_uri(),
        handlers={"file": _confined(validator_cls.resolver_handlers["file"], (root or path.parent).resolve())},
        resolved_cache_maxsize=_RESOLVED_CACHE,
    )
    validator = validator_cls(schema_path, base_uri=path.resolve().as_uri())
    found: list[DocumentProblem] = []

    def record(errors: Any) -> None:
        for error in errors:
            where = "/".join(str(p) for p in getattr(error, "absolute_path", ())) or "(document)"
            message = str(getattr(error, "message", error)).splitlines()[0]
            found.append(DocumentProblem(where, message[:300] + "…" if len(message) > 300 else message))
            if len(found) >= MAX_PROBLEMS:
                return

    try:
        # First against the OpenAPI schema, then the semantic walk (examples, operationIds, …), which
        # assumes a well-formed document and may fail on one that is not: only then is that worth a word.
        record(validator.schema_validator.iter_errors(validator.schema))
        structural = len(found)
        record(validator.root_validator(validator.schema_path))
    except Unresolvable as exc:
        ref = getattr(exc, "ref", None)
        found.append(DocumentProblem("(document)", f"{ref!r} does not resolve" if ref else str(exc)))
    except Exception as exc:
        if not found or not structural:
            message = f"validation could not finish: {type(exc).__name__}: {exc}"
            found.append(DocumentProblem("(document)", message[:300]))
    return found


def _confined(handler: Any, root: Path) -> Any:
    """The validator's file handler, refusing files outside `root` (as the loader's resolver does)."""
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    def read(uri: str) -> Any:
        target = Path(url2pathname(urlparse(uri).path)).resolve()
        if not target.is_relative_to(root):
            raise OSError(f"a $ref leaves the spec's folder {root}; not read")
        return handler(uri)

    return read


def check_document(path: Path, document: dict[str, Any], version: str, root: Path | None = None) -> None:
    """Raise `SpecLoadError` naming the file and the first problem, if the document is invalid."""
    problems = document_problems(path, document, version, root)
    if problems:
        first = problems[0]
        kind = SpecErrorKind.BAD_REFERENCE if first.message.endswith("does not resolve") else SpecErrorKind.INVALID
        detail = first.message if kind is SpecErrorKind.BAD_REFERENCE else f"at {first.where}: {first.message}"
        raise SpecLoadError(path, kind, detail)


def summary(path: Path | str, problems: list[DocumentProblem]) -> list[str]:
    """One line per kind of problem: how many, the first location, and what is wrong."""
    kinds: dict[str, list[DocumentProblem]] = {}
    for problem in problems:
        kinds.setdefault(problem.kind, []).append(problem)
    lines = []
    for kind, same in kinds.items():
        count = f"{len(same)}{'+' if len(problems) >= MAX_PROBLEMS else ''} × " if len(same) > 1 else ""
        lines.append(f"{path}: served despite {count}{kind} (first at {same[0].where}); --strict refuses it")
    return lines


def warn(documents: list[Checked]) -> None:
    """Log the problems of each document, one line per kind (lenient loading)."""
    for path, document, version, root in documents:
        for line in summary(path, document_problems(path, document, version, root)):
            logger.warning("%s", line)


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


Checked = tuple[Path, dict[str, Any], str, Path]  # file, parsed document, version, folder $refs may read


def first_problem(documents: list[Checked]) -> SpecLoadError | None:
    """The first document's problem, or None when every one is valid."""
    for path, document, version, root in documents:
        try:
            check_document(path, document, version, root)
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


def warn_in_background(documents: list[Checked]) -> None:
    """`warn(documents)` in a forked child while this process goes on (serving); inline where fork is unsafe."""
    if not documents:
        return
    if not can_fork():
        warn(documents)
        return
    pid = os.fork()
    if pid == 0:
        status = 0
        try:
            warn(documents)
            for handler in logging.getLogger().handlers + logger.handlers:
                handler.flush()
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    # Reap the child when it ends, so it does not linger as a zombie.
    threading.Thread(target=os.waitpid, args=(pid, 0), daemon=True, name="mockserver-validation").start()
