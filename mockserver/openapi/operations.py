"""A resolved document's operations as `Operation`s (parameters merged, responses, security), and which are served."""

from __future__ import annotations

import dataclasses
import logging
import re
from pathlib import Path
from typing import Any

from mockserver.errors import SpecErrorKind, SpecLoadError
from mockserver.openapi.model import HTTP_METHODS, Operation, Parameter, ResponseSpec, SecurityScheme, shadowed
from mockserver.openapi.xmock import NO_XMOCK, parse_xmock

__all__ = ["index_operations", "served"]

logger = logging.getLogger("mockserver")


def served(path: Path, operations: tuple[Operation, ...], strict: bool) -> tuple[Operation, ...]:
    """The operations to route: what cannot be answered as written is said once (and, hidden behind the
    mock's own endpoints, refused with `strict`)."""
    _warn_bodiless(path, operations)
    _warn_unreachable(path, operations)
    return _unshadowed(path, operations, strict)


def index_operations(path: Path, document: dict[str, Any]) -> list[Operation]:
    """Every operation under the resolved `document`'s paths, its `x-mock` read (errors name the file `path`)."""
    components = _dict(document.get("components"))
    schemes = _dict(components.get("securitySchemes"))
    global_security = document.get("security")
    operations: list[Operation] = []
    used_ids: set[str] = set()
    paths = document.get("paths")
    routes = frozenset(p for p in paths if isinstance(p, str)) if isinstance(paths, dict) else frozenset()
    for route, item in paths.items() if isinstance(paths, dict) else []:
        if not isinstance(item, dict) or not isinstance(route, str) or not route.startswith("/"):
            continue
        shared = _list(item.get("parameters"))
        for method in HTTP_METHODS:
            raw = item.get(method)
            if not isinstance(raw, dict):
                continue
            operation_id = str(raw.get("operationId") or _default_operation_id(method, route))
            if operation_id in used_ids:
                operation_id = f"{operation_id}_{method}"
            used_ids.add(operation_id)
            request_body = _dict(raw.get("requestBody"))
            body = _dict(request_body.get("content"))
            parameters = tuple(_parameters(shared, _list(raw.get("parameters"))))
            security = _security(raw.get("security", global_security), schemes)
            if not security and any(
                p.location == "header" and p.name.lower() == "authorization" and p.required for p in parameters
            ):
                # A required Authorization header parameter is authentication by another name.
                security = ((SecurityScheme("Authorization", "apiKey", location="header"),),)
            responses = _dict(raw.get("responses"))
            operation = Operation(
                method=method,
                path=route,
                operation_id=operation_id,
                summary=str(raw.get("summary") or raw.get("description") or ""),
                parameters=parameters,
                responses={
                    str(code): _response(str(code), r) for code, r in responses.items() if _is_status(str(code))
                },
                security=security,
                request_body_required=bool(request_body.get("required")),
                x_mock=NO_XMOCK,
                request_content={str(m): c for m, c in body.items() if isinstance(c, dict)},
            )
            # Read against the operation's parameters and success schema: a dangling name is a load error.
            mock = parse_xmock(raw.get("x-mock"), operation, str(path), routes)
            operations.append(dataclasses.replace(operation, x_mock=mock) if mock else operation)
    return operations


def _warn_bodiless(path: Path, operations: tuple[Operation, ...]) -> None:
    """HTTP forbids a body on 1xx, 204 and 304: say so once, for the spec's author, and send none."""
    found = [
        f"{op.method.upper()} {op.path} {code}"
        for op in operations
        for code, response in op.responses.items()
        if response.schema is not None and (code in ("204", "304") or code.startswith("1"))
    ]
    if found:
        count = f"{len(found)} × " if len(found) > 1 else ""
        logger.warning(
            "%s: %sa body is documented for a status that HTTP sends without one; answered without (first at %s)",
            path,
            count,
            found[0],
        )


def _unshadowed(path: Path, operations: tuple[Operation, ...], strict: bool) -> tuple[Operation, ...]:
    """Operations whose route the mock's own endpoints under each mount (openapi.json, Swagger UI) would hide:
    refused with --strict; else named once and left out, rather than silently never answered."""
    hidden = [(op, reason) for op in operations if (reason := shadowed(op.method, op.path)) is not None]
    if not hidden:
        return operations
    op, reason = hidden[0]
    line = f"{op.method.upper()} {op.path} is {reason}"
    if strict:
        raise SpecLoadError(path, SpecErrorKind.RESERVED_ROUTE, line)
    count = f" (and {len(hidden) - 1} more)" if len(hidden) > 1 else ""
    logger.warning("%s: %s%s; not routed (--strict refuses it)", path, line, count)
    return tuple(o for o in operations if all(o is not h for h, _ in hidden))


