"""After the scan: ignore rules, then filters; the summary is recounted from what is left.

Ignores are accepted drift (counted per rule in ``report.ignored``); filters are a view
(``--only``, ``--type``, ``--exclude-type``, ``--filter``). Both leave ``managed`` and the
coverage figures alone: those describe what was scanned, not what is shown.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cloudrift.errors import ConfigError
from cloudrift.kinds import FindingKind, FindingStatus

if TYPE_CHECKING:
    # filters are checked before the scan; the report model loads with the first report
    from cloudrift.ignore import IgnoreSet
    from cloudrift.model import Finding, ScanReport


@dataclass(frozen=True)
class Filters:
    only: frozenset[FindingKind] = frozenset()
    types: tuple[str, ...] = ()
    exclude_types: tuple[str, ...] = ()
    expression: str | None = None
    _compiled: object = field(default=None, compare=False, repr=False)

    @classmethod
    def build(
        cls,
        only: Sequence[str] = (),
        types: Sequence[str] = (),
        exclude_types: Sequence[str] = (),
        expression: str | None = None,
    ) -> Filters:
        kinds = set()
        for name in only:
            try:
                kinds.add(FindingKind(name))
            except ValueError:
                known = ", ".join(k.value for k in FindingKind)
                raise ConfigError(f"--only {name!r} is not a finding kind ({known})") from None
        compiled = None
        if expression:
            import jmespath
            from jmespath.exceptions import JMESPathError

            try:
                compiled = jmespath.compile(expression)
            except JMESPathError as exc:
                raise ConfigError(
                    f"--filter {expression!r} is not valid JMESPath ({exc})"
                ) from None
        return cls(frozenset(kinds), tuple(types), tuple(exclude_types), expression, compiled)

    def keep(self, finding: Finding) -> bool:
        if self.only and finding.kind not in self.only:
            return False
        if self.types and not any(fnmatch.fnmatchcase(finding.type, p) for p in self.types):
            return False
        if any(fnmatch.fnmatchcase(finding.type, p) for p in self.exclude_types):
            return False
        if self._compiled is not None:
            return bool(self._compiled.search(finding.model_dump(mode="json")))  # type: ignore[attr-defined]
        return True


def recount(report: ScanReport, findings: list[Finding],
            resolved: list[Finding] | None = None) -> ScanReport:
    summary = report.summary.model_copy()
    resolved = report.resolved if resolved is None else resolved
    statuses = Counter(f.status for f in findings)
    summary.new = statuses[FindingStatus.NEW]
    summary.known = statuses[FindingStatus.KNOWN]
    summary.reopened = statuses[FindingStatus.REOPENED]
    summary.resolved = len(resolved)
    by_kind = {kind: sum(1 for f in findings if f.kind is kind) for kind in FindingKind}
    hidden_drift = (
        (report.summary.changed - by_kind[FindingKind.CHANGED])
        + (report.summary.missing - by_kind[FindingKind.MISSING])
    )
    summary.changed = by_kind[FindingKind.CHANGED]
    summary.missing = by_kind[FindingKind.MISSING]
    summary.unapplied = by_kind[FindingKind.UNAPPLIED]
    summary.in_sync = report.summary.in_sync + max(0, hidden_drift)
    summary.total_resources = (
        report.summary.total_resources - report.summary.unmanaged + by_kind[FindingKind.UNMANAGED]
    )
    summary.unmanaged = by_kind[FindingKind.UNMANAGED]
    return report.model_copy(update={"findings": findings, "resolved": resolved,
                                     "summary": summary})


def apply(report: ScanReport, ignores: IgnoreSet | None, filters: Filters | None) -> ScanReport:
    from cloudrift.model import ScanWarning

    findings = list(report.findings)
    warnings = list(report.warnings)
    ignored = dict(report.ignored)
    if ignores is not None:
        outcome = ignores.apply(findings)
        findings = outcome.findings
        for name, count in outcome.suppressed.items():
            ignored[name] = ignored.get(name, 0) + count
        for expired in outcome.expired:
            who = f" (owner {expired.owner})" if expired.owner else ""
            why = f": {expired.reason}" if expired.reason else ""
            warnings.append(ScanWarning(
                code="ignore_expired",
                message=f"ignore rule {expired.text!r}{who} expired on {expired.expires}{why}; "
                f"it no longer applies ({expired.origin})",
            ))
    resolved = list(report.resolved)
    if filters is not None:
        findings = [f for f in findings if filters.keep(f)]
        resolved = [f for f in resolved if filters.keep(f)]
    result = recount(report, findings, resolved)
    result.summary.ignored = sum(ignored.values())
    return result.model_copy(update={"warnings": warnings, "ignored": ignored})
