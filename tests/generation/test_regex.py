"""Tests for compiling JSON Schema `pattern`s into string generators."""

from __future__ import annotations

import math
import re
import string
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.generation.regex import UnsupportedPattern, compile_pattern

SEEDS = range(200)


def _samples(pattern: str, **bounds: int) -> list[str]:
    generate = compile_pattern(pattern, **bounds)
    return [generate(Random(seed)) for seed in SEEDS]


REAL_WORLD_PATTERNS = {
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "date_time": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$",
    "semver": r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$",
    "slug": r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "api_key": r"^sk-or-v1-[a-f0-9]{64}$",
    "currency_code": r"^[A-Z]{3}$",
    "email_loose": r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$",
    "email_strict": r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$",
    "enum_alternation": r"^(daily|weekly)$",
    "e164_phone": r"^\+?[1-9]\d{1,14}$",
    "unanchored_literal": r"abc",
    "negated_class": r"[^,]+",
    "word_boundary": r"\bfoo",
    "open_ended_repeat": r"a{2,}",
    "lazy_star": r"x*?",
    "escaped_dot": r"^\d+\.\d+$",
    "escaped_slash": r"^\/api\/v1\/[a-z]+$",
    "unicode_literal": r"^café$",
    "unicode_class": r"^[äöüß]+$",
    "uuid": r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
    "hex_color": r"^#(?:[0-9a-fA-F]{3}){1,2}$",
    "ipv4": r"^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$",
    "case_insensitive": r"(?i)^[a-z]{3}$",
    "case_insensitive_negation": r"(?i)^[^a-m]+$",
    "non_whitespace": r"^\S+ \S+$",
    "word_chars_and_punctuation": r"^[\w.-]+$",
    "non_digits_non_words": r"^\D+\W+$",
    "non_ascii_only": r"^[^\x00-\x7F]+$",
    "title_case_words": r"^[A-Z][a-z]+(?: [A-Z][a-z]+)*$",
    "price": r"^\$\d+(\.\d{2})?$",
    "zip_code": r"^\d{5}(-\d{4})?$",
    "anything": r".*",
    "escaped_unicode": r"^\u00e9+\x41$",
}


@pytest.mark.parametrize("pattern", REAL_WORLD_PATTERNS.values(), ids=REAL_WORLD_PATTERNS.keys())
def test_generated_string_matches_real_world_pattern(pattern: str) -> None:
    for value in _samples(pattern):
        assert re.search(pattern, value), (pattern, value)


def test_generated_string_matches_date_pattern() -> None:
    for value in _samples(r"^\d{4}-\d{2}-\d{2}$"):
        assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value)


def test_unanchored_pattern_generates_just_the_match() -> None:
    assert set(_samples("abc")) == {"abc"}
    assert set(_samples(r"\bfoo")) == {"foo"}


def test_unbounded_repeats_are_capped_small() -> None:
    assert {len(v) for v in _samples(r"^\d+$")} == {1, 2, 3, 4, 5}
    assert {len(v) for v in _samples(r"^a{2,}$")} == {2, 3, 4, 5, 6}
    assert max(len(v) for v in _samples(".*")) <= 4


def test_bounded_repeat_uses_its_whole_range_when_small() -> None:
    assert {len(v) for v in _samples(r"^\d{1,14}$")} == set(range(1, 15))


def test_alternation_produces_every_branch() -> None:
    assert set(_samples(r"^(daily|weekly|monthly)$")) == {"daily", "weekly", "monthly"}


def test_dot_never_generates_newline() -> None:
    assert all("\n" not in v for v in _samples(r"^.{20}$"))


def test_digit_and_word_classes_generate_ascii_only_like_ecma() -> None:
    assert all(set(v) <= set(string.digits) for v in _samples(r"^\d{10}$"))
    assert all(set(v) <= set(string.ascii_letters + string.digits + "_") for v in _samples(r"^\w{10}$"))


