"""Chaos, latency and faults changed while the server runs: `/__mock/chaos` (the dashboard's switches).

`GET` answers the settings in force and the server's own options (`--chaos`, `--latency`, `--faults`,
`--fault-rate`); `PUT` with a JSON object of any of `chaos` (0..1), `latency_ms` (`150`, `[100, 400]` or
`"100-400"`, at most 60000), `faults` (a list of drop, truncate, trickle) and `fault_rate` (0..1) sets them,
each key not given keeping the server's option; `DELETE` goes back to the options. Kept in the shared store
(not a state table: `DELETE /__mock/state` keeps it), so every worker and every instance on one Redis
follows; each process re-reads it at most every `REFRESH` seconds (the one that took the `PUT` at once).
A `Prefer: chaos=…` or an override still wins for its request, as over the options.
"""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope

from mockserver.serving.answers import json_bytes, mock_error
from mockserver.serving.config import ServerConfig
from mockserver.serving.echo import clip
from mockserver.serving.prefer import FAULTS, PreferError, parse_latency
from mockserver.serving.repositories import StateStore
from mockserver.serving.validation import BodyTooLarge, read_body

CHAOS_PATH = "/__mock/chaos"
REFRESH = 1.0  # seconds a process trusts its copy of the setting before reading the store again
MAX_BODY = 4096  # bytes of a PUT's JSON
_NAME = "chaos"
_KEYS = ("chaos", "latency_ms", "faults", "fault_rate")
_ALLOW = "GET, HEAD, PUT, DELETE"


class SettingsError(ValueError):
    """A `PUT /__mock/chaos` body the server cannot apply, naming the key and the value."""


class RuntimeChaos:
    """The chaos settings in force for one server: its options, or what `/__mock/chaos` set."""

    def __init__(self, config: ServerConfig, store: StateStore) -> None:
        self.options = config
        self.repo = store.settings()
        self._read_at = float("-inf")
        self._config = config
        self._changed = False

    def config(self) -> ServerConfig:
        """The server's config with the runtime chaos settings applied (re-read every `REFRESH` seconds)."""
        now = time.monotonic()
        if now - self._read_at >= REFRESH:
            self._apply(self.repo.get(_NAME))
            self._read_at = now
        return self._config

    async def answer(self, scope: Scope, receive: Receive) -> Response:
        method = scope["method"]
        if method == "DELETE":
            self.repo.put(_NAME, None)
            self._apply(None)
            return self._shown()
        if method == "PUT":
            try:
                body = await read_body(receive, MAX_BODY)
            except BodyTooLarge:
                return mock_error(413, "Settings too large", f"The settings may have at most {MAX_BODY} bytes of JSON")
            try:
                settings = parse_settings(body)
            except SettingsError as exc:
                return mock_error(400, "Invalid chaos settings", str(exc))
            shown = {
                ("latency_ms" if k == "latency" else k): list(v) if isinstance(v, tuple) else v
                for k, v in settings.items()
            }
            text = json.dumps(shown, separators=(",", ":"))  # as a PUT would give it: read back by parse_settings
            self.repo.put(_NAME, text)
            self._apply(text)
            return self._shown()
        if method in ("GET", "HEAD"):
            self.config()
            return self._shown()
        return Response(status_code=405, headers={"Allow": _ALLOW})

    def _apply(self, text: str | None) -> None:
        self._changed = text is not None
        settings: dict[str, Any] = {}
        if text is not None:
            try:
                settings = parse_settings(text.encode())
            except SettingsError:
                self._changed = False  # written by another version of the server: its options stand
        self._config = dataclasses.replace(self.options, **settings)
        self._read_at = time.monotonic()

    def _shown(self) -> Response:
        body = {**describe(self._config), "changed": self._changed, "options": describe(self.options)}
        return Response(json_bytes(body), media_type="application/json")


def describe(config: ServerConfig) -> dict[str, Any]:
    return {
        "chaos": config.chaos,
        "latency_ms": list(config.latency),
        "faults": list(config.faults),
        "fault_rate": config.fault_rate,
    }


def parse_settings(body: bytes) -> dict[str, Any]:
    """The ServerConfig fields a PUT body sets, checked, or a SettingsError saying what is wrong."""
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise SettingsError(f"the settings are not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise SettingsError(f"the settings are a JSON object, not {type(raw).__name__}")
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise SettingsError(f"unknown key {clip(str(unknown[0]))!r}; known: {', '.join(_KEYS)}")
    found: dict[str, Any] = {}
    if "chaos" in raw:
        found["chaos"] = _rate(raw["chaos"], "chaos")
    if "fault_rate" in raw:
        found["fault_rate"] = _rate(raw["fault_rate"], "fault_rate")
    if "latency_ms" in raw:
        found["latency"] = _latency(raw["latency_ms"])
    if "faults" in raw:
        faults = raw["faults"]
        if not isinstance(faults, list) or any(f not in FAULTS for f in faults):
            raise SettingsError(f"faults={clip(repr(faults))} must be a list of {', '.join(FAULTS)}")
        found["faults"] = tuple(dict.fromkeys(faults))
    return found


def _rate(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise SettingsError(f"{name}={clip(repr(value))} must be a rate between 0 and 1")
    return float(value)


def _latency(value: Any) -> tuple[int, int]:
    if isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value):
        text = f"{value[0]}-{value[1]}"
    elif type(value) is int:
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        raise SettingsError(f'latency_ms={clip(repr(value))} must be 150, [100, 400] or "100-400" (milliseconds)')
    try:
        return parse_latency(text, "latency_ms")
    except PreferError as exc:
        raise SettingsError(str(exc)) from None
