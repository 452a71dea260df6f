"""How the proxy reaches the upstream: an httpx transport that sends through aiohttp's client.

The proxy speaks httpx (its models, its errors, `MockTransport` in tests); what sends the bytes is a
transport. httpx's own (httpcore over h11 and anyio) costs about 1.7 ms of CPU per request here, seven times
aiohttp's 0.24 ms (C parser, measured on the same stand-in; see the README's proxy benchmark), and the
proxy pays it on every request. So the default transport is this one: httpx still builds the request,
decodes the body (aiohttp's own decompression is off) and raises its usual errors; aiohttp keeps the
connections. It keeps no cookies (an upstream's cookie for one client must never ride along with another's)
and reads no proxy settings from the environment.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import yarl

CHUNK = 64 * 1024
# A compressed answer is read in small pieces: httpx inflates each piece whole, and deflate inflates up to about
# 1,000 times, so 64 KiB of a gzip bomb would become some 64 MB before the proxy's size bound could refuse it.
COMPRESSED_CHUNK = 4 * 1024
# Set by aiohttp itself from the URL and the body; the rest of httpx's request headers go as they are.
_OWN = frozenset({b"host", b"content-length", b"transfer-encoding", b"connection"})


class AiohttpTransport(httpx.AsyncBaseTransport):
    def __init__(self, connect_timeout: float, read_timeout: float, max_connections: int = 100) -> None:
        self._timeout = aiohttp.ClientTimeout(total=None, connect=connect_timeout, sock_read=read_timeout)
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Made on first use, inside the server's event loop (aiohttp binds a session to its loop).
        connector = aiohttp.TCPConnector(limit=self._max_connections, limit_per_host=0)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,  # httpx decodes, as it would with its own transport
            trust_env=False,
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
        )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session or self._open()
        streamed = not hasattr(request, "_content")  # an upload going as it arrives (forward.StreamedBody)
        # A streamed body keeps the client's Content-Length (aiohttp sends it as is; without one, chunked).
        own = _OWN - {b"content-length"} if streamed else _OWN
        headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in request.headers.raw if n.lower() not in own]
        data: Any = _chunks(request.stream) if streamed else (await request.aread() or None)
        try:
            response = await session.request(
                request.method,
                yarl.URL(str(request.url), encoded=True),  # percent-encoding as the client sent it
                headers=headers,
                data=data,
                allow_redirects=False,
            )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"no connection or no answer in time: {exc}", request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.ConnectError(f"{type(exc).__name__}: {exc}", request=request) from exc
        return httpx.Response(
            status_code=response.status,
            headers=list(response.raw_headers),
            stream=_Body(response, request),
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _chunks(stream: Any) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        size = COMPRESSED_CHUNK if self._response.headers.get("content-encoding") else CHUNK
        try:
            async for chunk in self._response.content.iter_chunked(size):
                yield chunk
        except TimeoutError as exc:
            raise httpx.ReadTimeout(f"the answer stopped coming: {exc}", request=self._request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.ReadError(f"{type(exc).__name__}: {exc}", request=self._request) from exc

    async def aclose(self) -> None:
        # Read to the end: the connection goes back to the pool; cut short: it is closed.
        self._response.release() if self._response.content.at_eof() else self._response.close()
