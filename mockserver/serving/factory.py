"""Build the app from the environment: what `uvicorn --reload` imports in each fresh worker process.

The command line puts its settings in MOCKSERVER_SETTINGS (JSON) and names `create` as the factory.
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any

from mockserver.serving.state import ServerConfig
from mockserver.spec.loader import load_all

ENV = "MOCKSERVER_SETTINGS"


def settings_to_env(
    specs: list[str],
    config: ServerConfig,
    validated: dict[str, str] | None = None,
    *,
    strict: bool = False,
    ref_root: str | None = None,
) -> str:
    """The JSON `create` reads back (credentials included: it only lives in this process tree's environment).

    `validated`: spec digests the parent has just validated (see `loader.load_all`); for `--workers`,
    not `--reload`, where a changed file (or a file it refers to) must be checked again."""
    return json.dumps(
        {
            "specs": specs,
            "strict": strict,
            "ref_root": ref_root,
            "validated": validated or {},
            "seed": config.seed,
            "tokens": sorted(config.tokens),
            "chaos": config.chaos,
            "latency": list(config.latency),
            "faults": list(config.faults),
            "fault_rate": config.fault_rate,
            "edge": config.edge,
            "cors": config.cors,
            "access_log": config.access_log,
            "request_budget": config.request_budget,
        }
    )


def create() -> Any:
    raw = json.loads(os.environ[ENV])
    config = ServerConfig(
        seed=raw["seed"],
        tokens=frozenset(raw["tokens"]),
        chaos=raw["chaos"],
        latency=tuple(raw["latency"]),
        faults=tuple(raw["faults"]),
        fault_rate=raw["fault_rate"],
        edge=raw["edge"],
        cors=raw["cors"],
        access_log=raw["access_log"],
        request_budget=raw.get("request_budget", ServerConfig.request_budget),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Connexion's import-time deprecation notices are not the user's concern
        from mockserver.serving.app import build_app

    return build_app(
        load_all(
            raw["specs"], strict=raw.get("strict", False), validated=raw["validated"], ref_root=raw.get("ref_root")
        ),
        config,
    )
