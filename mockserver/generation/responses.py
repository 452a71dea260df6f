"""Everything one API needs to answer: a compiled generator per operation and documented status.

Pure: knows specs and generators, never HTTP. The serving layer asks `OperationMock.render`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from random import Random
from typing import Any

from mockserver.errors import GenerationError, SpecErrorKind, SpecLoadError
from mockserver.generation.compiler import Compiler, Gen
from mockserver.generation.context import GenContext, Problem
from mockserver.generation.headers import HeaderMeaning
from mockserver.generation.media import binary, negotiate, to_csv, to_lines, to_text, to_xml
from mockserver.generation.media import kind as media_kind
from mockserver.generation.shaping import Shaper
from mockserver.generation.statuses import status_phrase
from mockserver.generation.values import Pools
from mockserver.openapi.examples import warn_invalid_examples
from mockserver.openapi.fixtures import Fixture, load_fixtures
from mockserver.openapi.matching import select
from mockserver.openapi.model import ApiSpec, Operation, ResponseSpec
from mockserver.openapi.rules import RequestValues

_DESCRIPTION_RE = re.compile(r"^[\w\s]+ - (.+)$")
_BOILERPLATE = {"error", "success", "ok", "successful response", "default response", ""}


@dataclass(frozen=True)
class Rendered:
    status: int
    body: Any  # JSON-able; None with `media_type` None means no body
    media_type: str | None
    headers: dict[str, str]
    # (header name, limit/remaining/reset): rate-limit headers the serving layer counts per credential
    rate: tuple[tuple[str, str], ...] = ()


def default_problem(response: ResponseSpec | None, status: int) -> Problem:
    """The problem an error status reports when nothing more specific went wrong."""
    code, _, message = status_phrase(status)
    description = (response.description if response else "").strip()
    if description.lower() not in _BOILERPLATE:
        match = _DESCRIPTION_RE.match(description)
        message = (match.group(1) if match else description).rstrip(".")
    return Problem(status=status, message=message, code=code)


def problem_details(problem: Problem) -> dict[str, Any]:
    """RFC 9457 problem details: the body for an error the API documents no envelope for."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": status_phrase(problem.status)[2],
        "status": problem.status,
        "detail": problem.message,
    }
    if problem.errors:
        body["errors"] = [{"location": list(e.location), "message": e.message} for e in problem.errors]
    return body


