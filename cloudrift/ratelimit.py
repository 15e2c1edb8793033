"""Client-side rate limiting: a token bucket per (account, region, service).

Clouds throttle per account, region and API family; a scan that fires hundreds of concurrent
calls at one bucket gets throttled and then spends its time in back-off. A bucket may start
disengaged: calls go at full speed until the service first throttles, and from then on they are
paced at the published rate. Pacing from the first call would cost every large scan
``(calls - burst) / rate`` seconds against a service that would never have throttled it (the
benchmarks measured 21 s instead of 3 s). Retries themselves stay with the SDKs (botocore's
adaptive mode, azure-core's Retry-After handling, google-api-core's retry), which honour the
server's answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Mapping


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up; ``acquire`` waits for one."""

    def __init__(
        self,
        rate: float,
        burst: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        engaged: bool = True,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self.engaged = engaged
        self._clock = clock
        self._sleep = sleep
        self._tokens = burst
        self._updated = clock()
        self._lock = threading.Lock()
        self.waited = 0.0

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def engage(self) -> None:
        """Start pacing (the service throttled us); the bucket starts empty of savings."""
        with self._lock:
            if not self.engaged:
                self.engaged = True
                self._tokens = 0.0
                self._updated = self._clock()

    def acquire(self) -> float:
        """Take one token, sleeping until there is one; returns the time waited."""
        if not self.engaged:
            return 0.0
        with self._lock:
            self._refill()
            self._tokens -= 1
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
            self.waited += wait
        if wait:
            self._sleep(wait)
        return wait


class RateLimits:
    """Buckets created on first use, from a table of (rate, burst) per service."""

    def __init__(
        self,
        limits: Mapping[str, tuple[float, float]],
        default: tuple[float, float],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        engaged: bool = True,
    ) -> None:
        self.limits = limits
        self.default = default
        self.engaged = engaged
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[Hashable, TokenBucket] = {}
        self._lock = threading.Lock()

    def bucket(self, account: str, region: str, service: str) -> TokenBucket:
        key = (account, region, service)
        with self._lock:
            found = self._buckets.get(key)
            if found is None:
                rate, burst = self.limits.get(service, self.default)
                found = TokenBucket(rate, burst, clock=self._clock, sleep=self._sleep,
                                    engaged=self.engaged)
                self._buckets[key] = found
            return found

    @property
    def waited(self) -> float:
        with self._lock:
            return sum(b.waited for b in self._buckets.values())
