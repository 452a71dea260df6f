"""The upstream rate bound: requests beyond it wait their turn, evenly spaced; a queue too long is refused."""

from __future__ import annotations

from mockserver.proxy.pacing import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_requests_within_the_rate_go_at_once() -> None:
    clock = Clock()
    pacer = Pacer(2, clock=clock)
    assert pacer.slot() == 0.0
    clock.now += 0.5
    assert pacer.slot() == 0.0


def test_a_burst_is_spaced_out_one_interval_apart() -> None:
    pacer = Pacer(4, clock=Clock())
    assert [pacer.slot() for _ in range(4)] == [0.0, 0.25, 0.5, 0.75]


def test_a_request_that_would_wait_too_long_is_refused_and_takes_no_slot() -> None:
    clock = Clock()
    pacer = Pacer(1, max_wait=2, clock=clock)
    assert [pacer.slot() for _ in range(3)] == [0.0, 1.0, 2.0]
    assert pacer.slot() is None
    clock.now += 1.0
    assert pacer.slot() == 2.0  # the refused one reserved nothing


def test_zero_means_no_bound() -> None:
    pacer = Pacer(0, clock=Clock())
    assert {pacer.slot() for _ in range(1000)} == {0.0}
