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
from mockserver.openapi.refs import REF_SUFFIXES
from mockserver.openapi.remote import RemoteDocuments, RemoteRefError

logger = logging.getLogger("mockserver")
MAX_PROBLEMS = 500  # per document: enough to count every kind, bounded on a hopeless file
_QUOTED = re.compile(r"^(?:'[^']*'|\"[^\"]*\"|[^\s]+) (is|does|should|was)\b")


@dataclass(frozen=True)
class DocumentProblem:
    """One place where a document breaks the OpenAPI schema."""

    where: str  # JSON-pointer-like location, "(document)" for the root
    message: str
    unresolved: bool = False  # a `$ref` the validator could not (or may not) follow

    @property
    def kind(self) -> str:
        """The message without the offending value: `True is not of type 'number'` → `… is not of type 'number'`."""
        return _QUOTED.sub(r"… \1", self.message, count=1)


def document_problems(
    path: Path,
    document: dict[str, Any],
    version: str,
    root: Path | None = None,
    remote: RemoteDocuments | None = None,
) -> list[DocumentProblem]:
    """Every problem of the document (at most `MAX_PROBLEMS`); an empty list when it is valid.

    Files a `$ref` names are read only under `root` (default: the document's folder), and URLs only through
    `remote` (never, by default). A message never quotes a value that comes from another file."""
    from jsonschema_path import SchemaPath
    from referencing.exceptions import Unresolvable

    validator_cls = _validators()["3.1" if version.startswith("3.1") else "3.0"]
    # The validator follows $refs relative to base_uri, so external file refs resolve beside the spec.
    # Its cache of resolved refs holds 128 by default: far fewer than a large spec's schemas.
    schema_path = SchemaPath.from_dict(
        document,
        base_uri=path.resolve().as_uri(),
        handlers=_Handlers(validator_cls.resolver_handlers["file"], (root or path.parent).resolve(), remote),
        resolved_cache_maxsize=_RESOLVED_CACHE,
    )
    validator = validator_cls(schema_path, base_uri=path.resolve().as_uri())
    found: list[DocumentProblem] = []

    def record(errors: Any, *, through_refs: bool) -> None:
        for error in errors:
            where = "/".join(str(p) for p in getattr(error, "absolute_path", ())) or "(document)"
            # The schema check reads this document only; the semantic walk follows `$ref`s into other files.
            message = _safe_message(error, document) if through_refs else _first_line(error)
            found.append(DocumentProblem(where, message[:300] + "…" if len(message) > 300 else message))
            if len(found) >= MAX_PROBLEMS:
                return

    try:
        # First against the OpenAPI schema, then the semantic walk (examples, operationIds, …), which
        # assumes a well-formed document and may fail on one that is not: only then is that worth a word.
        record(validator.schema_validator.iter_errors(validator.schema), through_refs=False)
        structural = len(found)
        record(validator.root_validator(validator.schema_path), through_refs=True)
    except Unresolvable as exc:
        ref = getattr(exc, "ref", None)
        refused = _refusal(exc)
        if refused is None:
            refused = "does not resolve"
        message = f"{ref!r} {refused}" if ref else f"a $ref {refused}"
        found.append(DocumentProblem("(document)", message, unresolved=True))
    except Exception as exc:
        if not found or not structural:
            # The type only: the exception's text may quote a value from a referenced file.
            found.append(DocumentProblem("(document)", f"validation could not finish: {type(exc).__name__}"))
    return found


class RefRefused(Exception):
    """A `$ref` the validator may not follow (a file outside the folder or not a spec, a URL not allowed)."""


