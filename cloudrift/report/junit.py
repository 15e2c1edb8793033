"""``junit://``: JUnit XML, so CI servers show drift as failed tests.

One ``<testsuite>`` per resource type and one ``<testcase>`` per drifted resource: a changed,
missing, unmanaged or unapplied resource is a ``<failure>``. A ``ScanReport`` lists findings
only, so resources that are in sync are known as a count per type; they become one passing
testcase per type ("N resources in sync") rather than invented per-resource cases. Managed
resources whose region could not be scanned are one ``<skipped>`` case, and each scope that
failed is an ``<error>`` case: the check could not run there.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from cloudrift.kinds import KINDS
from cloudrift.model import (
    Finding,
    FindingKind,
    NotCompared,
    ScanReport,
    ScanWarning,
    TypeCoverage,
)
from cloudrift.report._attribution import attribution_lines
from cloudrift.report._coverage import REASON_TITLES
from cloudrift.report._diff import element_lines

_MAX_VALUE = 500

# XML 1.0 cannot carry the first set at all, not even as character references; the second
# (invisible and direction-changing characters) would make a CI page read as something else
_NOT_XML = re.compile(
    "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
    "|[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)



def xml_text(text: str) -> str:
    """Text safe for XML 1.0 and for a reader: characters XML forbids, and invisible or
    direction-changing ones, are written as ``\\uXXXX``."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass
class _Suite:
    provider: str
    type: str
    findings: list[Finding] = field(default_factory=list)
    coverage: TypeCoverage | None = None
    warnings: list[ScanWarning] = field(default_factory=list)
    not_compared: list[NotCompared] = field(default_factory=list)


def _case_name(finding: Finding) -> str:
    label = finding.address or f"{finding.type}.{finding.id}"
    if finding.kind is FindingKind.UNMANAGED:
        # unmanaged resources of one type can share an id across regions
        return f"{label} ({finding.scope.label()})"
    return label


def _failure_text(finding: Finding) -> str:
    lines = [
        f"kind: {finding.kind.value}",
        f"type: {finding.type}",
        f"id: {finding.id}",
        f"scope: {finding.scope.label()}",
    ]
    if finding.address:
        lines.append(f"address: {finding.address}")
    if finding.root not in (None, "."):
        lines.append(f"root: {finding.root}")
    if finding.location:
        lines.append(f"declared at: {finding.location}")
    if finding.source:
        lines.append(f"state: {finding.source}")
    if finding.changes:
        lines.append("changes:")
        for c in finding.changes:
            if c.has_elements:
                lines.append(f"  {c.path}: {c.element_summary()}")
                lines.extend(f"    {line}" for line in element_lines(c))
            else:
                lines.append(f"  {c.path}: expected {_value(c.expected)}, "
                             f"actual {_value(c.actual)}")
    who = attribution_lines(finding.attribution)
    if who:
        lines.append("who:")
        lines.extend(f"  {line}" for line in who)
    lines.append(f"fingerprint: {finding.fingerprint}")
    return "\n".join(lines)


def _failure_message(finding: Finding) -> str:
    text = f"{finding.type} {finding.id} {KINDS[finding.kind].failure}"
    if finding.changes:
        text += ": " + ", ".join(c.path for c in finding.changes)
    return text


