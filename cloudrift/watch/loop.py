"""The watch loop: scans on a schedule, one at a time, until told to stop.

Each scan runs in a worker thread while the calling (main) thread keeps time and listens for
signals; the next scan is planned only once the last one ended, so scans never overlap.

SIGTERM or SIGINT stops the loop: no new scan starts, a running one has ``grace`` seconds to
finish (a second signal cuts the grace short). A scan still running after that is abandoned:
the loop asks it to stop at its next phase boundary, waits for any history write or output
rename in progress (``Guard.committing``), and returns ``EXIT_INTERRUPTED`` without waiting for
the cloud calls still in flight; the caller leaves the process at once. Nothing half-done is
left: the history is written in one transaction, outputs are renamed into place whole.

Signal handlers only set a flag (a handler that took a lock could deadlock against the thread
it interrupted); the main thread looks at it every ``POLL_S``.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from cloudrift.errors import CloudriftError
from cloudrift.model import ScanReport
from cloudrift.redact import Redactor
from cloudrift.watch.schedule import Jitter, Schedule
from cloudrift.watch.state import Snapshot, WatchState, result_of

log = logging.getLogger("cloudrift.watch")

POLL_S = 0.05
# a scan that overran more slots than this is not counted further
_MAX_SKIP_COUNT = 100_000


EXIT_OK = 0
EXIT_INTERRUPTED = 130


class Abandoned(Exception):  # noqa: N818 - a stop asked for, not an error
    """The loop asked the scan to stop; nothing of it was recorded or written."""


@dataclass(frozen=True)
class Finished:
    """A scan that produced a report, and the exit code ``cloudrift scan`` would give it."""

    report: ScanReport
    redactor: Redactor
    exit_code: int


class RunGuard:
    """What one scan is asked between its phases (``check``), and the point of no return: the
    scan ``commit``s before it writes the history and ``release``s once its outputs are written.
    A loop that abandons the scan takes the same lock, so it never stops one in between."""

    def __init__(self) -> None:
        self.abandon = threading.Event()
        self.lock = threading.Lock()
        self.committed = False

    def check(self) -> None:
        if self.abandon.is_set():
            raise Abandoned

    def commit(self) -> None:
        if self.committed:
            return
        self.lock.acquire()
        if self.abandon.is_set():
            self.lock.release()
            raise Abandoned
        self.committed = True

    def release(self) -> None:
        if self.committed and self.lock.locked():
            self.lock.release()

    @contextmanager
    def committing(self) -> Iterator[None]:
        self.commit()
        try:
            yield
        finally:
            self.release()


ScanFunction = Callable[[RunGuard], Finished]
Hook = Callable[[Finished], None]


@dataclass
class Started:
    """One scan's place in the schedule, for the log and for tests."""

    slot: float
    planned: float
    began: float
    ended: float = 0.0
    result: str = ""


