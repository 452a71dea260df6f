"""The request journal (`GET`/`DELETE /__mock/requests`) and the one-line access log.

Outermost of the mock's layers: it sees every request and the status it got, whatever answered it.
The entries live in the server's `Store`, so that every worker process writes to and reads one journal.
Bounded in entries and in bytes: every stored field is cut to a length (`FIELD_LIMIT`, at most
`HEADER_COUNT` headers), and the oldest entries fall off once the journal holds `BYTE_LIMIT` bytes.
The first `BODY_LIMIT` bytes of the request's body and of the answer's (with the answer's headers) are
kept too, for the dashboard. An entry is stored before the answer's last piece is sent, so a client
that has its answer finds the request in the journal (from any worker or instance). Credentials are masked before anything is stored or logged: by name (the spec's security schemes and
names that say so, percent-decoded), then by value wherever else the same value appears (the path,
the problem text). Control characters are escaped in the access log, so that no field can forge a line.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.redact import (
    MASK,
    is_secret_header,
    longest_first,
    mask_body_fields,
    mask_query,
    mask_values,
    secret_query_values,
)
from mockserver.serving.auth import CredentialNames
from mockserver.serving.chaos import is_fault
from mockserver.serving.outage import STORE_FAILURES
from mockserver.serving.repositories import StateStore
from mockserver.serving.store import JOURNAL_BYTES

JOURNAL_PATH = "/__mock/requests"
FIELD_LIMIT = 1024  # characters kept of a path, a query string, a header value or a problem
HEADER_COUNT = 64  # headers kept per request
BODY_LIMIT = 4096  # bytes kept of a request's body and of its answer's (the dashboard shows them)
BYTE_LIMIT = JOURNAL_BYTES  # the whole journal, roughly (the sum of its entries' field lengths)
ENTRY = "mockserver.journal"  # scope extension: this request's journal entry, for others to annotate
SECRETS = "mockserver.secrets"  # scope extension: credentials a layer added (the proxy's key), masked as well
access_log = logging.getLogger("mockserver.access")
logger = logging.getLogger("mockserver")


def note_problem(scope: Scope, text: str) -> None:
    """Record why the request was refused in its journal entry (clipped and masked when it is stored)."""
    entry = scope.get("extensions", {}).get(ENTRY)
    if entry is not None:
        entry["problem"] = text


def note_secrets(scope: Scope, values: tuple[str, ...]) -> None:
    """Credentials the request did not carry but its exchange may show (a key the proxy added, echoed back by
    the upstream): masked in the journal entry as the request's own are."""
    scope.setdefault("extensions", {}).setdefault(SECRETS, set()).update(v for v in values if v)


