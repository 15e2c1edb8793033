"""Where each drift of a scan stands against the history: new, known, reopened, resolved.

Pure: the store reads what the history knows (``Prior``), this module decides, the store writes.
A drift is keyed by its fingerprint. It becomes ``resolved`` only when this scan saw its whole
unit and it was not there: its (provider, type, account, region) listed completely (searched for
unmanaged resources too, for an unmanaged drift: not under ``--unmanaged none``), the state it
was compared from read (changed, missing), its fields read (changed), its root module's code
parsed and checked (unapplied), and the unit in this scan's shard. A scope not seen resolves
nothing.

Drift suppressed by an ignore rule is accepted, not fixed: it is closed as ``ignored`` and never
announced as resolved; if the rule goes away it comes back as ``known``, with its first sighting
kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import TYPE_CHECKING, Any

import orjson

from cloudrift.kinds import FindingKind, FindingStatus
from cloudrift.plugin import in_shard

if TYPE_CHECKING:
    from cloudrift.model import Finding, ScanReport

# warnings that mean some fields of a type were not read: its changed drift may be unseen
_FIELDS_UNREAD = frozenset({"detail_unavailable", "access_denied"})
_UNKNOWN_ACCOUNT = "?"


class DriftState(str, Enum):
    """A drift's standing in the store between scans."""

    OPEN = "open"
    RESOLVED = "resolved"
    IGNORED = "ignored"


@dataclass(frozen=True)
class Unit:
    """The part of the estate a drift belongs to: what a scan must see to say it is gone."""

    kind: FindingKind
    provider: str
    type: str
    account: str | None
    region: str
    source: str | None  # the state (changed, missing) or root module (unapplied) it came from
    address: str | None

    @classmethod
    def of(cls, finding: Finding) -> Unit:
        return cls(finding.kind, finding.provider, finding.type, finding.scope.account,
                   finding.scope.region, finding.source, finding.address)


@dataclass(frozen=True)
class Labels:
    """What a scan covered beyond its report: root modules and workspaces, for filtering."""

    roots: tuple[str, ...] = ()
    workspaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prior:
    """What the history knows of one fingerprint."""

    fingerprint: str
    state: DriftState
    first_seen: str
    last_seen: str
    unit: Unit
    finding_json: str  # as stored: parsed only for the few that are listed as resolved

    @property
    def finding(self) -> dict[str, Any]:
        document: dict[str, Any] = orjson.loads(self.finding_json)
        return document


def _split_label(label: str) -> tuple[str, str]:
    account, _, region = label.rpartition("/")
    return account or _UNKNOWN_ACCOUNT, region


@dataclass
class Seen:
    """What one scan saw completely, from its report (before any view filter)."""

    scanned: dict[tuple[str, str], set[tuple[str, str]]] = field(default_factory=dict)
    failed: dict[tuple[str, str], set[tuple[str, str]]] = field(default_factory=dict)
    fields_unread: set[tuple[str, str | None]] = field(default_factory=set)
    # types listed without looking for unmanaged resources (--unmanaged none)
    unmanaged_unsearched: set[tuple[str, str]] = field(default_factory=set)
    sources: frozenset[str] = frozenset()
    roots_checked: frozenset[str] = frozenset()
    shard: tuple[int, int] | None = None

    @classmethod
    def from_report(cls, report: ScanReport, shard: tuple[int, int] | None = None) -> Seen:
        scanned: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        failed: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        for cov in report.coverage:
            scanned[(cov.provider, cov.type)].update(map(_split_label, cov.scanned_scopes))
            failed[(cov.provider, cov.type)].update(map(_split_label, cov.failed_scopes))
        unread = {
            (w.provider, w.type) for w in report.warnings
            if w.code in _FIELDS_UNREAD and w.provider is not None
        }
        unsearched = {(c.provider, c.type) for c in report.coverage
                      if not c.unmanaged_searched or report.summary.unmanaged_search == "none"}
        return cls(
            scanned=dict(scanned),
            failed=dict(failed),
            fields_unread=unread,
            unmanaged_unsearched=unsearched,
            sources=frozenset(report.sources),
            roots_checked=frozenset(c.root for c in report.code_coverage if c.checked),
            shard=shard,
        )

    def covers(self, unit: Unit) -> bool:
        """True when this scan would have reported the drift had it still been there."""
        if unit.kind is FindingKind.UNAPPLIED:
            return (
                unit.source in self.roots_checked
                and in_shard(self.shard, "code", unit.type, unit.address or "")
            )
        key = (unit.provider, unit.type)
        if not self._listed(key, unit.account, unit.region):
            return False
        if unit.kind is FindingKind.UNMANAGED and key in self.unmanaged_unsearched:
            return False  # listed for its managed resources only: the rest was not looked for
        if unit.kind in (FindingKind.CHANGED, FindingKind.MISSING) and (
            unit.source not in self.sources
        ):
            return False
        return not (unit.kind is FindingKind.CHANGED and (
            (unit.provider, unit.type) in self.fields_unread
            or (unit.provider, None) in self.fields_unread
        ))

    def _listed(self, key: tuple[str, str], account: str | None, region: str) -> bool:
        def match(scope: tuple[str, str]) -> bool:
            # an account a provider could not name ('?') or a finding without one matches any
            got_account, got_region = scope
            return got_region == region and (
                account is None or got_account in (account, _UNKNOWN_ACCOUNT)
            )

        if any(match(s) for s in self.failed.get(key, ())):
            return False
        return any(match(s) for s in self.scanned.get(key, ()))


