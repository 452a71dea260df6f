"""The loaded form of an OpenAPI document: plain data, no behaviour beyond look-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from mockserver.openapi.xmock import XMock

Schema = dict[str, Any]
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# The mock's own endpoints, which the serving layer answers before any API's routes.
ADMIN_PREFIX = "/__mock"  # at the root: the request journal (/__mock/requests)
SPEC_DOCUMENT = "/openapi.json"  # under each mount: the API's document (GET and HEAD)
DOCS_PREFIX = "/ui"  # under each mount: Swagger UI (every method)
# API names (file stems) whose mount path would cover the mock's own endpoints.
RESERVED_NAMES = frozenset({ADMIN_PREFIX.strip("/"), SPEC_DOCUMENT.strip("/")})


def shadowed(method: str, route: str) -> str | None:
    """Why the mock's own endpoint under every mount hides `method route` of a spec, or None."""
    if route == SPEC_DOCUMENT and method.lower() in ("get", "head"):
        return f"the mock's own {SPEC_DOCUMENT} (the API's document)"
    if route == DOCS_PREFIX or route.startswith(DOCS_PREFIX + "/"):
        return f"under the mock's own {DOCS_PREFIX}/ (Swagger UI)"
    return None


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # query, path, header, cookie
    required: bool
    schema: Schema
    description: str = ""
    style: str = ""  # as serialised: form, simple, deepObject, … (the location's default when unset)
    explode: bool = False
    allow_empty: bool = False  # `allowEmptyValue`: `?flag=` is a valid way to send it


@dataclass(frozen=True)
class SecurityScheme:
    """One way to authenticate; the mock checks presence (and, with --token, the value)."""

    name: str
    type: str  # http, apiKey, oauth2, openIdConnect, mutualTLS
    scheme: str = ""  # for http: bearer, basic
    location: str = "header"  # for apiKey: header, query, cookie
    param_name: str = "Authorization"


@dataclass(frozen=True)
class ResponseSpec:
    status: str  # "200", "4XX", "default"
    description: str
    media_type: str | None  # None: the response has no body
    schema: Schema | None  # resolved, original dialect; None: any body (or none)
    examples: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, Schema] = field(default_factory=dict)
    content: dict[str, dict[str, Any]] = field(default_factory=dict)  # every documented media type, resolved

    @property
    def is_json(self) -> bool:
        return self.media_type is not None and (
            self.media_type == "application/json" or self.media_type.endswith("+json") or self.media_type == "*/*"
        )


@dataclass(frozen=True)
class Operation:
    method: str  # lower case
    path: str  # as written in the spec, relative to the API's base path
    operation_id: str
    summary: str
    parameters: tuple[Parameter, ...]
    responses: dict[str, ResponseSpec]
    # Alternatives (OR) of requirements (AND); empty tuple: no authentication.
    security: tuple[tuple[SecurityScheme, ...], ...]
    request_body_required: bool
    x_mock: XMock  # the operation's `x-mock` extension, typed and checked at load (spec/xmock.py)
    # The request body's media types (resolved Media Type Objects: schema, encoding); empty: no body.
    request_content: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def routable(self) -> bool:
        """Whether a request can name this path (Box writes `/shared_items#folders`: a fragment never is sent)."""
        return "#" not in self.path and "?" not in self.path

    def response_for(self, status: int) -> ResponseSpec | None:
        """The response documented for `status`: exact code, then `4XX`-style range, then default."""
        exact = self.responses.get(str(status))
        if exact is not None:
            return exact
        ranged = self.responses.get(f"{status // 100}XX")
        if ranged is not None:
            return ranged
        return self.responses.get("default")

    @property
    def documented_statuses(self) -> list[str]:
        return sorted(self.responses)

    @cached_property  # read on every request
    def success_status(self) -> int:
        """The status the mock answers with by default: the lowest documented 2xx."""
        codes = sorted(int(s) for s in self.responses if s.isdigit() and s.startswith("2"))
        if codes:
            return codes[0]
        if "2XX" in self.responses or "default" in self.responses:
            return 200
        return min((int(s) for s in self.responses if s.isdigit()), default=200)


@dataclass(frozen=True)
class ApiSpec:
    name: str  # the file stem; the API is served at /<name><base_path>
    file: Path  # the spec file it was loaded from
    version: str  # the document's `openapi` field
    title: str
    base_path: str  # path of the first server URL, "" for "/"
    document: dict[str, Any]  # the original document, refs unresolved: the contract
    operations: tuple[Operation, ...]
    digest: str = ""  # SHA-256 of the file's text as loaded

    @property
    def mount_path(self) -> str:
        return f"/{self.name}{self.base_path}"

    @property
    def key_variable(self) -> str:
        """The environment variable holding the API's key (`<API>_API_KEY`), as contract, proxy and record read it."""
        return f"{self.name.upper().replace('-', '_')}_API_KEY"

    @property
    def is_31(self) -> bool:
        return self.version.startswith("3.1")

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        known = ", ".join(op.operation_id for op in self.operations)
        raise KeyError(f"operation_id={operation_id!r} is not in {self.name}; known: {known}")
