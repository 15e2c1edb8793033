"""A report of a limited unmanaged search says so in every format a person reads, and never
shows a count of what was not looked for as if it had been."""

from __future__ import annotations

import re

import pytest

from cloudrift.model import FindingKind, ScanReport, UnmanagedSearch
from cloudrift.report import OutputTarget, render
from tests.report.samples import sample_report


def _limited(search: UnmanagedSearch) -> ScanReport:
    report = sample_report()
    report.summary.unmanaged_search = search
    if search == "none":
        report.findings = [f for f in report.findings if f.kind is not FindingKind.UNMANAGED]
        report.summary.unmanaged = 0
        for cov in report.coverage:
            cov.unmanaged_searched = False
    return report


def _text(fmt: str, report: ScanReport) -> str:
    rendered = render(report, OutputTarget(fmt, None), color=False)
    return re.sub(r"<[^>]+>", "", rendered) if fmt == "html" else rendered


@pytest.mark.parametrize("fmt", ["console", "markdown", "html"])
def test_none_reads_as_not_searched(fmt: str) -> None:
    text = _text(fmt, _limited("none"))
    assert "Unmanaged search: off (--unmanaged none)" in text
    assert "0 unmanaged" not in text
    if fmt != "html":
        assert "not searched" in text
    assert "Unmanaged search" not in _text(fmt, sample_report())


@pytest.mark.parametrize("fmt", ["console", "markdown", "html"])
def test_managed_types_says_which_types_were_searched(fmt: str) -> None:
    report = _limited("managed-types")
    searched = len({c.type for c in report.coverage})
    text = _text(fmt, report)
    assert "limited to the managed types" in text
    assert f"{searched} types searched" in text


@pytest.mark.parametrize("fmt", ["console", "markdown", "html"])
def test_listings_says_how_many_part_types_it_left_out(fmt: str) -> None:
    report = sample_report()
    report.summary.unmanaged_search = "listings"
    # every type searched: nothing to say, and the count reads as a count
    assert "Unmanaged search" not in _text(fmt, report)
    left = report.coverage[0].model_copy(update={
        "type": "aws_s3_bucket_cors_configuration", "scanned_scopes": [], "failed_scopes": [],
        "managed": 0, "actual": 0, "unmanaged_searched": False})
    report.coverage.append(left)
    text = _text(fmt, report)
    assert ("Unmanaged search: 1 part type listed one parent at a time, which no state "
            "manages, not searched (--unmanaged all searches them") in " ".join(text.split())
