"""The contract checks of one exchange seen on the wire: a request and the upstream's answer to it.

Pure: strings, bytes and the loaded spec in, findings out. The names are those `mockserver contract` reports
(schemathesis' `status_code_conformance`, `content_type_conformance`, `response_schema_conformance`,
`response_headers_conformance`, and the `xmock_*` rule checks), so one defect reads the same in both reports;
a request the contract refuses is only a violation when the upstream accepts it (`negative_data_rejection`, as
schemathesis names it); refused, it is the client's mistake, noted in the journal but not reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from mockserver.contract.rule_checks import check_answer
from mockserver.openapi.model import ApiSpec, Operation, ResponseSpec
from mockserver.openapi.params import request_values
from mockserver.openapi.requests import RawRequest, RequestCheck
from mockserver.openapi.rules import RequestValues
from mockserver.openapi.validation import schema_validator

REQUEST = "negative_data_rejection"
AUTH = "ignored_auth"
SERVER_ERROR = "not_a_server_error"
STATUS = "status_code_conformance"
CONTENT_TYPE = "content_type_conformance"
SCHEMA = "response_schema_conformance"
HEADERS = "response_headers_conformance"
MAX_ERRORS = 5  # schema errors quoted per finding


@dataclass(frozen=True)
class Finding:
    """One way the exchange breaks the contract: the check's name, a one-line title and the detail."""

    check: str
    title: str
    message: str


@dataclass(frozen=True)
class Exchange:
    """What went over the wire, as strings and bytes (header names lower-case)."""

    method: str
    path_params: Mapping[str, str]
    query: Sequence[tuple[str, str]]
    request_headers: Mapping[str, str]
    request_body: bytes
    status: int
    response_headers: Mapping[str, str]
    response_body: bytes


class ExchangeChecker:
    """The checks of one API; validators are compiled at an operation's first exchange and kept."""

    def __init__(self, api: ApiSpec) -> None:
        self.api = api
        self._requests: dict[str, RequestCheck] = {}
        self._schemas: dict[tuple[str, str, str], Callable[[Any], list[str]]] = {}

    def request(self, op: Operation, exchange: Exchange) -> tuple[RequestValues, list[Finding]]:
        """The request's typed values (for the x-mock rules) and what in it the contract refuses."""
        check = self._requests.get(op.operation_id)
        if check is None:
            check = self._requests[op.operation_id] = RequestCheck(op, openapi_31=self.api.is_31)
        headers = exchange.request_headers
        raw = RawRequest(path=exchange.path_params, query=exchange.query, headers=headers)
        _typed, errors = check.parameters(raw)
        body: Any = None
        if op.request_content and exchange.request_body:
            media = check.media_type(headers.get("content-type"))
            if media is None:
                given = headers.get("content-type", "")
                documented = ", ".join(op.request_content)
                title = "API accepted a request in an undocumented content type"
                findings = [Finding(REQUEST, title, f"Content-Type {given!r} is not one of: {documented}")]
                return _values(op, exchange, None), [*findings, *_field_findings(errors)]
            body, body_errors = check.body(media, exchange.request_body)
            errors = [*errors, *body_errors]
        return _values(op, exchange, body), _field_findings(errors)

    def response(self, op: Operation, exchange: Exchange, request: RequestValues, today: date) -> list[Finding]:
        """What in the upstream's answer the contract does not allow (status, type, body, headers, x-mock rules)."""
        status = exchange.status
        if status >= 500:
            return [Finding(SERVER_ERROR, "Server error", f"Received: {status}")]
        if 200 <= status < 300 and op.security and not has_credentials(op, exchange):
            message = f"Received: {status} to a request without any of the credentials the operation requires"
            return [Finding(AUTH, "API accepts requests without authentication", message)]
        documented = op.response_for(status)
        if documented is None:
            listed = ", ".join(op.documented_statuses)
            return [Finding(STATUS, "Undocumented HTTP status code", f"Received: {status}\nDocumented: {listed}")]
        found = self._headers(documented, exchange)
        if exchange.method.upper() == "HEAD" or not documented.content or status in (204, 304):
            return found
        content_type = exchange.response_headers.get("content-type", "")
        media = documented_media(documented, content_type)
        if media is None:
            listed = ", ".join(documented.content)
            title = "Undocumented Content-Type"
            message = f"Received: {content_type or '(none)'}\nDocumented: {listed}"
            return [*found, Finding(CONTENT_TYPE, title, message)]
        if not _is_json(content_type.split(";", 1)[0].strip()):
            return found
        try:
            body = json.loads(exchange.response_body)
        except ValueError as exc:
            return [*found, Finding(SCHEMA, "Response is not valid JSON", f"{type(exc).__name__}: {exc}")]
        schema = (documented.content.get(media) or {}).get("schema")
        if isinstance(schema, dict):
            problems = self._validator(op, documented.status, media, schema)(body)
            if problems:
                message = "\n".join(problems[:MAX_ERRORS])
                found.append(Finding(SCHEMA, "Response violates schema", message))
        breaches = check_answer(op, request, status, body, today)
        found += [Finding(b.check, "Documented rule broken", b.message) for b in breaches]
        return found

    def _headers(self, documented: ResponseSpec, exchange: Exchange) -> list[Finding]:
        found = []
        for name, schema in documented.headers.items():
            value = exchange.response_headers.get(name.lower())
            if value is None or not isinstance(schema, dict):
                continue
            problems = schema_validator(schema, openapi_31=self.api.is_31)(header_value(schema, value))
            if problems:
                message = f"Header {name!r}: {problems[0]}"
                found.append(Finding(HEADERS, "Response header does not conform to the schema", message))
        return found

    def _validator(self, op: Operation, status: str, media: str, schema: Any) -> Callable[[Any], list[str]]:
        key = (op.operation_id, status, media)
        if key not in self._schemas:
            self._schemas[key] = schema_validator(schema, openapi_31=self.api.is_31, reading=True)
        return self._schemas[key]