@dataclass
class Watcher:
    scan: ScanFunction
    schedule: Schedule
    jitter: Jitter
    grace: float = 30.0
    state: WatchState | None = None
    hooks: Sequence[Hook] = ()
    clock: Callable[[], float] = time.time
    say: Callable[[str], None] = field(default=lambda line: None)
    # the last few scans' timing, newest last (bounded: a watch runs for months)
    recent: list[Started] = field(default_factory=list)
    keep_recent: int = 200
    _stop: bool = field(default=False, init=False)
    _hurry: bool = field(default=False, init=False)
    _told_skipping: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        if self.state is None:
            self.state = WatchState(self.schedule.describe(), clock=self.clock)

    def request_stop(self) -> None:
        """Stop after the running scan (or at once when idle); a second call cuts the grace."""
        if self._stop:
            self._hurry = True
        self._stop = True
        if self.state is not None:
            # a plain write, no lock: this runs in a signal handler (see the module's doc)
            self.state.stopping = True

    def run(self, max_scans: int | None = None, handle_signals: bool = True) -> int:
        """Scan until stopped (or ``max_scans`` scans); EXIT_OK, or EXIT_INTERRUPTED when a
        running scan had to be abandoned."""
        restore = self._install_signals() if handle_signals else {}
        state = self.state
        assert state is not None
        try:
            slot = self.clock()
            done = 0
            while not self._stop:
                period = self.schedule.period(slot)
                planned = slot if done == 0 else slot + self.jitter.delay(period)
                state.planned(planned, period)
                if self._sleep_until(planned):
                    break
                started = Started(slot, planned, self.clock())
                if not self._scan_once(started):
                    return EXIT_INTERRUPTED
                done += 1
                if max_scans is not None and done >= max_scans:
                    break
                slot, skipped = self._next_slot(slot, started.ended)
                if skipped:
                    state.planned(slot, self.schedule.period(slot), skipped)
                    if not self._told_skipping:
                        self._told_skipping = True
                        self.say("cloudrift: note: a scan took longer than the schedule's "
                                 "interval; the scans it overran are skipped, not caught up "
                                 "(counted in cloudrift_scans_skipped_total)")
            return EXIT_OK
        finally:
            state.stop()
            for signum, handler in restore.items():
                signal.signal(signum, handler)

    def _next_slot(self, slot: float, ended: float) -> tuple[float, int]:
        following = self.schedule.next_slot(slot)
        skipped = 0
        while following <= ended and skipped < _MAX_SKIP_COUNT:
            skipped += 1
            following = self.schedule.next_slot(following)
        return following, skipped

    def _sleep_until(self, when: float) -> bool:
        """Wait until ``when``; True if asked to stop meanwhile."""
        while not self._stop:
            remaining = when - self.clock()
            if remaining <= 0:
                return False
            time.sleep(min(remaining, POLL_S))
        return True

    def _scan_once(self, started: Started) -> bool:
        """Run one scan to its end; False if it had to be abandoned."""
        state = self.state
        assert state is not None
        guard = RunGuard()
        finished = threading.Event()
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["outcome"] = self.scan(guard)
            except Abandoned:
                box["abandoned"] = True
            except CloudriftError as exc:
                box["error"] = str(exc)
            except Exception as exc:
                box["error"] = f"unexpected {type(exc).__name__}: {exc}"
                log.debug("scan failed:\n%s", traceback.format_exc())
            finally:
                finished.set()

        state.began(started.began)
        worker = threading.Thread(target=work, name="watch-scan", daemon=True)
        worker.start()
        while not finished.wait(POLL_S):
            if self._stop and not self._finish_within_grace(finished, guard):
                return False
        started.ended = self.clock()
        self._ended(started, box)
        return "abandoned" not in box

    def _finish_within_grace(self, finished: threading.Event, guard: RunGuard) -> bool:
        self.say(f"cloudrift: stopping: waiting up to {self.grace:g}s for the running scan")
        deadline = time.monotonic() + self.grace
        while not finished.wait(POLL_S):
            if self._hurry or time.monotonic() >= deadline:
                guard.abandon.set()
                # waits out a history write or output rename in progress; the process leaves
                # holding the lock, so none begins after this
                guard.lock.acquire()
                if guard.committed:
                    # it had recorded its history: abandoning it now would leave its outputs
                    # behind the history, so it finishes (outputs, notifications)
                    guard.lock.release()
                    self.say("cloudrift: stopping: the running scan has recorded its history; "
                             "letting it write its outputs")
                    finished.wait()
                    return True
                self.say("cloudrift: stopped: the running scan was abandoned (nothing of it "
                         "was recorded or written)")
                return False
        return True

    def _ended(self, started: Started, box: dict[str, Any]) -> None:
        state = self.state
        assert state is not None
        outcome: Finished | None = box.get("outcome")
        if outcome is None:
            message = box.get("error", "abandoned")
            started.result = "error"
            state.failed(started.ended, message)
            self.say(f"cloudrift: error: scan failed: {message}")
        else:
            started.result = result_of(outcome.exit_code)
            state.finished(Snapshot.of(outcome, started.began, started.ended))
            self.say(_summary(outcome, started))
            for hook in self.hooks:
                try:
                    hook(outcome)
                except Exception as exc:  # a notifier's failure never stops the watch
                    self.say(f"cloudrift: warning: after the scan: {type(exc).__name__}: "
                             f"{exc}")
        self.recent.append(started)
        del self.recent[:-self.keep_recent]

    def _install_signals(self) -> dict[int, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}

        def handler(signum: int, frame: FrameType | None) -> None:
            self.request_stop()

        previous: dict[int, Any] = {}
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, handler)
        return previous


def _summary(outcome: Finished, started: Started) -> str:
    report = outcome.report
    s = report.summary
    took = started.ended - started.began
    scan = f"scan {report.scan_id}" if report.scan_id else "scan"
    history = f" ({s.new} new, {s.known} known, {s.reopened} reopened), {s.resolved} resolved" \
        if report.scan_id else ""
    return (f"cloudrift: {scan} finished in {took:.1f}s: {len(report.findings)} finding(s)"
            f"{history}; exit {outcome.exit_code}")
