"""The new renderers behind the ``Reporter`` protocol and ``--output`` handling."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import cloudrift.report as report_module
from cloudrift.model import FieldChange, ScanReport
from cloudrift.redact import REDACTED, Redactor
from cloudrift.report import OutputTarget, Reporter, write_outputs
from cloudrift.report.driftctl import DriftctlReporter
from cloudrift.report.html import HtmlReporter
from cloudrift.report.junit import JunitReporter
from cloudrift.report.markdown import MarkdownReporter
from cloudrift.report.sarif import SarifReporter

NEW: dict[str, Callable[[], Reporter]] = {
    "sarif": SarifReporter,
    "junit": JunitReporter,
    "markdown": MarkdownReporter,
    "html": HtmlReporter,
    "driftctl": DriftctlReporter,
}


@pytest.fixture
def wired() -> None:
    """Every format is reachable from --output, through the real table."""
    for name, reporter in NEW.items():
        assert type(report_module.reporter(name)) is reporter
        assert name in report_module.FORMATS


@pytest.mark.usefixtures("wired")
@pytest.mark.parametrize("fmt", sorted(NEW))
def test_written_to_a_file_through_write_outputs(
    fmt: str, tmp_path: Path, report: ScanReport
) -> None:
    path = tmp_path / "out" / f"report.{fmt}"
    write_outputs(report, [OutputTarget(fmt, str(path))], color=True)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n")
    assert "\x1b[" not in text  # colour belongs to the console only
    for finding in report.findings:
        if fmt == "driftctl" and finding.kind.value == "unapplied":
            continue
        # every format names every finding (Markdown as character references)
        assert finding.type in text or finding.type.replace("_", "&#95;") in text


@pytest.mark.usefixtures("wired")
@pytest.mark.parametrize("fmt", sorted(NEW))
def test_a_secret_from_the_state_is_blanked(fmt: str, report: ScanReport) -> None:
    report.findings[0].changes.append(
        FieldChange(path="tags.note", expected="hunter22", actual="rotated hunter22")
    )
    text = report_module.render(
        report, OutputTarget(fmt, None), color=False, redactor=Redactor(["hunter22"])
    )
    assert "hunter22" not in text
    assert REDACTED in text


@pytest.mark.usefixtures("wired")
def test_a_secret_with_markdown_characters_is_blanked(report: ScanReport) -> None:
    report.findings[0].changes.append(
        FieldChange(path="tags.note", expected="db.internal:5432", actual=None)
    )
    text = report_module.render(
        report, OutputTarget("markdown", None), color=False,
        redactor=Redactor(["db.internal:5432"]),
    )
    assert "db&#46;internal&#58;5432" not in text
