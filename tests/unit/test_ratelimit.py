"""The token bucket paces calls with a fake clock: no sleeping, exact figures."""

from __future__ import annotations

import pytest

from cloudrift.ratelimit import RateLimits, TokenBucket


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_burst_is_free_then_calls_are_paced_at_the_rate() -> None:
    t = FakeTime()
    bucket = TokenBucket(rate=10, burst=3, clock=t.clock, sleep=t.sleep)
    waits = [bucket.acquire() for _ in range(6)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert [round(w, 6) for w in waits[3:]] == [0.1, 0.1, 0.1]
    assert round(t.now, 6) == 0.3


def test_idle_time_refills_up_to_the_burst_only() -> None:
    t = FakeTime()
    bucket = TokenBucket(rate=2, burst=2, clock=t.clock, sleep=t.sleep)
    bucket.acquire()
    bucket.acquire()
    t.now += 60
    assert [bucket.acquire() for _ in range(2)] == [0.0, 0.0]
    assert round(bucket.acquire(), 6) == 0.5


def test_buckets_are_per_account_region_and_service() -> None:
    t = FakeTime()
    limits = RateLimits({"ec2": (20, 100)}, (5, 1), clock=t.clock, sleep=t.sleep)
    assert limits.bucket("1", "eu-west-1", "ec2") is limits.bucket("1", "eu-west-1", "ec2")
    assert limits.bucket("1", "eu-west-1", "ec2") is not limits.bucket("1", "us-east-1", "ec2")
    other = limits.bucket("1", "eu-west-1", "sqs")
    assert (other.rate, other.burst) == (5, 1)
    other.acquire()
    other.acquire()
    assert limits.waited == pytest.approx(0.2)


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (1, 0.5), (-1, 5)])
def test_nonsense_limits_are_refused(rate: float, burst: float) -> None:
    with pytest.raises(ValueError, match="rate must be"):
        TokenBucket(rate, burst)


def test_a_disengaged_bucket_costs_nothing_until_engaged() -> None:
    t = FakeTime()
    bucket = TokenBucket(rate=10, burst=2, clock=t.clock, sleep=t.sleep, engaged=False)
    assert [bucket.acquire() for _ in range(50)] == [0.0] * 50
    bucket.engage()
    # from the throttle on, calls go at the rate, with no savings to spend
    assert [round(bucket.acquire(), 6) for _ in range(3)] == [0.1, 0.1, 0.1]
    assert round(t.now, 6) == 0.3


def test_the_first_throttle_engages_pacing() -> None:
    from types import SimpleNamespace

    from cloudrift_aws.session import _throttle_watch

    bucket = TokenBucket(rate=10, burst=2, engaged=False)
    watch = _throttle_watch(bucket)
    watch(response=(SimpleNamespace(status_code=400), {"Error": {"Code": "Validation"}}))
    watch(response=None)
    assert not bucket.engaged
    watch(response=(SimpleNamespace(status_code=400), {"Error": {"Code": "Throttling"}}))
    assert bucket.engaged