def has_credentials(op: Operation, exchange: Exchange) -> bool:
    """Whether the request carried a credential for one of the operation's security schemes."""
    headers = exchange.request_headers
    query = {name for name, _ in exchange.query}
    cookies = headers.get("cookie", "")
    for requirement in op.security:
        if not requirement:
            return True  # `{}`: anonymous access is one of the alternatives
        for scheme in requirement:
            if scheme.type == "apiKey" and scheme.location == "query" and scheme.param_name in query:
                return True
            if scheme.type == "apiKey" and scheme.location == "header" and scheme.param_name.lower() in headers:
                return True
            if scheme.type == "apiKey" and scheme.location == "cookie" and f"{scheme.param_name}=" in cookies:
                return True
            if scheme.type != "apiKey" and "authorization" in headers:
                return True
    return False


def documented_media(documented: ResponseSpec, content_type: str) -> str | None:
    """The documented media type `content_type` is (ranges and `+json` suffixes included), or None."""
    wanted = content_type.split(";", 1)[0].strip().lower()
    if not wanted:
        return None
    for media in documented.content:
        kind, _, sub = media.lower().partition("/")
        if media.lower() == wanted or kind == "*" or (sub == "*" and kind == wanted.split("/")[0]):
            return media
    return None


def header_value(schema: Mapping[str, Any], text: str) -> Any:
    """A header's text typed as its schema says (headers are strings on the wire; `simple` style)."""
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    try:
        if "integer" in kinds:
            return int(text)
        if "number" in kinds:
            return float(text)
    except ValueError:
        return text
    if "boolean" in kinds and text in ("true", "false"):
        return text == "true"
    if "array" in kinds:
        return [part.strip() for part in text.split(",")]
    return text


def _values(op: Operation, exchange: Exchange, body: Any) -> RequestValues:
    return request_values(op, exchange.query, exchange.path_params, exchange.request_headers.items(), body)


def _field_findings(errors: Sequence[Any]) -> list[Finding]:
    if not errors:
        return []
    message = "\n".join(e.message for e in errors[:MAX_ERRORS])
    return [Finding(REQUEST, "API accepted schema-violating request", message)]


def _is_json(media: str) -> bool:
    lowered = media.lower()
    return lowered == "application/json" or lowered.endswith("+json") or lowered == "*/*"
