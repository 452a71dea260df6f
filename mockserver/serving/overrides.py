"""Overrides: tests steer the mock's answers (`/__mock/overrides`), kept in the shared store.

`POST /__mock/overrides` takes an override document (`override_doc.py`) and answers 201 with it and
its `id`; `GET` lists them (with how many requests each has answered), `DELETE` forgets them all and
`DELETE /__mock/overrides/{id}` one; `DELETE /__mock/state` forgets them too. A request of the
operation, when the conditions hold, takes the override's next answer: the newest matching override
first. Which answer is next is decided inside one write transaction, so with `--workers N` a sequence
advances once per request whichever worker answers. After its `times` (or its sequence) an override
is spent and requests get the normal answer. A generated body uses the request's seed, as always.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers, QueryParams
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from mockserver.generation.responses import default_problem
from mockserver.generation.statuses import status_phrase
from mockserver.serving.answers import json_bytes, mock_error, to_response
from mockserver.serving.budget import bounded
from mockserver.serving.chaos import faulty
from mockserver.serving.echo import plain
from mockserver.serving.envelopes import error_response
from mockserver.serving.journal import ENTRY
from mockserver.serving.override_doc import Condition, OverrideDoc, OverrideError, Step, parse_override
from mockserver.serving.prefer import Preferences
from mockserver.serving.state import BoundOperation, MockState, query_items
from mockserver.serving.validation import BodyTooLarge, read_body

logger = logging.getLogger("mockserver")
OVERRIDES_PATH = "/__mock/overrides"
MAX_OVERRIDES = 1000  # kept at once; one more is refused (409) until some are deleted
MAX_DOCUMENT = 1024 * 1024  # bytes of one override document (its literal bodies included); larger is 413
HEADER = "X-Mock-Override"  # on every overridden answer: the override's id


def annotate(scope: Scope, key: str, value: Any) -> None:
    """Add `key` to this request's journal entry (what steered its answer)."""
    entry = scope.get("extensions", {}).get(ENTRY)
    if entry is not None:
        entry[key] = value


@dataclass(frozen=True)
class Steered:
    """What an override made of a request: its answer (or None: the normal one), and how to go on."""

    taken: bool
    prefs: Preferences
    send: Send
    response: Response | None = None