class JournalMiddleware:
    def __init__(
        self, app: ASGIApp, store: StateStore, log: bool = True, credentials: CredentialNames | None = None
    ) -> None:
        self.app = app
        self.store = store
        self.credentials = credentials or CredentialNames()
        self._header_verdicts: dict[bytes, bool] = {}
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == JOURNAL_PATH:
            await self._journal(scope)(scope, receive, send)
            return
        started = time.perf_counter()
        raw_query = scope.get("query_string", b"").decode("latin-1")
        headers, secrets = self._headers(scope, raw_query)
        query = mask_query(raw_query, self.credentials.query)
        path = scope["path"]
        if secrets:  # the credentials' values, wherever else they appear
            query, path = mask_values(query, secrets), mask_values(path, secrets)
            headers = [(name, mask_values(value, secrets)) for name, value in headers]
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "method": _cut(scope["method"]),
            "path": _cut(path),
            "query": _cut(query),
            "headers": {_cut(k): _cut(v) for k, v in headers},
            "status": None,
            "problem": None,
        }
        scope.setdefault("extensions", {})[ENTRY] = entry
        sent = bytearray()
        received = bytearray()
        answer_headers: list[tuple[bytes, bytes]] = []

        stored = False

        def store() -> None:
            nonlocal stored, secrets
            if stored:
                return
            stored = True
            entry["ms"] = round((time.perf_counter() - started) * 1000, 1)
            added = scope.get("extensions", {}).get(SECRETS)
            if added:
                secrets = longest_first(set(secrets) | added)
            if isinstance(entry.get("problem"), str):
                entry["problem"] = _cut(mask_values(entry["problem"], secrets))
            entry["body"] = _text(received, secrets)
            shown_headers, headers_size = self._answer_headers(answer_headers, secrets)
            entry["response"] = {"headers": shown_headers, "body": _text(sent, secrets)}
            size = _size(entry) + headers_size + len(entry["body"]) + len(entry["response"]["body"])
            self.store.add_request(entry, size)
            if self.log:
                target = printable(path + (f"?{query}" if query else ""))
                method = printable(entry["method"])
                access_log.info("%s %s %s %.1fms", method, target, entry["status"] or "-", entry["ms"])

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
                answer_headers.extend(message.get("headers", [])[:HEADER_COUNT])
            elif message["type"] == "http.response.body":
                if len(sent) < BODY_LIMIT:
                    sent.extend(message.get("body", b"")[: BODY_LIMIT - len(sent)])
                if not message.get("more_body", False):
                    # Stored before the last piece goes out: a client that has its answer finds it in the journal.
                    try:
                        store()
                    except STORE_FAILURES as exc:  # the answer still goes out whole
                        logger.warning("state store failed: %s", exc)
            await send(message)

        async def reading() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(received) < BODY_LIMIT:
                received.extend(message.get("body", b"")[: BODY_LIMIT - len(received)])
            return message

        try:
            await self.app(scope, reading, record)
        except Exception as exc:
            if not is_fault(exc):
                raise
            # A fault made on purpose: leave the response unfinished, and uvicorn closes the connection.
            entry["problem"] = "fault: response broken on purpose"
        finally:
            store()

    def _headers(self, scope: Scope, raw_query: str) -> tuple[list[tuple[str, str]], tuple[str, ...]]:
        """The first `HEADER_COUNT` headers as kept (credentials masked by name), and the credential values
        the request carries anywhere (query, headers, cookies), longest first, to mask wherever else they appear."""
        names = self.credentials
        found = secret_query_values(raw_query, names.query)
        kept: list[tuple[str, str]] = []
        for raw_name, raw_value in scope.get("headers", []):
            value = raw_value.decode("latin-1")
            if raw_name in (b"cookie", b"set-cookie"):
                cookies = cookie_parser(value)
                found |= {v for k, v in cookies.items() if k in names.cookies or is_secret_header(k)}
                shown = MASK
            elif self._secret_header(raw_name):
                scheme, _, rest = value.strip().partition(" ")
                found |= {value.strip(), rest.strip()}
                shown = f"{scheme} {MASK}" if rest else MASK
            else:
                shown = value
            if len(kept) < HEADER_COUNT:
                kept.append((raw_name.decode("latin-1"), shown))
        return kept, longest_first(found)

    def _answer_headers(self, raw: list[tuple[bytes, bytes]], secrets: tuple[str, ...]) -> tuple[dict[str, str], int]:
        """The answer's headers as kept, credentials masked by name (a cookie set, a token echoed) and by value,
        and their size (for the journal's byte bound). Every request passes here: kept lean."""
        kept: dict[str, str] = {}
        size = 0
        for raw_name, raw_value in raw:
            name = raw_name.decode("latin-1").lower()
            if name in ("set-cookie", "cookie") or self._secret_header(raw_name.lower()):
                value = MASK
            else:
                value = raw_value.decode("latin-1")
                if secrets:
                    value = mask_values(value, secrets)
                if len(value) > FIELD_LIMIT:
                    value = _cut(value)
            kept[name if len(name) <= FIELD_LIMIT else _cut(name)] = value
            size += len(name) + len(value)
        return kept, size

    def _secret_header(self, raw_name: bytes) -> bool:
        """`is_secret_header`, remembered per name (the same few names come with every request)."""
        known = self._header_verdicts.get(raw_name)
        if known is None:
            known = is_secret_header(raw_name.decode("latin-1"), self.credentials.headers)
            if len(self._header_verdicts) < 1024:  # bounded: clients may send any names
                self._header_verdicts[raw_name] = known
        return known

    def _journal(self, scope: Scope) -> Response:
        if scope["method"] == "DELETE":
            self.store.clear_requests()
            return Response(status_code=204)
        if scope["method"] in ("GET", "HEAD"):
            body = json.dumps({"requests": self.store.requests()}, ensure_ascii=False)
            return Response(body.encode("utf-8"), media_type="application/json")
        return Response(status_code=405, headers={"Allow": "GET, HEAD, DELETE"})


def printable(text: str) -> str:
    """`text` with control characters (and other unprintable ones, as U+2028) escaped: one log line stays one."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _cut(text: str) -> str:
    return text if len(text) <= FIELD_LIMIT else text[:FIELD_LIMIT] + f"… ({len(text)} characters)"


def _text(data: bytearray, secrets: tuple[str, ...]) -> str:
    """Up to BODY_LIMIT bytes of a body as text (undecodable bytes replaced), credentials masked: fields named
    for one (`"password": "***"`) and the request's credentials' values wherever they appear."""
    if not data:
        return ""
    text = mask_body_fields(data.decode("utf-8", errors="replace"))
    return mask_values(text, secrets) if secrets else text


def _size(entry: dict[str, Any]) -> int:
    """The entry's rough size, without its bodies and the answer's headers (the caller adds those)."""
    headers = entry.get("headers") or {}
    text = [entry.get("path"), entry.get("query"), entry.get("problem"), *headers.keys(), *headers.values()]
    return 200 + sum(len(t) for t in text if isinstance(t, str))
