"""Absurd number constraints (issue 10): never an exception; a valid value where one exists, else a warning."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from mockserver.generation.context import make_context
from mockserver.generation.numbers import compile_number
from mockserver.openapi.validation import schema_validator

SATISFIABLE = [
    {"multipleOf": 1e-300, "minimum": 1e300},
    {"multipleOf": 1e-300},
    {"multipleOf": 7, "minimum": 10**30},
    {"multipleOf": 1e308, "minimum": 1},
    {"minimum": 1e308, "maximum": 1.7e308},
    {"minimum": 10**400},
]
UNSATISFIABLE = [
    {"minimum": 10, "maximum": 1},
    {"multipleOf": 3, "minimum": 1, "maximum": 3, "exclusiveMaximum": True},
    {"multipleOf": 2.5, "minimum": 0.1, "maximum": 0.2},
    {"minimum": 1, "maximum": 1, "exclusiveMinimum": True},
]
UNUSABLE = [{"multipleOf": 0}, {"multipleOf": -2}, {"multipleOf": "x"}, {"minimum": "5"}, {"maximum": float("inf")}]


def draws(schema: dict[str, Any], integer: bool) -> list[int | float]:
    gen = compile_number(schema, "value", integer=integer, in_error=False, openapi_31=False)
    return [gen(make_context(seed, "numbers"), 0) for seed in range(20)]


@pytest.mark.parametrize("integer", [False, True], ids=["number", "integer"])
@pytest.mark.parametrize("constraints", SATISFIABLE, ids=str)
def test_absurd_but_satisfiable_constraints_get_valid_values(constraints: dict[str, Any], integer: bool) -> None:
    schema = {"type": "integer" if integer else "number", **constraints}
    check = schema_validator(schema, openapi_31=False)
    assert [v for v in draws(schema, integer) if check(v)] == []


@pytest.mark.parametrize("constraints", UNSATISFIABLE, ids=str)
def test_constraints_no_number_meets_are_a_warning_and_a_fallback(
    constraints: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "mockserver"):
        values = draws({"type": "number", **constraints}, False)
    assert len(set(values)) == 1
    assert "value: no number" in caplog.text


@pytest.mark.parametrize("constraints", UNUSABLE, ids=str)
def test_unusable_number_keywords_are_ignored_with_a_warning(
    constraints: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "mockserver"):
        values = draws({"type": "integer", **constraints}, True)
    assert all(isinstance(v, int) for v in values)
    assert "is not a usable number; ignored" in caplog.text
