"""Resolve `$ref`s into one shared object per target, so recursive schemas become cyclic graphs.

What a reference names may be hostile: a file outside the spec's folder, a file that is not a spec
(`$ref: ./.env`), a URL. Files are read only under the spec's folder (or `root`) and only as .yaml,
.yml or .json; URLs only with `RemoteDocuments.allowed`. No message ever quotes what a referenced file
holds: problems name the file, the pointer and the kind of problem.
"""

from __future__ import annotations

import copy
import json
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from mockserver.errors import SpecErrorKind, SpecLoadError
from mockserver.openapi.parse import parse_text, yaml_problem
from mockserver.openapi.remote import RemoteDocuments, RemoteRefError, is_remote, join

Location = Path | str  # a file, or the URL of a remote document
REF_SUFFIXES = (".yaml", ".yml", ".json")


class RefResolver:
    """Resolves local, file and (when allowed) remote refs; `keep_siblings` follows OpenAPI 3.1 (siblings apply).

    A reference that cannot be served (a URL not allowed or not fetched, a target that is not an object, a
    file that is not a spec) is left out, as an empty object, with a line in `problems`; with `strict` it
    raises `SpecLoadError` instead. A dangling reference or one that leaves the folder always raises."""

    def __init__(
        self,
        document: dict[str, Any],
        path: Path,
        *,
        keep_siblings: bool,
        root: Path | None = None,
        remote: RemoteDocuments | None = None,
        strict: bool = True,
    ) -> None:
        self._documents: dict[Location, Any] = {path.resolve(): document}
        self._path = path.resolve()
        self._shown = path  # as the user named it, for messages
        # Files a `$ref` may name: those under the spec's own folder (a spec from anywhere must not read
        # /etc/passwd or ../.env and serve it as data).
        self._root = (root or path.parent).resolve()
        self._remote = remote or RemoteDocuments()
        self._keep_siblings = keep_siblings
        self._strict = strict
        self._memo: dict[tuple[Location, str], Any] = {}
        self.problems: list[str] = []

    def resolve(self, node: Any) -> Any:
        """A copy of `node` with every `$ref` replaced by its (shared) target."""
        return self._walk(node, self._path)

    def _target(self, ref: str, base: Location, *, example: bool = False) -> Any:
        file_part, _, pointer = ref.partition("#")
        location = self._locate(file_part, base)
        key = (location, pointer)
        if key in self._memo:
            return self._memo[key]
        try:
            raw = self._raw(ref, location, pointer, base)
        except _LeftOut as exc:
            self._memo[key] = {}
            return self._left_out(ref, base, str(exc))
        if isinstance(raw, dict):
            # Register before walking so that a cycle finds this very object.
            resolved: dict[str, Any] = {}
            self._memo[key] = resolved
            walked = self._walk(raw, location, example=example)
            resolved.update(walked if isinstance(walked, dict) else {})
            # Keep the target's name: discriminators map branch names to values.
            resolved.setdefault("x-ref", ref)
            return resolved
        self._memo[key] = raw
        return raw

    def _locate(self, file_part: str, base: Location) -> Location:
        if isinstance(base, str):  # inside a remote document, every reference is a URL
            return join(base, file_part) if file_part else base
        if is_remote(file_part):
            return file_part
        return (base.parent / unquote(file_part)).resolve() if file_part else base

    def _raw(self, ref: str, location: Location, pointer: str, base: Location) -> Any:
        """The target as written, or `_LeftOut` saying why it cannot be served."""
        if isinstance(location, str):
            try:
                document = self._remote.get(location)
            except RemoteRefError as exc:
                raise _LeftOut(str(exc)) from exc
        else:
            if location != self._path and not location.is_relative_to(self._root):
                raise SpecLoadError(
                    self._shown,
                    SpecErrorKind.BAD_REFERENCE,
                    f"{ref!r} leaves the spec's folder {self._root}; not read (--ref-root widens it)",
                )
            if location.suffix.lower() not in REF_SUFFIXES:
                raise _LeftOut(f"{_name(location)} is not a .yaml, .yml or .json file; not read")
            document = self._load(location)
        raw = _pointer_get(document, pointer, lambda: f"{_name(location)}#{pointer} does not exist", self._shown)
        if not isinstance(raw, (dict, bool)):
            # Never quote it: the file may be a secret that happens to parse (`KEY=sk-…` is a YAML string).
            raise _LeftOut(f"{_name(location)}#{pointer} is {_kind(raw)}, not an object")
        return raw

    def _left_out(self, ref: str, base: Location, why: str) -> dict[str, Any]:
        where = where_ref(self._remote.cached(base) if isinstance(base, str) else self._documents.get(base), ref)
        line = f"$ref {_short(ref)} at {_name(base)}#{where}: {why}"
        if self._strict:
            raise SpecLoadError(self._shown, SpecErrorKind.BAD_REFERENCE, line)
        self.problems.append(f"{line}; left out (--strict refuses it)")
        return {}

    def _load(self, path: Path) -> Any:
        if path not in self._documents:
            try:
                self._documents[path] = parse_text(path.read_text(encoding="utf-8"), json_text=path.suffix == ".json")
            except OSError as exc:
                raise SpecLoadError(self._shown, SpecErrorKind.BAD_REFERENCE, f"{path}: {exc.strerror}") from exc
            except UnicodeDecodeError as exc:
                raise SpecLoadError(self._shown, SpecErrorKind.BAD_REFERENCE, f"{path}: not UTF-8 text") from exc
            except json.JSONDecodeError as exc:
                detail = f"{path}: not JSON (line {exc.lineno}, column {exc.colno})"
                raise SpecLoadError(self._shown, SpecErrorKind.BAD_REFERENCE, detail) from exc
            except yaml.YAMLError as exc:
                detail = f"{path}: not YAML ({yaml_problem(exc)})"
                raise SpecLoadError(self._shown, SpecErrorKind.BAD_REFERENCE, detail) from exc
        return self._documents[path]

    def _walk(self, node: Any, base: Location, *, example: bool = False) -> Any:
        """Resolve inside `node`; `example`: `node` is an Example Object, whose `value` is literal data."""
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                target = self._target(ref, base, example=example or "/examples/" in ref)
                siblings = {k: v for k, v in node.items() if k != "$ref"}
                if not siblings or not self._keep_siblings:
                    return target
                # 3.1: keywords beside $ref apply too; allOf keeps the shared target intact.
                merged = {k: self._child(k, v, base) for k, v in siblings.items()}
                merged["allOf"] = [target, *merged.get("allOf", [])]
                return merged
            if example:
                return {k: copy.deepcopy(v) if k == "value" else self._walk(v, base) for k, v in node.items()}
            return {k: self._child(k, v, base) for k, v in node.items()}
        if isinstance(node, list):
            return [self._walk(v, base) for v in node]
        return node

    def _child(self, key: str, value: Any, base: Location) -> Any:
        # Example values, defaults, enums and extensions are data: a `$ref` key in them is not a reference
        # (GitHub's spec has examples with a literal `$ref` field), and must never read a file.
        if key in _LITERAL or key.startswith("x-"):
            return copy.deepcopy(value)
        if key == "examples":
            if isinstance(value, dict):  # a map of Example Objects (each may be a $ref to one)
                return {name: self._walk(v, base, example=True) for name, v in value.items()}
            return copy.deepcopy(value)  # a schema's list of examples (3.1)
        if key in _NAMED and isinstance(value, dict):
            # Keys are names chosen by the author (a property may be called `default` or `example`).
            return {name: self._walk(v, base) for name, v in value.items()}
        return self._walk(value, base)


