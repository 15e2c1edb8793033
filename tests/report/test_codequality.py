"""``codequality://``: the subset of the Code Climate format GitLab's Code Quality widget reads."""

from __future__ import annotations

import json

from cloudrift.model import FindingKind, ScanReport
from cloudrift.report import OutputTarget, parse_output, render
from cloudrift.report.codequality import SEVERITY

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def issues(report: ScanReport) -> list[dict[str, object]]:
    parsed = json.loads(render(report, OutputTarget("codequality", None), color=False))
    assert isinstance(parsed, list)
    return parsed


def test_one_issue_per_finding_keyed_by_its_fingerprint(report: ScanReport) -> None:
    found = issues(report)
    assert [i["fingerprint"] for i in found] == [f.fingerprint for f in report.findings]
    assert len({i["fingerprint"] for i in found}) == len(found)
    for issue, finding in zip(found, report.findings, strict=True):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in GITLAB_SEVERITIES
        assert issue["severity"] == SEVERITY[finding.kind]
        assert issue["check_name"] == f"cloudrift/{finding.kind.value}"
        assert finding.id in str(issue["description"])


def test_every_issue_has_a_path_and_a_line(report: ScanReport) -> None:
    for issue, finding in zip(issues(report), report.findings, strict=True):
        location = issue["location"]
        assert isinstance(location, dict)
        assert location["lines"]["begin"] >= 1
        path = location["path"]
        if finding.location:
            assert finding.location.startswith(f"{path}:") or finding.location == path
        elif finding.kind is FindingKind.UNMANAGED:
            assert path == report.sources[0].removeprefix("tfstate://")
        else:
            assert path == (finding.source or "").removeprefix("tfstate://")
        assert "://" not in path or not path.startswith("tfstate")


def test_a_clean_report_is_an_empty_array(clean_report: ScanReport) -> None:
    assert issues(clean_report) == []


def test_reachable_from_output() -> None:
    assert parse_output("codequality://gl-code-quality-report.json") == OutputTarget(
        "codequality", "gl-code-quality-report.json")
