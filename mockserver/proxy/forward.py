"""Sending one request to the upstream and reading its answer, within the proxy's limits.

Hop-by-hop headers are dropped both ways and `Host` is the upstream's. Redirects are never followed: a
3xx goes back to the client as it came, so the client's credentials never travel to another host on the
proxy's initiative. The answer's body is read in chunks up to `max_bytes` (after decompression).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import Receive

from mockserver.openapi.model import Operation

# RFC 9110 §7.6.1, plus what httpx sets itself (content-length, accept-encoding: it decompresses).
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "accept-encoding",
    }
)
# The body is handed on decompressed, so its encoding and length are the proxy's to set; uvicorn sets Date and Server.
NOT_PASSED_BACK = HOP_BY_HOP | {"content-encoding", "content-length", "date", "server"}


class UpstreamUnreachable(Exception):
    """The upstream could not be reached or did not answer in time (connect or read time-out)."""


class AnswerTooLarge(Exception):
    """The upstream's answer was larger than the proxy reads."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]  # as the upstream sent them, hop-by-hop removed
    body: bytes  # read whole; or empty, and `stream` gives it as it comes
    stream: AsyncIterator[bytes] | None = None
    close: Callable[[], Awaitable[None]] | None = None  # for a streamed answer not handed on after all

    def header_map(self) -> dict[str, str]:
        """Header names lower-case, repeated ones joined as HTTP allows."""
        out: dict[str, str] = {}
        for name, value in self.headers:
            key = name.lower()
            out[key] = f"{out[key]}, {value}" if key in out else value
        return out


def forwarded_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The client's headers minus hop-by-hop ones (and those named in its `Connection` header)."""
    pairs = list(headers)
    named = {
        token.strip().lower() for name, value in pairs if name.lower() == "connection" for token in value.split(",")
    }
    return [(n, v) for n, v in pairs if n.lower() not in HOP_BY_HOP and n.lower() not in named]


def with_api_key(
    op: Operation, headers: list[tuple[str, str]], query: list[tuple[str, str]], key: str | None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """`<API>_API_KEY` added the way the operation's first security scheme takes it, when the client sent
    no credential of its own for any of the operation's schemes."""
    if not key or not op.security:
        return headers, query
    names = {n.lower() for n, _ in headers}
    params = {n for n, _ in query}
    for requirement in op.security:
        for scheme in requirement:
            if scheme.location == "query" and scheme.param_name in params:
                return headers, query
            if scheme.location == "header" and scheme.param_name.lower() in names:
                return headers, query
            if scheme.type in ("http", "oauth2", "openIdConnect") and "authorization" in names:
                return headers, query
    if not op.security[0]:
        return headers, query  # anonymous access is the first alternative: nothing to add
    scheme = op.security[0][0]
    if scheme.type == "apiKey" and scheme.location == "query":
        return headers, [*query, (scheme.param_name, key)]
    if scheme.type == "apiKey" and scheme.location == "header":
        return [*headers, (scheme.param_name, key)], query
    if scheme.type == "http" and scheme.scheme.lower() == "basic":
        return [*headers, ("Authorization", f"Basic {key}")], query
    return [*headers, ("Authorization", f"Bearer {key}")], query


def streams_through(headers: Mapping[str, str]) -> bool:
    """Whether a request's body goes upstream as it arrives instead of read whole first: a body no check reads
    (an upload: not JSON, a form or text). `headers`: the client's, names lower-case."""
    if not headers.get("transfer-encoding") and headers.get("content-length", "0").strip() in ("", "0"):
        return False
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if not media or media == "application/json" or media.endswith("+json"):
        return False
    return media != "application/x-www-form-urlencoded" and not media.startswith(("multipart/", "text/"))


class StreamedBody:
    """A request body handed upstream as the client sends it, never held whole; says whether any of it was read
    (before that, the mock can still answer the request instead)."""

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.started = False
        self.size = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.started = True
        more = True
        while more:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                raise ClientGone("the client went away while sending its body")
            chunk = bytes(message.get("body", b""))
            self.size += len(chunk)
            if chunk:
                yield chunk
            more = message.get("more_body", False)


class ClientGone(Exception):
    """The client disconnected in the middle of its request body."""


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes | StreamedBody,
    max_bytes: int,
    read_whole: Callable[[int, dict[str, str]], bool] = lambda status, headers: True,
) -> Answer:
    """The upstream's answer to one request. Its body is read whole (up to `max_bytes`) when `read_whole(status,
    headers)` says the checks need it; otherwise it is handed on as it comes (`Answer.stream`). A `StreamedBody`
    goes as it arrives (with the client's Content-Length, else chunked)."""
    content: Any = body if isinstance(body, StreamedBody) else (body or None)
    request = client.build_request(method, url, headers=headers, content=content)
    try:
        response = await client.send(request, stream=True, follow_redirects=False)
    except (httpx.HTTPError, ClientGone) as exc:
        raise UpstreamUnreachable(f"{type(exc).__name__}: {exc}") from exc
    raw = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in response.headers.raw]
    kept = [(n, v) for n, v in raw if n.lower() not in NOT_PASSED_BACK]
    answer = Answer(response.status_code, kept, b"")
    if not read_whole(response.status_code, answer.header_map()):
        return dataclasses.replace(answer, stream=_streamed(response, max_bytes), close=response.aclose)
    try:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise AnswerTooLarge(f"the upstream's answer is larger than {max_bytes} bytes")
            chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise UpstreamUnreachable(f"{type(exc).__name__} while reading the answer: {exc}") from exc
    finally:
        await response.aclose()
    return dataclasses.replace(answer, body=b"".join(chunks))


async def _streamed(response: httpx.Response, max_bytes: int) -> AsyncIterator[bytes]:
    """The answer's body as it comes; past `max_bytes` (or when the upstream breaks off) the client's answer is
    cut short, which the client sees as an incomplete body (its head is already sent)."""
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise AnswerTooLarge(f"the upstream's answer is larger than {max_bytes} bytes; cut off")
            yield chunk
    except httpx.HTTPError as exc:
        raise UpstreamUnreachable(f"{type(exc).__name__} while reading the answer: {exc}") from exc
    finally:
        await response.aclose()


def upstream_url(upstream: str, relative: str, query: str) -> str:
    """The upstream's URL for a path below the API's mount (percent-encoding kept as the client sent it)."""
    return upstream.rstrip("/") + relative + (f"?{query}" if query else "")
