"""What a watch process knows between scans, shared by the loop and the HTTP server.

The loop writes it (a scan began, finished, failed; the next one is planned; the process is
stopping); the server reads it for ``/``, ``/metrics`` and ``/healthz``. Only what those need
is kept: the last report's page already rendered, and counts, never the report itself, so the
memory a watch process holds does not grow with the number of scans.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cloudrift.watch.loop import Finished

# how many periods may pass with no scan finished before /healthz says the loop is stuck
STALE_PERIODS = 2.0
# and at least this long, for a scan that takes longer than a short interval
STALE_MIN_S = 60.0

RESULTS = ("ok", "drift", "error")


def result_of(exit_code: int) -> str:
    return {0: "ok", 1: "drift"}.get(exit_code, "error")


@dataclass(frozen=True)
class Snapshot:
    """The last scan that produced a report."""

    scan_id: str | None
    started_at: float
    finished_at: float
    duration_s: float
    exit_code: int
    html: bytes
    # (kind, type, root module, provider) -> findings
    findings: dict[tuple[str, str, str, str], int]
    statuses: dict[str, int]
    resolved: int
    api_calls: dict[tuple[str, str], int]
    coverage: float
    managed: int
    compared: int

    @classmethod
    def of(cls, outcome: Finished, started_at: float, finished_at: float) -> Snapshot:
        from cloudrift.report import OutputTarget, render

        report = outcome.report
        scrub = outcome.redactor.scrub
        findings: Counter[tuple[str, str, str, str]] = Counter(
            (f.kind.value, f.type, scrub(f.source or ""), f.provider) for f in report.findings
        )
        statuses = Counter(f.status.value for f in report.findings if f.status is not None)
        calls: Counter[tuple[str, str]] = Counter()
        for key, count in report.api_calls.items():
            provider, _, call = key.partition(":")
            # "sqs:GetQueueAttributes" or "sqs.get_queue_attributes": the service is enough
            calls[(provider, re.split(r"[:.]", call, maxsplit=1)[0])] += count
        html = render(report, OutputTarget("html", None), color=False,
                      redactor=outcome.redactor).encode("utf-8")
        return cls(
            scan_id=report.scan_id, started_at=started_at, finished_at=finished_at,
            duration_s=finished_at - started_at, exit_code=outcome.exit_code, html=html,
            findings=dict(findings), statuses=dict(statuses), resolved=len(report.resolved),
            api_calls=dict(calls), coverage=report.summary.coverage,
            managed=report.summary.managed, compared=report.summary.compared,
        )


@dataclass
class WatchState:
    """Thread-safe: every read and write holds ``lock``."""

    schedule: str
    started_at: float = field(default_factory=time.time)
    clock: Callable[[], float] = time.time
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    snapshot: Snapshot | None = None
    scans: Counter[str] = field(default_factory=Counter)
    api_calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    running_since: float | None = None
    last_finished_at: float | None = None
    last_result: str | None = None
    last_error: str | None = None
    next_start: float | None = None
    period: float | None = None
    skipped: int = 0
    stopping: bool = False

    def planned(self, start: float, period: float, skipped: int = 0) -> None:
        with self.lock:
            self.next_start = start
            self.period = period
            self.skipped += skipped

    def began(self, at: float) -> None:
        with self.lock:
            self.running_since = at
            self.next_start = None

    def finished(self, snapshot: Snapshot) -> None:
        with self.lock:
            result = result_of(snapshot.exit_code)
            self.snapshot = snapshot
            self.scans[result] += 1
            self.api_calls.update(snapshot.api_calls)
            self._ended(snapshot.finished_at, result, None)

    def failed(self, at: float, message: str) -> None:
        with self.lock:
            self.scans["error"] += 1
            self._ended(at, "error", message)

    def _ended(self, at: float, result: str, error: str | None) -> None:
        self.running_since = None
        self.last_finished_at = at
        self.last_result = result
        self.last_error = error

    def stop(self) -> None:
        with self.lock:
            self.stopping = True

    def health(self) -> tuple[bool, dict[str, Any]]:
        """Healthy unless stopping, a scan has run for longer than ``allowed``, or the planned
        start of the next one is more than ``allowed`` past: the loop is stuck or gone.
        ``allowed`` is two periods, and at least a minute (docs/watch.md)."""
        with self.lock:
            now = self.clock()
            allowed = max(STALE_PERIODS * (self.period or 0.0), STALE_MIN_S)
            if self.running_since is not None:
                late = now - self.running_since > allowed
            elif self.next_start is not None:
                late = now - self.next_start > allowed
            else:
                late = False
            healthy = not self.stopping and not late
            body: dict[str, Any] = {
                "status": "stopping" if self.stopping else "stale" if late else "ok",
                "schedule": self.schedule,
                "scans": {r: self.scans[r] for r in RESULTS},
                "scanning": self.running_since is not None,
                "last_scan_finished_at": _iso(self.last_finished_at),
                "last_result": self.last_result,
                "last_error": self.last_error,
                "next_scan_at": _iso(self.next_start),
                "allowed_s": round(allowed, 3),
            }
            return healthy, body

    def refresh_after(self) -> int:
        """Seconds until the page of the next scan should be there: when a browser showing
        ``/`` reloads it."""
        with self.lock:
            now = self.clock()
            took = self.snapshot.duration_s if self.snapshot is not None else 1.0
            if self.running_since is not None:
                due = self.running_since + took
            elif self.next_start is not None:
                due = self.next_start + took
            else:
                due = now + (self.period or 60.0)
            return max(1, math.ceil(due - now + 1.0))


def _iso(stamp: float | None) -> str | None:
    if stamp is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))
