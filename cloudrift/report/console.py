"""``console://``: the same facts as the JSON report, grouped for a person reading a CI log."""

from __future__ import annotations

import json
from typing import Any

import click

from cloudrift.history.grouping import group_findings
from cloudrift.kinds import KINDS
from cloudrift.model import Finding, FindingKind, ScanReport
from cloudrift.report._attribution import attribution_lines
from cloudrift.report._coverage import (
    compared_line,
    not_compared_groups,
    unmanaged_count,
    unmanaged_search_line,
)
from cloudrift.report._diff import element_lines

_MAX_VALUE = 120
# members of a group listed under its line; the rest are counted
_GROUP_SHOWN = 10


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


class ConsoleReporter:
    def render(self, report: ScanReport, *, color: bool) -> str:
        def style(text: str, **kwargs: Any) -> str:
            return click.style(text, **kwargs) if color else text

        lines: list[str] = []
        for kind in FindingKind:
            group = [f for f in report.findings if f.kind is kind]
            if not group:
                continue
            lines.append(style(f"{KINDS[kind].title}: {len(group)}", fg=KINDS[kind].color,
                               bold=True))
            for bundle in group_findings(group):
                if bundle.size == 1:
                    lines.extend(self._finding(bundle.findings[0], style))
                    continue
                lines.append(f"  {style(bundle.label(), bold=True)}")
                for change in bundle.changes:
                    if change.has_elements:
                        lines.append(f"      {change.path}:")
                        lines.extend(f"        {line}" for line in element_lines(change))
                for finding in bundle.findings[:_GROUP_SHOWN]:
                    lines.extend("  " + line for line in self._finding(finding, style,
                                                                       changes=False))
                if bundle.size > _GROUP_SHOWN:
                    lines.append(f"      … and {bundle.size - _GROUP_SHOWN} more "
                                 "(every one is in the json:// report)")
            lines.append("")
        if report.resolved:
            lines.append(style(f"Resolved since the last scan: {len(report.resolved)}",
                               fg="green", bold=True))
            for finding in report.resolved:
                what = finding.address or f"{finding.type} {finding.id}"
                lines.append(f"  {what}  {finding.kind.value}, first seen "
                             f"{finding.first_seen}")
            lines.append("")
        if report.not_compared:
            s = report.summary
            missed = s.managed - s.compared
            lines.append(style(f"Not compared: {missed} of {s.managed} managed resources",
                               fg="yellow", bold=True))
            for title, groups in not_compared_groups(report):
                lines.append(f"  {title}: {sum(g.count for g in groups)}")
                lines.extend(f"      {g.type} ({g.count})" for g in groups)
            lines.append("")
        limited = unmanaged_search_line(report)
        if limited is not None:
            lines.extend([style(limited, fg="yellow"), ""])
        if report.warnings:
            lines.append(style(f"Warnings: {len(report.warnings)}", fg="yellow", bold=True))
            lines.extend(f"  ! {w.message}" for w in report.warnings)
            lines.append("")
        s = report.summary
        verdict = (
            style("Drift found.", fg="red", bold=True) if report.findings
            else style("No drift.", fg="green", bold=True)
        )
        if not report.complete:
            verdict += style(" Scan incomplete: see warnings.", fg="yellow", bold=True)
        lines.append(
            f"{verdict} {compared_line(s)}: {s.in_sync} in sync, {s.changed} changed, "
            f"{s.missing} missing · {unmanaged_count(s)} unmanaged"
            + (f", {s.unapplied} unapplied" if s.unapplied else "")
            + f" · {s.api_calls} API calls · {s.duration_s:.1f}s"
        )
        if report.scan_id is not None:
            lines[-1] += (f" · {s.new} new, {s.reopened} reopened, {s.known} known, "
                          f"{s.resolved} resolved (scan {report.scan_id})")
        return "\n".join(lines) + "\n"

    @staticmethod
    def _finding(finding: Finding, style: Any, *, changes: bool = True) -> list[str]:
        if finding.address and finding.id == finding.address:  # unapplied: no cloud id yet
            head = f"{style(finding.address, bold=True)}  {finding.type}"
        elif finding.address:
            head = f"{style(finding.address, bold=True)}  {finding.type} {finding.id}"
        else:
            head = f"{style(finding.type, bold=True)} {finding.id}"
        lines = [f"  {head}"]
        if finding.scope.account or finding.kind is not FindingKind.UNAPPLIED:
            lines[0] += f"  ({finding.scope.account or '?'}/{finding.scope.region})"
        # the root is said once: not again when the code's location already lies under it
        if finding.root not in (None, ".") and not (
                finding.location and finding.location.startswith(f"{finding.root}/")):
            lines[0] += f"  in {finding.root}"
        if finding.location:
            lines[0] += f"  {finding.location}"
        if finding.status is not None:
            age = f" {finding.age_days:g}d" if finding.age_days else ""
            lines[0] += f"  [{finding.status.value}{age}]"
        for change in finding.changes if changes else ():
            if change.has_elements:
                lines.append(f"      {change.path}: {change.element_summary()}")
                lines.extend(f"        {line}" for line in element_lines(change))
            else:
                lines.append(
                    f"      {change.path}: {_value(change.expected)} → {_value(change.actual)}"
                )
        lines.extend(f"      {style(line, dim=True)}"
                     for line in attribution_lines(finding.attribution))
        return lines