class Overrides:
    """The overrides of one server: the admin endpoint, and the answer a request takes from them."""

    def __init__(self, state: MockState) -> None:
        self.state = state
        self.repo = state.store.overrides()  # where they are kept (repositories.py)
        # Parsed once per process, by id and text: a Redis restarted without its data gives ids from 1 again.
        self._parsed: dict[tuple[int, str], OverrideDoc] = {}

    # The admin endpoint ------------------------------------------------------------------------------

    async def admin(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._admin(scope, receive)
        await response(scope, receive, send)

    async def _admin(self, scope: Scope, receive: Receive) -> Response:
        method, rest = scope["method"], scope["path"][len(OVERRIDES_PATH) :].strip("/")
        if rest:
            if not rest.isdigit() or len(rest) > 18:
                return mock_error(404, "Unknown override", f"No override {rest[:40]!r}; see GET {OVERRIDES_PATH}")
            if method != "DELETE":
                return Response(status_code=405, headers={"Allow": "DELETE"})
            if not self.repo.delete(int(rest)):
                return mock_error(404, "Unknown override", f"No override {rest}; see GET {OVERRIDES_PATH}")
            return Response(status_code=204)
        if method in ("GET", "HEAD"):
            return Response(json_bytes({"overrides": self.listed()}), media_type="application/json")
        if method == "DELETE":
            self.repo.clear()
            return Response(status_code=204)
        if method == "POST":
            return await self._add(scope, receive)
        return Response(status_code=405, headers={"Allow": "GET, HEAD, POST, DELETE"})

    async def _add(self, scope: Scope, receive: Receive) -> Response:
        try:
            body = await read_body(receive, MAX_DOCUMENT)
        except BodyTooLarge:
            return mock_error(413, "Override too large", f"An override document may have at most {MAX_DOCUMENT} bytes")
        try:
            raw = json.loads(body)
        except (UnicodeDecodeError, ValueError) as exc:
            return mock_error(400, "Invalid override", f"The override is not JSON: {exc}")
        try:
            doc = parse_override(raw, self.state.apis)
        except OverrideError as exc:
            return mock_error(400, "Invalid override", str(exc))
        text = json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
        ident = self.repo.add(doc.api, doc.operation, text, doc.times, MAX_OVERRIDES)
        if ident is None:
            kept = f"{MAX_OVERRIDES} overrides are kept at most; DELETE {OVERRIDES_PATH} (or one by id) first"
            return mock_error(409, "Too many overrides", kept)
        self._parsed[ident, text] = doc
        listed = {"id": ident, "used": 0, **_described(doc), "document": raw}
        return Response(json_bytes(listed), status_code=201, media_type="application/json")

    def listed(self) -> list[dict[str, Any]]:
        return [
            {"id": r.id, "api": r.api, "operation": r.operation, "used": r.used, "times": r.times}
            | {"document": json.loads(r.document)}
            for r in self.repo.rows()
        ]

    # Per request ---------------------------------------------------------------------------------------

    async def steer(self, scope: Scope, bound: BoundOperation, prefs: Preferences, send: Send) -> Steered:
        """The answer the newest matching override gives this request (its next step), if any."""
        taken = self._take(scope, bound)
        if taken is None:
            return Steered(False, prefs, send)
        ident, step = taken
        annotate(scope, "override", ident)
        if step.latency_ms:
            await asyncio.sleep(step.latency_ms / 1000)
        # The override decides: chaos only at the rate it names.
        prefs = dataclasses.replace(prefs, chaos=step.chaos or 0.0)
        if step.fault is not None:
            send = faulty(step.fault, send)
        send = _with_headers({HEADER: str(ident)}, send)
        if step.status is None and step.example is None and not step.has_body:
            return Steered(True, prefs, _with_headers(dict(step.headers), send) if step.headers else send)
        config = self.state.config
        make = self._answer(scope, bound, prefs, step)
        return Steered(True, prefs, send, bounded(config.request_budget, config.max_answer, scope, make))

    def waiting(self, scope: Scope, api: str, operation: str) -> bool:
        """Whether an override would answer this request (without counting it as used): the proxy hands such a
        request to the mock instead of the upstream."""
        for row in self.repo.rows():
            if row.api not in (None, api) or row.operation not in (None, operation):
                continue
            if row.times is not None and row.used >= row.times:
                continue
            doc = self._doc(row.id, row.document)
            if doc is not None and all(_holds(c, scope) for c in doc.when):
                return True
        return False

    def _take(self, scope: Scope, bound: BoundOperation) -> tuple[int, Step] | None:
        def applies(ident: int, text: str) -> bool:
            doc = self._doc(ident, text)
            return doc is not None and all(_holds(c, scope) for c in doc.when)

        taken = self.repo.take(bound.api.api.name, bound.op.operation_id, applies)
        if taken is None:
            return None
        ident, text, used = taken
        doc = self._doc(ident, text)
        assert doc is not None  # `applies` parsed it
        return ident, doc.steps[min(used, len(doc.steps) - 1)]

    def _doc(self, ident: int, text: str) -> OverrideDoc | None:
        doc = self._parsed.get((ident, text))
        if doc is None:  # added through another worker
            try:
                doc = parse_override(json.loads(text), self.state.apis)
            except (OverrideError, ValueError):
                return None  # checked when it was added; a worker serving other specs skips it
            if len(self._parsed) > 4 * MAX_OVERRIDES:  # ids of overrides long deleted: forget them
                self._parsed.clear()
            self._parsed[ident, text] = doc
        return doc

    def _answer(self, scope: Scope, bound: BoundOperation, prefs: Preferences, step: Step) -> Callable[[], Response]:
        def make() -> Response:
            try:
                return answer()
            except Exception as exc:  # never a bare 500 (a budget overrun is a BaseException: `bounded` answers it)
                logger.exception("override answer failed for %s", bound.op.operation_id)
                return mock_error(
                    500, "The mock failed", f"The override's answer failed: {type(exc).__name__}: {plain(exc)}"
                )

        def answer() -> Response:
            headers = dict(step.headers)
            mock, op = bound.mock, bound.op
            if step.example is not None:
                rendered = mock.example(step.example)
                assert rendered is not None  # checked when the override was added
                return to_response(rendered, headers)
            status = step.status if step.status is not None else op.success_status
            if step.has_body:
                return _literal(status, step.body, headers)
            if not mock.documents(status):  # allowed with allow_undocumented: the mock's own answer
                if status < 400:
                    return Response(status_code=status, headers=headers)
                detail = f"Answered by an override (undocumented status {status} for {op.operation_id})"
                answer = mock_error(status, status_phrase(status)[2], detail)
                answer.headers.update(headers)
                return answer
            if status >= 400:
                problem = default_problem(op.response_for(status), status)
                return error_response(self.state, bound.api, bound, scope, problem, headers)
            ctx = self.state.context(scope, prefs.seed, edge=prefs.edge)
            accept = Headers(scope=scope).get("accept")
            rendered = mock.render(status, ctx, bound.request_values(scope), dynamic=prefs.dynamic, accept=accept)
            return to_response(rendered, headers)

        return make


def _described(doc: OverrideDoc) -> dict[str, Any]:
    return {"api": doc.api, "operation": doc.operation, "times": doc.times}


def _literal(status: int, body: Any, headers: dict[str, str]) -> Response:
    given = {k.lower(): v for k, v in headers.items()}
    if isinstance(body, str):
        media = given.get("content-type", "text/plain; charset=utf-8")
        return Response(body.encode("utf-8"), status_code=status, headers={**headers, "Content-Type": media})
    media = given.get("content-type", "application/json")
    return Response(json_bytes(body), status_code=status, headers={**headers, "Content-Type": media})


def _holds(condition: Condition, scope: Scope) -> bool:
    if condition.source == "query":
        values = QueryParams(query_items(scope)).getlist(condition.name)
    elif condition.source == "header":
        values = Headers(scope=scope).getlist(condition.name)
    else:
        found = scope.get("path_params", {}).get(condition.name)
        values = [] if found is None else [str(found)]
    if condition.equals is None:
        return bool(values) == condition.present
    return condition.equals in values


def _with_headers(headers: dict[str, str], send: Send) -> Send:
    """A `send` that adds `headers` to the response's head (replacing same-named ones)."""
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    names = {name for name, _ in raw}

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
            message = {**message, "headers": kept + raw}
        await send(message)

    return sending
