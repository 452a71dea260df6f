"""Helpers for the HTTP-level tests: concrete requests per operation and checks against the ORIGINAL spec."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import anyio

from mockserver.openapi.model import ApiSpec, Operation, ResponseSpec
from mockserver.openapi.validation import schema_validator

AUTH = {"Authorization": "Bearer test-token"}
CLIENT_ID = "aa7cf840-9ca9-46a3-9778-9015d6580d50"
USER_ID = "a1d97031-04e2-4907-a249-093f7436207b"
PROJECT_UUID = "3c6a0b0e-8f7e-4a43-9d1e-2a1b5c9e7f10"

OPENROUTER = "/openrouter/api/v1/activity"
ONEPIN = "/onepin/api/v1/usage/activity"
LIGHTDASH = f"/lightdash/api/v1/analytics/user-activity/{PROJECT_UUID}"
CLIENT_ANALYTICS = f"/client-analytics/v2/clients/{CLIENT_ID}/analytics/users/{USER_ID}/activity"
CLIENT_ANALYTICS_QUERY = {
    "granularity": "daily",
    "start_date": "2026-01-01",
    "end_date": "2026-01-15",
    "metric": "activity-count",
}


@dataclass(frozen=True)
class Call:
    """One concrete, valid request for a documented operation."""

    api: str
    operation_id: str
    path: str
    params: dict[str, str]
    needs_auth: bool

    @property
    def id(self) -> str:
        return f"{self.api}:{self.operation_id}"

    @property
    def headers(self) -> dict[str, str]:
        return dict(AUTH) if self.needs_auth else {}


# Every documented operation of the bundled specs (a test checks this table stays complete).
CALLS = (
    Call("openrouter", "get-user-activity", OPENROUTER, {}, True),
    Call("onepin", "usage_activity_api_v1_usage_activity_get", ONEPIN, {}, True),
    Call("lightdash", "getUserActivity", LIGHTDASH, {}, False),
    Call("client-analytics", "getUserActivity", CLIENT_ANALYTICS, dict(CLIENT_ANALYTICS_QUERY), True),
)
CALL_BY_API = {call.api: call for call in CALLS}


def utc_today() -> date:
    return datetime.now(UTC).date()


def days_ago(n: int) -> str:
    return (utc_today() - timedelta(days=n)).isoformat()


def api_named(apis: Sequence[ApiSpec], name: str) -> ApiSpec:
    return next(api for api in apis if api.name == name)


def operation_of(apis: Sequence[ApiSpec], call: Call) -> tuple[ApiSpec, Operation]:
    api = api_named(apis, call.api)
    return api, api.operation(call.operation_id)


def problems(api: ApiSpec, response: ResponseSpec | None, body: Any) -> list[str]:
    """What is wrong with `body` against the ORIGINAL spec's schema for `response` (in the spec's dialect)."""
    assert response is not None, "no documented response to check against"
    assert response.schema is not None, f"response {response.status} documents no schema"
    return schema_validator(response.schema, openapi_31=api.is_31)(body)


def assert_matches(api: ApiSpec, response: ResponseSpec | None, body: Any) -> None:
    found = problems(api, response, body)
    assert not found, f"{api.name}: body does not match the {response.status if response else '?'} schema: {found}"


def error_responses(op: Operation) -> list[ResponseSpec]:
    """The operation's documented error responses (4xx, 5xx, ranges and default) that carry a JSON schema."""
    return [
        r
        for key, r in sorted(op.responses.items())
        if (key == "default" or key[0] in "45") and r.schema is not None and r.is_json
    ]


def assert_in_error_envelope(api: ApiSpec, op: Operation, body: Any, status: int) -> None:
    """`body` is in the API's own error envelope: valid against the documented response for `status`
    if there is one, else against at least one documented error schema of the operation."""
    documented = op.response_for(status)
    if documented is not None and documented.schema is not None:
        assert_matches(api, documented, body)
        return
    candidates = error_responses(op)
    assert candidates, f"{api.name} documents no error schema"
    reports = {r.status: problems(api, r, body) for r in candidates}
    assert any(not found for found in reports.values()), f"{api.name}: {status} body in no error envelope: {reports}"


def all_operations(apis: Iterable[ApiSpec]) -> set[tuple[str, str]]:
    return {(api.name, op.operation_id) for api in apis for op in api.operations}


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def raw_get(app: Any, path: bytes, query: bytes = b"", headers: Sequence[tuple[bytes, bytes]] = ()) -> RawResponse:
    """A GET sent as raw ASGI, so that the path, query string and headers can carry bytes no client would send."""

    async def run() -> RawResponse:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path.decode("latin-1"),
            "raw_path": path,
            "root_path": "",
            "query_string": query,
            "headers": [(b"host", b"testserver"), *headers],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        messages: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            messages.append(message)

        await app(scope, receive, send)
        start = next(m for m in messages if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        headers_out = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start.get("headers", [])}
        return RawResponse(start["status"], headers_out, body)

    return anyio.run(run)