def test_classes_prefer_readable_alphanumerics() -> None:
    assert all(v.isalnum() and v.isascii() for v in _samples(r"^[^,]{8}$"))
    assert all(v.isalnum() for v in _samples(r"^[a-zA-Z0-9._%+-]{8}$"))


def test_punctuation_only_class_still_generates_its_members() -> None:
    assert set("".join(_samples(r"^[._-]{4}$"))) == {".", "_", "-"}


def test_ecma_named_groups_are_accepted() -> None:
    for value in _samples(r"^(?<year>\d{4})-(?<month>\d{2})$"):
        assert re.fullmatch(r"\d{4}-\d{2}", value)


@pytest.mark.parametrize(
    ("pattern", "min_length", "max_length"),
    [
        (r"^[a-z]+$", 10, 12),
        (r"^[a-z0-9]+(?:-[a-z0-9]+)*$", 20, 30),
        (r"^[A-Z]{2,10}$", 4, 6),
        (r"^.*$", 5, 5),
        (r"\d+", 1, 3),
        (r"\w*", 0, 2),
        (r"^(daily|weekly)$", 6, 10),
        (r"^\+?[1-9]\d{1,14}$", 12, 12),
    ],
)
def test_length_bounds_are_respected(pattern: str, min_length: int, max_length: int) -> None:
    for value in _samples(pattern, min_length=min_length, max_length=max_length):
        assert min_length <= len(value) <= max_length, value
        assert re.search(pattern, value)


def test_unanchored_pattern_is_padded_to_min_length() -> None:
    for value in _samples("abc", min_length=10):
        assert len(value) == 10 and value.startswith("abc")


def test_padding_need_never_pushes_a_repeat_past_its_max() -> None:
    for value in _samples("Za?Z", min_length=10):
        assert len(value) == 10 and re.search("Za?Z", value), value


def test_only_max_length_caps_unbounded_repeats() -> None:
    assert all(len(v) <= 2 for v in _samples(r"^[a-z]*$", max_length=2))


@pytest.mark.parametrize(
    ("pattern", "bounds"),
    [
        (r"^\d{4}$", {"max_length": 3}),
        (r"^[a-z]{2}$", {"min_length": 5}),
        (r"\bab", {"min_length": 5}),  # a boundary anchor forbids padding
        (r"[a-z]*", {"min_length": 5, "max_length": 4}),
    ],
)
def test_impossible_length_bounds_raise_at_compile_time(pattern: str, bounds: dict[str, int]) -> None:
    with pytest.raises(UnsupportedPattern):
        compile_pattern(pattern, **bounds)


@pytest.mark.parametrize(
    "pattern",
    [r"(?=a)a", r"foo(?!bar)", r"(?<=x)y", r"(?<!x)y", r"(a)\1", r"(?P<x>a)(?P=x)", r"(a)?(?(1)b|c)"],
    ids=["lookahead", "negative_lookahead", "lookbehind", "negative_lookbehind", "backref", "named_backref", "cond"],
)
def test_lookaround_and_backreferences_raise_unsupported(pattern: str) -> None:
    with pytest.raises(UnsupportedPattern):
        compile_pattern(pattern)


def test_invalid_pattern_raises_unsupported_which_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        compile_pattern("(unclosed")


def test_class_matching_nothing_printable_raises_unsupported() -> None:
    with pytest.raises(UnsupportedPattern):
        compile_pattern(r"[^\s\S]")


def test_same_seed_gives_same_string() -> None:
    generate = compile_pattern(REAL_WORLD_PATTERNS["semver"], min_length=8, max_length=20)
    first = [generate(Random(seed)) for seed in SEEDS]
    assert first == [generate(Random(seed)) for seed in SEEDS]
    assert len(set(first)) > 100  # and different seeds give variety


def test_generator_does_not_reparse_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    generate = compile_pattern(REAL_WORLD_PATTERNS["email_strict"], min_length=10, max_length=30)

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("pattern parsed at generation time")

    monkeypatch.setattr("re._parser.parse", fail)
    rng = Random(0)
    assert all(10 <= len(generate(rng)) <= 30 for _ in range(100))


