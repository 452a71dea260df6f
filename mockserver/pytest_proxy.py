"""The pytest plugin's proxy mode: `--mock-upstream NAME=URL` puts the validating proxy in front of a real (or
staging) API, so an app's own integration tests double as contract checks.

    pytest --mock-upstream openrouter=https://staging.example/api/v1 --mock-violations fail

The `mock_server` fixture then forwards that API's requests to URL (its other APIs stay mocked), checks every
exchange against the contract, and, per `--mock-violations`:

- `fail` (default): a test whose traffic broke the contract fails, naming each violation;
- `session`: tests pass, the session fails at the end, listing the violations;
- `report`: the violations are listed at the end; nothing fails for them.

Each proxied API's report (violations, deduplicated as `mockserver contract` does, and which documented
statuses the traffic exercised) is printed at the end of the session in every mode. Credentials: the client's
own, else `<API>_API_KEY` from the environment, never printed. Only GET/HEAD/OPTIONS are forwarded unless
`--mock-allow-unsafe`. A top layer, like the plugin: everything heavy is imported when a session uses it.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from mockserver.openapi.model import ApiSpec
    from mockserver.proxy.run import ProxyRun
    from mockserver.serving.config import ServerConfig

POLICIES = ("fail", "session", "report")
LISTED = 10  # violations named per failing test


class UpstreamOptionError(ValueError):
    """A malformed `--mock-upstream` or `--mock-violations`: the pytest usage error's text."""


@dataclass(frozen=True)
class ProxyMode:
    upstreams: tuple[tuple[str, str], ...]  # (API name, upstream URL), as given
    policy: str = "fail"
    allow_unsafe: bool = False


def parse_upstreams(entries: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """`NAME=URL` entries, checked: a name, an http(s) URL with a host, no API twice."""
    found: dict[str, str] = {}
    for entry in entries:
        name, sep, url = entry.partition("=")
        name, url = name.strip(), url.strip()
        if not sep or not name or not url:
            raise UpstreamOptionError(f"--mock-upstream {entry[:80]!r} must look like NAME=URL")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            # The URL may carry credentials (user:password@): only its scheme and host are echoed.
            raise UpstreamOptionError(
                f"--mock-upstream {name}: {parts.scheme or 'no'} scheme; an http(s) URL is needed"
            )
        if parts.username or parts.password:
            raise UpstreamOptionError(
                f"--mock-upstream {name}: credentials in the URL are not taken; set {name.upper().replace('-', '_')}"
                "_API_KEY or let the client send its own"
            )
        if name in found:
            raise UpstreamOptionError(f"--mock-upstream {name} is given twice")
        found[name] = url.rstrip("/")
    return tuple(found.items())


def parse_policy(text: str) -> str:
    if text not in POLICIES:
        raise UpstreamOptionError(f"--mock-violations {text[:40]!r}: one of {', '.join(POLICIES)}")
    return text


@dataclass(frozen=True)
class ProxySession:
    """What a session in proxy mode keeps for its hooks: each proxied API's run report, and the mode."""

    runs: list[ProxyRun]
    mode: ProxyMode
    seed: int

    def report(self) -> tuple[str, int]:
        """Every proxied API's report (violations, coverage), and how many violations they hold in all."""
        text = "\n\n".join(run.text() for run in self.runs)
        return text, sum(len(run.result.violations) for run in self.runs)


def build_proxied_app(apis: list[ApiSpec], config: ServerConfig, mode: ProxyMode) -> tuple[Any, ProxySession]:
    """The app serving `apis`, those with an upstream through the proxy; and the session's proxy runs.
    An upstream for an API not served is an UpstreamOptionError naming the served ones."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Connexion's own deprecations (jsonschema's RefResolver): not the user's
        from mockserver.proxy.app import build_proxy_app
    from mockserver.proxy.middleware import ProxySettings
    from mockserver.proxy.run import ProxyRun
    from mockserver.redact import secret_values

    by_name = {api.name: api for api in apis}
    proxied: dict[str, tuple[ProxySettings, ProxyRun]] = {}
    for name, url in mode.upstreams:
        api = by_name.get(name)
        if api is None:
            raise UpstreamOptionError(f"--mock-upstream {name}: no such API; served: {', '.join(sorted(by_name))}")
        key = os.environ.get(api.key_variable) or None
        settings = ProxySettings(upstream=url, allow_unsafe=mode.allow_unsafe, api_key=key)
        proxied[name] = (settings, ProxyRun(api, url, secret_values({"key": key}) if key else ()))
    runs = [run for _settings, run in proxied.values()]
    return build_proxy_app(apis, config, proxied), ProxySession(runs, mode, config.seed)
