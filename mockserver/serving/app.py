"""Build the ASGI app: every API mounted at /<name><base path> on one Connexion AsyncApp."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from connexion import AsyncApp
from connexion.middleware import ConnexionMiddleware, MiddlewarePosition
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolution, Resolver
from connexion.validators import VALIDATOR_MAP
from starlette.middleware.cors import CORSMiddleware

from mockserver.generation.responses import ApiMock
from mockserver.generation.values import Pools
from mockserver.serving.chaos import QuietDrops
from mockserver.serving.handler import ResponderMiddleware
from mockserver.serving.journal import JournalMiddleware
from mockserver.serving.middleware import SPEC_PATH, FrontMiddleware, OperationMiddleware
from mockserver.serving.state import MockState, ServerConfig
from mockserver.serving.validation import CollectingParameterValidator
from mockserver.spec.bridge import request_contract, to_connexion_document
from mockserver.spec.model import ApiSpec

# Connexion's stack without the two layers the mock replaces: the bridge strips `security` (the mock
# authenticates in OperationMiddleware, in the API's own envelope) and responses are not validated at
# run time (they are generated valid; the contract suites check them). Each routed layer left in costs a
# route match per request.
MIDDLEWARES = [
    m for m in ConnexionMiddleware.default_middlewares if m not in (SecurityMiddleware, ResponseValidationMiddleware)
]


async def _answered_by_responder(**_: Any) -> NoReturn:
    raise RuntimeError("operations are answered by ResponderMiddleware before Connexion's handler layer")


class _MockResolver(Resolver):  # type: ignore[misc]
    """Every operation resolves by method and path, whatever its operationId says (it may have none)."""

    def __init__(self, api: ApiMock) -> None:
        super().__init__()
        self._api = api

    def resolve(self, operation: Any) -> Resolution:
        for op in self._api.api.operations:
            if op.method == operation.method.lower() and op.path == operation.path:
                return Resolution(_answered_by_responder, op.operation_id)
        raise LookupError(f"{operation.method} {operation.path} is not in {self._api.api.path}")


def build_app(apis: list[ApiSpec], config: ServerConfig | None = None) -> AsyncApp:
    """An AsyncApp serving every API in `apis`; specs must have loaded (see `spec.loader`)."""
    config = config or ServerConfig()
    # Connexion logs every undeclared query parameter as an error (a handler taking **kwargs asks for them all).
    logging.getLogger("connexion.decorators.parameter").setLevel(logging.CRITICAL)
    server_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, QuietDrops) for f in server_log.filters):
        server_log.addFilter(QuietDrops())
    # The pools are a fixed vocabulary; seeds choose from them, so `Prefer: seed=N` equals `--seed N`.
    pools = Pools(0)
    mocks = [ApiMock(api, pools) for api in apis]
    state = MockState(mocks, config)
    app = AsyncApp(
        __name__,
        middlewares=list(MIDDLEWARES),  # a copy: Connexion inserts the added middlewares into it
        validator_map={**VALIDATOR_MAP, "parameter": CollectingParameterValidator},
        swagger_ui_options=SwaggerUIOptions(swagger_ui=True, spec_path=SPEC_PATH),
    )
    if config.cors:
        app.add_middleware(
            CORSMiddleware,
            position=MiddlewarePosition.BEFORE_EXCEPTION,
            allow_origins=["*"],
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["*"],
        )
    # Added after CORS, so inside it: the journal is readable from a browser page too.
    app.add_middleware(
        JournalMiddleware,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        size=config.journal_size,
        log=config.access_log,
    )
    # Before Swagger UI's routes: it serves each API's openapi.json itself (see FrontMiddleware).
    app.add_middleware(FrontMiddleware, position=MiddlewarePosition.BEFORE_SWAGGER, state=state)
    # Credentials before parameters (401 before 400, as real APIs answer), then the responder innermost.
    app.add_middleware(OperationMiddleware, position=MiddlewarePosition.BEFORE_VALIDATION, state=state)
    app.add_middleware(ResponderMiddleware, position=MiddlewarePosition.BEFORE_CONTEXT, state=state)
    with _trusted_specs():
        for mock in mocks:
            _add(app, mock)
    return app


@contextmanager
def _trusted_specs() -> Iterator[None]:
    """Skip Connexion's own spec validation: the loader validated the original document already, more
    completely, and on a large spec the second pass costs seconds of start-up."""
    from connexion.spec import Specification

    original = Specification.__dict__["_validate_spec"]
    Specification._validate_spec = classmethod(lambda cls, spec: None)
    try:
        yield
    finally:
        Specification._validate_spec = original


def _add(app: AsyncApp, mock: ApiMock) -> None:
    app.add_api(
        to_connexion_document(request_contract(mock.api.document)),
        base_path=mock.api.mount_path,
        resolver=_MockResolver(mock),
        name=mock.api.name,
    )
