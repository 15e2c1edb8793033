"""``junit://``: XML that CI servers parse, with counts that add up."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cloudrift.model import FieldChange, FindingKind, ScanReport
from cloudrift.report.junit import JunitReporter, xml_text
from tests.report.samples import REVERSED


def parse(report: ScanReport) -> ET.Element:
    return ET.fromstring(JunitReporter().render(report, color=False).encode("utf-8"))


def _counted(element: ET.Element) -> dict[str, int]:
    cases = element.iter("testcase")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for case in cases:
        counts["tests"] += 1
        counts["failures"] += len(case.findall("failure"))
        counts["errors"] += len(case.findall("error"))
        counts["skipped"] += len(case.findall("skipped"))
    return counts


def _declared(element: ET.Element) -> dict[str, int]:
    return {key: int(element.get(key, "-1")) for key in ("tests", "failures", "errors", "skipped")}


def test_declared_counts_match_the_cases(report: ScanReport) -> None:
    root = parse(report)
    assert root.tag == "testsuites"
    assert _declared(root) == _counted(root)
    for suite in root.iter("testsuite"):
        assert _declared(suite) == _counted(suite), suite.get("name")


def test_every_finding_is_a_failure_in_its_types_suite(report: ScanReport) -> None:
    root = parse(report)
    failures = {
        (suite.get("name"), failure.get("type"))
        for suite in root.iter("testsuite")
        for failure in suite.iter("failure")
    }
    assert len(list(root.iter("failure"))) == len(report.findings)
    assert failures == {(f.type, f.kind.value) for f in report.findings}


def test_one_suite_per_type(report: ScanReport) -> None:
    names = [str(suite.get("name")) for suite in parse(report).iter("testsuite")]
    types = ({c.type for c in report.coverage} | {f.type for f in report.findings}
             | {g.type for g in report.not_compared})
    # untyped warnings ride in a suite of their own
    assert sorted(names) == sorted([*types, "cloudrift"])


def test_types_not_compared_are_skipped_cases_saying_why(report: ScanReport) -> None:
    skipped = {
        suite.get("name"): [(case.get("name"), case[0].get("message")) for case in suite.iter(
            "testcase") if len(case) and case[0].tag == "skipped"]
        for suite in parse(report).iter("testsuite")
    }
    assert skipped["aws_route"] == [("6 resources not compared", "type not supported yet")]
    assert skipped["google_storage_bucket"] == [
        ("2 resources not compared", "provider or account not part of this scan")]


def test_in_sync_resources_are_one_honest_passing_case_per_type(report: ScanReport) -> None:
    root = parse(report)
    passing = {}
    for suite in root.iter("testsuite"):
        for case in suite.iter("testcase"):
            if len(case) == 0:
                passing[suite.get("name")] = case.get("name")
    assert passing == {
        "aws_s3_bucket": "1 resource in sync",
        "aws_security_group": "1 resource in sync",
        "aws_sqs_queue": "3 resources in sync",
        "aws_vpc": "5 resources in sync",
    }
    in_sync = sum(int(str(name).split()[0]) for name in passing.values())
    assert in_sync == report.summary.in_sync


def test_unscanned_regions_are_errors_and_skips(report: ScanReport) -> None:
    suite = next(s for s in parse(report).iter("testsuite") if s.get("name") == "aws_s3_bucket")
    error = suite.find("testcase/error")
    assert error is not None
    assert "123456789012/us-west-2" in str(error.get("message"))
    assert "AccessDenied" in str(error.text)
    skipped = suite.find("testcase/skipped/..")
    assert skipped is not None
    assert skipped.get("name") == "1 resource not compared"


def test_failure_lists_the_changes(report: ScanReport) -> None:
    root = parse(report)
    case = next(c for c in root.iter("testcase") if c.get("name") == 'aws_sqs_queue.q["orders"]')
    failure = case.find("failure")
    assert failure is not None
    assert "policy, tags.env, visibility_timeout_seconds" in str(failure.get("message"))
    assert "visibility_timeout_seconds: expected 30, actual 60" in str(failure.text)
    assert case.get("file") == "main.tf"
    assert case.get("line") == "3"


def test_characters_xml_cannot_hold_do_not_break_the_document(report: ScanReport) -> None:
    report.findings[0].changes.append(
        FieldChange(path="name\x00", expected="a\x01b\ufffe", actual="\ud800")
    )
    root = parse(report)
    text = "".join(str(f.text) for f in root.iter("failure"))
    assert "\\u0000" in text
    assert "\\u0001" in text
    assert "<script>" in text  # kept as text, escaped in the XML by the serialiser


def test_xml_text_keeps_what_xml_allows() -> None:
    assert xml_text("tab\tnew\nline é 🎉 אב") == "tab\tnew\nline é 🎉 אב"
    assert xml_text("\x1b[31m") == "\\u001b[31m"
    assert xml_text(REVERSED) == "invoice\\u202egpj.exe"


def test_no_drift_passes(clean_report: ScanReport) -> None:
    root = parse(clean_report)
    assert _declared(root) == {"tests": 1, "failures": 0, "errors": 0, "skipped": 0}
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.get("name") == "2 resources in sync"


def test_unmanaged_cases_name_their_region(report: ScanReport) -> None:
    names = {
        case.get("name")
        for case in parse(report).iter("testcase")
        for failure in case.findall("failure")
        if failure.get("type") == FindingKind.UNMANAGED.value
    }
    assert names == {
        "aws_iam_user.bob (123456789012/global)",
        "aws_sqs_queue.https://sqs.eu-west-1.amazonaws.com/123456789012/stray "
        "(123456789012/eu-west-1)",
    }
