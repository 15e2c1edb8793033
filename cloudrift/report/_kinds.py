"""What every format calls each finding kind, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from cloudrift.model import FindingKind


@dataclass(frozen=True)
class KindText:
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
