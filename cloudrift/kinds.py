"""The kinds and statuses of a finding, apart from the report model.

Settings are checked against them before a scan starts (``--only``, ``--fail-on``), and that must
not wait for the pydantic models of ``cloudrift.model``, which re-exports both.
"""

from __future__ import annotations

from enum import Enum


class FindingKind(str, Enum):
    CHANGED = "changed"
    MISSING = "missing"
    UNMANAGED = "unmanaged"
    UNAPPLIED = "unapplied"

    def __str__(self) -> str:
        return self.value


class FindingStatus(str, Enum):
    """Where a drift stands in the history (``cloudrift/history``): first seen in this scan,
    seen before, back after being resolved, or gone since the last scan of its scope."""

    NEW = "new"
    KNOWN = "known"
    REOPENED = "reopened"
    RESOLVED = "resolved"

    def __str__(self) -> str:
        return self.value
