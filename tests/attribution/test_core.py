"""The attribution step of core: which findings are asked about, how answers, calls and failures
land in the report. Providers here are small ones of our own; the clouds' are tested against
their local servers in the other modules."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jsonschema
from click.testing import CliRunner

from cloudrift.attribution import (
    FAILED_WARNING,
    AttributionResult,
    Attributor,
    attribute_report,
    failed,
    found,
    unknown,
)
from cloudrift.cli import cli
from cloudrift.model import (
    AttributionStatus,
    ChangeEvent,
    Finding,
    FindingKind,
    ScanReport,
    Scope,
    Summary,
)


def make(kind: FindingKind, rid: str, provider: str = "aws", account: str = "111") -> Finding:
    return Finding(kind=kind, type="aws_vpc", id=rid, provider=provider,
                   scope=Scope(account=account, region="eu-west-1")).with_fingerprint()


def event(principal: str, time: str = "2026-12-05T10:12:03Z") -> ChangeEvent:
    return ChangeEvent(principal=principal, time=time, source_ip="203.0.113.7",
                       event_name="ModifyVpcAttribute", source="cloudtrail", event_id="e-1")


class Account:
    """A provider of one account: answers for that account's findings, and counts calls."""

    def __init__(self, name: str, account: str, answer: Any, calls: int = 1) -> None:
        self.name = name
        self.account = account
        self.answer = answer
        self.calls = calls
        self.asked: list[Finding] = []

    def attribute(self, findings: Sequence[Finding]) -> AttributionResult:
        self.asked.extend(findings)
        mine = [f for f in findings if f.scope.account == self.account]
        return AttributionResult(attributions={f.fingerprint: self.answer for f in mine},
                                 api_calls=Counter({"cloudtrail:LookupEvents": self.calls}))


class Blind:
    """A provider without the capability."""

    name = "gcp"


def report_of(*findings: Finding) -> ScanReport:
    return ScanReport(findings=list(findings), api_calls={"aws:ec2:DescribeVpcs": 2},
                      summary=Summary(api_calls=2))


def test_only_changed_and_missing_findings_are_asked_about() -> None:
    changed, missing = make(FindingKind.CHANGED, "vpc-1"), make(FindingKind.MISSING, "vpc-2")
    unmanaged, unapplied = make(FindingKind.UNMANAGED, "vpc-3"), make(FindingKind.UNAPPLIED, "x")
    provider = Account("aws", "111", found([event("arn:aws:iam::111:user/alice")]))
    assert isinstance(provider, Attributor)
    result = attribute_report(report_of(changed, missing, unmanaged, unapplied),
                              {"aws": provider})  # type: ignore[dict-item]
    assert provider.asked == [changed, missing]
    statuses = {f.id: f.attribution.status if f.attribution else None for f in result.findings}
    assert statuses == {"vpc-1": AttributionStatus.FOUND, "vpc-2": AttributionStatus.FOUND,
                        "vpc-3": None, "x": None}
    assert result.api_calls == {"aws:cloudtrail:LookupEvents": 1, "aws:ec2:DescribeVpcs": 2}
    assert result.summary.api_calls == 3
    assert result.warnings == []


def test_a_provider_without_the_capability_gives_nothing() -> None:
    gcp_finding = make(FindingKind.CHANGED, "projects/p/global/networks/n", provider="gcp")
    assert not isinstance(Blind(), Attributor)
    result = attribute_report(report_of(gcp_finding), {"gcp": Blind()})  # type: ignore[dict-item]
    assert result.findings[0].attribution is None
    assert result.api_calls == {"aws:ec2:DescribeVpcs": 2}


def test_with_several_accounts_each_answers_for_its_own() -> None:
    first, second = make(FindingKind.CHANGED, "vpc-1"), make(FindingKind.CHANGED, "vpc-9",
                                                            account="222")
    providers = {
        "aws": Account("aws", "111", found([event("alice")])),
        "aws@222": Account("aws", "222", unknown("no write event in 90 days"), calls=2),
    }
    result = attribute_report(report_of(first, second), providers)  # type: ignore[arg-type]
    answers = {f.id: f.attribution for f in result.findings}
    assert answers["vpc-1"] is not None
    assert answers["vpc-1"].events[0].principal == "alice"
    assert answers["vpc-9"] is not None
    assert answers["vpc-9"].status is AttributionStatus.UNKNOWN
    assert result.api_calls["aws@222:cloudtrail:LookupEvents"] == 2


def test_failed_lookups_are_a_warning_and_never_a_guess() -> None:
    findings = [make(FindingKind.CHANGED, f"vpc-{n}") for n in range(3)]
    note = "cloudtrail:LookupEvents denied in eu-west-1 (AccessDeniedException)"
    result = attribute_report(report_of(*findings),
                              {"aws": Account("aws", "111", failed(note))})  # type: ignore[dict-item]
    assert {f.attribution.status for f in result.findings if f.attribution} == {
        AttributionStatus.FAILED}
    assert all(f.attribution and not f.attribution.events for f in result.findings)
    [warning] = result.warnings
    assert warning.code == FAILED_WARNING
    assert warning.message == f"who changed it: 3 aws lookup(s) failed: {note}"
    assert result.complete  # the drift itself was fully compared


def test_found_keeps_a_few_newest_events() -> None:
    events = [event("p", f"2026-12-0{n}T00:00:00Z") for n in range(1, 7)]
    answer = found(events)
    assert [e.time[:10] for e in answer.events] == ["2026-12-06", "2026-12-05", "2026-12-04"]
    assert found([]).status is AttributionStatus.UNKNOWN


def test_the_json_schema_describes_attribution() -> None:
    schema = json.loads(CliRunner().invoke(cli, ["schema"]).output)
    finding = make(FindingKind.CHANGED, "vpc-1").model_copy(
        update={"attribution": found([event("alice")])})
    document = ScanReport(findings=[finding]).json_dict()
    jsonschema.validate(document, schema)
    assert "Attribution" in schema["$defs"]
    assert set(schema["$defs"]["ChangeEvent"]["properties"]) == {
        "principal", "time", "source_ip", "event_name", "source", "event_id"}


def test_attribute_is_a_config_key(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cloudrift.toml").write_text("attribute = true\n")
    result = CliRunner().invoke(cli, ["config"], catch_exceptions=False)
    assert re.search(r"^attribute +=  ?true  \(file cloudrift.toml\)$", result.output, re.M)
    monkeypatch.setenv("CLOUDRIFT_ATTRIBUTE", "0")
    result = CliRunner().invoke(cli, ["config"], catch_exceptions=False)
    assert re.search(r"^attribute +=  ?false  \(env CLOUDRIFT_ATTRIBUTE\)$", result.output,
                     re.M)