class OperationMock:
    """One operation: its generators by status key and media type, its shaper, its named examples."""

    def __init__(
        self, api: ApiSpec, op: Operation, compiler: Compiler, fixtures: dict[str, Fixture] | None = None
    ) -> None:
        self.api = api
        self.op = op
        self._bodies: dict[tuple[str, str], Gen] = {}
        self._headers: dict[str, list[tuple[str, Gen]]] = {}
        for key, response in op.responses.items():
            where = f"{api.file}#/paths/{op.path}/{op.method}/responses/{key}"
            try:
                for media, content in response.content.items():
                    schema = content.get("schema")
                    if isinstance(schema, dict) or schema is False:
                        self._bodies[(key, media)] = compiler.compile(
                            schema, in_error=not key.startswith("2"), where=f"{where}/content/{media}"
                        )
                self._headers[key] = [
                    (name, compiler.compile(schema, name=name, where=f"{where}/headers/{name}"))
                    for name, schema in response.headers.items()
                    if name.lower() not in _NOT_GENERATED
                ]
            except GenerationError as exc:
                raise SpecLoadError(api.file, SpecErrorKind.INVALID, str(exc)) from exc
        self._compiler = compiler
        self._shaper: Shaper | None = None
        if op.x_mock:
            # Its rules are what the operation is about: compile them before any request, not during the first.
            self._shaper = self._make_shaper()
        self.fixtures = dict(fixtures or {})
        # (status key, media type, name) of inline examples that break their schema: left out of what
        # `Prefer: dynamic=false` serves (a 'default' name is the single `example`).
        self.invalid_examples: set[tuple[str, str, str]] = set()
        self.examples: dict[str, tuple[int, Any]] = {name: (f.status, f.body) for name, f in self.fixtures.items()}
        for key, response in op.responses.items():
            for name, value in response.examples.items():
                status = int(key) if key.isdigit() else (int(key[0]) * 100 if key[0].isdigit() else 500)
                self.examples.setdefault(name, (status, value))
        for i, rule in enumerate(op.x_mock.match):
            if rule.fixture is not None and rule.fixture not in self.fixtures:
                known = ", ".join(sorted(self.fixtures)) or "none"
                raise SpecLoadError(
                    api.file,
                    SpecErrorKind.BAD_EXTENSION,
                    f"{op.method.upper()} {op.path}: x-mock.match[{i}].fixture: {rule.fixture!r} is no served fixture "
                    f"of {op.operation_id} (fixtures: {known}; an invalid fixture file is reported above)",
                )
        self._meaning = HeaderMeaning(api, op)

    @property
    def shaper(self) -> Shaper:
        """The success body's shaper; without `x-mock` it is made when first needed (large specs start faster)."""
        if self._shaper is None:
            self._shaper = self._make_shaper()
        return self._shaper

    def _make_shaper(self) -> Shaper:
        success = self.op.response_for(self.op.success_status)
        return Shaper(
            self.op,
            success.schema if success else None,
            self._compiler.compile,
            openapi_31=self.api.is_31,
        )

    def documents(self, status: int) -> bool:
        return self.op.response_for(status) is not None

    def error_envelope(self, status: int) -> ResponseSpec | None:
        """The response to send an error in: the one documented for `status`, else the API's usual envelope."""
        found = self.op.response_for(status)
        if found is not None:
            return found
        # Shapes of plain HTTP errors first: a validation list (FastAPI's 422) would need invented locations.
        for key in ("404", "401", "403", "400", "500", "422", *sorted(self.op.responses)):
            response = self.op.responses.get(key)
            if response is not None and not key.startswith(("1", "2", "3")) and response.content:
                return response
        return None

    def render(
        self,
        status: int,
        ctx: GenContext,
        request: RequestValues,
        *,
        dynamic: bool = True,
        envelope: ResponseSpec | None = None,
        accept: str | None = None,
        origin: str = "",
    ) -> Rendered:
        """A response for `status`; a 2xx is shaped by the request, an error reports `ctx.problem`.

        `accept` (the request's Accept header) picks among the documented media types; when it takes none of
        them, a documented 406 is the answer, else the response's first type. `origin` (`http://host:port`)
        starts the URLs headers carry (`Location`, `Link`); relative URLs without it."""
        response = envelope or self.op.response_for(status)
        if response is None:
            problem = ctx.problem or default_problem(None, status)
            return Rendered(status, problem_details(problem), "application/problem+json", {})
        key = response.status
        ctx.status = status
        if status >= 400 and ctx.problem is None:
            ctx.problem = default_problem(response, status)
        headers = {name: header_text(gen(ctx, 1)) for name, gen in self._headers.get(key, [])}
        if not response.content:
            return Rendered(status, None, None, headers)
        if status in (204, 304) or status < 200:  # HTTP sends these without a body, whatever the spec says
            return Rendered(status, None, response.media_type, headers)
        default = response.media_type or next(iter(response.content))
        media = negotiate(accept, list(response.content), default)
        if media is None and status < 400 and "406" in self.op.responses:
            documented = ", ".join(response.content)
            message = f"Accept {accept!r} takes none of the documented media types ({documented})"
            ctx.problem = Problem(status=406, message=message, code=status_phrase(406)[0])
            return self.render(406, ctx, request, origin=origin)
        media = media or default
        content = response.content.get(media) or {}
        gen = self._bodies.get((key, media))
        # Only read when no generated body is wanted (`Prefer: dynamic=false`, or a media type without a schema).
        examples = (
            []
            if dynamic and gen is not None
            else [value for name, value in _examples(content) if (key, media, name) not in self.invalid_examples]
        )
        schema = content.get("schema")
        if gen is not None and (dynamic or not examples):
            body = gen(ctx, 0)
            if 200 <= status < 300 and media == response.media_type:
                body = self.shaper.shape(body, request, ctx)
        elif examples:
            body = copy.deepcopy(examples[0])
        else:  # a media type with neither schema nor example: an empty object, empty text, or some bytes
            body = {} if media_kind(media) == "json" else None
        sent, media_type = _serialise(body, media, schema, ctx)
        return self._with_meaning(Rendered(status, sent, media_type, headers), key, request, origin)

    def with_body(self, rendered: Rendered, body: Any, request: RequestValues, origin: str = "") -> Rendered:
        """`rendered` carrying `body` instead (a stored entity, say), its meaningful headers (ETag, Location,
        Link) worked out again for that body."""
        response = self.op.response_for(rendered.status)
        replaced = Rendered(rendered.status, body, rendered.media_type, rendered.headers)
        return self._with_meaning(replaced, response.status, request, origin) if response is not None else replaced

    def _with_meaning(self, rendered: Rendered, key: str, request: RequestValues, origin: str) -> Rendered:
        body, media = rendered.body, rendered.media_type
        headers, rate = self._meaning.apply(rendered.headers, key, rendered.status, body, media, request, origin)
        return Rendered(rendered.status, body, media, headers, rate)

    def example(
        self, name: str, ctx: GenContext | None = None, request: RequestValues | None = None, origin: str = ""
    ) -> Rendered | None:
        """The named example or fixture (a fixture wins a shared name), with its status's documented headers
        (generated when `ctx` is given) and a fixture's own headers."""
        found = self.examples.get(name)
        if found is None:
            return None
        status, value = found
        response = self.op.response_for(status)
        media = response.media_type if response and response.media_type else "application/json"
        schema = response.schema if response else None
        headers: dict[str, str] = {}
        if ctx is not None and response is not None:
            ctx.status = status
            headers = {header: header_text(gen(ctx, 1)) for header, gen in self._headers.get(response.status, [])}
        fixture = self.fixtures.get(name)
        rendered = Rendered(status, *_serialise(copy.deepcopy(value), media, schema, None), headers)
        if response is not None:
            rendered = self._with_meaning(rendered, response.status, request or RequestValues(), origin)
        if fixture is not None:  # the fixture's own headers are what it recorded: they win over generated ones
            written = {k.lower() for k in fixture.headers}
            kept = {k: v for k, v in rendered.headers.items() if k.lower() not in written}
            rendered = Rendered(status, rendered.body, rendered.media_type, {**kept, **fixture.headers}, rendered.rate)
        return rendered

    def matched(
        self, request: RequestValues, sent_query: frozenset[str], ctx: GenContext, origin: str = ""
    ) -> Rendered | None:
        """The example or fixture `x-mock.match` selects for this request, or None (generate as usual)."""
        rule = select(self.op.x_mock.match, request, sent_query)
        if rule is None:
            return None
        return self.example(rule.fixture or rule.example or "", ctx, request, origin)


