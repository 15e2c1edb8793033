"""Every format names the root module or Terragrunt unit a finding came from, and leaves out
the top of the repository ('.'), which names nothing."""

from __future__ import annotations

import json

import pytest

import cloudrift.report as report_module
from cloudrift.model import FindingKind, ScanReport, Scope
from cloudrift.report import OutputTarget

FORMATS = ("console", "markdown", "html", "junit", "sarif", "json")


def rooted(report: ScanReport, root: str) -> ScanReport:
    findings = [f.model_copy(update={"root": None if f.kind is FindingKind.UNMANAGED else root})
                for f in report.findings]
    return report.model_copy(update={"findings": findings})


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_unit_is_named(fmt: str, report: ScanReport) -> None:
    text = report_module.render(rooted(report, "live/prod/app"), OutputTarget(fmt, None),
                                color=False)
    # Markdown writes untrusted text with character references
    assert "live/prod/app" in text.replace("&#47;", "/"), fmt


@pytest.mark.parametrize("fmt", ["console", "markdown", "html", "junit"])
def test_the_top_of_the_repository_is_not_shown(fmt: str, report: ScanReport) -> None:
    plain = report_module.render(report, OutputTarget(fmt, None), color=False)
    top = report_module.render(rooted(report, "."), OutputTarget(fmt, None), color=False)
    assert top == plain


def test_json_carries_root_only_where_set(report: ScanReport) -> None:
    document = json.loads(report_module.render(rooted(report, "live/dev/app"),
                                               OutputTarget("json", None), color=False))
    kinds = {f["kind"]: f.get("root") for f in document["findings"]}
    assert kinds["changed"] == "live/dev/app"
    assert kinds["unmanaged"] is None
    assert all("root" not in f for f in json.loads(report_module.render(
        report, OutputTarget("json", None), color=False))["findings"])


def test_console_names_the_root_once(report: ScanReport) -> None:
    findings = [f.model_copy(update={"root": "live/prod", "location": "live/prod/main.tf:3"})
                for f in report.findings if f.kind is FindingKind.CHANGED]
    text = report_module.render(report.model_copy(update={"findings": findings}),
                                OutputTarget("console", None), color=False)
    # the location already lies under the root: it is not said a second time
    assert "live/prod/main.tf:3" in text
    assert "in live/prod" not in text


def test_console_unapplied_has_no_cloud_id_or_scope_to_show(report: ScanReport) -> None:
    # as the engine makes it: code never applied has no cloud id and no account yet
    unapplied = [f.model_copy(update={"id": f.address, "scope": Scope(region="global")})
                 for f in report.findings if f.kind is FindingKind.UNAPPLIED]
    assert unapplied, "the sample report needs an unapplied finding"
    text = report_module.render(report.model_copy(update={"findings": unapplied}),
                                OutputTarget("console", None), color=False)
    for finding in unapplied:
        assert finding.address is not None
        line = next(line for line in text.splitlines() if finding.address in line)
        assert line.count(finding.address) == 1, line
        assert "(?/" not in line, line
