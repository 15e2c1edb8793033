"""Every output shows who changed a resource, and treats what the audit log says as untrusted
text like any other value."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from cloudrift.attribution import failed, found, unknown
from cloudrift.model import ChangeEvent, Finding, FindingKind, ScanReport, Scope, Summary
from cloudrift.report import OutputTarget, render

ALICE = "arn:aws:iam::123456789012:user/alice"
HOSTILE = "<img src=x onerror=alert(1)> @everyone #1 [x](https://evil.example)"
LINE = (f"changed by {ALICE} at 2026-12-05T10:12:03Z from 203.0.113.7 (ModifyDBInstance)")


def event(principal: str = ALICE, time: str = "2026-12-05T10:12:03Z") -> ChangeEvent:
    return ChangeEvent(principal=principal, time=time, source_ip="203.0.113.7",
                       event_name="ModifyDBInstance", source="cloudtrail", event_id="e-1")


def finding(kind: FindingKind, rid: str, **update: object) -> Finding:
    made = Finding(kind=kind, type="aws_db_instance", id=rid, provider="aws",
                   address=f"aws_db_instance.{rid}",
                   scope=Scope(account="123456789012", region="eu-west-1")).with_fingerprint()
    return made.model_copy(update=update)


@pytest.fixture
def report() -> ScanReport:
    from cloudrift.model import FieldChange

    return ScanReport(
        tool_version="0.1.0", started_at="2026-12-06T09:00:00+00:00",
        summary=Summary(managed=4, compared=4, changed=2, missing=2),
        findings=[
            finding(FindingKind.CHANGED, "orders",
                    changes=[FieldChange(path="allocated_storage", expected=100, actual=200)],
                    attribution=found([event(), event(time="2026-12-01T08:00:00Z")])),
            finding(FindingKind.CHANGED, "hostile",
                    changes=[FieldChange(path="tags.env", expected="a", actual="b")],
                    attribution=found([event(principal=HOSTILE)])),
            finding(FindingKind.MISSING, "gone", attribution=unknown("no write event in 90 days")),
            finding(FindingKind.MISSING, "denied", attribution=failed(
                "cloudtrail:LookupEvents denied in eu-west-1 (AccessDeniedException)")),
            finding(FindingKind.UNMANAGED, "stray"),
        ])


def output(report: ScanReport, fmt: str) -> str:
    return render(report, OutputTarget(fmt, None), color=False)


def test_console_puts_who_under_each_finding(report: ScanReport) -> None:
    text = output(report, "console")
    lines = text.splitlines()
    at = lines.index(f"      {LINE}")
    assert lines[at - 1] == "      allocated_storage: 100 → 200"
    assert lines[at + 1].startswith(f"      changed by {ALICE} at 2026-12-01T08:00:00Z")
    # grouped findings (the same change on several resources) are indented one step more
    stripped = [line.strip() for line in lines]
    assert "who: unknown (no write event in 90 days)" in stripped
    assert ("who: lookup failed (cloudtrail:LookupEvents denied in eu-west-1 "
            "(AccessDeniedException))") in stripped


def test_json_carries_the_model(report: ScanReport) -> None:
    document = json.loads(output(report, "json"))
    again = ScanReport.model_validate(document)
    assert again.findings == report.findings
    assert "attribution" not in document["findings"][-1]


def test_markdown_keeps_what_the_log_says_as_inert_text(report: ScanReport) -> None:
    text = output(report, "markdown")
    # the raw comment reads as written: the principal as itself, in a code span
    assert f"`{LINE}`" in text
    assert "`who: unknown (no write event in 90 days)`" in text
    # the missing findings' table grows a column, the unmanaged one does not
    assert "| Address | Type | ID | Account/region | Declared at | Last change |" in text
    assert text.count("| Address | Type | ID | Account/region | Declared at |\n") == 1
    # rendered, the hostile principal makes no image, link or mention: it stays code text
    from tests.report.test_markdown import as_html

    page = as_html(text)
    assert "img" not in page.tags
    assert "a" not in page.tags
    assert any(HOSTILE in chunk for chunk in page.text)


def test_html_lists_who_escaped(report: ScanReport) -> None:
    text = output(report, "html")
    assert '<ul class="who"><li>changed by <code>arn:aws:iam::123456789012:user/alice</code>' \
        in text
    assert "<img src=x" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "who: lookup failed" in text


def test_sarif_results_carry_attribution(report: ScanReport) -> None:
    document = json.loads(output(report, "sarif"))
    results = document["runs"][0]["results"]
    first = results[0]
    assert first["properties"]["attribution"]["events"][0]["principal"] == ALICE
    assert first["message"]["text"].endswith(f" Last {LINE}.")
    gone = next(r for r in results if r["properties"]["resourceId"] == "gone")
    assert gone["message"]["text"].endswith(
        " Who changed it: unknown (no write event in 90 days).")
    stray = next(r for r in results if r["properties"]["resourceId"] == "stray")
    assert "attribution" not in stray["properties"]


def test_junit_failure_text_names_who(report: ScanReport) -> None:
    root = ET.fromstring(output(report, "junit"))
    texts = [f.text or "" for f in root.iter("failure")]
    orders = next(t for t in texts if "id: orders" in t)
    assert f"who:\n  {LINE}\n" in orders
    stray = next(t for t in texts if "id: stray" in t)
    assert "who:" not in stray
