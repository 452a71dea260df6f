"""Schema patterns: RE2 with Python's meaning where it can, a backtracking engine on a clock where it cannot."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver import deadline
from mockserver.openapi import patterns
from mockserver.openapi.patterns import PatternError, PatternTimeout, matcher, search
from mockserver.openapi.requests import validator_for
from mockserver.openapi.validation import schema_validator

EVIL = "a" * 40 + "!"
BOUND = 5.0  # seconds; Python's `re` needs hours for EVIL against `^(a+)+$`
# Patterns as OpenAPI documents write them (ECMA-ish), each with texts that must match as Python's `re` says.
OPENAPI_PATTERNS = [
    r"^\d+$",
    r"^\w+$",
    r"^\s*$",
    r"^[a-z0-9_-]{3,16}$",
    r"^[A-Z]{2}\d{2}[A-Z0-9]{1,30}$",
    r"(?i)^abc$",
    r"^[^\W\d_]+$",
    r"[\W]",
    r"[\d\s]",
    r"[^\d\s]",
    r"^\D+\S$",
    r"^(?:[01]\d|2[0-3]):[0-5]\d$",
    r"^\+?[1-9]\d{1,14}$",
    r"^[\u4e00-\u9fa5]+$",
    r"^café$",
    r"(?<year>\d{4})-(?<month>\d\d)",
    r"^.+$",
    r"(?s)^.+$",
    r"(?m)^b$",
    r"^(a|b)*?c",
    r"^[\w.+-]+@[\w-]+\.[\w.]+$",
    r"^(?=.*\d)\w+$",
    r"(\w)\1",
    r"\bword\b",
    r"^[\]\-\\]+$",
    r"^.{0,5}$",
    r"(?i)a(?-i:b)",
    r"^[\x00-\x7f]*$",
    r"^$",
    r"\Aab\Z",
]
ALPHABET = "aAbBcC01239_ -\n\t.@+]\\éÉ中一١\u2003\x1c\x0bÿK\u212a"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(OPENAPI_PATTERNS), st.text(ALPHABET, max_size=10))
def test_a_pattern_matches_what_pythons_re_matches(pattern: str, text: str) -> None:
    expected = re.search(patterns.ecma_to_python(pattern), text) is not None
    assert search(pattern, text) is expected


@pytest.mark.parametrize(("category", "python"), [("\\d", r"\d"), ("\\w", r"\w"), ("\\s", r"\s")])
def test_a_class_shorthand_means_every_character_it_means_in_python(category: str, python: str) -> None:
    # The Basic Multilingual Plane; beyond it Python 3.11 (Unicode 14) and RE2 (newer) know different letters.
    plane = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF)
    ours = matcher(f"^{category}$")
    theirs = re.compile(f"^{python}$")
    assert [ch for ch in plane if ours(ch) != bool(theirs.search(ch))] == []


def test_a_catastrophic_pattern_matches_in_linear_time() -> None:
    started = time.monotonic()
    assert search(r"^(a+)+$", "a" * 100_000 + "!") is False
    assert search(r"^(a|aa)+$", EVIL) is False
    assert search(r"^(a+)+$", "a" * 100_000) is True
    assert time.monotonic() - started < BOUND


def test_a_catastrophic_pattern_re2_cannot_run_times_out() -> None:
    started = time.monotonic()
    with pytest.raises(PatternTimeout):
        search(r"^(?=a)(a|aa)+$", "a" * 60 + "!")
    with pytest.raises(PatternTimeout):  # the same text again: refused without another try
        search(r"^(?=a)(a|aa)+$", "a" * 60 + "!")
    assert time.monotonic() - started < BOUND


def test_a_fallback_match_stops_with_the_requests_budget() -> None:
    with deadline.within(0.05), pytest.raises(deadline.BudgetExceeded):
        search(r"^(?=b)(b|bb)+$", "b" * 60 + "!")


def test_an_ecma_pattern_pythons_re_cannot_read_is_matched() -> None:
    assert search(r"^\p{L}+$", "Zoë") is True
    assert search(r"^\p{L}+$", "Zoë1") is False


def test_a_pattern_no_engine_reads_is_an_error_and_the_check_accepts() -> None:
    with pytest.raises(PatternError):
        matcher("[unclosed")
    check = validator_for({"type": "string", "pattern": "[unclosed"}, openapi_31=False)
    assert check("anything") == []


def test_a_lone_surrogate_is_matched_too() -> None:
    assert search("a", "\ud800a") is True
    assert search(r"^\d+$", "\ud800") is False


@pytest.mark.parametrize("openapi_31", [False, True])
def test_every_schema_validator_matches_patterns_in_linear_time(openapi_31: bool) -> None:
    # The request checks, and the validator generation and shaping use on request and generated values.
    schema = {
        "type": "object",
        "properties": {"q": {"type": "string", "pattern": "^(a+)+$"}},
        "additionalProperties": False,
        "patternProperties": {"^(x+)+$": {"type": "integer"}},
    }
    started = time.monotonic()
    assert validator_for(schema, openapi_31=openapi_31)({"q": EVIL})
    assert schema_validator(schema, openapi_31=openapi_31)({"q": EVIL})
    assert validator_for(schema, openapi_31=openapi_31)({"x" * 40 + "!": 1})
    assert schema_validator(schema, openapi_31=openapi_31)({"x" * 40 + "!": 1})
    assert schema_validator(schema, openapi_31=openapi_31)({"q": "aaa", "xx": 1}) == []
    assert time.monotonic() - started < BOUND


def test_the_deadline_is_off_outside_a_request_and_the_earlier_one_holds_when_nested() -> None:
    assert deadline.remaining() is None
    deadline.check()
    with deadline.within(60), deadline.within(3600):
        left = deadline.remaining()
        assert left is not None and left <= 60
    assert deadline.remaining() is None
