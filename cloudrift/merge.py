"""Joining the reports of a sharded scan (``--shard I/N``) into the report of the whole scan.

Every managed resource and every (type, scope) listing belongs to exactly one shard, so counts
add up; what every shard says alike (a type not supported, a provider not scanned) is said once.
"""

from __future__ import annotations

from collections.abc import Sequence

from cloudrift.errors import ConfigError
from cloudrift.model import (
    NOT_COMPARED_REASONS,
    CodeCoverage,
    NotCompared,
    ScanReport,
    ScanWarning,
    Summary,
    coverage_ratio,
    finding_order,
    fold_coverage,
)

_ADDED = ("total_resources", "managed", "compared", "in_sync", "changed", "missing",
          "unmanaged", "unapplied", "ignored", "api_calls", "new", "known", "reopened",
          "resolved")


def merge_reports(reports: Sequence[ScanReport]) -> ScanReport:
    if not reports:
        raise ConfigError("nothing to merge: name the shard reports")
    versions = {r.schema_version for r in reports}
    if len(versions) > 1:
        raise ConfigError(f"cannot merge reports of different schema versions: {sorted(versions)}")

    summary = Summary()
    for name in _ADDED:
        setattr(summary, name, sum(getattr(r.summary, name) for r in reports))
    summary.duration_s = max(r.summary.duration_s for r in reports)

    coverage = fold_coverage(cov for report in reports for cov in report.coverage)
    summary.coverage = coverage_ratio(summary.compared, summary.managed, coverage)
    not_compared: dict[tuple[str, str, str], NotCompared] = {}
    for report in reports:
        for group in report.not_compared:
            merged_group = not_compared.setdefault((group.reason, group.provider, group.type),
                                                   group.model_copy(update={"count": 0}))
            merged_group.count += group.count
        for reason, count in report.summary.not_compared.items():
            summary.not_compared[reason] = summary.not_compared.get(reason, 0) + count
    summary.not_compared = {r: summary.not_compared[r] for r in NOT_COMPARED_REASONS
                            if summary.not_compared.get(r)}

    findings = {f.fingerprint: f for r in reports for f in r.findings}
    resolved = {f.fingerprint: f for r in reports for f in r.resolved}
    code: dict[str, CodeCoverage] = {}
    for report in reports:
        for entry in report.code_coverage:
            seen = code.get(entry.root)
            code[entry.root] = entry if seen is None else CodeCoverage(
                root=entry.root, checked=seen.checked and entry.checked)
    warnings: dict[tuple[str, str], ScanWarning] = {}
    for report in reports:
        for warning in report.warnings:
            warnings.setdefault((warning.code, warning.message), warning)
    api_calls: dict[str, int] = {}
    ignored: dict[str, int] = {}
    for report in reports:
        for op, count in report.api_calls.items():
            api_calls[op] = api_calls.get(op, 0) + count
        for rule, count in report.ignored.items():
            ignored[rule] = ignored.get(rule, 0) + count

    first = reports[0]
    return ScanReport(
        schema_version=first.schema_version,
        tool_version=first.tool_version,
        started_at=min(r.started_at for r in reports),
        sources=sorted({s for r in reports for s in r.sources}),
        providers=sorted({p for r in reports for p in r.providers}),
        summary=summary,
        findings=sorted(findings.values(), key=finding_order),
        warnings=list(warnings.values()),
        coverage=coverage,
        api_calls=dict(sorted(api_calls.items())),
        ignored=dict(sorted(ignored.items())),
        not_compared=sorted(not_compared.values(),
                            key=lambda g: (NOT_COMPARED_REASONS.index(g.reason), -g.count,
                                           g.type)),
        code_coverage=[code[root] for root in sorted(code)],
        resolved=sorted(resolved.values(), key=finding_order),
        # each shard's trend is the whole history's: the longest is the latest
        trend=max((r.trend for r in reports), key=len),
    )
