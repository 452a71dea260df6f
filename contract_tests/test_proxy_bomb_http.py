"""A hostile upstream behind the proxy, over real HTTP (its aiohttp transport): a gzip bomb is refused within a
bounded amount of memory, not inflated whole first."""

from __future__ import annotations

import gzip
import tracemalloc
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from uvicorn_thread import serving_in_thread

from mockserver.openapi.loader import load
from mockserver.proxy.app import build_proxy_app
from mockserver.proxy.middleware import ProxySettings
from mockserver.proxy.run import ProxyRun
from mockserver.serving.config import ServerConfig

SPEC = """
openapi: 3.0.3
info: {title: Bombs, version: "1"}
servers: [{url: "https://bombs.example/v1"}]
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200":
          description: things
          content: {application/json: {schema: {type: object}}}
"""
INFLATED = 200 * 1024 * 1024  # what the answer inflates to: 200 MiB of zeros, about 200 KB on the wire
BOMB = gzip.compress(b"\0" * INFLATED, 9)
MOST_MEMORY = 48 * 1024 * 1024  # the proxy's peak while refusing it (64 KiB pieces took about 150 MB)


async def bomb(request: Request) -> Response:
    return Response(BOMB, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})


def test_a_gzip_bomb_is_refused_as_too_large_within_bounded_memory(tmp_path: Path) -> None:
    (tmp_path / "bombs.yaml").write_text(SPEC, encoding="utf-8")
    api = load(tmp_path / "bombs.yaml")
    upstream_app = Starlette(routes=[Route("/v1/things", bomb)])
    with serving_in_thread(upstream_app) as upstream_port:
        upstream = f"http://127.0.0.1:{upstream_port}/v1"
        settings = ProxySettings(upstream=upstream, max_bytes=1024 * 1024, max_rate=0)
        app = build_proxy_app([api], ServerConfig(access_log=False), {api.name: (settings, ProxyRun(api, upstream))})
        with serving_in_thread(app) as port:
            tracemalloc.start()
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/bombs/v1/things", timeout=60)
                _current, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    assert answer.status_code == 502
    assert answer.json()["type"] == "urn:mockserver:problem:proxy-answer-too-large"
    assert peak < MOST_MEMORY, f"{peak / 1e6:.0f} MB allocated to refuse a {len(BOMB) // 1024} KiB answer"
