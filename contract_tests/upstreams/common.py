"""The part every stand-in upstream shares: HTTP plumbing, bearer auth, and the generic defect layer.

A vendor module describes its API as an `ApiDef`: where it is mounted, whether it needs a bearer
token, how it answers a GET (`handle`, which returns the 200 body or raises `ApiError`), how its
documented error envelope looks (`error_body`) and how a drifted one looks (`drifted_error_body`),
and the body edits behind the three schema defects (`body_drifts`). `build_app(api, defect)` turns
that into a Starlette app and applies the defect on top of the faithful behaviour:

| defect                      | applied by                                                        |
|-----------------------------|-------------------------------------------------------------------|
| missing_required_field      | `ApiDef.body_drifts` (per API), on the 200 body                   |
| wrong_type                  | `ApiDef.body_drifts` (per API), on the 200 body                   |
| enum_out_of_spec            | `ApiDef.body_drifts` (per API), on the 200 body                   |
| undocumented_status         | here: the 200 answer goes out as 202                              |
| wrong_content_type          | here: the 200 body goes out as text/plain                         |
| auth_not_enforced           | here: no bearer check                                             |
| server_error_on_bad_input   | here: an `ApiError(bad_input=True)` becomes the API's 500         |
| xmock_rule_broken           | the vendor's `handle` (it sees `Context.defect`)                  |
| wrong_error_envelope        | here, with `ApiDef.drifted_error_body` for every error answer      |

A defect an API cannot have (e.g. auth on an API without security) is listed in
`ApiDef.unsupported` with the reason; `build_app` refuses it.
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

DEFECTS: tuple[str, ...] = (
    "missing_required_field",
    "wrong_type",
    "enum_out_of_spec",
    "undocumented_status",
    "wrong_content_type",
    "auth_not_enforced",
    "server_error_on_bad_input",
    "xmock_rule_broken",
    "wrong_error_envelope",
)
GOOD_TOKEN = "good-token"
JSON = "application/json"
ALLOW = "GET, HEAD, OPTIONS"
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_date(text: str | None) -> date | None:
    """A strict YYYY-MM-DD calendar date, or None."""
    if text is None or not DATE_RE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def is_uuid(text: str | None) -> bool:
    """RFC 4122 string form (8-4-4-4-12 hex), what `format: uuid` means."""
    return text is not None and bool(UUID_RE.match(text))


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ApiError(Exception):
    """An error answer, described independently of any vendor's envelope.

    `bad_input` marks the documented answers to malformed input (the 400/422 the
    `server_error_on_bad_input` defect replaces by a 500).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        *,
        bad_input: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.bad_input = bad_input
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class Context:
    """What a vendor handler may depend on besides the request."""

    now: datetime
    defect: str | None

    @property
    def today(self) -> date:
        return self.now.astimezone(UTC).date()

    @property
    def rule_broken(self) -> bool:
        return self.defect == "xmock_rule_broken"


@dataclass(frozen=True)
class ApiDef:
    name: str
    base_path: str  # the spec's server base path ("" for a server url of "/")
    route: str  # the operation's path, relative to base_path
    secured: bool
    handle: Callable[[Request, Context], Any]
    error_body: Callable[[ApiError, Context], Any]
    drifted_error_body: Callable[[ApiError, Context], Any]
    body_drifts: Mapping[str, Callable[[Any], Any]]
    unauthorized: Callable[[str | None], ApiError]
    server_error: Callable[[], ApiError]
    unsupported: Mapping[str, str] = field(default_factory=dict)

    @property
    def supported(self) -> list[str]:
        return [d for d in DEFECTS if d not in self.unsupported]


def json_response(
    status: int, body: Any, *, media_type: str = JSON, headers: Mapping[str, str] | None = None
) -> Response:
    content = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return Response(content, status_code=status, media_type=media_type, headers=dict(headers or {}))


def bearer_problem(request: Request) -> str | None:
    """None when the request carries `Authorization: Bearer good-token`; else what is wrong."""
    header = request.headers.get("authorization")
    if header is None:
        return "missing"
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return "malformed"
    return None if token.strip() == GOOD_TOKEN else "invalid"


class _Endpoint:
    """The operation's route: every method lands here (Starlette passes all methods to an ASGI class)."""

    def __init__(self, api: ApiDef, defect: str | None, clock: Clock) -> None:
        self.api, self.defect, self.clock = api, defect, clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = self.respond(request)
        await response(scope, receive, send)

    def error(self, err: ApiError, ctx: Context) -> Response:
        if err.bad_input and self.defect == "server_error_on_bad_input":
            err = self.api.server_error()
        build = self.api.drifted_error_body if self.defect == "wrong_error_envelope" else self.api.error_body
        return json_response(err.status, build(err, ctx), headers=err.headers)

    def respond(self, request: Request) -> Response:
        ctx = Context(now=self.clock(), defect=self.defect)
        method = request.method.upper()
        if method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": ALLOW})
        if method not in ("GET", "HEAD"):
            return self.error(ApiError(405, "method_not_allowed", "Method Not Allowed", headers={"Allow": ALLOW}), ctx)
        try:
            if self.api.secured and self.defect != "auth_not_enforced":
                problem = bearer_problem(request)
                if problem is not None:
                    raise self.api.unauthorized(problem)
            body = self.api.handle(request, ctx)
        except ApiError as err:
            return self.error(err, ctx)
        except Exception:  # a stand-in bug must still answer in the documented envelope
            traceback.print_exc()
            return self.error(self.api.server_error(), ctx)
        drift = self.api.body_drifts.get(self.defect or "")
        if drift is not None:
            body = drift(body)
        status = 202 if self.defect == "undocumented_status" else 200
        media_type = "text/plain" if self.defect == "wrong_content_type" else JSON
        return json_response(status, body, media_type=media_type)


class _NotFound:
    """Any other path under the API's mount: 404 in the API's own envelope."""

    def __init__(self, endpoint: _Endpoint) -> None:
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ctx = Context(now=self.endpoint.clock(), defect=self.endpoint.defect)
        response = self.endpoint.error(ApiError(404, "not_found", "Not Found"), ctx)
        await response(scope, receive, send)


def build_app(api: ApiDef, defect: str | None = None, *, clock: Clock | None = None) -> Starlette:
    """The API as a Starlette app serving `{base_path}{route}` (faithful when `defect` is None)."""
    if defect is not None and defect not in DEFECTS:
        raise ValueError(f"unknown defect {defect!r}; known: {', '.join(DEFECTS)}")
    if defect is not None and defect in api.unsupported:
        raise ValueError(f"{api.name} does not support defect {defect!r}: {api.unsupported[defect]}")
    endpoint = _Endpoint(api, defect, clock or utc_now)
    return Starlette(
        routes=[
            Route(api.base_path + api.route, endpoint=endpoint),
            Route("/{rest:path}", endpoint=_NotFound(endpoint)),
        ]
    )


def query_value(request: Request, name: str) -> str | None:
    """The last value of a query parameter (None when absent)."""
    values = request.query_params.getlist(name)
    return values[-1] if values else None


def map_items(body: Any, key: str, edit: Callable[[dict[str, Any]], None], *, first_only: bool = False) -> Any:
    """Apply `edit` in place to the dict items of `body[key]` (all of them, or only the first)."""
    items = body.get(key) if isinstance(body, dict) else None
    for item in (items or [])[: 1 if first_only else None]:
        if isinstance(item, dict):
            edit(item)
    return body