_NOT_GENERATED = frozenset({"content-type", "content-length", "transfer-encoding", "connection"})


def header_text(value: Any) -> str:
    """A generated header value as it is written on the wire."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(header_text(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{header_text(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def _examples(content: dict[str, Any]) -> list[tuple[str, Any]]:
    """(name, value) of a media type's examples, the single `example` first (named 'default', as
    `openapi.examples.inline_examples` names it)."""
    named = (content.get("examples") or {}).items()
    found = [(str(name), ex.get("value")) for name, ex in named if isinstance(ex, dict) and "value" in ex]
    if "example" in content:
        found.insert(0, ("default", content["example"]))
    return found


def _serialise(body: Any, media: str, schema: Any, ctx: GenContext | None) -> tuple[Any, str]:
    """(body, media type) as sent: JSON values stay values (the server encodes them), the rest become text or bytes."""
    how = media_kind(media)
    concrete = _concrete(media, how)
    if how == "json":
        return body, concrete
    if how == "xml":
        return (body if isinstance(body, str) else to_xml(body, schema)), concrete
    if how == "csv":
        return to_csv(body if body is not None else ""), concrete
    if how in ("ndjson", "sse"):
        return (body if isinstance(body, str) else to_lines(body, sse=how == "sse")), concrete
    if how in ("text", "form"):
        return to_text(body if body is not None else ""), concrete
    if isinstance(body, (str, bytes)) and body and not _is_file_schema(schema):
        return body, concrete
    return binary(concrete, ctx.rng if ctx is not None else Random(0)), concrete


def _is_file_schema(schema: Any) -> bool:
    return (isinstance(schema, dict) and schema.get("format") in ("binary", "byte")) or schema is None


def _concrete(media: str, how: str) -> str:
    """A media type a response can carry: ranges (`*/*`, `image/*`) become one of theirs."""
    main = media.split(";", 1)[0].strip()
    if "*" not in main:
        return media
    return {"json": "application/json", "text": "text/plain"}.get(how) or (
        "image/png" if main.startswith("image/") else "application/octet-stream"
    )


class ApiMock:
    """Every operation of one API, compiled."""

    def __init__(self, api: ApiSpec, pools: Pools) -> None:
        self.api = api
        compiler = Compiler(pools, openapi_31=api.is_31)
        fixtures = load_fixtures(api)
        self.operations = {
            op.operation_id: OperationMock(api, op, compiler, fixtures.get(op.operation_id)) for op in api.operations
        }
        # Inline examples get the fixtures' check: one breaking its schema is said, and never served.
        for example in warn_invalid_examples(api):
            mock = self.operations.get(example.operation.operation_id)
            if mock is None:
                continue
            mock.invalid_examples.add((example.status, example.media_type, example.name))
            if example.name not in mock.fixtures:
                mock.examples.pop(example.name, None)

    def error_status(self, op: Operation) -> int:
        """The status this API documents for an invalid request: 400, else 422, else 400 anyway."""
        for status in (400, 422):
            if str(status) in op.responses:
                return status
        return 422 if "422" in op.responses else 400
