"""``markdown://``: a pull-request or merge-request comment that reads as Markdown, raw too.

A title, a summary table, then one section per finding kind with collapsible ``<details>``.
Every value from the cloud or the state is untrusted text, and is written where Markdown does
not interpret it, so that it reads as itself in the raw file (e-mail, logs, ``grep``, a person
editing the comment) and never becomes markup or HTML when rendered:

- in Markdown (table cells, list items): a code span, its backtick fence longer than any run of
  backticks in the value; inside a table only ``|`` is escaped (``\\|``), as GFM asks;
- inside an HTML block (a ``<summary>`` line, where Markdown is not parsed): ``<code>`` with
  only ``&``, ``<`` and ``>`` escaped. GitHub links neither ``@mentions`` nor ``#123`` inside
  code, and makes no autolink there;
- the elements of a list or set that changed: a fenced ``diff`` block, its fence longer than
  any run of backticks inside.

Invisible and direction-changing characters are shown as ``\\uXXXX`` everywhere. The comment
is kept under GitHub's limit of 65,536 characters by leaving out whole findings, last first,
and saying how many were left out.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cloudrift.history.grouping import TIMES, Group, group_findings
from cloudrift.kinds import KINDS
from cloudrift.model import FieldChange, Finding, FindingKind, ScanReport
from cloudrift.report._attribution import event_text, no_events_text
from cloudrift.report._coverage import (
    compared_line,
    not_compared_groups,
    unmanaged_count,
    unmanaged_search_line,
)
from cloudrift.report._diff import element_lines

GITHUB_COMMENT_LIMIT = 65_536


_MAX_VALUE = 300
_MAX_CHANGES = 50
# members of a group listed in its table; the rest are counted
_GROUP_SHOWN = 50

# invisible or direction-changing characters could make a value read as something else; line
# breaks would end a table row or a list item
_DECEPTIVE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)
_TICKS = re.compile(r"`+")


def _visible(text: str) -> str:
    return _DECEPTIVE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def code(text: str, limit: int = _MAX_VALUE, *, table: bool = False) -> str:
    """Untrusted text as a Markdown code span (``table``: inside a table cell)."""
    shown = _visible(_cut(text, limit))
    if not shown:
        return "` `"
    fence = "`" * (max((len(m) for m in _TICKS.findall(shown)), default=0) + 1)
    # a span that starts or ends with a backtick or a space needs one space of padding, which
    # GFM strips again
    pad = " " if shown[0] in "` " or shown[-1] in "` " else ""
    if table:
        shown = shown.replace("|", "\\|")
    return f"{fence}{pad}{shown}{pad}{fence}"


def html_code(text: str, limit: int = _MAX_VALUE) -> str:
    """Untrusted text inside an HTML block, where Markdown is not parsed."""
    return f"<code>{html.escape(_visible(_cut(text, limit)), quote=False)}</code>"


def fenced(lines: list[str], info: str = "") -> str:
    """A fenced code block whose fence no line can close."""
    body = "\n".join(_visible(line) for line in lines)
    fence = "`" * max(3, max((len(m) for m in _TICKS.findall(body)), default=0) + 1)
    return f"{fence}{info}\n{body}\n{fence}\n"


def _value(value: Any) -> str:
    return code(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str), table=True)


def _label(finding: Finding) -> str:
    return finding.address or f"{finding.type}.{finding.id}"


def utf16_length(text: str) -> int:
    """Length as GitHub counts it (JavaScript string length: UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class _Block:
    text: str
    findings: int  # how many findings the block shows


@dataclass(frozen=True)
class _Section:
    kind: FindingKind
    head: str
    blocks: list[_Block]
    tail: str


def _change_rows(changes: list[FieldChange]) -> list[str]:
    rows = ["| Field | Expected (state) | Actual (cloud) |", "| --- | --- | --- |"]
    for change in changes[:_MAX_CHANGES]:
        if change.has_elements:
            expected = f"{_size(change.expected)}"
            actual = f"{_size(change.actual)}: {change.element_summary()}, below"
            rows.append(f"| {code(change.path, table=True)} | {expected} | {actual} |")
        else:
            rows.append(f"| {code(change.path, table=True)} | {_value(change.expected)} "
                        f"| {_value(change.actual)} |")
    if len(changes) > _MAX_CHANGES:
        rows.append(f"| … {len(changes) - _MAX_CHANGES} more changes | | |")
    elements = [line for change in changes[:_MAX_CHANGES] if change.has_elements
                for line in [f"@@ {change.path} @@", *element_lines(change)]]
    if elements:
        rows += ["", fenced(elements, "diff").rstrip("\n")]
    return rows


def _size(value: Any) -> str:
    if isinstance(value, dict):
        return "a document"
    count = len(value) if isinstance(value, list) else 0
    return f"{count} element{'s' if count != 1 else ''}"


def _changed_block(finding: Finding) -> str:
    count = len(finding.changes)
    where = f"{finding.scope.account or '?'}/{finding.scope.region}"
    summary = (
        f"{html_code(_label(finding))} · {html.escape(finding.type)} {html_code(finding.id)} · "
        f"{html.escape(where)} · {count} field{'s' if count != 1 else ''}"
    )
    if finding.root not in (None, "."):
        summary += f" · in {html_code(finding.root or '')}"
    if finding.location:
        summary += f" · {html_code(finding.location)}"
    if finding.status is not None:
        summary += f" · <b>{finding.status.value}</b>"
    rows = _change_rows(finding.changes)
    who = _who(finding)
    if who:
        rows += ["", who]
    return (
        f"<details>\n<summary>{summary}</summary>\n\n" + "\n".join(rows) + "\n\n</details>\n"
    )


def _group_block(group: Group) -> str:
    """``163 TIMES aws_s3_bucket: tags.CostCenter "ops" → absent``, the shared changes once,
    then the members."""
    summary = (f"<b>{group.size} {TIMES} {html.escape(group.type)}</b>: "
               f"{html_code(group.what())}")
    rows = _change_rows(group.changes)
    rows += ["", "| Address | ID | Account/region | Declared at | Status |",
             "| --- | --- | --- | --- | --- |"]
    for finding in group.findings[:_GROUP_SHOWN]:
        where = f"{finding.scope.account or '?'}/{finding.scope.region}"
        location = code(finding.location, table=True) if finding.location else "—"
        status = finding.status.value if finding.status is not None else "—"
        rows.append(f"| {code(_label(finding), table=True)} | {code(finding.id, table=True)} "
                    f"| {code(where, table=True)} | {location} | {status} |")
    if group.size > _GROUP_SHOWN:
        rows.append(f"| … {group.size - _GROUP_SHOWN} more (every one is in the `json://` "
                    "report) | | | | |")
    return (f"<details>\n<summary>{summary}</summary>\n\n" + "\n".join(rows)
            + "\n\n</details>\n")


def _who(finding: Finding) -> str:
    """``--attribute``: the newest writes on the resource, every value as untrusted text."""
    attribution = finding.attribution
    if attribution is None:
        return ""
    if not attribution.events:
        return code(no_events_text(attribution))
    return "<br>\n".join(code(event_text(event)) for event in attribution.events)


def _row(finding: Finding, attributed: bool = False) -> str:
    where = f"{finding.scope.account or '?'}/{finding.scope.region}"
    address = code(finding.address, table=True) if finding.address else "—"
    location = code(finding.location, table=True) if finding.location else "—"
    if finding.root not in (None, "."):
        location = f"{location} in {code(finding.root or '', table=True)}"
    who = ""
    if attributed:
        # a table cell holds one line: the newest write only
        attribution = finding.attribution
        first = ""
        if attribution is not None:
            first = event_text(attribution.events[0]) if attribution.events else (
                no_events_text(attribution))
        who = f" {code(first, table=True) if first else '—'} |"
    return (
        f"| {address} | {code(finding.type, table=True)} | {code(finding.id, table=True)} "
        f"| {code(where, table=True)} | {location} |{who}\n"
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
            self.length(s.head) + self.length(s.tail)
            + self.length(_omitted(sum(b.findings for b in s.blocks)))
            for s in sections
        )
        shown: dict[FindingKind, int] = {}
        for section in sections:
            shown[section.kind] = 0
            for block in section.blocks:
                cost = self.length(block.text)
                if budget < cost:
                    break
                budget -= cost
                shown[section.kind] += 1
            if shown[section.kind] < len(section.blocks):
                # one block did not fit: leave out every later one too, so the comment
                # never shows a later finding while hiding an earlier one
                break

        parts = [head]
        for section in sections:
            count = shown.get(section.kind, 0)
            parts.append(section.head)
            parts.extend(block.text for block in section.blocks[:count])
            parts.append(section.tail)
            if count < len(section.blocks):
                parts.append(_omitted(sum(b.findings for b in section.blocks[count:])))
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
            name, meaning = KINDS[kind].name, KINDS[kind].meaning
            shown = unmanaged_count(s) if kind is FindingKind.UNMANAGED else str(count)
            lines.append(f"| {KINDS[kind].icon} **{name}** ({meaning}) | {shown} |")
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
            f"**{compared_line(s)}**",
            "",
        ]
        limited = unmanaged_search_line(report)
        if limited is not None:
            lines += [f"> {limited}", ""]
        if report.not_compared:
            lines += [
                "<details>",
                f"<summary>{s.managed - s.compared} managed resources not compared</summary>",
                "",
                "| Why | Type | Resources |",
                "| --- | --- | ---: |",
            ]
            lines += [f"| {title} | {code(g.type, table=True)} | {g.count} |"
                      for title, groups in not_compared_groups(report) for g in groups]
            lines += ["", "</details>", ""]
        return "\n".join(lines) + "\n"

    @staticmethod
    def _section(kind: FindingKind, report: ScanReport) -> _Section:
        group = [f for f in report.findings if f.kind is kind]
        name, meaning = KINDS[kind].name, KINDS[kind].meaning
        head = f"### {KINDS[kind].icon} {name}: {len(group)}\n\n_{meaning}_\n\n"
        if kind is FindingKind.CHANGED:
            blocks = [
                _Block(_changed_block(g.findings[0]), 1) if g.size == 1
                else _Block(_group_block(g), g.size)
                for g in group_findings(group)
            ]
            return _Section(kind, head, blocks, "\n")
        plural = "resource" if len(group) == 1 else "resources"
        # the column only when --attribute looked these findings up
        attributed = any(f.attribution is not None for f in group)
        extra = (" Last change |", " --- |") if attributed else ("", "")
        table_head = (
            f"<details>\n<summary>{len(group)} {plural}</summary>\n\n"
            f"| Address | Type | ID | Account/region | Declared at |{extra[0]}\n"
            f"| --- | --- | --- | --- | --- |{extra[1]}\n"
        )
        return _Section(kind, head + table_head,
                        [_Block(_row(f, attributed), 1) for f in group], "\n</details>\n\n")

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
                line = f"- {code(warning.code)} {code(warning.message, _MAX_VALUE * 2)}"
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
            lines.extend(f"- {code(_label(f))} {f.kind.value}" for f in report.resolved[:200])
            if len(report.resolved) > 200:
                lines.append(f"- … {len(report.resolved) - 200} more")
            lines += ["", "</details>", ""]
        version = report.tool_version or "?"
        lines.append(f"<sub>cloudrift {html.escape(version)} · "
                     f"{html.escape(report.started_at)}</sub>")
        return "\n".join(lines) + "\n"
