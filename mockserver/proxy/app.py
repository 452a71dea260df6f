"""The proxy's app: the mock's own app (journal, admin endpoints, the mock for what is not forwarded) with a
proxy layer per proxied API inside the journal, so every forwarded exchange is journaled and its violations
with it. APIs without an upstream are served by the mock as `mockserver serve` would (the pytest plugin's
proxy mode serves a mix)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from connexion import AsyncApp
from connexion.middleware import MiddlewarePosition

from mockserver.openapi.model import ApiSpec
from mockserver.proxy.middleware import ProxyMiddleware, ProxySettings
from mockserver.proxy.run import ProxyRun
from mockserver.serving.app import app_for, mock_state
from mockserver.serving.config import ServerConfig
from mockserver.serving.overrides import Overrides


def build_proxy_app(
    apis: list[ApiSpec],
    config: ServerConfig,
    proxied: Mapping[str, tuple[ProxySettings, ProxyRun]],
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncApp:
    """`apis` served, those named in `proxied` (API name → its settings and run report) through the proxy.
    Chaos, latency and faults (`config`, and what `/__mock/chaos` sets) are drawn once per request: by the
    proxy for a proxied API's operations, forwarded and mocked alike, by the mock for the rest. `transport`:
    how the upstreams are reached (default: the network; tests hand in an app)."""
    unknown = sorted(set(proxied) - {api.name for api in apis})
    if unknown:
        raise ValueError(f"no API {unknown[0]!r} to proxy; served: {', '.join(api.name for api in apis)}")
    state = mock_state(apis, config)
    app = app_for(state)
    # What a test's overrides say, read by each proxy layer (the mock's own copy answers them).
    overrides = Overrides(state)
    for api in apis:
        if api.name not in proxied:
            continue
        settings, run = proxied[api.name]
        # Inserted before Connexion's ExceptionMiddleware: inside the journal (added there earlier), outside the mock.
        app.add_middleware(
            ProxyMiddleware,
            position=MiddlewarePosition.BEFORE_EXCEPTION,
            api=api,
            settings=settings,
            run=run,
            config=config,
            store=state.store,
            transport=transport,
            overrides=overrides,
        )
    return app
