"""Resolve `$ref`s into one shared object per target, so recursive schemas become cyclic graphs."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from mockserver.errors import SpecErrorKind, SpecLoadError
from mockserver.spec.parse import parse_text


def _pointer_get(document: Any, pointer: str, path: Path) -> Any:
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
            raise SpecLoadError(path, SpecErrorKind.BAD_REFERENCE, f"#{pointer} does not exist")
    return node


class RefResolver:
    """Resolves local and relative-file refs; `keep_siblings` follows OpenAPI 3.1 (siblings apply)."""

    def __init__(self, document: dict[str, Any], path: Path, *, keep_siblings: bool, root: Path | None = None) -> None:
        self._documents: dict[Path, Any] = {path.resolve(): document}
        self._path = path.resolve()
        # Files a `$ref` may name: those under the spec's own folder (a spec from anywhere must not read
        # /etc/passwd or ../.env and serve it as data).
        self._root = (root or path.parent).resolve()
        self._keep_siblings = keep_siblings
        self._memo: dict[tuple[Path, str], Any] = {}

    def resolve(self, node: Any) -> Any:
        """A deep copy of `node` with every `$ref` replaced by its (shared) target."""
        return self._walk(node, self._path)

    def _load(self, path: Path) -> Any:
        if path not in self._documents:
            try:
                self._documents[path] = parse_text(path.read_text(encoding="utf-8"), json_text=path.suffix == ".json")
            except (OSError, ValueError, yaml.YAMLError) as exc:
                raise SpecLoadError(self._path, SpecErrorKind.BAD_REFERENCE, f"{path}: {exc}") from exc
        return self._documents[path]

    def _target(self, ref: str, base: Path, *, example: bool = False) -> Any:
        file_part, _, pointer = ref.partition("#")
        path = (base.parent / file_part).resolve() if file_part else base
        if file_part.startswith(("http://", "https://")):
            raise SpecLoadError(self._path, SpecErrorKind.BAD_REFERENCE, f"remote $ref {ref!r} is not supported")
        key = (path, pointer)
        if key in self._memo:
            return self._memo[key]
        if file_part and not path.is_relative_to(self._root):
            raise SpecLoadError(
                self._path,
                SpecErrorKind.BAD_REFERENCE,
                f"{ref!r} leaves the spec's folder {self._root}; not read (--ref-root widens it)",
            )
        raw = _pointer_get(self._load(path), pointer, self._path)
        if isinstance(raw, dict):
            # Register before walking so that a cycle finds this very object.
            resolved: dict[str, Any] = {}
            self._memo[key] = resolved
            walked = self._walk(raw, path, example=example)
            resolved.update(walked if isinstance(walked, dict) else {})
            # Keep the target's name: discriminators map branch names to values.
            resolved.setdefault("x-ref", ref)
            return resolved
        value = self._walk(raw, path, example=example)
        self._memo[key] = value
        return value

    def _walk(self, node: Any, base: Path, *, example: bool = False) -> Any:
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

    def _child(self, key: str, value: Any, base: Path) -> Any:
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