class _Handlers(dict[str, Any]):
    """The validator's ways to read a `$ref`, by URI scheme. Every scheme has one here: for a scheme left
    out, jsonschema-path fetches the URI itself (with requests or urllib), which a spec must not be able
    to make the mock do. Files: only under `root` and only specs; http(s): only through `remote`."""

    def __init__(self, file_handler: Any, root: Path, remote: RemoteDocuments | None) -> None:
        super().__init__()
        self._file, self._root, self._remote = file_handler, root, remote or RemoteDocuments()

    def __contains__(self, scheme: object) -> bool:
        return True

    def __missing__(self, scheme: str) -> Any:
        if scheme == "file":
            return self._read_file
        if scheme in ("http", "https"):
            return self._read_remote
        return self._refuse

    def _read_file(self, uri: str) -> Any:
        from urllib.parse import urlparse
        from urllib.request import url2pathname

        target = Path(url2pathname(urlparse(uri).path)).resolve()
        if not target.is_relative_to(self._root):
            raise RefRefused(f"leaves the spec's folder {self._root}; not read (--ref-root widens it)")
        if target.suffix.lower() not in REF_SUFFIXES:
            raise RefRefused("names a file that is not .yaml, .yml or .json; not read")
        return self._file(uri)

    def _read_remote(self, uri: str) -> Any:
        try:
            return self._remote.get(uri)
        except RemoteRefError as exc:
            raise RefRefused(f"is not followed: {exc}") from None

    def _refuse(self, uri: str) -> Any:
        raise RefRefused("is not followed: only files and (with --allow-remote-refs) http(s) URLs are")


def _refusal(exc: BaseException) -> str | None:
    """The reason a handler gave, found in the chain of exceptions that led to `Unresolvable`."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, RefRefused):
            return str(current)
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _safe_message(error: Any, document: dict[str, Any]) -> str:
    """The validator's message with the offending value described, not quoted, unless it is short and
    written in the spec itself: a value reached through a `$ref` may come from any file (`../.env`)."""
    message = _first_line(error)
    instance = getattr(error, "instance", None)
    if not hasattr(error, "instance") or type(instance).__name__ == "Unset":
        # The semantic walk's own messages (read through `$ref`s, with no location): a leading value is hidden.
        return _LEADING_VALUE.sub("a value", message, count=1)
    shown = repr(instance)
    if len(shown) <= 60 and _in_document(document, tuple(getattr(error, "absolute_path", ())), instance):
        return message
    described = _describe(instance)
    if shown in message:
        return message.replace(shown, described)
    # A message that quotes the value some other way: say only what failed.
    return f"{described} fails {getattr(error, 'validator', 'the schema')!s}"


# A Python literal opening a message: a quoted string, or a mapping/list up to the message's last " is ".
_LEADING_VALUE = re.compile(r"""^(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d[\d.e+-]*|[{\[].*(?= is ))""")


def _first_line(error: Any) -> str:
    lines = str(getattr(error, "message", error)).splitlines()
    return lines[0] if lines else ""


def _in_document(document: Any, path: tuple[Any, ...], instance: Any) -> bool:
    """Whether `instance` is the value written at `path` in the document itself (no `$ref` on the way)."""
    node = document
    for step in path:
        if (isinstance(node, dict) and "$ref" not in node and step in node) or (
            isinstance(node, list) and isinstance(step, int) and step < len(node)
        ):
            node = node[step]
        else:
            return False
    return node is instance or (not isinstance(node, (dict, list)) and node == instance)


def _describe(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return f"a string ({len(value)} characters)"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return f"a mapping ({len(value)} keys)"
    if isinstance(value, list):
        return f"a list ({len(value)} items)"
    return f"a {type(value).__name__}"


def check_document(
    path: Path, document: dict[str, Any], version: str, root: Path | None = None, remote: RemoteDocuments | None = None
) -> None:
    """Raise `SpecLoadError` naming the file and the first problem, if the document is invalid."""
    problems = document_problems(path, document, version, root, remote)
    if problems:
        first = problems[0]
        kind = SpecErrorKind.BAD_REFERENCE if first.unresolved else SpecErrorKind.INVALID
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
    for path, document, version, root, remote in documents:
        for line in summary(path, document_problems(path, document, version, root, remote)):
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


# file, parsed document, version, folder $refs may read, remote documents (fetched only if allowed)
Checked = tuple[Path, dict[str, Any], str, Path, RemoteDocuments]


def first_problem(documents: list[Checked]) -> SpecLoadError | None:
    """The first document's problem, or None when every one is valid."""
    for path, document, version, root, remote in documents:
        try:
            check_document(path, document, version, root, remote)
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
