"""Errors raised by mockserver.

MockServerError
├── SpecLoadError(kind=SpecErrorKind.…)   a spec file cannot be read, parsed or validated
└── GenerationError                        a schema cannot be turned into a generator
"""

from __future__ import annotations

import enum
from pathlib import Path


class MockServerError(Exception):
    """Base class of every error mockserver raises on purpose."""


class SpecErrorKind(enum.Enum):
    NOT_FOUND = "not found"
    UNREADABLE = "unreadable"
    SYNTAX = "syntax error"
    NOT_OPENAPI = "not an OpenAPI document"
    UNSUPPORTED_VERSION = "unsupported OpenAPI version"
    INVALID = "invalid OpenAPI document"
    BAD_REFERENCE = "unresolvable $ref"
    DUPLICATE_NAME = "duplicate API name"
    BAD_EXTENSION = "invalid x-mock extension"
    RESERVED_ROUTE = "route reserved by the mock"


class SpecLoadError(MockServerError):
    """A spec that cannot load: names the file and the problem."""

    def __init__(self, path: Path | str, kind: SpecErrorKind, detail: str) -> None:
        self.path = str(path)
        self.kind = kind
        self.detail = detail
        super().__init__(f"{self.path}: {kind.value}: {detail}")


class GenerationError(MockServerError):
    """A schema that cannot be generated for (for example an unsatisfiable `pattern`)."""
