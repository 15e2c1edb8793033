"""Client-side rate limiting: a token bucket per (account, region, service).

Clouds throttle per account, region and API family; a scan that fires hundreds of concurrent
calls at one bucket gets throttled and then spends its time in back-off. Pacing requests just
under the published rate costs nothing when the scan is small and saves the retries when it is
not. Retries themselves stay with the SDKs (botocore's adaptive mode, azure-core's Retry-After
handling, google-api-core's retry) which honour the server's answer.
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
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
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

    def acquire(self) -> float:
        """Take one token, sleeping until there is one; returns the time waited."""
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
    ) -> None:
        self.limits = limits
        self.default = default
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
                found = TokenBucket(rate, burst, clock=self._clock, sleep=self._sleep)
                self._buckets[key] = found
            return found

    @property
    def waited(self) -> float:
        with self._lock:
            return sum(b.waited for b in self._buckets.values())
