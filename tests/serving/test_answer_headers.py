"""Rate-limit counters per credential (bounded, windowed) and the origin URLs in headers start with."""

from __future__ import annotations

import pytest

from mockserver.serving.answer_headers import RateCounters, origin


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_credential_counts_down_until_its_window_resets() -> None:
    clock = Clock()
    counters = RateCounters(limit=3, window=10, clock=clock)
    assert [counters.take("a")[1] for _ in range(4)] == [2, 1, 0, 0]  # never below zero
    clock.now += 4
    assert counters.take("a") == (3, 0, 6)
    clock.now += 6
    assert counters.take("a") == (3, 2, 10)


def test_credentials_are_counted_apart_and_the_oldest_forgotten_past_capacity() -> None:
    counters = RateCounters(limit=5, window=60, capacity=2, clock=Clock())
    counters.take("a")
    counters.take("a")
    counters.take("b")
    assert counters.take("b")[1] == 3
    counters.take("c")  # three credentials: the least recently seen, "a", is forgotten
    assert len(counters._seen) == 2
    assert counters.take("a")[1] == 4


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("localhost:8000", "http://localhost:8000"),
        ("[::1]:8000", "http://[::1]:8000"),
        ("evil.test/path?x=", ""),
        ('a"b', ""),
        ("", ""),
    ],
)
def test_the_origin_is_the_clients_plain_host_or_nothing(host: str, expected: str) -> None:
    scope = {"type": "http", "scheme": "http", "headers": [(b"host", host.encode())] if host else []}
    assert origin(scope) == expected
