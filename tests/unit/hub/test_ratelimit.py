"""Token buckets: a burst, a refill, a wait to report, and bounded memory."""

from __future__ import annotations

import pytest

from agent_assist.hub.ratelimit import Buckets, Limiter, Rate, RateLimits


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_per_interval() -> None:
    clock = Clock()
    buckets = Buckets(Rate(3, 60), clock=clock)
    assert [buckets.take("ip") for _ in range(3)] == [0, 0, 0]
    assert buckets.take("ip") == pytest.approx(20)  # 3 a minute: one every 20 s
    assert buckets.wait("ip") == pytest.approx(20)
    clock.now = 5
    assert buckets.wait("ip") == pytest.approx(15)
    clock.now = 20
    assert buckets.take("ip") == 0 and buckets.take("ip") > 0
    assert buckets.take("other") == 0  # keys are independent


def test_memory_is_bounded_and_forgetting_errs_towards_letting_through() -> None:
    buckets = Buckets(Rate(1, 60), size=100, clock=Clock())
    for i in range(1000):
        buckets.take(f"ip-{i}")
    assert len(buckets) == 100
    assert buckets.take("ip-0") == 0  # forgotten: a full bucket again
    assert buckets.take("ip-999") > 0  # recent: still empty


def test_zero_turns_a_limit_off() -> None:
    buckets = Buckets(Rate.parse("0"), clock=Clock())
    assert all(buckets.take("ip") == 0 for _ in range(1000)) and len(buckets) == 0


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("30/min", Rate(30, 60)),
        ("20/s", Rate(20, 1)),
        ("1000/h", Rate(1000, 3600)),
        ("45", Rate(45, 60)),
    ],
)
def test_rates_parse(text: str, rate: Rate) -> None:
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["fast", "10/day", "-1/s", "nan/s", "inf"])
def test_bad_rates_say_so(text: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        Rate.parse(text)


def test_limiter_counts_failures_per_ip_and_per_token_and_writes_per_caller() -> None:
    clock = Clock()
    limiter = Limiter(
        RateLimits(auth_failures=Rate(2, 60), writes=Rate(2, 60), ip_writes=Rate(3, 60)), clock
    )
    limiter.auth_failed("1.2.3.4", "hash-a")
    limiter.auth_failed("1.2.3.4", "hash-b")
    assert limiter.auth_blocked("1.2.3.4", "hash-c") > 0  # the address
    assert limiter.auth_blocked("5.6.7.8", "hash-c") == 0
    limiter.auth_failed("5.6.7.8", "hash-a")
    assert limiter.auth_blocked("9.9.9.9", "hash-a") > 0  # the token, from anywhere
    assert limiter.write("ip", "anna") == 0 and limiter.write("ip", "anna") == 0
    assert limiter.write("ip", "anna") > 0
    assert limiter.write("ip", "bob") == 0  # third write of the address
    assert limiter.write("ip", "carl") > 0  # the address is spent