# --- property tests over a small grammar of supported constructs -------------------------------------------------

_ATOMS = [
    "a",
    "Z",
    "7",
    "x",
    r"\.",
    r"\-",
    r"\/",
    "é",
    ".",
    r"\d",
    r"\w",
    r"\s",
    r"\D",
    r"\W",
    r"\S",
    "[a-z]",
    "[^,]",
    "[A-F0-9_]",
    r"[\d.]",
    "[^a-z]",
    r"[^\s]",
    "[-+]",
    "[äö]",
]
# quantifier -> (min, max) repeat count
_QUANTS = {
    "": (1, 1),
    "?": (0, 1),
    "*": (0, math.inf),
    "+": (1, math.inf),
    "??": (0, 1),
    "*?": (0, math.inf),
    "+?": (1, math.inf),
    "{2}": (2, 2),
    "{1,3}": (1, 3),
    "{2,}": (2, math.inf),
    "{0,2}?": (0, 2),
}
atoms = st.sampled_from(_ATOMS)
quants = st.sampled_from(list(_QUANTS))
# Unbounded quantifiers on groups (`(a*)*`) make Python's own `re.search` backtrack exponentially,
# which would hang the oracle rather than test the generator.
group_quants = st.sampled_from(["", "?", "??", "{2}", "{1,3}", "{0,2}?"])


def _regexes() -> st.SearchStrategy[str]:
    leaf = st.builds(str.__add__, atoms, quants)
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=4).map("".join),
            st.lists(inner, min_size=2, max_size=3).map(lambda alts: "(?:" + "|".join(alts) + ")"),
            st.tuples(inner, group_quants).map(lambda t: f"({t[0]}){t[1]}"),
        ),
        max_leaves=12,
    )


@settings(max_examples=300, deadline=None)
@given(body=_regexes(), anchored=st.booleans(), seed=st.integers(0, 2**32))
def test_generated_string_matches_random_grammar_pattern(body: str, anchored: bool, seed: int) -> None:
    pattern = f"^{body}$" if anchored else body
    generate = compile_pattern(pattern)
    rng = Random(seed)
    for _ in range(5):
        value = generate(rng)
        assert re.search(pattern, value), (pattern, value)


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(st.tuples(atoms, quants), min_size=1, max_size=5),
    min_length=st.integers(0, 30),
    extra=st.integers(0, 30),
    seed=st.integers(0, 2**32),
)
def test_length_bounds_hold_for_single_char_repeats(
    parts: list[tuple[str, str]], min_length: int, extra: int, seed: int
) -> None:
    # Single-character items make every length between the pattern's min and max reachable,
    # so the generator must either hit the bounds or reject them up front.
    pattern = "^" + "".join(atom + quant for atom, quant in parts) + "$"
    max_length = min_length + extra
    lo = sum(_QUANTS[q][0] for _, q in parts)
    hi = sum(_QUANTS[q][1] for _, q in parts)
    if lo > max_length or hi < min_length:
        with pytest.raises(UnsupportedPattern):
            compile_pattern(pattern, min_length=min_length, max_length=max_length)
        return
    generate = compile_pattern(pattern, min_length=min_length, max_length=max_length)
    rng = Random(seed)
    for _ in range(5):
        value = generate(rng)
        assert min_length <= len(value) <= max_length, (pattern, value)
        assert re.search(pattern, value), (pattern, value)


@settings(max_examples=200, deadline=None)
@given(body=_regexes(), min_length=st.integers(0, 40), seed=st.integers(0, 2**32))
def test_unanchored_patterns_always_reach_min_length(body: str, min_length: int, seed: int) -> None:
    generate = compile_pattern(body, min_length=min_length)
    value = generate(Random(seed))
    assert len(value) >= min_length and re.search(body, value), (body, value)
