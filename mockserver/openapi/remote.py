"""Remote `$ref` targets: never fetched unless the user allows it, then once per URL and within limits.

A spec from anywhere must not make the mock reach URLs (an internal address, a 200 MB document) just by
being loaded. With `--allow-remote-refs`, each URL is fetched at most once per load, over http(s) only,
and a document larger than `MAX_REMOTE_BYTES` or slower than `REMOTE_TIMEOUT` seconds in total is an
error naming the URL. Error messages never quote what was fetched.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml

from mockserver.openapi.parse import parse_text, yaml_problem

MAX_REMOTE_BYTES = 10 * 1024 * 1024  # per fetched document
REMOTE_TIMEOUT = 10.0  # seconds per fetched document, connecting and reading included
_MAX_REDIRECTS = 5
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class RemoteRefError(Exception):
    """A remote document that was not fetched, or not usable; the message names the URL, never the content."""


def is_remote(ref: str) -> bool:
    """Whether a `$ref` (or its file part) names a URL rather than a file: `https://…`, `ftp:…`, `urn:…`.

    One letter before the colon is a Windows drive (`C:\\specs\\a.yaml`), not a scheme."""
    match = _SCHEME.match(ref)
    return match is not None and len(match.group()) > 2


def join(base: str, ref: str) -> str:
    """`ref` (its file part) read relative to the URL of the document that holds it."""
    return urljoin(base, ref)


@dataclass
class RemoteDocuments:
    """Parsed remote documents by URL: each fetched at most once (a failure is remembered too)."""

    allowed: bool = False
    max_bytes: int = MAX_REMOTE_BYTES
    timeout: float = REMOTE_TIMEOUT
    _documents: dict[str, Any] = field(default_factory=dict)
    _failures: dict[str, str] = field(default_factory=dict)

    def cached(self, url: str) -> Any:
        """The document at `url` if it was fetched already, else None (never fetches)."""
        return self._documents.get(url.partition("#")[0])

    def get(self, url: str) -> Any:
        """The document at `url` (without its fragment); raises `RemoteRefError` saying why not."""
        url = url.partition("#")[0]
        if not self.allowed:
            raise RemoteRefError(f"remote $ref {url} is not fetched (--allow-remote-refs fetches it)")
        if url in self._failures:
            raise RemoteRefError(self._failures[url])
        if url not in self._documents:
            try:
                body = fetch(url, max_bytes=self.max_bytes, timeout=self.timeout)
                self._documents[url] = _parse(url, body)
            except RemoteRefError as exc:
                self._failures[url] = str(exc)
                raise
        return self._documents[url]


def fetch(url: str, *, max_bytes: int = MAX_REMOTE_BYTES, timeout: float = REMOTE_TIMEOUT) -> bytes:
    """The body at an http(s) `url`, within `max_bytes` and `timeout` seconds in all (redirects included)."""
    deadline = time.monotonic() + timeout
    for _ in range(_MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RemoteRefError(f"remote $ref {url}: only http and https URLs are fetched")
        connection: http.client.HTTPConnection | None = None
        try:
            connection = _connection(parts.scheme, parts.hostname, parts.port, _left(deadline, url))
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.request("GET", target, headers={"Accept": "application/json, application/yaml, */*"})
            sock = connection.sock  # kept: the connection lets go of it when the response is the last one
            response = connection.getresponse()
            location = response.getheader("Location")
            if response.status in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise RemoteRefError(f"remote $ref {url}: the server answered {response.status}")
            return _read(response, sock, url, max_bytes, deadline)
        except (OSError, http.client.HTTPException) as exc:
            if time.monotonic() >= deadline:
                raise RemoteRefError(f"remote $ref {url}: not fetched within {timeout:g} s") from exc
            raise RemoteRefError(f"remote $ref {url}: {type(exc).__name__}") from exc
        finally:
            if connection is not None:
                connection.close()
    raise RemoteRefError(f"remote $ref {url}: more than {_MAX_REDIRECTS} redirects")


def _connection(scheme: str, host: str, port: int | None, timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
    return http.client.HTTPConnection(host, port, timeout=timeout)


def _read(
    response: http.client.HTTPResponse,
    sock: socket.socket | None,
    url: str,
    max_bytes: int,
    deadline: float,
) -> bytes:
    declared = response.getheader("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise RemoteRefError(f"remote $ref {url}: {int(declared)} bytes, more than the {max_bytes} allowed")
    chunks: list[bytes] = []
    size = 0
    while True:
        # The socket's timeout bounds each read by what is left of the whole budget, so a server that
        # trickles a byte at a time cannot stretch the fetch past the deadline.
        left = _left(deadline, url)
        if sock is not None:
            sock.settimeout(left)
        chunk = response.read1(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise RemoteRefError(f"remote $ref {url}: more than the {max_bytes} bytes allowed; cut off")
        chunks.append(chunk)


def _left(deadline: float, url: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError(url)
    return left


def _parse(url: str, body: bytes) -> Any:
    try:
        return parse_text(body.decode("utf-8"), json_text=urlsplit(url).path.endswith(".json"))
    except UnicodeDecodeError as exc:
        raise RemoteRefError(f"remote $ref {url}: not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise RemoteRefError(f"remote $ref {url}: not JSON (line {exc.lineno}, column {exc.colno})") from exc
    except yaml.YAMLError as exc:
        raise RemoteRefError(f"remote $ref {url}: not YAML ({yaml_problem(exc)})") from exc
