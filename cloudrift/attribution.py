"""Who changed it: the protocol a provider implements to attribute drift, and the step that
runs it over a finished report (``scan --attribute``).

Attribution is a per-provider capability: core knows no audit log. A provider that can tell who
changed a resource implements ``Attributor.attribute``; the others are skipped and their
findings keep ``attribution`` unset. Only ``changed`` and ``missing`` findings are looked up
(an unmanaged resource was never Terraform's; an unapplied one never existed), and only those
left after ignore rules and filters: every lookup is an API call, and some are slow ones
(CloudTrail answers two a second).

The answer for a finding is ``found`` (its last write events, newest first, at most
``MAX_EVENTS``), ``unknown`` (the log was read and holds no write on it within
``WINDOW``: no evidence, and never a guess) or ``failed`` (the log could not be read; the report
also carries a warning).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Protocol, runtime_checkable

from cloudrift.model import (
    Attribution,
    AttributionStatus,
    ChangeEvent,
    Finding,
    FindingKind,
    ScanReport,
    ScanWarning,
)
from cloudrift.plugin import Provider

# CloudTrail's LookupEvents and Azure's Activity Log keep 90 days; GCP's Admin Activity audit
# logs keep 400, but one window for every cloud makes the answers comparable
WINDOW = timedelta(days=90)
MAX_EVENTS = 3
ATTRIBUTED_KINDS = frozenset({FindingKind.CHANGED, FindingKind.MISSING})
FAILED_WARNING = "attribution_failed"


@dataclass
class AttributionResult:
    """What a provider found: an attribution per finding fingerprint (findings it does not own
    are left out), the API calls it took, and any warning of its own."""

    attributions: dict[str, Attribution] = field(default_factory=dict)
    api_calls: Counter[str] = field(default_factory=Counter)
    warnings: list[ScanWarning] = field(default_factory=list)


@runtime_checkable
class Attributor(Protocol):
    """The optional provider capability behind ``--attribute``."""

    name: str

    def attribute(self, findings: Sequence[Finding]) -> AttributionResult:
        """Look up the last write events of each finding's resource that this provider owns
        (its account, project or subscription). Read-only; a lookup that fails is a ``failed``
        attribution, never an exception, except for fatal errors (no credentials at all)."""
        ...


def window_start(now: datetime | None = None) -> datetime:
    """The oldest moment a lookup searches from."""
    return (now or datetime.now(timezone.utc)) - WINDOW


def iso_utc(moment: datetime) -> str:
    """``2026-12-05T10:12:03Z``: the one spelling of times in attributions."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def found(events: Sequence[ChangeEvent], *, note: str | None = None) -> Attribution:
    """``found`` with the newest ``MAX_EVENTS`` events, or ``unknown`` when there are none."""
    if not events:
        return unknown(note or f"no write event in {WINDOW.days} days")
    newest = sorted(events, key=lambda e: e.time, reverse=True)[:MAX_EVENTS]
    return Attribution(status=AttributionStatus.FOUND, events=newest)


def unknown(note: str) -> Attribution:
    return Attribution(status=AttributionStatus.UNKNOWN, note=note)


def failed(note: str) -> Attribution:
    return Attribution(status=AttributionStatus.FAILED, note=note)


def wanted(finding: Finding) -> bool:
    return finding.kind in ATTRIBUTED_KINDS


def _rank(attribution: Attribution) -> int:
    return {AttributionStatus.FOUND: 2, AttributionStatus.UNKNOWN: 1}.get(attribution.status, 0)


def attribute_report(report: ScanReport, providers: Mapping[str, Provider]) -> ScanReport:
    """The report with an attribution on every changed or missing finding whose provider can
    attribute, the lookups' API calls counted, and a warning per provider whose lookups
    failed. ``providers`` are the scan's, by the key the report counts calls under."""
    targets = [f for f in report.findings if wanted(f)]
    answers: dict[str, Attribution] = {}
    calls: Counter[str] = Counter()
    warnings: list[ScanWarning] = []
    failures: dict[str, list[str]] = {}
    for key, provider in sorted(providers.items()):
        if not isinstance(provider, Attributor):
            continue
        mine = [f for f in targets if f.provider == provider.name]
        if not mine:
            continue
        result = provider.attribute(mine)
        calls.update({f"{key}:{op}": n for op, n in result.api_calls.items()})
        warnings.extend(result.warnings)
        for fingerprint, attribution in result.attributions.items():
            # with several accounts, each provider answers for its own; the best answer wins
            previous = answers.get(fingerprint)
            if previous is None or _rank(attribution) > _rank(previous):
                answers[fingerprint] = attribution
    findings = []
    for finding in report.findings:
        answer = answers.get(finding.fingerprint) if wanted(finding) else None
        if answer is not None:
            finding = finding.model_copy(update={"attribution": answer})
            if answer.status is AttributionStatus.FAILED:
                failures.setdefault(finding.provider, []).append(answer.note or "")
        findings.append(finding)
    for provider_name, notes in sorted(failures.items()):
        distinct = sorted(set(notes))
        more = f" (and {len(distinct) - 1} other reason(s))" if len(distinct) > 1 else ""
        warnings.append(ScanWarning(
            code=FAILED_WARNING, provider=provider_name,
            message=f"who changed it: {len(notes)} {provider_name} lookup(s) failed: "
            f"{distinct[0]}{more}",
        ))
    merged = Counter(report.api_calls)
    merged.update(calls)
    summary = report.summary.model_copy(
        update={"api_calls": report.summary.api_calls + sum(calls.values())})
    return report.model_copy(update={
        "findings": findings,
        "warnings": [*report.warnings, *warnings],
        "api_calls": dict(sorted(merged.items())),
        "summary": summary,
    })
