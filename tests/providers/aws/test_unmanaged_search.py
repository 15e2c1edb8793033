"""``--unmanaged all|listings|managed-types|none`` against moto's server: which calls each mode
makes (the provider's call meter), what it reports unmanaged, and that the managed resources are
judged the same way in all four."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import boto3
import pytest

from cloudrift.engine import Scan, ScanInput
from cloudrift.meter import CallMeter
from cloudrift.model import FindingKind, ScanReport, UnmanagedSearch
from cloudrift.plugin import ScanOptions
from cloudrift.sources.tfstate import parse_state
from cloudrift.testing import StateBuilder
from cloudrift_aws import AwsPlugin, AwsProvider
from cloudrift_aws.session import AwsContext
from cloudrift_aws.testing import MotoServer
from tests.providers.aws.cases import AwsCase, all_cases
from tests.providers.aws.conftest import REGION, Clients, assert_read_only

MANAGED_TYPES = {"aws_instance", "aws_sqs_queue"}
CASES = {case.label: case for case in all_cases()}


def _case(rtype: str) -> AwsCase:
    return CASES[rtype]


def _provider(endpoint: str, unmanaged: UnmanagedSearch,
              regions: tuple[str, ...] = (REGION,)) -> AwsProvider:
    options = ScanOptions(regions=regions, parallelism=8, unmanaged=unmanaged, meter=CallMeter())
    context = AwsContext(boto3.session.Session(region_name=regions[0]), endpoint_url=endpoint,
                         parallelism=8, max_attempts=2)
    return AwsProvider(options.selected(AwsPlugin().types()), options, context)


def _scan(provider: AwsProvider, state: StateBuilder) -> ScanReport:
    parsed = parse_state(json.dumps(state.document()).encode(), "test.tfstate")
    report = Scan(ScanInput([parsed]), {"aws": provider},
                  unmanaged=provider.options.unmanaged).run()
    assert_read_only(provider.ctx.operations)
    return report


def _managed_findings(report: ScanReport) -> set[tuple[str, str, str, tuple[str, ...]]]:
    return {(f.kind.value, f.type, f.id, tuple(sorted(c.path for c in f.changes)))
            for f in report.findings if f.kind is not FindingKind.UNMANAGED}


def _unmanaged_types(report: ScanReport) -> set[str]:
    return {f.type for f in report.findings if f.kind is FindingKind.UNMANAGED}


@pytest.fixture
def estate(moto: MotoServer, clients: Clients) -> dict[str, Any]:
    """Two managed instances (one changed, one deleted since), a managed queue in sync; an
    unmanaged instance and queue (managed types), an unmanaged topic (a type no state has)."""
    instance = _case("aws_instance")
    changed = instance.create(clients)
    gone = instance.create(clients)
    queue = _case("aws_sqs_queue").create(clients)
    state = (StateBuilder().add("aws_instance", "changed", changed)
             .add("aws_instance", "gone", gone).add("aws_sqs_queue", "jobs", queue))
    stray = instance.create(clients)
    clients("sqs").create_queue(QueueName="stray-queue")
    _case("aws_sns_topic").create(clients)
    instance.change(clients, changed)
    instance.delete(clients, gone)
    return {"state": state, "changed": changed, "gone": gone, "stray": stray}


def test_each_mode_lists_what_it_says_and_judges_the_managed_alike(
        moto: MotoServer, estate: dict[str, Any]) -> None:
    reports: dict[str, ScanReport] = {}
    calls: dict[str, Counter[str]] = {}
    for mode in ("all", "listings", "managed-types", "none"):
        provider = _provider(moto.endpoint, mode)  # type: ignore[arg-type]
        reports[mode] = _scan(provider, estate["state"])
        calls[mode] = provider.ctx.calls
        assert reports[mode].summary.unmanaged_search == mode
        assert sum(calls[mode].values()) == reports[mode].summary.api_calls

    # the managed resources: the same findings in every mode, the change and the deletion
    expected = _managed_findings(reports["all"])
    assert {(kind, rtype, rid) for kind, rtype, rid, _ in expected} == {
        ("changed", "aws_instance", estate["changed"]["id"]),
        ("missing", "aws_instance", estate["gone"]["id"]),
    }
    for mode in ("listings", "managed-types", "none"):
        assert _managed_findings(reports[mode]) == expected, mode
        assert reports[mode].summary.compared == reports["all"].summary.compared == 3

    # all: every type searched, the topic too
    assert _unmanaged_types(reports["all"]) >= {"aws_instance", "aws_sqs_queue",
                                                "aws_sns_topic"}
    assert "sns:ListTopics" in calls["all"]
    assert all(c.unmanaged_searched for c in reports["all"].coverage)

    # listings: the same here, where no managed parent has parts listed one parent at a time;
    # the part types that would take such calls are in coverage, not searched
    assert _unmanaged_types(reports["listings"]) == _unmanaged_types(reports["all"])
    assert calls["listings"] == calls["all"]
    unsearched = {c.type for c in reports["listings"].coverage if not c.unmanaged_searched}
    specs = AwsPlugin().types()
    assert unsearched == {rtype for rtype, spec in specs.items()
                          if spec.per_parent and not spec.parent_read and spec.unmanaged}
    # (all lists them too, and finds no managed parent to list them under; a part type that is
    # never reported unmanaged, a bucket's policy, is left out of listings' coverage altogether)
    facets = {rtype for rtype, spec in specs.items()
              if spec.per_parent and not spec.parent_read and not spec.unmanaged}
    assert facets
    assert {c.type for c in reports["listings"].coverage} == {
        c.type for c in reports["all"].coverage} - facets

    # managed-types: the managed types only, searched for unmanaged resources
    assert _unmanaged_types(reports["managed-types"]) == MANAGED_TYPES
    assert {c.type for c in reports["managed-types"].coverage} == MANAGED_TYPES
    assert all(c.unmanaged_searched for c in reports["managed-types"].coverage)
    services = {op.split(":")[0] for op in calls["managed-types"]}
    assert services <= {"ec2", "sqs", "sts", "resourcegroupstaggingapi"}, services

    # none: nothing unmanaged, nothing of other types, and fewer calls than the others
    none = reports["none"]
    assert _unmanaged_types(none) == set()
    assert none.summary.unmanaged == 0
    assert {c.type for c in none.coverage} == MANAGED_TYPES
    assert not any(c.unmanaged_searched for c in none.coverage)
    # the stray instance and queue are not even counted as seen in the cloud
    actual = {c.type: c.actual for c in none.coverage}
    assert actual == {"aws_instance": 1, "aws_sqs_queue": 1}
    assert {op.split(":")[0] for op in calls["none"]} <= services
    assert sum(calls["none"].values()) <= sum(calls["managed-types"].values()) \
        < sum(calls["all"].values())


def test_none_reads_managed_instances_by_id_and_lists_no_region_without_them(
        moto: MotoServer, estate: dict[str, Any]) -> None:
    """The instances are asked for by id (a filter, so that the deleted one is simply absent);
    a second region, where the states manage nothing, gets no call in none but is searched
    with managed-types."""
    asked: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        asked.append(params)

    regions = (REGION, "eu-west-1")
    for mode in ("none", "managed-types"):
        provider = _provider(moto.endpoint, mode, regions)  # type: ignore[arg-type]
        for region in regions:
            provider.ctx.client("ec2", region).meta.events.register(
                "provide-client-params.ec2.DescribeInstances", record)
        asked.clear()
        report = _scan(provider, estate["state"])
        scopes = {scope for c in report.coverage for scope in c.scanned_scopes}
        if mode == "none":
            assert len(asked) == 1, asked
            wanted = {estate["changed"]["id"], estate["gone"]["id"]}
            assert asked[0]["Filters"] == [{"Name": "instance-id", "Values": sorted(wanted)}]
            assert not any(scope.endswith("/eu-west-1") for scope in scopes)
        else:
            assert len(asked) == 2
            assert not any("Filters" in p for p in asked)
            assert any(scope.endswith("/eu-west-1") for scope in scopes)
