"""Token buckets by key (an IP address, a token's hash, a caller's name), in memory.

Each replica keeps its own buckets: a limit holds per process, which is what it is for (to
keep one sender from taking a replica's time).  Memory is bounded: at most ``size`` keys,
the least recently used forgotten first; a forgotten key starts again with a full bucket,
which only ever errs towards letting a request through.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    """``count`` requests per ``per`` seconds, all of them at once if they come together."""

    count: float
    per: float = 60.0

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``30/min``, ``20/s``, ``1000/h`` or a bare number (per minute); ``0`` turns the
        limit off."""
        number, _, unit = text.strip().partition("/")
        seconds = {"": 60.0, "s": 1.0, "sec": 1.0, "min": 60.0, "m": 60.0, "h": 3600.0}
        try:
            count = float(number)
            per = seconds[unit.strip().lower()]
        except (KeyError, ValueError):
            raise ValueError(f"'{text}' is not a rate (examples: 30/min, 20/s, 1000/h)") from None
        if not math.isfinite(count) or count < 0:
            raise ValueError(f"'{text}' is not a rate (the count must be 0 or more)")
        return cls(count, per)

    @property
    def off(self) -> bool:
        return self.count == 0


class Buckets:
    """One token bucket per key: ``rate.count`` tokens, refilled at ``rate.count / rate.per``
    a second.  ``clock`` is injectable so tests need not wait."""

    def __init__(
        self, rate: Rate, size: int = 20_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.size = size
        self.clock = clock
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()

    def _level(self, key: Hashable, now: float) -> float:
        entry = self._buckets.get(key)
        if entry is None:
            return self.rate.count
        level, at = entry
        return min(self.rate.count, level + (now - at) * self.rate.count / self.rate.per)

    def wait(self, key: Hashable) -> float:
        """Seconds until ``key`` may go (0: now), without using anything up."""
        if self.rate.off:
            return 0.0
        level = self._level(key, self.clock())
        return 0.0 if level >= 1 else (1 - level) * self.rate.per / self.rate.count

    def take(self, key: Hashable) -> float:
        """Use one token of ``key``'s bucket; returns 0 if there was one, else the seconds
        until there will be (and uses nothing)."""
        if self.rate.off:
            return 0.0
        now = self.clock()
        level = self._level(key, now)
        if level < 1:
            return (1 - level) * self.rate.per / self.rate.count
        self._buckets[key] = (level - 1, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self.size:
            self._buckets.popitem(last=False)
        return 0.0

    def __len__(self) -> int:
        return len(self._buckets)


@dataclass(frozen=True)
class RateLimits:
    """The hub's limits (``agent-assist-hub serve --limit-*``)."""

    auth_failures: Rate = Rate(30, 60)
    """Failed token checks per client IP and per presented token (then 429)."""
    writes: Rate = Rate(1200, 60)
    """POST/PUT/DELETE requests per token."""
    ip_writes: Rate = Rate(12000, 60)
    """POST/PUT/DELETE requests per client IP, whatever the token."""


class Limiter:
    """The buckets of one hub process."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.failed_ip = Buckets(limits.auth_failures, clock=clock)
        self.failed_token = Buckets(limits.auth_failures, clock=clock)
        self.writes = Buckets(limits.writes, clock=clock)
        self.ip_writes = Buckets(limits.ip_writes, clock=clock)

    def auth_blocked(self, ip: str, hashed: str) -> float:
        """Seconds this IP or token must wait after too many failed checks (0: go ahead)."""
        return max(self.failed_ip.wait(ip), self.failed_token.wait(hashed))

    def auth_failed(self, ip: str, hashed: str) -> None:
        self.failed_ip.take(ip)
        self.failed_token.take(hashed)

    def write(self, ip: str, caller: str) -> float:
        """Count a write; seconds to wait when over a limit (0: go ahead)."""
        wait = self.writes.wait(caller) or self.ip_writes.wait(ip)
        if wait:
            return wait
        self.writes.take(caller)
        self.ip_writes.take(ip)
        return 0.0
