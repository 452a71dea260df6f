"""Errors raised by mockserver: every one a program using it may catch, in one tree.

MockServerError
├── SpecLoadError(kind=SpecErrorKind.…)   a spec file cannot be read, parsed or validated
├── GenerationError                        a schema cannot be turned into a generator
├── ListenError                            `serve` cannot listen on the address (in use, not ours to bind)
├── MockJournalUnavailable                 the pytest plugin's server does not record requests (also a RuntimeError)
├── StoreError                             the state store (--state-file, --state-url) cannot be opened or written
└── ResponseLimitError                     a checked server's response broke --max-response-bytes/--response-timeout
    └── contract.limits.ResponseLimitExceeded   the one raised (also a requests.RequestException, see below)

Errors that never reach a caller stay beside the code that raises and handles them: a bad `Prefer`
header is answered 400 (`serving.prefer.PreferError`), an over-budget answer 503/501
(`deadline.BudgetExceeded`), a pattern or $ref problem becomes a `SpecLoadError` or a warning.
`ResponseLimitExceeded` is defined in `contract/limits.py` because it must also be a
`requests.RequestException` (requests and schemathesis handle it as a failed send), and this module
stays free of third-party imports; catch it here as `ResponseLimitError`.
"""

from __future__ import annotations

import enum
from pathlib import Path

__all__ = [
    "GenerationError",
    "ListenError",
    "MockJournalUnavailable",
    "MockServerError",
    "ResponseLimitError",
    "SpecErrorKind",
    "SpecLoadError",
    "StoreError",
]


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


class ListenError(MockServerError):
    """The address cannot be listened on (already in use, not ours to bind)."""


class MockJournalUnavailable(MockServerError, RuntimeError):
    """The running mock does not record requests (no `GET /__mock/requests`)."""


class StoreError(MockServerError):
    """The state database cannot be opened or written (a path the user gave, a full disk)."""


class ResponseLimitError(MockServerError):
    """A response from the checked server broke a `ResponseLimits` bound; the message is the one line to show."""
