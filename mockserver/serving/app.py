"""Build the ASGI app: every API mounted at /<name><base path> on one Connexion AsyncApp."""

from __future__ import annotations

import logging

from connexion import AsyncApp
from connexion.middleware import MiddlewarePosition
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.options import SwaggerUIOptions

from mockserver.generation.responses import ApiMock
from mockserver.generation.values import Pools
from mockserver.openapi.model import ApiSpec
from mockserver.serving.admin import AdminGate
from mockserver.serving.auth import credential_names
from mockserver.serving.chaos import QuietDrops
from mockserver.serving.config import ServerConfig
from mockserver.serving.journal import JournalMiddleware
from mockserver.serving.middleware import SPEC_PATH, MockMiddleware
from mockserver.serving.outage import StoreOutage
from mockserver.serving.repositories import StateStore
from mockserver.serving.state import MockState
from mockserver.serving.store import open_store

# What the mock keeps of Connexion's stack: error handling, Swagger UI and the lifespan. It routes,
# authenticates and validates requests itself (MockMiddleware), because Connexion's layers for these
# do not follow the spec far enough for users' specs: routing in spec order instead of concrete paths
# first, at a cost per request that grows with the number of operations; URI parsing that needs a `type`
# on every parameter schema (KeyError on `anyOf`); no deepObject form bodies; Draft 4 semantics for 3.1
# schemas; security that refuses every bearer token.
MIDDLEWARES = [ServerErrorMiddleware, ExceptionMiddleware, SwaggerUIMiddleware, LifespanMiddleware]


def build_app(apis: list[ApiSpec], config: ServerConfig | None = None, store: StateStore | None = None) -> AsyncApp:
    """An AsyncApp serving every API in `apis`; specs must have loaded (see `openapi.loader`). `store`: what
    an earlier app of this server remembered (`--reload` keeps the journal, overrides and state)."""
    return app_for(mock_state(apis, config, store))


def mock_state(apis: list[ApiSpec], config: ServerConfig | None = None, store: StateStore | None = None) -> MockState:
    """Every API of `apis` compiled, with the store its server keeps (a new one unless `store` is given)."""
    config = config or ServerConfig()
    # The pools are a fixed vocabulary; seeds choose from them, so `Prefer: seed=N` equals `--seed N`.
    pools = Pools(0)
    store = store or open_store(config.state_file, config.state_url, journal_size=config.journal_size)
    return MockState([ApiMock(api, pools) for api in apis], config, store)


def app_for(state: MockState) -> AsyncApp:
    """The AsyncApp serving `state` (a layer in front, the proxy, may share the state: `proxy/app.py`)."""
    config, store, mocks = state.config, state.store, state.apis
    # Connexion logs every undeclared query parameter as an error (a handler taking **kwargs asks for them all).
    logging.getLogger("connexion.decorators.parameter").setLevel(logging.CRITICAL)
    server_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, QuietDrops) for f in server_log.filters):
        server_log.addFilter(QuietDrops())
    app = AsyncApp(
        __name__,
        middlewares=list(MIDDLEWARES),  # a copy: Connexion inserts the added middlewares into it
        swagger_ui_options=SwaggerUIOptions(swagger_ui=True, spec_path=SPEC_PATH),
    )
    # CORS for the mocked APIs; the admin endpoints (the journal) without it, same-origin only.
    cors = {"allow_origins": ["*"], "allow_methods": ["*"], "allow_headers": ["*"], "expose_headers": ["*"]}
    # A store that fails mid-request is the mock's 503, never a 500 (outage.py); outside the journal first.
    app.add_middleware(StoreOutage, position=MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_middleware(
        AdminGate,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        cors=cors if config.cors else None,
        admin_cors=config.admin_cors,
        host_guard=config.admin_host_guard,
    )
    app.add_middleware(
        JournalMiddleware,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        store=store,
        log=config.access_log,
        credentials=credential_names([mock.api for mock in mocks]),
    )
    # Before Swagger UI: every request under a mount is the mock's, except Swagger UI's own pages.
    # Inside Connexion's ExceptionMiddleware too, which would make any exception a 500.
    app.add_middleware(StoreOutage, position=MiddlewarePosition.BEFORE_SWAGGER)
    app.add_middleware(MockMiddleware, position=MiddlewarePosition.BEFORE_SWAGGER, state=state)
    for mock in mocks:
        # Connexion only needs to know where each API lives (Swagger UI at <mount>/ui/); the mock
        # serves the whole document itself at <mount>/openapi.json.
        stub = {"openapi": "3.0.3", "info": {"title": mock.api.title, "version": "mock"}, "paths": {}}
        app.add_api(stub, base_path=mock.api.mount_path, name=mock.api.name)
    return app