class JunitReporter:
    def render(self, report: ScanReport, *, color: bool = False) -> str:
        suites = self._group(report)
        root = ET.Element("testsuites", name="cloudrift")
        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for suite in suites:
            element, counts = self._suite(suite, report)
            root.append(element)
            for key in totals:
                totals[key] += counts[key]
        general = [w for w in report.warnings if not w.type]
        if general:
            element = ET.SubElement(
                root, "testsuite", name="cloudrift", tests="0", failures="0", errors="0",
                skipped="0",
            )
            ET.SubElement(element, "system-out").text = xml_text(
                "\n".join(f"warning [{w.code}]: {w.message}" for w in general)
            )
        for key, value in totals.items():
            root.set(key, str(value))
        root.set("time", f"{report.summary.duration_s:.3f}")
        if report.started_at:
            root.set("timestamp", report.started_at)
        ET.indent(root)
        body = ET.tostring(root, encoding="unicode")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"

    @staticmethod
    def _group(report: ScanReport) -> list[_Suite]:
        suites: dict[tuple[str, str], _Suite] = {}

        def suite(provider: str, rtype: str) -> _Suite:
            key = (provider, rtype)
            if key not in suites:
                suites[key] = _Suite(provider=provider, type=rtype)
            return suites[key]

        for cov in report.coverage:
            suite(cov.provider, cov.type).coverage = cov
        for finding in report.findings:
            suite(finding.provider, finding.type).findings.append(finding)
        for group in report.not_compared:
            # resources not seen are the coverage entry's to say (with the scopes that failed)
            if group.reason != "not_seen":
                suite(group.provider, group.type).not_compared.append(group)
        by_type: dict[str, list[ScanWarning]] = defaultdict(list)
        for warning in report.warnings:
            if warning.type:
                by_type[warning.type].append(warning)
        for (provider, rtype), entry in suites.items():
            entry.warnings = [
                w for w in by_type.get(rtype, []) if w.provider in (None, provider)
            ]
        for rtype, warnings in by_type.items():
            if not any(key[1] == rtype for key in suites):
                suite(warnings[0].provider or "?", rtype).warnings = warnings
        return [suites[key] for key in sorted(suites)]

    @staticmethod
    def _suite(suite: _Suite, report: ScanReport) -> tuple[ET.Element, dict[str, int]]:
        element = ET.Element("testsuite", name=suite.type)
        properties = ET.SubElement(element, "properties")
        ET.SubElement(properties, "property", name="provider", value=xml_text(suite.provider))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}

        def case(name: str) -> ET.Element:
            counts["tests"] += 1
            return ET.SubElement(
                element, "testcase", classname=xml_text(f"{suite.provider}.{suite.type}"),
                name=xml_text(name),
            )

        cov = suite.coverage
        if cov is not None:
            for scope in cov.failed_scopes:
                counts["errors"] += 1
                messages = [w.message for w in suite.warnings] or ["the scan failed there"]
                ET.SubElement(
                    case(f"scan {scope}"), "error", type="scan_incomplete",
                    message=xml_text(f"{suite.type} could not be listed in {scope}"),
                ).text = xml_text("\n".join(messages))

        for finding in suite.findings:
            testcase = case(_case_name(finding))
            if finding.location:
                file, _, line = finding.location.rpartition(":")
                if file and line.isdigit():
                    testcase.set("file", xml_text(file))
                    testcase.set("line", line)
                else:
                    testcase.set("file", xml_text(finding.location))
            counts["failures"] += 1
            ET.SubElement(
                testcase, "failure", type=finding.kind.value,
                message=xml_text(_failure_message(finding)),
            ).text = xml_text(_failure_text(finding))

        if cov is not None:
            drifted = sum(
                1 for f in suite.findings
                if f.kind in (FindingKind.CHANGED, FindingKind.MISSING)
            )
            in_sync = max(cov.managed - drifted - cov.not_seen, 0)
            if in_sync:
                case(f"{_plural(in_sync, 'resource')} in sync")
            if cov.not_seen:
                counts["skipped"] += 1
                ET.SubElement(
                    case(f"{_plural(cov.not_seen, 'resource')} not compared"), "skipped",
                    message=xml_text(
                        "their region could not be scanned: "
                        + (", ".join(cov.failed_scopes) or "see the warnings")
                    ),
                )

        for group in suite.not_compared:
            counts["skipped"] += 1
            ET.SubElement(case(f"{_plural(group.count, 'resource')} not compared"), "skipped",
                          message=xml_text(REASON_TITLES[group.reason]))

        if suite.warnings:
            ET.SubElement(element, "system-out").text = xml_text(
                "\n".join(f"warning [{w.code}]: {w.message}" for w in suite.warnings)
            )
        for key, value in counts.items():
            element.set(key, str(value))
        if report.started_at:
            element.set("timestamp", report.started_at)
        return element, counts
