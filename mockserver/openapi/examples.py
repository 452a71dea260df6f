"""A spec's inline response examples, and which of them break their own schema.

Fixtures are checked against their response schema at start-up and an invalid one is not served
(`fixtures.py`); inline examples (`example`, `examples/NAME/value` of a response's media type) get the
same check here, for `serve` (warned at start-up, then not served by name) and `mockserver diff`
(reported). Each example is named by the JSON pointer of the place it is written, `$ref`s followed, so
the warning points into the file the author edits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import SchemaError, UnknownType

from mockserver.openapi.model import ApiSpec, Operation
from mockserver.openapi.validation import Check, schema_validator

logger = logging.getLogger("mockserver")
MAX_WARNINGS = 20  # per spec: a vendor spec may have hundreds; the rest are counted


@dataclass(frozen=True)
class InlineExample:
    operation: Operation
    status: str  # the response key: "200", "4XX", "default"
    media_type: str
    name: str  # the key under `examples`, or "default" for `example`
    value: Any
    pointer: str  # where it is written: a JSON pointer into the spec (or `file.yaml#/…` for another file)
    schema: Any  # the media type's resolved schema (None: no schema)


def escape(token: str) -> str:
    """One JSON pointer token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def follow(document: Any, pointer: str) -> str:
    """`pointer`, or where the `$ref` found there leads (repeatedly): the place the author wrote the object."""
    for _ in range(32):  # a chain of references, bounded (a cycle of $refs has no place)
        node = value_at(document, pointer)
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#"):
            if isinstance(ref, str):  # another file: name it, the rest of the way is in that file
                return ref
            return pointer
        pointer = ref[1:]
    return pointer


def inline_examples(api: ApiSpec) -> Iterator[InlineExample]:
    """Every example written in a response's content, in document order."""
    for op in api.operations:
        base = f"/paths/{escape(op.path)}/{op.method}/responses"
        for status, response in op.responses.items():
            where = follow(api.document, f"{base}/{escape(status)}")
            for media, content in response.content.items():
                at = f"{where}/content/{escape(media)}" if where.startswith("/") else where
                schema = content.get("schema")
                if "example" in content:
                    yield InlineExample(op, status, media, "default", content["example"], f"{at}/example", schema)
                named = content.get("examples")
                for name, example in named.items() if isinstance(named, dict) else ():
                    if isinstance(example, dict) and "value" in example:
                        written = follow(api.document, f"{at}/examples/{escape(str(name))}") if at[:1] == "/" else at
                        pointer = f"{written}/value" if written[:1] == "/" else written
                        yield InlineExample(op, status, media, str(name), example["value"], pointer, schema)


def is_json_media(media: str) -> bool:
    main = media.split(";", 1)[0].strip().lower()
    return main == "application/json" or main.endswith("+json") or main == "*/*"


class Validators:
    """One compiled validator per schema object (a shared `$ref` target is compiled once)."""

    def __init__(self, *, openapi_31: bool) -> None:
        self._openapi_31 = openapi_31
        self._made: dict[int, tuple[Any, Check]] = {}

    def problems(self, schema: Any, value: Any) -> list[str]:
        if not isinstance(schema, dict):
            return []
        found = self._made.get(id(schema))
        if found is None:
            found = (schema, schema_validator(schema, openapi_31=self._openapi_31, reading=True))  # keeps `schema` alive
            self._made[id(schema)] = found
        try:
            return found[1](value)
        except (RecursionError, UnknownType, SchemaError):
            # A schema the validator cannot use (too deep, a type its dialect lacks) accepts, as requests.py does.
            return []


def invalid_examples(api: ApiSpec) -> list[tuple[InlineExample, str]]:
    """The JSON examples that do not validate against their own schema, each with its first problem."""
    validators = Validators(openapi_31=api.is_31)
    found: list[tuple[InlineExample, str]] = []
    for example in inline_examples(api):
        if example.schema is None or not is_json_media(example.media_type):
            continue
        problems = validators.problems(example.schema, example.value)
        if problems:
            found.append((example, problems[0]))
    return found


def warn_invalid_examples(api: ApiSpec) -> list[InlineExample]:
    """Log each invalid inline example (file and pointer) as `load_fixtures` logs an invalid fixture; returns
    them, not to be served (by name, nor as the first example `Prefer: dynamic=false` takes)."""
    invalid = invalid_examples(api)
    for example, problem in invalid[:MAX_WARNINGS]:
        logger.warning(
            "%s#%s: example does not match the %s schema at %s; not served",
            api.file,
            example.pointer,
            example.status,
            problem,
        )
    if len(invalid) > MAX_WARNINGS:
        logger.warning(
            "%s: %d more examples do not match their schema; not served", api.file, len(invalid) - MAX_WARNINGS
        )
    return [example for example, _ in invalid]


def value_at(document: Any, pointer: str) -> Any:
    """What `pointer` names in `document` (`$ref`s not followed), None when nothing."""
    node = document
    for raw in pointer.lstrip("/").split("/") if pointer not in ("", "/") else ():
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node
