"""The proxy's app: the mock's own app (journal, admin endpoints, the mock for what is not forwarded) with the
proxy's layer inside the journal, so every forwarded exchange is journaled and its violations with it."""

from __future__ import annotations

import dataclasses

import httpx
from connexion import AsyncApp
from connexion.middleware import MiddlewarePosition

from mockserver.openapi.model import ApiSpec
from mockserver.proxy.middleware import ProxyMiddleware, ProxySettings
from mockserver.proxy.run import ProxyRun
from mockserver.serving.app import build_app
from mockserver.serving.config import ServerConfig
from mockserver.serving.store import open_store


def build_proxy_app(
    api: ApiSpec,
    config: ServerConfig,
    settings: ProxySettings,
    run: ProxyRun,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncApp:
    """`api` served through the proxy. Chaos, latency and faults (`config`) are drawn once per request by the
    proxy, for forwarded and mocked answers alike, with what `/__mock/chaos` sets; the mock behind it draws none. `transport`: how
    the upstream is reached (default: the network; tests hand in an app)."""
    store = open_store(config.state_file, config.state_url, journal_size=config.journal_size)
    # The mock behind draws none (draws_chaos), but keeps the options: `/__mock/chaos` shows them as the proxy's.
    app = build_app([api], dataclasses.replace(config, draws_chaos=False), store)
    # Inserted before Connexion's ExceptionMiddleware: inside the journal (added there earlier), outside the mock.
    app.add_middleware(
        ProxyMiddleware,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        api=api,
        settings=settings,
        run=run,
        config=config,
        store=store,
        transport=transport,
    )
    return app
