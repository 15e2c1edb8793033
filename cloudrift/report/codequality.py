"""``codequality://``: GitLab's Code Quality report (``artifacts:reports:codequality``).

A JSON array with one issue per finding, in the subset of the Code Climate format GitLab reads:
``description``, ``check_name``, ``fingerprint``, ``severity`` (``info`` to ``blocker``) and
``location.path`` + ``location.lines.begin``. GitLab compares the report of a merge request's
pipeline with its target branch's by fingerprint and lists what is new and what was fixed; the
fingerprint is the finding's own, so one drift keeps one identity from scan to scan.

GitLab wants a path for every issue: the ``.tf`` file and line of the block where the HCL is
known, else the state file the resource is managed in (line 1), else, for an unmanaged
resource, which no file declares, the first state the scan read.
"""

from __future__ import annotations

import json
from typing import Any

from cloudrift.model import Finding, FindingKind, ScanReport
from cloudrift.report.sarif import message, split_location

SEVERITY = {
    FindingKind.MISSING: "critical",
    FindingKind.CHANGED: "major",
    FindingKind.UNMANAGED: "minor",
    FindingKind.UNAPPLIED: "minor",
}


def _path(text: str) -> str:
    """A state URL or path as the repository-relative path GitLab expects, where it is one."""
    scheme, sep, rest = text.partition("://")
    path = rest if sep and scheme in ("tfstate", "file") else text
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path or "."


def _location(finding: Finding, fallback: str) -> dict[str, Any]:
    if finding.location:
        path, line = split_location(finding.location)
        return {"path": _path(path), "lines": {"begin": line or 1}}
    return {"path": _path(finding.source or fallback), "lines": {"begin": 1}}


def issue(finding: Finding, fallback: str = ".") -> dict[str, Any]:
    return {
        "description": message(finding),
        "check_name": f"cloudrift/{finding.kind.value}",
        "fingerprint": finding.fingerprint,
        "severity": SEVERITY[finding.kind],
        "location": _location(finding, fallback),
    }


class CodeQualityReporter:
    def render(self, report: ScanReport, *, color: bool = False) -> str:
        fallback = report.sources[0] if report.sources else "."
        return json.dumps([issue(f, fallback) for f in report.findings], indent=2,
                          ensure_ascii=False) + "\n"
