"""Every format names the root module or Terragrunt unit a finding came from, and leaves out
the top of the repository ('.'), which names nothing."""

from __future__ import annotations

import json

import pytest

import cloudrift.report as report_module
from cloudrift.model import FindingKind, ScanReport
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
