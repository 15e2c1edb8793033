"""The words of a report that need no report model: the kinds and statuses of a finding, what
every format calls each kind, and the region of global resources.

Defined once, here, apart from the pydantic models of ``cloudrift.model`` (which re-exports
them): settings are checked against the kinds before a scan starts (``--only``, ``--fail-on``),
plugins name units in the global region when they load, and neither may wait for pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

GLOBAL_REGION = "global"


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


@dataclass(frozen=True)
class KindText:
    """What every format calls one finding kind."""

    name: str  # "Changed"
    meaning: str  # "the cloud differs from the state"
    color: str  # the console's colour
    icon: str  # Markdown's marker
    failure: str  # the rest of a sentence about one resource: "aws_s3_bucket b …"

    @property
    def title(self) -> str:
        """``Changed (the cloud differs from the state)``."""
        return f"{self.name} ({self.meaning})"


KINDS: dict[FindingKind, KindText] = {
    FindingKind.CHANGED: KindText("Changed", "the cloud differs from the state", "yellow",
                                  "🟡", "differs from its state"),
    FindingKind.MISSING: KindText("Missing", "in the state, gone from the cloud", "red", "🔴",
                                  "is in the state but gone from the cloud"),
    FindingKind.UNMANAGED: KindText("Unmanaged", "in the cloud, in no state", "magenta", "🟣",
                                    "exists in the cloud but in no state"),
    FindingKind.UNAPPLIED: KindText("Unapplied", "in the code, not in the state", "cyan", "🔵",
                                    "is declared in code but not in the state"),
}
assert set(KINDS) == set(FindingKind)