def _warn_unreachable(path: Path, operations: tuple[Operation, ...]) -> None:
    """A path with `#` or `?` in it can never be requested: clients keep a fragment, and a query is not a path."""
    found = sorted({op.path for op in operations if not op.routable})
    if found:
        count = f"{len(found)} × " if len(found) > 1 else ""
        logger.warning(
            "%s: %sa path holds '#' or '?', which no request can reach; not routed (first: %s)", path, count, found[0]
        )


def _is_status(code: str) -> bool:
    return code == "default" or bool(re.fullmatch(r"[1-5](?:\d\d|XX)", code, re.IGNORECASE))


def _default_operation_id(method: str, route: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", route).strip("_")
    return f"{method}_{slug}" if slug else method


def _parameters(shared: list[Any], own: list[Any]) -> list[Parameter]:
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*shared, *own]:  # operation-level parameters override path-level ones
        if isinstance(raw, dict) and isinstance(raw.get("name"), str) and raw.get("in") in _LOCATIONS:
            merged[(raw["name"], raw["in"])] = raw
    return [
        Parameter(
            name=raw["name"],
            location=raw["in"],
            required=bool(raw.get("required", raw["in"] == "path")),
            schema=_parameter_schema(raw),
            description=str(raw.get("description", "")),
            style=str(raw.get("style") or _DEFAULT_STYLE[raw["in"]]),
            explode=bool(raw.get("explode", (raw.get("style") or _DEFAULT_STYLE[raw["in"]]) == "form")),
            allow_empty=bool(raw.get("allowEmptyValue")) and raw["in"] == "query",
        )
        for raw in merged.values()
    ]


_LOCATIONS = ("query", "path", "header", "cookie")
_DEFAULT_STYLE = {"query": "form", "path": "simple", "header": "simple", "cookie": "form"}


def _parameter_schema(raw: dict[str, Any]) -> dict[str, Any]:
    schema = raw.get("schema")
    if isinstance(schema, dict):
        return schema
    # `content` instead of `schema`: a parameter serialised as (usually JSON) text.
    content = raw.get("content")
    if isinstance(content, dict):
        media = next((m for m in content.values() if isinstance(m, dict) and isinstance(m.get("schema"), dict)), None)
        if media is not None:
            return dict(media["schema"])
    return {}


def _response(status: str, raw: Any) -> ResponseSpec:
    raw = _dict(raw)
    content = _dict(raw.get("content"))
    content = {str(m): _dict(c) for m, c in content.items()}
    media_type = next((m for m in content if m == "application/json"), None)
    media_type = media_type or next((m for m in content if "json" in m), None) or next(iter(content), None)
    media = content.get(media_type, {}) if media_type else {}
    raw_examples = _dict(media.get("examples"))
    examples = {name: ex.get("value") for name, ex in raw_examples.items() if isinstance(ex, dict) and "value" in ex}
    if "example" in media:
        examples.setdefault("default", media["example"])
    headers = _dict(raw.get("headers"))
    return ResponseSpec(
        status=status,
        description=str(raw.get("description", "")),
        media_type=media_type,
        schema=media.get("schema") if media_type and isinstance(media.get("schema"), dict) else None,
        examples=examples,
        headers={name: (h.get("schema") or {}) for name, h in headers.items() if isinstance(h, dict)},
        content=content,
    )


def _security(requirements: Any, schemes: dict[str, Any]) -> tuple[tuple[SecurityScheme, ...], ...]:
    if not requirements or not isinstance(requirements, list):
        return ()
    alternatives: list[tuple[SecurityScheme, ...]] = []
    for requirement in requirements:
        if not requirement or not isinstance(requirement, dict):  # `{}` makes authentication optional
            return ()
        alternatives.append(tuple(_scheme(str(name), schemes.get(name)) for name in requirement))
    return tuple(alternatives)


def _scheme(name: str, raw: Any) -> SecurityScheme:
    raw = _dict(raw)
    kind = str(raw.get("type", "http"))
    if kind == "apiKey":
        return SecurityScheme(name, kind, location=str(raw.get("in", "header")), param_name=str(raw.get("name", "")))
    if kind == "http":
        return SecurityScheme(name, kind, scheme=str(raw.get("scheme", "bearer")).lower())
    # oauth2 / openIdConnect tokens travel as bearer tokens.
    return SecurityScheme(name, kind, scheme="bearer")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
