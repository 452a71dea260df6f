"""Build the app from the environment: what each `serve --workers N` process imports (see `server.run`).

The command line puts its settings in MOCKSERVER_SETTINGS (JSON) and names `create` as the factory.
"""

from __future__ import annotations

import dataclasses
import json
import os
import warnings
from typing import Any

from mockserver.openapi.loader import load_all
from mockserver.serving.config import ServerConfig

ENV = "MOCKSERVER_SETTINGS"


def settings_to_env(
    specs: list[str],
    config: ServerConfig,
    validated: dict[str, str] | None = None,
    *,
    strict: bool = False,
    ref_root: str | None = None,
    allow_remote_refs: bool = False,
) -> str:
    """The JSON `create` reads back (credentials included: it only lives in this process tree's environment).

    `validated`: spec digests the parent has just validated (see `loader.load_all`), so that workers
    do not validate the same files again."""
    return json.dumps(
        {
            "specs": specs,
            "strict": strict,
            "ref_root": ref_root,
            "allow_remote_refs": allow_remote_refs,
            "validated": validated or {},
            "config": config_to_json(config),
        }
    )


# Every field but `today` (a clock, only ever replaced in process by tests) goes through the environment,
# so that a setting added to ServerConfig reaches the workers without being listed here too.
_NOT_SERIALISED = frozenset({"today"})


def config_to_json(config: ServerConfig) -> dict[str, Any]:
    """`config` as JSON data (sets and tuples as lists); `config_from_json` reads it back."""
    data: dict[str, Any] = {}
    for item in dataclasses.fields(config):
        if item.name not in _NOT_SERIALISED:
            value = getattr(config, item.name)
            data[item.name] = sorted(value) if isinstance(value, frozenset) else value
    return data


def config_from_json(data: dict[str, Any]) -> ServerConfig:
    defaults = ServerConfig()
    values: dict[str, Any] = {}
    for item in dataclasses.fields(defaults):
        if item.name in data:
            default = getattr(defaults, item.name)
            value = data[item.name]
            values[item.name] = type(default)(value) if isinstance(default, (tuple, frozenset)) else value
    return ServerConfig(**values)


def create() -> Any:
    raw = json.loads(os.environ[ENV])
    config = config_from_json(raw["config"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Connexion's import-time deprecation notices are not the user's concern
        from mockserver.serving.app import build_app

    return build_app(
        load_all(
            raw["specs"],
            strict=raw.get("strict", False),
            validated=raw["validated"],
            ref_root=raw.get("ref_root"),
            allow_remote_refs=raw.get("allow_remote_refs", False),
        ),
        config,
    )
