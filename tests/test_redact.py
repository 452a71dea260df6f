"""Masking credentials in bodies the journal keeps, where the credential's value is not known beforehand."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.redact import _mask_fields, _names_a_member, mask_body_fields


@pytest.mark.parametrize(
    ("body", "masked"),
    [
        ('{"user": "a", "password": "hunter2"}', '{"user": "a", "password": "***"}'),
        ('{"api_key":"x\\"y", "keys": [1]}', '{"api_key":"***", "keys": [1]}'),
        ('{"nested": {"refreshToken": "r"}}', '{"nested": {"refreshToken": "***"}}'),
        ("user=a&password=hunter2&token=&x=1", "user=a&password=***&token=***&x=1"),
    ],
)
def test_fields_named_for_a_credential_are_masked(body: str, masked: str) -> None:
    assert mask_body_fields(body) == masked


@pytest.mark.parametrize("body", ['{"data": [{"date": "2026-01-01"}]}', "plain text", 'a "key" word in prose'])
def test_other_bodies_are_left_as_they_are(body: str) -> None:
    assert mask_body_fields(body) == body


@pytest.mark.parametrize(
    "hostile", ['"token' * 700, '"' + "a" * 4000 + "key", "&key" * 1000, '"key":"' + "\\\\" * 2000, '"key": ' * 500]
)
def test_hostile_bodies_are_masked_within_a_second(hostile: str) -> None:
    # The journal masks every request's body: a pattern that backtracks on such input would stall the server.
    started = time.perf_counter()
    mask_body_fields(hostile[:4096])
    assert time.perf_counter() - started < 1.0  # milliseconds here; generous for a loaded machine


def test_a_json_answer_about_tokens_is_left_as_it_is_without_the_full_scan() -> None:
    # OpenRouter's answers say "prompt_tokens": 12 in every item: numbers, never a credential.
    body = '{"data": [{"prompt_tokens": 12, "completion_tokens": 3, "model": "openai/gpt-4o"}]}'
    assert mask_body_fields(body) == body
    assert not _names_a_member(body.casefold())


@pytest.mark.parametrize(
    ("body", "masked"),
    [
        ('{"ſecret": "x"}', '{"ſecret": "***"}'),  # re's IGNORECASE takes the long s for an s
        ('{"token"' + " " * 100 + ':\n\t"x"}', '{"token"' + " " * 100 + ':\n\t"***"}'),
        ('{"API_KEY":"x", "prompt_tokens": 1}', '{"API_KEY":"***", "prompt_tokens": 1}'),
        ('{"token' + "a" * 59 + '": "x"}', '{"token' + "a" * 59 + '": "***"}'),  # a name of 64: the longest
        ('{"token' + "a" * 60 + '": "x"}', '{"token' + "a" * 60 + '": "x"}'),  # 65: not a name the scan reads
    ],
)
def test_the_quick_look_never_skips_a_member_the_full_scan_masks(body: str, masked: str) -> None:
    assert mask_body_fields(body) == masked


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='"\\:=& \t\nabkeytonsecrpwdhuAKſ_{}[],1', max_size=300))
def test_the_quick_look_agrees_with_the_full_scan_on_any_text(body: str) -> None:
    assert mask_body_fields(body) == _mask_fields(body)


def test_many_words_before_one_far_quote_are_looked_past_once() -> None:
    hostile = ("key" * 21 + '"' + " " * 3000)[:4096]
    started = time.perf_counter()
    for _ in range(10):
        assert mask_body_fields(hostile) == hostile
    assert time.perf_counter() - started < 1.0
