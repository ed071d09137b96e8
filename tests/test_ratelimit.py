"""ratelimit.TokenBuckets: bursts, refill over time, independent keys, memory bound; no app."""

from __future__ import annotations

from intake_chat.core.ratelimit import TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_it_allows_a_burst_then_refuses_with_the_wait_until_the_next_token() -> None:
    clock = Clock()
    buckets = TokenBuckets(6, clock=clock)  # 6 a minute: one every 10 s
    assert [buckets.take("a") for _ in range(6)] == [0.0] * 6
    assert buckets.take("a") == 10.0
    clock.now += 5
    assert buckets.take("a") == 5.0
    clock.now += 5
    assert buckets.take("a") == 0.0


def test_keys_are_limited_independently() -> None:
    buckets = TokenBuckets(1, clock=Clock())
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0
    assert buckets.take("b") == 0.0


def test_zero_means_unlimited() -> None:
    buckets = TokenBuckets(0, clock=Clock())
    assert all(buckets.take("a") == 0.0 for _ in range(1000))


def test_it_forgets_refilled_buckets_when_too_many_keys_are_tracked() -> None:
    clock = Clock()
    buckets = TokenBuckets(60, clock=clock, max_keys=10)
    for n in range(10):
        buckets.take(f"k{n}")
    clock.now += 120  # every bucket is full again: forgetting them changes nothing
    buckets.take("new")
    assert len(buckets._buckets) == 1


def test_under_a_flood_of_keys_memory_stays_bounded() -> None:
    buckets = TokenBuckets(60, clock=Clock(), max_keys=100)
    for n in range(1000):
        buckets.take(f"k{n}")
    assert len(buckets._buckets) <= 100