@dataclass(frozen=True)
class Transition:
    """One drift's change of standing in this scan, for the store to write."""

    fingerprint: str
    status: str  # a FindingStatus value, or "ignored"
    state: DriftState
    first_seen: str
    unit: Unit
    finding: Finding | None = None  # the finding as reported (None: resolved or ignored)


@dataclass
class Outcome:
    findings: list[Finding]
    resolved: list[Finding]
    transitions: list[Transition]
    ignored: int = 0


def age_days(first_seen: str, now: str) -> float:
    delta = _parse(now) - _parse(first_seen)
    return round(max(delta.total_seconds(), 0.0) / 86400, 2)


def _parse(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def utc_stamp(moment: datetime | str) -> str:
    """ISO-8601 UTC to the second, with a Z: sortable as text in any database."""
    if isinstance(moment, str):
        moment = _parse(moment)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def classify(
    findings: Iterable[Finding],
    prior: Mapping[str, Prior],
    open_elsewhere: Iterable[Prior],
    seen: Seen,
    now: str,
    *,
    ignored: Collection[Finding] = (),
    baseline: bool = False,
) -> Outcome:
    """Statuses for this scan's findings and the drift it resolves.

    ``prior`` holds the history of (at least) every fingerprint in ``findings`` and
    ``ignored``; ``open_elsewhere`` the drift still open or ignored in the history whose unit this
    scan may have covered. A ``baseline`` records what is there as known, never new.
    """
    from cloudrift.model import Finding

    outcome = Outcome(findings=[], resolved=[], transitions=[])
    present: set[str] = set()
    for finding in findings:
        present.add(finding.fingerprint)
        before = prior.get(finding.fingerprint)
        if before is None:
            status = FindingStatus.KNOWN if baseline else FindingStatus.NEW
            first_seen = now
        else:
            first_seen = before.first_seen
            status = (
                FindingStatus.REOPENED
                if before.state is DriftState.RESOLVED and not baseline
                else FindingStatus.KNOWN
            )
        shown = finding.model_copy(update={
            "status": status, "first_seen": first_seen, "last_seen": now,
            "age_days": age_days(first_seen, now),
        })
        outcome.findings.append(shown)
        outcome.transitions.append(Transition(
            finding.fingerprint, status.value, DriftState.OPEN, first_seen, Unit.of(finding),
            shown,
        ))
    for finding in ignored:
        if finding.fingerprint in present:
            continue
        present.add(finding.fingerprint)
        before = prior.get(finding.fingerprint)
        if before is not None and before.state is DriftState.IGNORED:
            continue  # still accepted: nothing to record
        outcome.ignored += 1
        outcome.transitions.append(Transition(
            finding.fingerprint, "ignored", DriftState.IGNORED,
            before.first_seen if before else now, Unit.of(finding),
            finding.model_copy(update={"status": None}),
        ))
    for before in open_elsewhere:
        if before.fingerprint in present or before.state is DriftState.RESOLVED:
            continue
        if baseline or not seen.covers(before.unit):
            continue
        present.add(before.fingerprint)
        outcome.transitions.append(Transition(
            before.fingerprint, FindingStatus.RESOLVED.value, DriftState.RESOLVED,
            before.first_seen, before.unit,
        ))
        if before.state is DriftState.OPEN:
            # accepted (ignored) drift that went away is closed quietly
            outcome.resolved.append(Finding.model_validate({
                **before.finding, "status": FindingStatus.RESOLVED,
                "first_seen": before.first_seen, "last_seen": before.last_seen,
                "age_days": age_days(before.first_seen, now),
            }))
    return outcome
