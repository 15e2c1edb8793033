"""The watch loop in process: scans never overlap, starts jitter within bounds, a stop waits
for the running scan or abandons it at a phase boundary, failures and hooks do not stop it.

The scans here are functions that take the loop's guard as the real ``ScanJob`` does; the loop
is what is under test (the real scans run in tests/watch/test_process.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from cloudrift.errors import SourceError
from cloudrift.model import ScanReport, Summary
from cloudrift.redact import Redactor
from cloudrift.watch.loop import EXIT_INTERRUPTED, EXIT_OK, Finished, RunGuard, Watcher
from cloudrift.watch.schedule import Every, Jitter


def outcome(scan_id: str = "1", code: int = 0) -> Finished:
    return Finished(ScanReport(scan_id=scan_id, summary=Summary(managed=1, compared=1)),
                    Redactor(), code)


class Recorder:
    """A scan that takes ``seconds`` and records how many ran at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.running = 0
        self.most = 0
        self.spans: list[tuple[float, float]] = []
        self._lock = threading.Lock()

    def __call__(self, guard: RunGuard) -> Finished:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        began = time.time()
        time.sleep(self.seconds)
        with self._lock:
            self.running -= 1
            self.spans.append((began, time.time()))
        return outcome(str(len(self.spans)))


def run_in_thread(watcher: Watcher, max_scans: int | None = None) -> tuple[threading.Thread,
                                                                            list[int]]:
    codes: list[int] = []
    thread = threading.Thread(
        target=lambda: codes.append(watcher.run(max_scans=max_scans, handle_signals=False)),
        daemon=True)
    thread.start()
    return thread, codes


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_a_slow_scan_is_never_overlapped_and_overrun_slots_are_skipped() -> None:
    scan = Recorder(seconds=0.25)
    watcher = Watcher(scan, Every(0.05), Jitter(0.0))
    assert watcher.run(max_scans=4, handle_signals=False) == EXIT_OK
    assert scan.most == 1
    assert len(scan.spans) == 4
    for (_, ended), (began, _) in zip(scan.spans[:-1], scan.spans[1:], strict=True):
        assert began >= ended
    assert watcher.state is not None
    # each 0.25 s scan overran at least four 0.05 s slots
    assert watcher.state.skipped >= 3 * 4
    # a later scan starts on a slot of the schedule: a whole number of intervals from the first
    first = watcher.recent[0].slot
    for started in watcher.recent[1:]:
        steps = (started.slot - first) / 0.05
        assert steps == pytest.approx(round(steps), abs=1e-3)
        assert started.slot >= watcher.recent[0].ended - 0.05


def test_starts_after_the_first_are_jittered_within_the_fraction() -> None:
    watcher = Watcher(Recorder(seconds=0.0), Every(0.2), Jitter(0.5, seed=3))
    assert watcher.run(max_scans=8, handle_signals=False) == EXIT_OK
    first, *later = watcher.recent
    assert first.planned == first.slot  # the first scan starts at once
    offsets = [s.planned - s.slot for s in later]
    assert all(0.0 <= offset <= 0.1 for offset in offsets)
    assert len({round(offset, 6) for offset in offsets}) > 1, "no jitter at all"
    for started in later:
        assert started.began >= started.planned


def test_a_stop_while_idle_returns_at_once() -> None:
    watcher = Watcher(Recorder(seconds=0.0), Every(3600.0), Jitter(0.0))
    thread, codes = run_in_thread(watcher)
    wait_for(lambda: len(watcher.recent) == 1)
    watcher.request_stop()
    thread.join(10)
    assert not thread.is_alive()
    assert codes == [EXIT_OK]
    assert watcher.state is not None
    assert watcher.state.stopping


def test_a_stop_lets_the_running_scan_finish_within_the_grace() -> None:
    began = threading.Event()
    release = threading.Event()

    def scan(guard: RunGuard) -> Finished:
        began.set()
        release.wait(30)
        guard.check()
        with guard.committing():
            return outcome("7")

    watcher = Watcher(scan, Every(3600.0), Jitter(0.0), grace=30.0)
    thread, codes = run_in_thread(watcher)
    assert began.wait(30)
    watcher.request_stop()
    time.sleep(0.2)
    assert thread.is_alive(), "the loop did not wait for the running scan"
    release.set()
    thread.join(30)
    assert codes == [EXIT_OK]
    assert watcher.state is not None
    assert watcher.state.snapshot is not None
    assert watcher.state.snapshot.scan_id == "7"


