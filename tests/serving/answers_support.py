"""The orders API the request-aware answer tests serve (tests/serving/answers_api), and header checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from serving_support import assert_matches

from mockserver.openapi.loader import load
from mockserver.openapi.model import ApiSpec
from mockserver.openapi.validation import schema_validator

ORDERS_FILE = Path(__file__).resolve().parent / "answers_api" / "specs" / "orders.yaml"
AUTH = {"Authorization": "Bearer test-token"}
ORDERS = "/orders/v1/orders"


def orders() -> ApiSpec:
    return load(ORDERS_FILE)


def typed(text: str, schema: dict[str, Any]) -> Any:
    """A header's text as the value its schema describes (`"42"` is 42 for `type: integer`)."""
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
    except ValueError:
        return text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    return text


def assert_valid_answer(api: ApiSpec, operation_id: str, response: httpx.Response) -> None:
    """The body matches its documented schema, and every documented header sent matches its own."""
    op = api.operation(operation_id)
    documented = op.response_for(response.status_code)
    assert documented is not None, f"{response.status_code} is not documented for {operation_id}"
    if documented.is_json:
        assert_matches(api, documented, response.json())
    for name, schema in documented.headers.items():
        if name in response.headers:
            value = typed(response.headers[name], schema)
            problems = schema_validator(schema, openapi_31=api.is_31)(value)
            assert not problems, f"header {name}={response.headers[name]!r}: {problems}"
