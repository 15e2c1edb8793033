"""Grouped drift: findings of one kind and type whose changes are the same (paths and values).

A tag removed from 163 buckets is one thing to read, not 163: reporters show "163 times
aws_s3_bucket: tags.CostCenter "ops" → absent" and expand it to the list; the JSON report keeps
every finding and gives each its ``group`` id. The id hashes the values as reported, which
are already redacted, so it tells nothing a report does not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cloudrift.model import FieldChange, Finding, FindingKind, ScanReport

_MAX_VALUE = 60
ABSENT = "absent"
TIMES = "\N{MULTIPLICATION SIGN}"


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def group_key(finding: Finding) -> str:
    changes = sorted((c.path, _canonical(c.expected), _canonical(c.actual))
                     for c in finding.changes)
    return _canonical([finding.kind.value, finding.type, changes])


def group_id(finding: Finding) -> str:
    return hashlib.sha256(group_key(finding).encode()).hexdigest()[:12]


def assign_groups(report: ScanReport) -> ScanReport:
    """The report with ``group`` set on every finding, listed and resolved."""
    def tagged(findings: Sequence[Finding]) -> list[Finding]:
        return [f.model_copy(update={"group": group_id(f)}) for f in findings]

    return report.model_copy(update={"findings": tagged(report.findings),
                                     "resolved": tagged(report.resolved)})


def short_value(value: Any, limit: int = _MAX_VALUE) -> str:
    """A value for a one-line label: ``absent`` for null, strings quoted, JSON otherwise."""
    text = ABSENT if value is None else _canonical(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Group:
    id: str
    kind: FindingKind
    type: str
    changes: list[FieldChange]
    findings: list[Finding] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.findings)

    def what(self) -> str:
        """What the members share: ``tags.CostCenter "ops" → absent``, or the kind."""
        if not self.changes:
            return self.kind.value
        parts = [f"{c.path}: {c.element_summary()}" if c.has_elements
                 else f"{c.path} {short_value(c.expected)} → {short_value(c.actual)}"
                 for c in self.changes[:3]]
        more = f" (+{len(self.changes) - 3} more)" if len(self.changes) > 3 else ""
        return "; ".join(parts) + more

    def label(self) -> str:
        """``163 TIMES aws_s3_bucket: tags.CostCenter "ops" → absent``."""
        return f"{self.size} {TIMES} {self.type}: {self.what()}"


def group_findings(findings: Iterable[Finding]) -> list[Group]:
    """Groups in the order their first member appears (reports list findings sorted)."""
    groups: dict[str, Group] = {}
    for finding in findings:
        gid = finding.group or group_id(finding)
        group = groups.get(gid)
        if group is None:
            changes = sorted(finding.changes, key=lambda c: c.path)
            group = groups[gid] = Group(gid, finding.kind, finding.type, changes)
        group.findings.append(finding)
    return list(groups.values())
