"""``markdown://``: a pull-request or merge-request comment.

A title, a summary table, then one section per finding kind with collapsible ``<details>``.
Every value from the cloud or the state is untrusted text: it is written inside ``<code>``
(where GitHub neither links ``@mentions`` nor ``#123``) with every character that Markdown,
a table or HTML would interpret turned into a character reference. The comment is kept under
GitHub's limit of 65,536 characters by leaving out whole findings, last first, and saying how
many were left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cloudrift.model import Finding, FindingKind, ScanReport
from cloudrift.report._attribution import no_events_text
from cloudrift.report._coverage import compared_line, not_compared_groups

GITHUB_COMMENT_LIMIT = 65_536

_TITLES = {
    FindingKind.CHANGED: ("Changed", "the cloud differs from the state"),
    FindingKind.MISSING: ("Missing", "in the state, gone from the cloud"),
    FindingKind.UNMANAGED: ("Unmanaged", "in the cloud, in no state"),
    FindingKind.UNAPPLIED: ("Unapplied", "in the code, not in the state"),
}
_ICONS = {
    FindingKind.CHANGED: "🟡",
    FindingKind.MISSING: "🔴",
    FindingKind.UNMANAGED: "🟣",
    FindingKind.UNAPPLIED: "🔵",
}

_MAX_VALUE = 300
_MAX_CHANGES = 50

# one pass, so the "&" and "#" of a reference made here are never escaped again; besides HTML's
# five: ``:`` and ``.`` stop URL and www autolinks, ``$`` math, ``@`` and ``#`` mentions and
# issue references, the rest is Markdown and table syntax
_ESCAPES = {ord(c): f"&#{ord(c)};" for c in "&<>\"'|`*_[]\\~$@#:.\n\r\t"}
# invisible or direction-changing characters could make a value read as something else
_DECEPTIVE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
    "\ud800-\udfff]"
)


def _visible(text: str) -> str:
    return _DECEPTIVE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def escape(text: str) -> str:
    """Untrusted text made inert for GitHub-flavoured Markdown, tables and HTML."""
    return _visible(text).translate(_ESCAPES)


def code(text: str, limit: int = _MAX_VALUE) -> str:
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"<code>{escape(text)}</code>"


def _value(value: Any) -> str:
    return code(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def _label(finding: Finding) -> str:
    return finding.address or f"{finding.type}.{finding.id}"


def utf16_length(text: str) -> int:
    """Length as GitHub counts it (JavaScript string length: UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class _Section:
    kind: FindingKind
    head: str
    blocks: list[str]
    tail: str


def _changed_block(finding: Finding) -> str:
    count = len(finding.changes)
    where = f"{finding.scope.account or '?'}/{finding.scope.region}"
    summary = (
        f"{code(_label(finding))} · {escape(finding.type)} {code(finding.id)} · "
        f"{escape(where)} · {count} field{'s' if count != 1 else ''}"
    )
    if finding.location:
        summary += f" · {code(finding.location)}"
    if finding.status is not None:
        summary += f" · **{finding.status.value}**"
    rows = [
        "| Field | Expected (state) | Actual (cloud) |",
        "| --- | --- | --- |",
    ]
    rows.extend(
        f"| {code(c.path)} | {_value(c.expected)} | {_value(c.actual)} |"
        for c in finding.changes[:_MAX_CHANGES]
    )
    if count > _MAX_CHANGES:
        rows.append(f"| … {count - _MAX_CHANGES} more changes | | |")
    who = _who(finding)
    if who:
        rows += ["", who]
    return (
        f"<details>\n<summary>{summary}</summary>\n\n" + "\n".join(rows) + "\n\n</details>\n"
    )


def _who(finding: Finding) -> str:
    """``--attribute``: the newest writes on the resource, every value as untrusted text."""
    attribution = finding.attribution
    if attribution is None:
        return ""
    if not attribution.events:
        return f"_{escape(no_events_text(attribution))}_"
    lines = []
    for event in attribution.events:
        where = f" from {code(event.source_ip)}" if event.source_ip else ""
        lines.append(f"changed by {code(event.principal)} at {escape(event.time)}{where} "
                     f"({code(event.event_name)})")
    return "<br>\n".join(lines)


def _row(finding: Finding, attributed: bool = False) -> str:
    where = f"{finding.scope.account or '?'}/{finding.scope.region}"
    address = code(finding.address) if finding.address else "—"
    location = code(finding.location) if finding.location else "—"
    who = ""
    if attributed:
        # a table cell holds one line: the newest write only
        first = _who(finding).split("<br>")[0].strip()
        who = f" {first or '—'} |"
    return (
        f"| {address} | {escape(finding.type)} | {code(finding.id)} | {escape(where)} "
        f"| {location} |{who}\n"
    )


def _omitted(count: int) -> str:
    noun = "finding" if count == 1 else "findings"
    return (
        f"\n_… and {count} more {noun} not shown: the comment would pass GitHub's size "
        "limit. The `json://` and `html://` reports list them all._\n"
    )


class MarkdownReporter:
    def __init__(self, limit: int = GITHUB_COMMENT_LIMIT,
                 length: Callable[[str], int] = utf16_length) -> None:
        self.limit = limit
        self.length = length

    def render(self, report: ScanReport, *, color: bool = False) -> str:
        head = self._head(report)
        sections = [self._section(kind, report) for kind in FindingKind]
        sections = [s for s in sections if s.blocks]
        foot = self._foot(report)

        # worst case for each section: everything left out, with the longest note
        budget = self.limit - self.length(head) - self.length(foot)
        budget -= sum(
            self.length(s.head) + self.length(s.tail) + self.length(_omitted(len(s.blocks)))
            for s in sections
        )
        shown: dict[FindingKind, int] = {}
        for section in sections:
            shown[section.kind] = 0
            for block in section.blocks:
                cost = self.length(block)
                if budget < cost:
                    break
                budget -= cost
                shown[section.kind] += 1
            if shown[section.kind] < len(section.blocks):
                # one finding did not fit: leave out every later one too, so the comment
                # never shows a later finding while hiding an earlier one
                break

        parts = [head]
        for section in sections:
            count = shown.get(section.kind, 0)
            parts.append(section.head)
            parts.extend(section.blocks[:count])
            parts.append(section.tail)
            if count < len(section.blocks):
                parts.append(_omitted(len(section.blocks) - count))
        parts.append(foot)
        return "".join(parts)

    @staticmethod
    def _head(report: ScanReport) -> str:
        s = report.summary
        title = "⚠️ cloudrift: drift found" if report.findings else "✅ cloudrift: no drift"
        lines = [f"## {title}", ""]
        if not report.complete:
            lines += [
                "> **The scan is incomplete**: some types or regions could not be listed "
                "(see the warnings below). What was not seen is not reported as drift.",
                "",
            ]
        lines += ["| | Resources |", "| --- | ---: |"]
        for kind in FindingKind:
            count = getattr(s, kind.value)
            if kind is FindingKind.UNAPPLIED and not count:
                continue
            name, meaning = _TITLES[kind]
            lines.append(f"| {_ICONS[kind]} **{name}** ({meaning}) | {count} |")
        if s.ignored:
            lines.append(f"| Ignored by rules | {s.ignored} |")
        if report.scan_id is not None:
            lines += [f"| New or reopened since the last scan | {s.new + s.reopened} |",
                      f"| Resolved since the last scan | {s.resolved} |"]
        lines += [
            f"| Managed | {s.managed} |",
            f"| Compared | {s.compared} |",
            f"| In sync | {s.in_sync} |",
            f"| Coverage | {s.coverage:.0%} |",
            f"| API calls | {s.api_calls} |",
            f"| Duration | {s.duration_s:.1f} s |",
            "",
            f"**{escape(compared_line(s))}**",
            "",
        ]
        if report.not_compared:
            lines += [
                "<details>",
                f"<summary>{s.managed - s.compared} managed resources not compared</summary>",
                "",
                "| Why | Type | Resources |",
                "| --- | --- | ---: |",
            ]
            lines += [f"| {escape(title)} | {code(g.type)} | {g.count} |"
                      for title, groups in not_compared_groups(report) for g in groups]
            lines += ["", "</details>", ""]
        return "\n".join(lines) + "\n"

    @staticmethod
    def _section(kind: FindingKind, report: ScanReport) -> _Section:
        group = [f for f in report.findings if f.kind is kind]
        name, meaning = _TITLES[kind]
        head = f"### {_ICONS[kind]} {name}: {len(group)}\n\n_{meaning}_\n\n"
        if kind is FindingKind.CHANGED:
            return _Section(kind, head, [_changed_block(f) for f in group], "\n")
        plural = "resource" if len(group) == 1 else "resources"
        # the column only when --attribute looked these findings up
        attributed = any(f.attribution is not None for f in group)
        extra = (" Last change |", " --- |") if attributed else ("", "")
        table_head = (
            f"<details>\n<summary>{len(group)} {plural}</summary>\n\n"
            f"| Address | Type | ID | Account/region | Declared at |{extra[0]}\n"
            f"| --- | --- | --- | --- | --- |{extra[1]}\n"
        )
        return _Section(kind, head + table_head, [_row(f, attributed) for f in group],
                        "\n</details>\n\n")

    def _foot(self, report: ScanReport) -> str:
        lines: list[str] = []
        warnings = report.warnings
        if warnings:
            lines.append(
                f"<details>\n<summary>⚠️ {len(warnings)} "
                f"warning{'s' if len(warnings) != 1 else ''}</summary>\n"
            )
            # warnings may not crowd out the findings: they get a quarter of the comment
            budget = self.limit // 4
            listed = 0
            for warning in warnings:
                line = f"- {code(warning.code)} {escape(warning.message[:_MAX_VALUE * 2])}"
                budget -= self.length(line) + 1
                if budget < 0:
                    break
                lines.append(line)
                listed += 1
            if listed < len(warnings):
                lines.append(f"- … {len(warnings) - listed} more")
            lines += ["", "</details>", ""]
        if report.resolved:
            lines.append(f"<details>\n<summary>✅ {len(report.resolved)} resolved since the "
                         "last scan</summary>\n")
            lines.extend(f"- {code(_label(f))} {escape(f.kind.value)}"
                         for f in report.resolved[:200])
            if len(report.resolved) > 200:
                lines.append(f"- … {len(report.resolved) - 200} more")
            lines += ["", "</details>", ""]
        version = report.tool_version or "?"
        lines.append(f"<sub>cloudrift {escape(version)} · {escape(report.started_at)}</sub>")
        return "\n".join(lines) + "\n"
