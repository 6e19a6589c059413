from __future__ import annotations

import random

from agent_assist.sync.backoff import Backoff


def test_full_jitter_doubles_up_to_the_cap() -> None:
    class Top(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    backoff = Backoff(base=1.0, cap=30.0, rng=Top())
    assert [backoff.next_delay() for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    backoff.reset()
    assert backoff.next_delay() == 1


def test_delays_are_spread_and_never_negative() -> None:
    backoff = Backoff(base=1.0, cap=300.0, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(200)]
    assert all(0 <= d <= 300 for d in delays)
    assert len({round(d, 3) for d in delays[10:]}) > 150  # jittered, not in lock-step
    assert Backoff(attempt=10_000).next_delay() <= 300  # no overflow after a long outage
