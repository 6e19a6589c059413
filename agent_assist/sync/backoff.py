"""Exponential backoff with full jitter, for reconnecting to a hub that is away.

Delay ``n`` is uniform in ``[0, min(cap, base * 2**n)]`` ("full jitter"): when a hub comes back
after an outage, its clients return spread out instead of all at once.  The random source is
injected so tests are exact.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    base: float = 1.0
    cap: float = 300.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def next_delay(self) -> float:
        """The delay before the next attempt; each call doubles the ceiling up to ``cap``."""
        ceiling = min(self.cap, self.base * 2 ** min(self.attempt, 62))
        self.attempt += 1
        return self.rng.uniform(0, ceiling)

    def reset(self) -> None:
        """After a success: the next failure starts again from ``base``."""
        self.attempt = 0
