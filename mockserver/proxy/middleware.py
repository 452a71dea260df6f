"""The proxy's layer in the mock's stack: inside the journal, before the mock. It routes each request with
the spec, forwards it upstream, checks the exchange, and hands to the mock what it should answer itself."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlencode

import httpx
from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.contract.report import curl
from mockserver.openapi.model import ApiSpec, Operation
from mockserver.openapi.routes import RouteTable
from mockserver.proxy.answers import passed_back, preferring, problem, replay, violations_header
from mockserver.proxy.checks import Exchange, ExchangeChecker, Finding
from mockserver.proxy.forward import (
    Answer,
    AnswerTooLarge,
    StreamedBody,
    UpstreamUnreachable,
    forwarded_headers,
    send,
    streams_through,
    upstream_url,
    with_api_key,
)
from mockserver.proxy.pacing import Pacer
from mockserver.proxy.run import ProxyRun, label
from mockserver.proxy.transport import AiohttpTransport
from mockserver.redact import is_secret_header, longest_first, mask_values, secret_query_values, secret_values
from mockserver.serving.chaos import DRAWN, Chaos, faulty, pause
from mockserver.serving.chaos_settings import RuntimeChaos
from mockserver.serving.config import ServerConfig
from mockserver.serving.journal import note_problem, note_secrets, printable
from mockserver.serving.overrides import Overrides, annotate
from mockserver.serving.prefer import PreferError, parse_prefer
from mockserver.serving.repositories import StateStore
from mockserver.serving.validation import BodyTooLarge, read_body

logger = logging.getLogger("mockserver.proxy")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FALLBACK_STATUSES = frozenset({404, 501})  # "the upstream has no such operation": the mock answers it
MiB = 1024 * 1024
MAX_WAIT = 10.0  # seconds a request may wait for its turn under --max-rate before the proxy's own 429

# Called with (operation, status, headers, body) for every answer the upstream gave (after it was checked,
# before the client gets it); the recorder (`--record`) is one. Headers as the upstream sent them, lower-case.
# (operation, status, response headers, body, the request's credential values: to mask wherever they appear)
AnswerHook = Callable[[Operation, int, Mapping[str, str], bytes, tuple[str, ...]], None]


@dataclass(frozen=True)
class ProxySettings:
    """What `mockserver proxy`'s options set."""

    upstream: str
    mocked: frozenset[str] = frozenset()  # operationIds always answered by the mock
    fallback: bool = True  # the mock answers when the upstream lacks an operation (404/501) or is unreachable
    fail_on_violation: bool = False
    allow_unsafe: bool = False
    max_bytes: int = 8 * MiB  # of an upstream answer, after decompression
    max_body: int = 10 * MiB  # of a request body
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    api_key: str | None = None  # <API>_API_KEY, sent when the client sends no credential
    max_rate: float = 20.0  # requests per second sent upstream (0: no bound); beyond it they wait their turn
    hooks: tuple[AnswerHook, ...] = field(default_factory=tuple)


class ProxyMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        api: ApiSpec,
        settings: ProxySettings,
        run: ProxyRun,
        config: ServerConfig,
        store: StateStore,
        transport: httpx.AsyncBaseTransport | None = None,
        overrides: Overrides | None = None,
    ) -> None:
        self.app = app
        self.overrides = overrides  # a test's overrides (`mock_server.override`) win over the upstream
        self.api = api
        self.settings = settings
        self.run = run
        self.checker = ExchangeChecker(api)
        self.chaos = Chaos(config, store, RuntimeChaos(config, store).config)  # /__mock/chaos included
        self.today = config.today
        self.routes: RouteTable[Operation] = RouteTable()
        for op in api.operations:
            if op.routable:
                self.routes.add(op.path, op.method, op)
        self.pacer = Pacer(settings.max_rate, max_wait=MAX_WAIT)
        self.secrets = secret_values({"key": settings.api_key}) if settings.api_key else ()
        timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
        # trust_env=False: no proxy or netrc credentials from the environment reach the upstream behind our back.
        transport = transport or AiohttpTransport(settings.connect_timeout, settings.read_timeout)
        self.client = httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False, transport=transport)
        # No cookie jar: a cookie the upstream set for one client would otherwise ride along with every other's.
        self.client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, self._closing(receive), send)
            return
        routed = self._route(scope) if scope["type"] == "http" else None
        if routed is None:
            await self.app(scope, receive, send)  # the index, /__mock/, openapi.json, Swagger UI, unknown paths
            return
        op, params, relative = routed
        annotate(scope, "operation", op.operation_id)
        try:
            prefs = parse_prefer(Headers(scope=scope).get("prefer"))
        except PreferError:
            await self.app(scope, receive, send)  # the mock's own 400 names what is wrong with it
            return
        if self.overrides is not None and self.overrides.waiting(scope, self.api.name, op.operation_id):
            annotate(scope, "proxy", "overridden")
            await self.app(scope, receive, send)  # the override decides, chaos included, as in the mock
            return
        decision = self.chaos.decide(scope, op, prefs)
        scope.setdefault("extensions", {})[DRAWN] = True  # one fate per request: the mock behind draws none
        await pause(decision)
        if decision.fault is not None:
            send = faulty(decision.fault, send)
        if decision.error_status is not None:
            annotate(scope, "proxy", "chaos")
            await self.app(preferring(scope, f"code={decision.error_status}"), receive, send)
            return
        if op.operation_id in self.settings.mocked:
            annotate(scope, "proxy", "mocked")
            await self.app(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS and not self.settings.allow_unsafe:
            annotate(scope, "proxy", "refused")
            detail = f"{scope['method']} is not forwarded without --allow-unsafe (only GET, HEAD and OPTIONS are)"
            await problem(405, "Method not forwarded", detail, "unsafe-method", {"Allow": "GET, HEAD, OPTIONS"})(
                scope, receive, send
            )
            return
        await self._forward(scope, receive, send, op, params, relative)

    def _route(self, scope: Scope) -> tuple[Operation, dict[str, str], str] | None:
        mount = self.api.mount_path
        path: str = scope["path"]
        if not path.startswith(mount.rstrip("/") + "/"):
            return None
        raw = scope.get("raw_path")
        text = raw.decode("latin-1").split("?", 1)[0] if isinstance(raw, bytes) else path
        relative = text[len(mount) :] if text.startswith(mount) else path[len(mount) :]
        if relative == "/openapi.json" or relative == "/ui" or relative.startswith("/ui/"):
            return None
        match = self.routes.match(relative)
        if match is None:
            return None
        method = scope["method"]
        op = match.methods.get(method) or (match.methods.get("GET") if method == "HEAD" else None)
        if op is None:
            return None
        return op, match.params.get(method) or match.params.get("GET") or {}, relative

    async def _forward(
        self, scope: Scope, receive: Receive, send: Send, op: Operation, params: dict[str, str], relative: str
    ) -> None:
        settings = self.settings
        client_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
        lowered = {n.lower(): v for n, v in client_headers}
        # An upload no check reads goes as it arrives (never held whole); any other body is read first (the checks
        # read it, and the mock can answer it after all: a fallback replays it).
        streamed = StreamedBody(receive) if streams_through(lowered) else None
        body = b""
        if streamed is None:
            try:
                body = await read_body(receive, settings.max_body)
            except BodyTooLarge as exc:
                await problem(413, "Request body too large", str(exc), "request-too-large")(scope, receive, send)
                return
        raw_query = scope.get("query_string", b"").decode("latin-1")
        query_items = QueryParams(raw_query).multi_items()
        headers, added = with_api_key(op, forwarded_headers(client_headers), [], settings.api_key)
        if streamed is not None and "content-length" in lowered:
            headers.append(("Content-Length", lowered["content-length"]))  # sent as it comes, at the length announced
        if added:
            raw_query = "&".join(p for p in (raw_query, urlencode(added)) if p)
        secrets = longest_first(
            [
                *self.secrets,
                *secret_values({n: v for n, v in client_headers if is_secret_header(n)}),
                *secret_query_values(raw_query),
            ]
        )
        note_secrets(scope, self.secrets)  # the key added here may come back in the answer the journal keeps
        url = upstream_url(settings.upstream, relative, raw_query)
        wait = self.pacer.slot()
        if wait is None:
            annotate(scope, "proxy", "rate-bound")
            detail = f"More than {settings.max_rate:g} requests per second for the upstream; try again shortly"
            await problem(
                429,
                "Upstream rate bound",
                detail,
                "rate-bound",
                {"Retry-After": str(max(1, math.ceil(self.pacer.interval)))},
            )(scope, receive, send)
            return
        if wait:
            await asyncio.sleep(wait)
        try:
            answer = await send_upstream(
                self.client,
                scope["method"],
                url,
                headers,
                streamed or body,
                settings.max_bytes,
                self._read_whole(scope),
            )
        except UpstreamUnreachable as exc:
            if settings.fallback and (streamed is None or not streamed.started):
                self._fallback(scope, op, f"upstream unreachable ({mask_values(str(exc), secrets)})")
                await self.app(scope, receive if streamed else replay(body, receive), send)
                return
            annotate(scope, "proxy", "unreachable")
            detail = f"The upstream did not answer: {mask_values(str(exc), secrets)}"
            await problem(502, "Upstream unreachable", detail, "upstream-unreachable")(scope, receive, send)
            return
        except AnswerTooLarge as exc:
            annotate(scope, "proxy", "too-large")
            await problem(502, "Upstream answer too large", str(exc), "answer-too-large")(scope, receive, send)
            return
        if answer.status in FALLBACK_STATUSES and settings.fallback and (streamed is None or not streamed.started):
            if answer.close is not None:
                await answer.close()
            self._fallback(scope, op, f"the upstream answered {answer.status}")
            await self.app(scope, receive if streamed else replay(body, receive), send)
            return
        if streamed is not None:
            # Its body went upstream: the answer is the upstream's, and no check read the body.
            annotate(scope, "request_body", f"streamed upstream, {streamed.size} bytes, not checked")
            if answer.status in FALLBACK_STATUSES and settings.fallback:
                logger.warning("no fallback: %s answered %s after its body went upstream", label(op), answer.status)
        annotate(scope, "proxy", "forwarded")
        response_headers = answer.header_map()
        exchange = Exchange(
            method=scope["method"],
            path_params=params,
            query=[*query_items, *added],
            request_headers={n.lower(): v for n, v in headers},  # as sent: <API>_API_KEY counts as a credential
            request_body=body,
            status=answer.status,
            response_headers=response_headers,
            response_body=answer.body,
        )
        values, refused = self.checker.request(op, exchange)
        findings = self.checker.response(op, exchange, values, self.today())
        if refused and 200 <= answer.status < 300:
            findings = [*refused, *findings]  # the contract refuses this request, and the upstream took it
        elif refused:  # the client's mistake, and the upstream said so: not the API's violation
            annotate(scope, "request_problems", [mask_values(f.message, secrets)[:1000] for f in refused])
        for hook in settings.hooks:
            try:
                # In a thread: a hook may write files (the recorder), which must not stall other requests.
                await asyncio.to_thread(hook, op, answer.status, response_headers, answer.body, secrets)
            except Exception as exc:  # a hook's failure (a full disk) is not the client's: it still gets its answer
                logger.warning(
                    "hook %s failed on %s: %s", getattr(hook, "__name__", "?"), label(op), printable(str(exc))
                )
        self.run.answered(op, answer.status)
        extra: dict[str, str] = {}
        if findings:
            self._report(scope, op, findings, answer.status, answer.body, url, headers, body, secrets)
            if settings.fail_on_violation:
                first = findings[0]
                detail = mask_values(f"{label(op)}: {first.title} ({first.check}): {first.message}", secrets)
                response = problem(
                    502, "Contract violation", detail, "contract-violation", violations=violations_header(findings)
                )
                await response(scope, receive, send)
                return
            extra["X-Mock-Violations"] = violations_header(findings)
        if answer.stream is not None:
            await self._streamed_back(scope, receive, send, op, answer, extra)
            return
        await passed_back(answer.status, answer.headers, answer.body, extra)(scope, receive, send)

    def _read_whole(self, scope: Scope) -> Callable[[int, dict[str, str]], bool]:
        """Whether an answer must be read whole before it is handed on: when a check reads its body (JSON), or a
        hook (the recorder) wants it. Anything else (files, event streams, redirects) streams through."""
        head = scope["method"] == "HEAD"

        def read_whole(status: int, headers: dict[str, str]) -> bool:
            if self.settings.hooks:
                return True
            media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
            return not head and (media == "application/json" or media.endswith("+json"))

        return read_whole

    async def _streamed_back(
        self, scope: Scope, receive: Receive, send: Send, op: Operation, answer: Answer, extra: dict[str, str]
    ) -> None:
        assert answer.stream is not None
        headers = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in [*answer.headers, *extra.items()]]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        try:
            async for chunk in answer.stream:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except (AnswerTooLarge, UpstreamUnreachable) as exc:
            # The head is sent: the client sees an incomplete body (no final chunk), and the log says why.
            logger.warning("cut off: %s: %s", label(op), printable(str(exc)[:300]))
            note_problem(scope, f"upstream answer cut off: {str(exc)[:300]}")
            return
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    def _report(
        self,
        scope: Scope,
        op: Operation,
        findings: list[Finding],
        status: int,
        body: bytes,
        url: str,
        sent_headers: list[tuple[str, str]],
        request_body: bytes,
        secrets: tuple[str, ...],
    ) -> None:
        """Each violation into the journal entry, one log line each, and the run's report; credentials masked."""
        shown = curl(scope["method"], mask_values(url, secrets), dict(sent_headers), request_body or None)
        self.run.add(op, findings, status, body, shown, secrets)
        annotate(
            scope,
            "violations",
            [{"check": f.check, "title": f.title, "message": mask_values(f.message, secrets)[:1000]} for f in findings],
        )
        for f in findings:
            first = mask_values(f.message, secrets).splitlines()[0] if f.message else ""
            logger.warning("violation: %s (%s) %s: %s", label(op), f.check, f.title, printable(first[:300]))

    def _fallback(self, scope: Scope, op: Operation, why: str) -> None:
        annotate(scope, "proxy", "fallback")
        logger.warning("fallback: %s answered by the mock: %s", label(op), printable(why[:300]))

    def _closing(self, receive: Receive) -> Receive:
        """`receive` that closes the upstream connections when the server shuts down (before its loop ends)."""

        async def closing() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                await self.client.aclose()
            return message

        return closing


send_upstream = send
