"""One meter for every cloud API call a scan makes, whichever provider makes it.

Each provider's session reports each call here (``record``): the meter counts it per
``service:Operation`` under the session's label (``aws``, ``aws@123456789012``, ``gcp``,
``azure``), logs it on the ``cloudrift.calls`` logger (``--verbose`` shows that log), and
advances the progress display. The counts reach the report through each provider's
``Observation.api_calls``, so they read the same for every cloud.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable

calls_log = logging.getLogger("cloudrift.calls")


def _nothing() -> None:
    return None


class CallMeter:
    def __init__(self, on_call: Callable[[], None] = _nothing) -> None:
        self.on_call = on_call
        self._lock = threading.Lock()
        self._counts: dict[str, Counter[str]] = {}
        self._operations: dict[str, list[str]] = {}

    def record(self, label: str, operation: str, detail: str = "") -> None:
        """One call (``sqs:ListQueues``) made by the session labelled ``label``; ``detail``
        (a scope, a path) is logged, never counted."""
        with self._lock:
            self._counts.setdefault(label, Counter())[operation] += 1
            self._operations.setdefault(label, []).append(operation)
        self.on_call()
        calls_log.info("%s %s%s", label, operation, f" {detail}" if detail else "")

    def counts(self, label: str) -> Counter[str]:
        """A copy of the calls counted under ``label``, by operation."""
        with self._lock:
            return Counter(self._counts.get(label, {}))

    def operations(self, label: str) -> list[str]:
        """Every call made under ``label``, in order."""
        with self._lock:
            return list(self._operations.get(label, ()))

    @property
    def total(self) -> int:
        with self._lock:
            return sum(sum(c.values()) for c in self._counts.values())
