"""Uploads through the proxy over real HTTP (its aiohttp transport, uvicorn on both sides): a body no check reads
goes upstream as it arrives, past the cap for bodies read whole; an upstream that cannot be reached before any
of it was read leaves the request to the mock."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from uvicorn_thread import serving_in_thread

from mockserver.openapi.loader import load
from mockserver.openapi.model import ApiSpec
from mockserver.proxy.app import build_proxy_app
from mockserver.proxy.middleware import ProxySettings
from mockserver.proxy.run import ProxyRun
from mockserver.serving.config import ServerConfig

SPEC = """
openapi: 3.0.3
info: {title: Files, version: "1"}
servers: [{url: "https://files.example/v1"}]
paths:
  /files/{name}:
    put:
      operationId: putFile
      parameters: [{name: name, in: path, required: true, schema: {type: string}}]
      requestBody:
        required: true
        content: {application/octet-stream: {schema: {type: string, format: binary}}}
      responses:
        "200":
          description: stored
          content:
            application/json:
              schema: {type: object, required: [size, chunks], properties: {size: {type: integer}, chunks: {type: integer}}}
"""
CAP = 64 * 1024  # the proxy's cap for a body it reads whole
CHUNK = 256 * 1024


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiSpec:
    path = tmp_path_factory.mktemp("files") / "files.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return load(path)


async def put_file(request: Request) -> JSONResponse:
    size = chunks = 0
    async for chunk in request.stream():
        size, chunks = size + len(chunk), chunks + 1
    return JSONResponse({"size": size, "chunks": chunks})


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    app = Starlette(routes=[Route("/v1/files/{name}", put_file, methods=["PUT"])])
    with serving_in_thread(app) as port:
        yield f"http://127.0.0.1:{port}/v1"


def proxy(api: ApiSpec, upstream: str) -> tuple[object, ProxyRun]:
    run = ProxyRun(api, upstream)
    settings = ProxySettings(upstream=upstream, allow_unsafe=True, max_body=CAP, max_rate=0)
    return build_proxy_app([api], ServerConfig(access_log=False), {api.name: (settings, run)}), run


def body(total: int) -> Iterator[bytes]:
    for n in range(total // CHUNK):
        yield bytes([n % 256]) * CHUNK


def test_a_two_mib_upload_reaches_the_upstream_whole_through_a_64_kib_cap(api: ApiSpec, upstream: str) -> None:
    app, run = proxy(api, upstream)
    total = 2 * 1024 * 1024
    with serving_in_thread(app) as port:
        base = f"http://127.0.0.1:{port}/files/v1"
        headers = {"Content-Type": "application/octet-stream"}
        answer = httpx.put(f"{base}/files/big.bin", content=body(total), headers=headers, timeout=30)
        entry = httpx.get(f"http://127.0.0.1:{port}/__mock/requests").json()["requests"][0]
    assert answer.status_code == 200, answer.text
    assert answer.json()["size"] == total
    assert entry["request_body"] == f"streamed upstream, {total} bytes, not checked"
    assert not run.result.violations


@contextmanager
def refusing_port() -> Iterator[int]:
    """A port bound but not listening for the length of the block: a connection to it is refused at once, and no
    other process can take it meanwhile."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_an_unreachable_upstream_leaves_an_unread_upload_to_the_mock(api: ApiSpec) -> None:
    with refusing_port() as refusing, serving_in_thread(proxy(api, f"http://127.0.0.1:{refusing}/v1")[0]) as port:
        base = f"http://127.0.0.1:{port}/files/v1"
        headers = {"Content-Type": "application/octet-stream"}
        answer = httpx.put(f"{base}/files/a.bin", content=b"abc" * 1000, headers=headers, timeout=30)
        entry = httpx.get(f"http://127.0.0.1:{port}/__mock/requests").json()["requests"][0]
    assert answer.status_code == 200 and set(answer.json()) >= {"size", "chunks"}  # the mock's answer
    assert entry["proxy"] == "fallback"