def prefetch(document: Any, path: Path, remote: RemoteDocuments) -> None:
    """Fetch every URL the document's `$ref`s name (and theirs, in turn) into `remote`, failures included,
    so that the resolver and the validator (perhaps in a forked child) share one fetch per URL."""
    pending: list[tuple[Any, Location]] = [(document, path)]
    while pending:
        node, base = pending.pop()
        for ref in _refs(node):
            file_part = ref.partition("#")[0]
            url = join(base, file_part) if isinstance(base, str) else file_part
            if not file_part or not is_remote(url) or remote.cached(url) is not None:
                continue
            try:
                pending.append((remote.get(url), url))
            except RemoteRefError:
                continue  # remembered: the resolver reports it where it matters


def _refs(document: Any) -> set[str]:
    found: set[str] = set()
    seen: set[int] = set()
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if id(node) in seen:
                continue
            seen.add(id(node))
            ref = node.get("$ref")
            if isinstance(ref, str):
                found.add(ref)
            pending.extend(v for k, v in node.items() if k not in _LITERAL and not k.startswith("x-"))
        elif isinstance(node, list):
            pending.extend(node)
    return found


class _LeftOut(Exception):
    """A reference that cannot be served; the message says why without quoting the target."""


def _pointer_get(document: Any, pointer: str, missing: Any, path: Path) -> Any:
    node = document
    if pointer in ("", "/"):
        return node
    for raw in pointer.lstrip("/").split("/"):
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise SpecLoadError(path, SpecErrorKind.BAD_REFERENCE, missing())
    return node


def where_ref(document: Any, ref: str) -> str:
    """The JSON pointer of the first `$ref: <ref>` in `document` (a search made only to report a problem)."""
    pending: deque[tuple[Any, str]] = deque([(document, "")])
    while pending:
        node, pointer = pending.popleft()
        if isinstance(node, dict):
            if node.get("$ref") == ref:
                return pointer or "/"
            pending.extend((v, f"{pointer}/{str(k).replace('~', '~0').replace('/', '~1')}") for k, v in node.items())
        elif isinstance(node, list):
            pending.extend((v, f"{pointer}/{i}") for i, v in enumerate(node))
    return "/"


def _name(location: Location) -> str:
    return location if isinstance(location, str) else str(location)


def _short(ref: str) -> str:
    return repr(ref if len(ref) <= 200 else ref[:200] + "…")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


_LITERAL = frozenset({"example", "default", "enum", "const"})
# Maps from author-chosen names to objects: their keys are never keywords.
_NAMED = frozenset(
    {
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "dependentSchemas",
        "schemas",
        "responses",
        "parameters",
        "headers",
        "content",
        "encoding",
        "callbacks",
        "links",
        "securitySchemes",
        "requestBodies",
        "pathItems",
        "paths",
        "webhooks",
        "variables",
    }
)
