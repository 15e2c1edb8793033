"""What a notification says: the drift that changed, from the report's history statuses.

``--notify-on change`` (the default) tells of ``new``, ``reopened`` and ``resolved`` drift;
``new`` of ``new`` and ``reopened`` only; ``always`` of every open drift and what was resolved,
on every scan, even one in sync (a heartbeat). A notice with more changes than the digest
threshold is a digest: counts by event, kind and type instead of one item per drift.

The wording here is shared by every channel, like ``cloudrift/report/_coverage.py`` is by every
format.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cloudrift.errors import ConfigError
from cloudrift.model import Finding, FindingStatus, ScanReport, finding_order
from cloudrift.report._attribution import attribution_lines
from cloudrift.report._diff import element_lines
from cloudrift.settings import NOTIFY_ON

DEFAULT_DIGEST = 25
# the order events are told in; "open" is a drift of a scan that kept no history
EVENTS = ("new", "reopened", "resolved", "known", "open")
EVENT_TITLES = {"new": "NEW", "reopened": "REOPENED", "resolved": "RESOLVED",
                "known": "STILL OPEN", "open": "OPEN"}
_VALUE_LIMIT = 200
_MAX_ELEMENT_LINES = 20

# CI systems' own variables for the page of the job that ran the scan
_CI_LINKS = ("CI_JOB_URL", "BUILD_URL", "CIRCLE_BUILD_URL", "BUILDKITE_BUILD_URL")


@dataclass(frozen=True)
class Change:
    event: str
    finding: Finding


@dataclass(frozen=True)
class Group:
    event: str
    kind: str
    type: str
    count: int


@dataclass(frozen=True)
class Notice:
    """Everything a channel renders, from one scrubbed report."""

    report: ScanReport
    changes: tuple[Change, ...]
    on: str
    digest: bool
    link: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(c.event for c in self.changes)
        return {event: found[event] for event in EVENTS if found[event]}

    @property
    def groups(self) -> list[Group]:
        found = Counter((c.event, c.finding.kind.value, c.finding.type) for c in self.changes)
        ordered = sorted(found.items(), key=lambda item: (EVENTS.index(item[0][0]), -item[1],
                                                           item[0][1], item[0][2]))
        return [Group(event, kind, rtype, n) for (event, kind, rtype), n in ordered]

    @property
    def title(self) -> str:
        """``cloudrift: 3 new, 1 resolved drift``; ``cloudrift: in sync`` for a heartbeat."""
        counts = self.counts
        if not counts:
            return "cloudrift: in sync, no drift"
        if self.on == "always":
            still = len(self.report.findings)
            news = [f"{counts[e]} {e}" for e in ("new", "reopened") if counts.get(e)]
            what = f"{still} drift open" + (f" ({', '.join(news)})" if news else "")
            if counts.get("resolved"):
                what += f", {counts['resolved']} resolved"
            return f"cloudrift: {what}"
        parts = [f"{counts[e]} {e}" for e in ("new", "reopened", "resolved") if counts.get(e)]
        return f"cloudrift: {', '.join(parts)} drift"

    @property
    def context(self) -> str:
        """Which scan: ``scan 42 of envs/prod/terraform.tfstate (+2 more), 2026-12-06T03:00``."""
        report = self.report
        sources = report.sources
        where = ""
        if sources:
            where = f" of {sources[0]}" + (f" (+{len(sources) - 1} more)" if len(sources) > 1
                                            else "")
        scan = f"scan {report.scan_id}" if report.scan_id else "scan"
        when = f", {report.started_at}" if report.started_at else ""
        total = f"; {len(report.findings)} drift open in all" if self.on != "always" else ""
        return f"{scan}{where}{when}{total}"


def has_history(report: ScanReport) -> bool:
    return report.scan_id is not None or any(f.status is not None for f in report.findings)


def check_settings(on: str, digest: int, *, history: bool) -> None:
    if on not in NOTIFY_ON:
        raise ConfigError(f"--notify-on {on!r} is not one of {', '.join(NOTIFY_ON)}")
    if digest < 0:
        raise ConfigError(f"--notify-digest {digest} is negative",
                          hint="the number of changes above which a digest is sent; 0: always")
    if not history and on != "always":
        raise ConfigError(f"--notify-on {on} needs the history (new, reopened, resolved)",
                          hint="keep the history, or use --notify-on always")


def _event(finding: Finding) -> str:
    return finding.status.value if finding.status is not None else "open"


def select(report: ScanReport, on: str) -> list[Change]:
    if on == "always":
        chosen = [Change(_event(f), f) for f in report.findings]
    else:
        wanted = {FindingStatus.NEW, FindingStatus.REOPENED}
        chosen = [Change(_event(f), f) for f in report.findings if f.status in wanted]
    if on != "new":
        chosen += [Change("resolved", f) for f in report.resolved]
    return sorted(chosen, key=lambda c: (EVENTS.index(c.event), finding_order(c.finding)))


def ci_link(env: Mapping[str, str]) -> str | None:
    """The page of the CI job that ran the scan, when a known CI system says."""
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        return f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
    return next((env[name] for name in _CI_LINKS if env.get(name)), None)


def build_notice(report: ScanReport, *, on: str = "change", digest: int = DEFAULT_DIGEST,
                 link: str | None = None) -> Notice | None:
    """The notice for ``report`` (already scrubbed), or None when there is nothing to say."""
    check_settings(on, digest, history=has_history(report))
    changes = tuple(select(report, on))
    if not changes and on != "always":
        return None
    return Notice(report, changes, on, digest=len(changes) > digest, link=link)


# -- the wording of one drift, shared by every channel ------------------------------------------

def value_text(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return text if len(text) <= _VALUE_LIMIT else text[: _VALUE_LIMIT - 1] + "…"


def subject(finding: Finding) -> str:
    """``aws_sqs_queue.orders`` (the address), else ``aws_sqs_queue hand-made``."""
    return finding.address or f"{finding.type} {finding.id}"


def scope_text(finding: Finding) -> str:
    return f"{finding.provider} {finding.scope.label()}"


def headline(change: Change) -> str:
    """``NEW changed aws_sqs_queue.orders (aws 123456789012/eu-west-1)``."""
    finding = change.finding
    return (f"{EVENT_TITLES[change.event]} {finding.kind.value} {subject(finding)} "
            f"({scope_text(finding)})")


def detail_lines(change: Change) -> list[str]:
    """The changed fields, where it is declared, how old it is and who changed it."""
    finding = change.finding
    lines = []
    for c in finding.changes:
        if c.has_elements:
            # a list, set or structure: what changed inside it, as every format shows it
            lines.append(f"{c.path}: {c.element_summary()}")
            lines += [f"  {line}" for line in element_lines(c)[:_MAX_ELEMENT_LINES]]
        else:
            lines.append(f"{c.path}: {value_text(c.expected)} → {value_text(c.actual)}")
    if finding.address and finding.kind.value != "unapplied":
        lines.append(f"id: {finding.id}")  # the headline names the address only
    if finding.location:
        lines.append(f"declared at {finding.location}")
    if finding.first_seen:
        age = f" ({finding.age_days:g} days)" if finding.age_days is not None else ""
        lines.append(f"first seen {finding.first_seen}{age}")
    if change.event == "resolved" and finding.last_seen:
        lines.append(f"last seen {finding.last_seen}")
    lines.extend(attribution_lines(finding.attribution))
    return lines


def group_text(group: Group) -> str:
    """``NEW changed aws_s3_bucket: 163``."""
    return f"{EVENT_TITLES[group.event]} {group.kind} {group.type}: {group.count}"


def item(change: Change) -> dict[str, Any]:
    """One change as the JSON channels carry it (webhook, PagerDuty's custom details)."""
    finding = change.finding
    data: dict[str, Any] = {
        "event": change.event,
        "fingerprint": finding.fingerprint,
        "kind": finding.kind.value,
        "type": finding.type,
        "id": finding.id,
        "address": finding.address,
        "provider": finding.provider,
        "account": finding.scope.account,
        "region": finding.scope.region,
        "source": finding.source,
        "location": finding.location,
        "changes": [c.model_dump(mode="json") for c in finding.changes],
        "first_seen": finding.first_seen,
        "last_seen": finding.last_seen,
        "age_days": finding.age_days,
        "group": finding.group,
    }
    if finding.attribution is not None:
        data["attribution"] = finding.attribution.model_dump(mode="json")
    return data
