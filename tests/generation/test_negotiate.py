"""`negotiate`: RFC 9110 `Accept` over the documented media types."""

from __future__ import annotations

import pytest

from mockserver.generation.media import negotiate

TYPES = ["application/json", "text/csv", "application/xml"]


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("text/csv", "text/csv"),
        ("text/*", "text/csv"),
        ("application/*", "application/json"),
        ("application/xml;q=0.9, text/csv;q=0.4", "application/xml"),
        ("*/*;q=0.1, text/csv", "text/csv"),
        ("*/*, application/json;q=0", "text/csv"),  # refused by the most specific range, whatever `*/*` says
        ("application/*;q=0, */*", "text/csv"),
        ("image/png", None),
        ("text/csv;q=0", None),
        ("text/csv;q=abc", None),  # an unreadable quality refuses rather than guesses
        ("TEXT/CSV", "text/csv"),
    ],
)
def test_the_preferred_documented_type_wins(accept: str | None, chosen: str | None) -> None:
    assert negotiate(accept, TYPES) == chosen


def test_among_equals_the_default_wins() -> None:
    assert negotiate("*/*", TYPES, default="text/csv") == "text/csv"
    assert negotiate("text/csv, application/xml", TYPES, default="application/xml") == "application/xml"
