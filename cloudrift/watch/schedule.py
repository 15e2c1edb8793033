"""When ``cloudrift watch`` scans: ``--every DURATION`` or ``--cron EXPR``, with jitter.

A schedule is a series of slots in wall-clock time (epoch seconds). ``--every`` slots are the
moment the watch started, then one every interval after it; ``--cron`` slots are those of the
expression, read in UTC (croniter). The first scan starts at once; each later one at its slot
plus a random delay of up to ``jitter`` times the slot's period, so that many watchers started
together do not call the cloud's APIs in step. A scan that overruns its slot is never
overlapped: the next scan waits for the first slot after it finished, and the slots it overran
are skipped, not caught up.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from cloudrift.errors import ConfigError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
MAX_JITTER = 0.5


def parse_interval(text: str, option: str = "--every") -> float:
    """``90s``, ``15m``, ``1h``, ``1d``, ``0.5s`` (a bare number is seconds) -> seconds."""
    match = _DURATION.match(text)
    seconds = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()] \
        if match else 0.0
    if not match or seconds <= 0 or not math.isfinite(seconds):
        raise ConfigError(f"{option} {text!r} is not a duration",
                          hint="e.g. 30s, 15m, 1h, 1d")
    return seconds


def parse_jitter(text: str) -> float:
    """A fraction of the interval, 0 to 0.5 (``0.1``, or ``10%``)."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= MAX_JITTER:
        raise ConfigError(f"--jitter {text!r} is not a fraction of the interval from 0 to "
                          f"{MAX_JITTER}", hint="e.g. 0.1 or 10%")
    return value


class Schedule(Protocol):
    def next_slot(self, after: float) -> float:
        """The slot that follows ``after`` (epoch seconds; the loop passes the last slot)."""

    def period(self, slot: float) -> float:
        """The time from ``slot`` to the slot after it, in seconds."""

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Every:
    """Slots ``interval`` apart, counted from the slot given: the first is the watch's
    start."""

    interval: float

    def next_slot(self, after: float) -> float:
        return after + self.interval

    def period(self, slot: float) -> float:
        return self.interval

    def describe(self) -> str:
        return f"every {_shown(self.interval)}"


@dataclass(frozen=True)
class Cron:
    expression: str

    @classmethod
    def parse(cls, expression: str) -> Cron:
        from croniter import croniter

        if not croniter.is_valid(expression):
            raise ConfigError(f"--cron {expression!r} is not a cron expression",
                              hint="five fields, minute hour day month weekday, e.g. "
                              "'0 * * * *' (read in UTC)")
        return cls(expression)

    def next_slot(self, after: float) -> float:
        from croniter import croniter

        start = datetime.fromtimestamp(after, timezone.utc)
        return float(croniter(self.expression, start).get_next(float))

    def period(self, slot: float) -> float:
        return self.next_slot(slot) - slot

    def describe(self) -> str:
        return f"cron {self.expression!r} (UTC)"


@dataclass
class Jitter:
    """Random delays of up to ``fraction`` of a period; ``seed`` makes them repeatable."""

    fraction: float
    seed: int | None = None
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def delay(self, period: float) -> float:
        if self.fraction <= 0:
            return 0.0
        return self._random.uniform(0.0, self.fraction * period)


def _shown(seconds: float) -> str:
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("m", 60.0)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
