"""Filling an API's own error envelope with the problem being reported (`ctx.problem`).

Generic realism would put made-up text in an error's message and made-up entries in its list of field errors;
these helpers make the envelope say what actually went wrong with the request."""

from __future__ import annotations

from typing import Any

from mockserver.generation import semantics
from mockserver.generation.context import FieldError, GenContext, Problem
from mockserver.generation.protocol import Gen

__all__ = ["details_of", "field_errors", "is_details", "is_error_field", "is_problem_list"]

_ERROR_WORDS = frozenset({"error", "message", "msg", "detail", "code", "status", "name", "title"})


def is_error_field(prop: str) -> bool:
    """Whether a property of an error body says what went wrong (then it is always there, even if optional)."""
    return bool(set(semantics.tokens(prop)) & _ERROR_WORDS)


def is_details(name: str) -> bool:
    """Whether an error's free-form object under `name` describes the request that failed."""
    return semantics.normalize(name) in ("details", "metadata", "context")


def details_of(ctx: GenContext) -> dict[str, Any]:
    """An error's details: the problem's own, since made-up ones would mislead."""
    return dict(ctx.problem.details) if ctx.problem is not None else {}


def is_problem_list(items: Any) -> bool:
    """Whether array items of an error body are field errors (FastAPI's `loc`/`msg`, or `field`/`message`)."""
    props = items.get("properties", {}) if isinstance(items, dict) else {}
    return "loc" in props or "msg" in props or ("field" in props and "message" in props)


def field_errors(ctx: GenContext, problem: Problem, item: Gen | None, depth: int, lo: int) -> list[Any]:
    """A list of field errors, one item per error of `problem`, each generated and then filled in."""
    # Without field errors, a list of them is empty, except where a validation status needs one.
    invented = (FieldError(("body",), problem.message, problem.code),)
    errors = problem.errors or (invented if ctx.status == 422 or lo > 0 else ())
    return [_fill_problem_item(item(ctx, depth + 1) if item else {}, e) for e in errors]


def _fill_problem_item(item: Any, error: FieldError) -> Any:
    if not isinstance(item, dict):
        return item
    if "loc" in item:
        item["loc"] = list(error.location) if isinstance(item["loc"], list) else ".".join(map(str, error.location))
    for key in ("msg", "message"):
        if key in item:
            item[key] = error.message
    if "type" in item and isinstance(item["type"], str):
        item["type"] = error.type
    if "input" in item:
        item["input"] = error.input
    item.pop("ctx", None)  # FastAPI's constraint context; a random one would mislead
    for key in ("field", "param", "parameter"):
        if key in item and isinstance(item[key], str):
            item[key] = str(error.location[-1])
    return item
