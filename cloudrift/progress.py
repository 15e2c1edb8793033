"""A one-line progress display on stderr while a scan runs.

Shown only when stderr is a terminal, not in CI (``CI`` set) and not with ``--quiet``: a nightly
job's log gets the report, not a thousand carriage returns. Providers report through the
``ProgressSink`` protocol; the engine and the CLI do not care whether anything is displayed.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Protocol, TextIO


class ProgressSink(Protocol):
    def tasks(self, count: int) -> None:
        """``count`` more (type, scope) listings are planned."""
        ...

    def task_done(self, resources: int) -> None:
        """One listing finished, having seen ``resources`` resources."""
        ...

    def api_call(self) -> None: ...


class NoProgress:
    def tasks(self, count: int) -> None:
        pass

    def task_done(self, resources: int) -> None:
        pass

    def api_call(self) -> None:
        pass


def should_show(stream: TextIO, quiet: bool) -> bool:
    if quiet or os.environ.get("CI"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class TerminalProgress:
    """Counts under a lock; a daemon thread redraws the line a few times a second."""

    def __init__(self, stream: TextIO | None = None, interval: float = 0.2) -> None:
        self.stream = stream or sys.stderr
        self.interval = interval
        self._lock = threading.Lock()
        self._planned = 0
        self._done = 0
        self._resources = 0
        self._calls = 0
        self._start = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._width = 0

    def tasks(self, count: int) -> None:
        with self._lock:
            self._planned += count

    def task_done(self, resources: int) -> None:
        with self._lock:
            self._done += 1
            self._resources += resources

    def api_call(self) -> None:
        with self._lock:
            self._calls += 1

    def line(self) -> str:
        with self._lock:
            elapsed = time.monotonic() - self._start
            return (f"scanning: {self._done}/{self._planned} type·scope listings, "
                    f"{self._calls} API calls, {self._resources} resources, {elapsed:.1f}s")

    def _draw(self) -> None:
        text = self.line()
        pad = max(0, self._width - len(text))
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._width = len(text)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._draw()

    def __enter__(self) -> TerminalProgress:
        self._thread = threading.Thread(target=self._run, name="cloudrift-progress",
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