def test_past_the_grace_a_scan_is_abandoned_at_its_next_phase_boundary() -> None:
    phases: list[str] = []
    began = threading.Event()

    def scan(guard: RunGuard) -> Finished:
        began.set()
        while True:  # a long phase: the cloud still answering
            guard.check()
            phases.append("listing")
            time.sleep(0.01)

    watcher = Watcher(scan, Every(3600.0), Jitter(0.0), grace=0.3)
    thread, codes = run_in_thread(watcher)
    assert began.wait(30)
    watcher.request_stop()
    thread.join(30)
    assert codes == [EXIT_INTERRUPTED]
    assert watcher.state is not None
    assert watcher.state.snapshot is None
    listed = len(phases)
    time.sleep(0.1)
    assert len(phases) == listed, "the abandoned scan went on"


def test_an_abandoned_scan_never_starts_its_writes() -> None:
    """The loop takes the commit lock when it abandons a scan: a scan that reaches its writes
    after that point finds the lock held and the guard telling it to stop."""
    began = threading.Event()
    wrote: list[str] = []

    def scan(guard: RunGuard) -> Finished:
        began.set()
        time.sleep(0.6)  # past the grace, no check on the way
        with guard.committing():
            guard.check()
            wrote.append("history")
        return outcome()

    watcher = Watcher(scan, Every(3600.0), Jitter(0.0), grace=0.1)
    thread, codes = run_in_thread(watcher)
    assert began.wait(30)
    watcher.request_stop()
    thread.join(30)
    assert codes == [EXIT_INTERRUPTED]
    time.sleep(1.0)
    assert wrote == []


def test_a_second_stop_cuts_the_grace_short() -> None:
    began = threading.Event()

    def scan(guard: RunGuard) -> Finished:
        began.set()
        while True:
            guard.check()
            time.sleep(0.01)

    watcher = Watcher(scan, Every(3600.0), Jitter(0.0), grace=600.0)
    thread, codes = run_in_thread(watcher)
    assert began.wait(30)
    watcher.request_stop()
    time.sleep(0.2)
    assert thread.is_alive()
    watcher.request_stop()
    thread.join(30)
    assert codes == [EXIT_INTERRUPTED]


def test_a_failed_scan_is_counted_and_the_next_one_runs() -> None:
    calls: list[int] = []

    def scan(guard: RunGuard) -> Finished:
        calls.append(1)
        if len(calls) == 1:
            raise SourceError("s3://bucket/state: access denied")
        if len(calls) == 2:
            raise RuntimeError("a bug")
        return outcome(code=1)

    lines: list[str] = []
    watcher = Watcher(scan, Every(0.01), Jitter(0.0), say=lines.append)
    assert watcher.run(max_scans=3, handle_signals=False) == EXIT_OK
    state = watcher.state
    assert state is not None
    assert dict(state.scans) == {"error": 2, "drift": 1}
    assert [s.result for s in watcher.recent] == ["error", "error", "drift"]
    assert "cloudrift: error: scan failed: s3://bucket/state: access denied" in lines
    assert "cloudrift: error: scan failed: unexpected RuntimeError: a bug" in lines
    assert state.last_error is None
    assert state.last_result == "drift"


def test_hooks_see_every_report_and_a_failing_hook_does_not_stop_the_watch() -> None:
    seen: list[str | None] = []

    def notify(result: Finished) -> None:
        seen.append(result.report.scan_id)
        raise ConnectionError("webhook unreachable")

    lines: list[str] = []
    watcher = Watcher(Recorder(seconds=0.0), Every(0.01), Jitter(0.0), hooks=[notify],
                      say=lines.append)
    assert watcher.run(max_scans=3, handle_signals=False) == EXIT_OK
    assert seen == ["1", "2", "3"]
    assert lines.count("cloudrift: warning: after the scan: ConnectionError: webhook "
                       "unreachable") == 3


def test_the_log_of_recent_scans_is_bounded() -> None:
    watcher = Watcher(Recorder(seconds=0.0), Every(0.001), Jitter(0.0), keep_recent=5)
    watcher.run(max_scans=12, handle_signals=False)
    assert len(watcher.recent) == 5


def test_a_scan_past_its_history_write_is_let_finish() -> None:
    """Abandoning a scan that has begun writing its history would leave its outputs behind
    it: past the grace, the loop waits for such a scan rather than abandon it."""
    committed = threading.Event()

    def scan(guard: RunGuard) -> Finished:
        guard.check()
        with guard.committing():
            committed.set()
            time.sleep(0.6)  # the history and the outputs, slowly, past the grace
        return outcome("9")

    lines: list[str] = []
    watcher = Watcher(scan, Every(3600.0), Jitter(0.0), grace=0.1, say=lines.append)
    thread, codes = run_in_thread(watcher)
    assert committed.wait(30)
    watcher.request_stop()
    thread.join(30)
    assert codes == [EXIT_OK]
    assert watcher.state is not None
    assert watcher.state.snapshot is not None
    assert watcher.state.snapshot.scan_id == "9"
    assert any("has recorded its history" in line for line in lines)
