"""``console://``: the same facts as the JSON report, grouped for a person reading a CI log."""

from __future__ import annotations

import json
from typing import Any

import click

from cloudrift.model import Finding, FindingKind, ScanReport
from cloudrift.report._attribution import attribution_lines
from cloudrift.report._coverage import compared_line, not_compared_groups

_COLORS = {
    FindingKind.CHANGED: "yellow",
    FindingKind.MISSING: "red",
    FindingKind.UNMANAGED: "magenta",
    FindingKind.UNAPPLIED: "cyan",
}
_TITLES = {
    FindingKind.CHANGED: "Changed (the cloud differs from the state)",
    FindingKind.MISSING: "Missing (in state, gone from the cloud)",
    FindingKind.UNMANAGED: "Unmanaged (in the cloud, in no state)",
    FindingKind.UNAPPLIED: "Unapplied (in code, not in state)",
}
_MAX_VALUE = 120


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
            lines.append(style(f"{_TITLES[kind]}: {len(group)}", fg=_COLORS[kind], bold=True))
            for finding in group:
                lines.extend(self._finding(finding, style))
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
            f"{s.missing} missing · {s.unmanaged} unmanaged"
            + (f", {s.unapplied} unapplied" if s.unapplied else "")
            + f" · {s.api_calls} API calls · {s.duration_s:.1f}s"
        )
        return "\n".join(lines) + "\n"

    @staticmethod
    def _finding(finding: Finding, style: Any) -> list[str]:
        where = f"{finding.scope.account or '?'}/{finding.scope.region}"
        if finding.address:
            head = f"{style(finding.address, bold=True)}  {finding.type} {finding.id}"
        else:
            head = f"{style(finding.type, bold=True)} {finding.id}"
        lines = [f"  {head}  ({where})"]
        if finding.location:
            lines[0] += f"  {finding.location}"
        for change in finding.changes:
            lines.append(
                f"      {change.path}: {_value(change.expected)} → {_value(change.actual)}"
            )
        lines.extend(f"      {style(line, dim=True)}"
                     for line in attribution_lines(finding.attribution))
        return lines
