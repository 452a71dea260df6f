"""Run every stand-in upstream, faithful and drifted, behind one local uvicorn server.

URL layout (ROOT = http://127.0.0.1:PORT as yielded by `serve_all()`):

    ROOT/{api}/{variant}{server base path}{operation path}

    ROOT/openrouter/faithful/api/v1/activity
    ROOT/lightdash/wrong_type/api/v1/analytics/user-activity/{projectUuid}
    ROOT/client-analytics/faithful/v2/clients/{client_id}/analytics/users/{user_id}/activity
    ROOT/onepin/xmock_rule_broken/api/v1/usage/activity

`variant` is "faithful" or a defect name from `VARIANTS[api]`; `base_url(ROOT, api, variant)` is
what a contract checker is pointed at in place of the spec's server URL.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from upstreams import client_analytics, lightdash, onepin, openrouter
from upstreams.common import Clock

FAITHFUL = "faithful"
_MODULES: dict[str, ModuleType] = {
    "openrouter": openrouter,
    "lightdash": lightdash,
    "client-analytics": client_analytics,
    "onepin": onepin,
}
APIS = tuple(_MODULES)
# The spec's server base path per API (lightdash's server url is "/", onepin's has no path).
BASE_PATHS: dict[str, str] = {name: module.API.base_path for name, module in _MODULES.items()}
VARIANTS: dict[str, list[str]] = {name: [FAITHFUL, *module.API.supported] for name, module in _MODULES.items()}
UNSUPPORTED: dict[str, dict[str, str]] = {name: dict(module.API.unsupported) for name, module in _MODULES.items()}


def create_app(api: str, variant: str = FAITHFUL, *, clock: Clock | None = None) -> Starlette:
    """One API in one variant, serving its operation at `{base path}{path}` from its own root."""
    if api not in _MODULES:
        raise ValueError(f"unknown api {api!r}; known: {', '.join(APIS)}")
    app: Starlette = _MODULES[api].create_app(None if variant == FAITHFUL else variant, clock=clock)
    return app


def base_url(root: str, api: str, variant: str = FAITHFUL) -> str:
    """Where the contract checker should send `api` in `variant`: root + /api/variant + server base path."""
    if variant not in VARIANTS[api]:
        raise ValueError(f"{api} has no variant {variant!r}; it has: {', '.join(VARIANTS[api])}")
    return f"{root.rstrip('/')}/{api}/{variant}{BASE_PATHS[api]}"


def build_root_app(*, clock: Clock | None = None) -> Starlette:
    """Every (api, variant) mounted at /{api}/{variant}."""
    mounts: list[Any] = [
        Mount(f"/{api}/{variant}", app=create_app(api, variant, clock=clock))
        for api, variants in VARIANTS.items()
        for variant in variants
    ]

    async def index(request: Request) -> JSONResponse:
        return JSONResponse(
            {"variants": VARIANTS, "unsupported": UNSUPPORTED, "base_paths": BASE_PATHS}, status_code=200
        )

    async def unknown(request: Request) -> JSONResponse:
        return JSONResponse(
            {"detail": "Not Found", "mounts": [f"/{a}/{v}" for a in VARIANTS for v in VARIANTS[a]]}, status_code=404
        )

    return Starlette(routes=[Route("/", index), *mounts, Route("/{rest:path}", unknown, methods=["GET", "HEAD"])])


@contextmanager
def serve_all(*, clock: Clock | None = None, startup_polls: int = 500, poll_interval: float = 0.01) -> Iterator[str]:
    """Start one uvicorn server on a free 127.0.0.1 port in a background thread; yield its root URL.

    The socket is bound (port 0) before the server starts, so the port cannot be taken in between.
    Readiness is `server.started`, polled at most `startup_polls` times `poll_interval` seconds
    apart (each wait is a join on the server thread, so a crashed start is noticed at once).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # h11 rather than httptools: it hands any method token to the app, so e.g. `FOO` gets our 405.
    config = uvicorn.Config(
        build_root_app(clock=clock), http="h11", log_level="warning", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"upstreams:{port}", daemon=True)
    thread.start()
    try:
        _wait(lambda: server.started, thread, startup_polls, poll_interval)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _wait(ready: Callable[[], bool], thread: threading.Thread, polls: int, interval: float) -> None:
    for _ in range(polls):
        if ready():
            return
        if not thread.is_alive():
            raise RuntimeError("the upstreams server thread died during startup")
        thread.join(timeout=interval)
    raise RuntimeError(f"the upstreams server did not start within {polls} polls of {interval}s")


def main() -> None:  # pragma: no cover - manual use: python -m upstreams.server (from contract_tests/)
    with serve_all() as root:
        print(root)
        for api, variants in VARIANTS.items():
            for variant in variants:
                print(f"  {base_url(root, api, variant)}")
        threading.Event().wait()


if __name__ == "__main__":  # pragma: no cover
    main()
