"""`serve --workers N`: each worker rebuilds the server's settings from the environment, all of them."""

from __future__ import annotations

import dataclasses
import json

from mockserver.serving.config import ServerConfig
from mockserver.serving.factory import config_from_json, settings_to_env


def test_every_setting_reaches_the_workers() -> None:
    # Not one default left: a setting the environment forgot would come back as its default and fail here.
    config = ServerConfig(
        seed=7,
        tokens=frozenset({"a", "b"}),
        chaos=0.25,
        latency=(10, 20),
        faults=("drop",),
        fault_rate=0.5,
        edge=0.1,
        cors=False,
        admin_cors=True,
        admin_host_guard=True,
        access_log=False,
        journal_size=3,
        max_body=1024,
        request_budget=1.5,
        max_answer=1 << 20,
        state_file="/tmp/state.sqlite",
        state_url="redis://:secret@localhost:6379/0",
        rate_limit=(5, 60),
        stateless=True,
        draws_chaos=False,
    )
    defaults = ServerConfig()
    unchanged = [f.name for f in dataclasses.fields(config) if f.name != "today"]
    unchanged = [name for name in unchanged if getattr(config, name) == getattr(defaults, name)]
    assert not unchanged, f"give these a non-default value in this test: {unchanged}"
    raw = json.loads(settings_to_env(["specs"], config))
    assert dataclasses.replace(config_from_json(raw["config"]), today=config.today) == config
