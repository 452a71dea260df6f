"""The part of the contract a violation is about, cut from the original spec document for the report.

Read from `ApiSpec.document` (the contract as written, `$ref`s and all), so a reader sees the words they can
find in their own file, with a JSON pointer to where they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mockserver.contract.coverage import documented_key
from mockserver.contract.report import SCHEMA_AT

LIMIT = 1500  # characters of an excerpt; longer ones are cut with "…"
_BY_STATUS = {
    "response_schema_conformance",
    "error_envelope",
    "content_type_conformance",
    "response_headers_conformance",
    "xmock_request_rule_probe",
}


@dataclass(frozen=True)
class Excerpt:
    pointer: str  # JSON pointer into the spec document: "/paths/~1activity/get/responses/200"
    text: str  # that part, as indented JSON, cut at LIMIT


def excerpt_for(document: dict[str, Any], operation: str, check: str, status: int | None, message: str = "") -> Excerpt:
    """What the contract says that `check` found broken at `operation` ("GET /activity") answered `status`.

    A schema violation whose message names where in the document the schema is ("Schema at /components/…")
    gets that schema; other status-bound checks get the documented response (its examples left out)."""
    where = SCHEMA_AT.search(message)
    if where and where.group(1).startswith("/"):
        node = _get(document, [p.replace("~1", "/").replace("~0", "~") for p in where.group(1)[1:].split("/")])
        if node is not None:
            return _cut(where.group(1), node)
    method, _, path = operation.partition(" ")
    op_pointer = f"/paths/{_escape(path)}/{method.lower()}"
    op = _get(document, ["paths", path, method.lower()])
    if not isinstance(op, dict):
        return Excerpt("", "")
    if check.startswith("xmock_") and "x-mock" in op:
        return _cut(f"{op_pointer}/x-mock", op["x-mock"])
    if check == "ignored_auth":
        own = "security" in op
        schemes = _get(document, ["components", "securitySchemes"]) or _get(document, ["securityDefinitions"])
        security = op.get("security") if own else document.get("security")
        return _cut(f"{op_pointer}/security" if own else "/security", {"security": security, "schemes": schemes})
    found = op.get("responses")
    responses: dict[Any, Any] = found if isinstance(found, dict) else {}
    key = documented_key(status, [str(k) for k in responses]) if status is not None else None
    if check in _BY_STATUS and key is not None:
        original = next(k for k in responses if str(k) == key)
        return _cut(
            f"{op_pointer}/responses/{_escape(key)}", _without_examples(_resolved(document, responses[original]))
        )
    # Which statuses are documented at all: what status and server-error checks hold an answer against.
    summary = {str(k): (v.get("description", "") if isinstance(v, dict) else v) for k, v in responses.items()}
    return _cut(f"{op_pointer}/responses", summary)


def _without_examples(response: Any) -> Any:
    """The response object without the examples of its media types: long, and not what a check holds it to."""
    if not isinstance(response, dict) or not isinstance(response.get("content"), dict):
        return response
    content = {
        media: {k: v for k, v in body.items() if k not in ("example", "examples")} if isinstance(body, dict) else body
        for media, body in response["content"].items()
    }
    return {**response, "content": content}


def _resolved(document: dict[str, Any], node: Any) -> Any:
    """A response written as a local `$ref` (`#/components/responses/Error`), replaced by what it names."""
    for _ in range(5):  # a chain of refs, bounded: a cycle is left as it is
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/")):
            break
        parts = [p.replace("~1", "/").replace("~0", "~") for p in node["$ref"][2:].split("/")]
        found = _get(document, parts)
        if found is None:
            break
        node = found
    return node


def _get(document: Any, parts: list[str]) -> Any:
    node = document
    for part in parts:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _cut(pointer: str, value: Any) -> Excerpt:
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return Excerpt(pointer, text if len(text) <= LIMIT else text[:LIMIT] + "\n…")


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")
