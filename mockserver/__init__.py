"""mockserver: mock servers and contract checks from OpenAPI specs.

The public surface is `__all__` (checked by tests/test_public_api.py); everything else is private.
`import mockserver` stays cheap: the errors are imported at once, everything else (the spec loader,
the app builder and Connexion behind it, the Hypothesis strategies) on first use of its name.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mockserver.errors import (
    GenerationError,
    ListenError,
    MockJournalUnavailable,
    MockServerError,
    ResponseLimitError,
    SpecErrorKind,
    SpecLoadError,
    StoreError,
)

if TYPE_CHECKING:
    from mockserver.bundled import resolve_spec
    from mockserver.openapi.loader import load, load_all
    from mockserver.openapi.model import ApiSpec
    from mockserver.serving.app import build_app
    from mockserver.serving.config import ServerConfig
    from mockserver.strategies import api_mock, response_bodies, response_body

__version__ = "0.1.0"  # the one place; pyproject.toml reads it

__all__ = [
    "ApiSpec",
    "GenerationError",
    "ListenError",
    "MockJournalUnavailable",
    "MockServerError",
    "ResponseLimitError",
    "ServerConfig",
    "SpecErrorKind",
    "SpecLoadError",
    "StoreError",
    "__version__",
    "api_mock",
    "build_app",
    "load",
    "load_all",
    "resolve_spec",
    "response_bodies",
    "response_body",
]

# Name → the module that defines it, imported on first use (see the docstring).
_LAZY = {
    "ApiSpec": "mockserver.openapi.model",
    "ServerConfig": "mockserver.serving.config",
    "api_mock": "mockserver.strategies",
    "build_app": "mockserver.serving.app",
    "load": "mockserver.openapi.loader",
    "load_all": "mockserver.openapi.loader",
    "resolve_spec": "mockserver.bundled",
    "response_bodies": "mockserver.strategies",
    "response_body": "mockserver.strategies",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once imported, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
