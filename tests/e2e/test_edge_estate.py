"""The edge and integration types against real Terraform: ``edge_estate/`` applied to moto's
server, then judged by cloudrift (with the estate's HCL, so parts are settled from code) and by
Terraform's ``plan -refresh-only``, untouched and after changes made behind Terraform's back.

What the provider really writes into state is what the types must compare equal: a wrong guess
at a default or a shape shows here as drift in an untouched estate.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from cloudrift.engine import CodeBinding, Scan, ScanInput
from cloudrift.model import ScanReport
from cloudrift.sources.files import LocalTree
from cloudrift.sources.hcl import load_hcl
from cloudrift.sources.tfstate import parse_state
from cloudrift.testing import FAKE_CREDENTIALS, environment
from cloudrift.testing.terraform import (
    Terraform,
    emulator_environment,
    find_provider_mirror,
    write_cli_config,
)
from cloudrift_aws.testing import MotoServer
from tests.providers.aws.conftest import assert_read_only, make_provider

pytestmark = pytest.mark.e2e

ESTATE = Path(__file__).parent / "edge_estate"
REGION = "us-east-1"
# moto issues a requested certificate a moment after the apply: Terraform sees its status move
STATUS_NOISE = frozenset({"aws_acm_certificate"})


@dataclass
class EdgeEstate:
    terraform: Terraform
    endpoint: str
    resources: dict[str, dict[str, Any]]

    def values(self, address: str) -> dict[str, Any]:
        return dict(self.resources[address]["values"])

    def scan(self) -> ScanReport:
        document = parse_state(self.terraform.state_path.read_bytes(), "terraform.tfstate")
        scan_input = ScanInput([document], origins=[0])
        scan_input.code = [CodeBinding(load_hcl(LocalTree(str(self.terraform.workdir)), ""),
                                       None)]
        provider = make_provider(self.endpoint)
        with environment({**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": REGION}):
            report = Scan(scan_input, {"aws": provider}).run()
        assert_read_only(provider.ctx.operations)
        return report

    def drifted_addresses(self) -> set[str]:
        return {e.address for e in self.terraform.drift() if e.type not in STATUS_NOISE}


@pytest.fixture(scope="module")
def edge_estate(terraform_binary: str, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[EdgeEstate]:
    pytest.importorskip("moto.server", reason="moto[server] is not installed")
    root = tmp_path_factory.mktemp("edge")
    workdir = root / "estate"
    shutil.copytree(ESTATE, workdir)
    mirror = find_provider_mirror()
    assert mirror is not None
    env = emulator_environment("", region=REGION,
                               cli_config_file=write_cli_config(root / "terraform.rc", mirror))
    with MotoServer(own_process=True) as server:
        env["AWS_ENDPOINT_URL"] = server.endpoint
        terraform = Terraform(workdir, env, binary=terraform_binary)
        terraform.init()
        terraform.apply()
        terraform.apply_refresh_only()
        yield EdgeEstate(terraform, server.endpoint, terraform.resources())


def _client(estate: EdgeEstate, service: str) -> Any:
    return boto3.session.Session(region_name=REGION, **{
        "aws_access_key_id": FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "aws_session_token": FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
    }).client(service, endpoint_url=estate.endpoint)


def _part_types() -> frozenset[str]:
    from cloudrift_aws.types import SPECS

    return frozenset(t for t, spec in SPECS.items() if spec.part_of)


def _mine(report: ScanReport) -> list[tuple[str, str]]:
    """Findings about this estate: its own resources, and unmanaged parts, which are looked
    for under its managed parents only; unmanaged whole resources are judged elsewhere."""
    parts = _part_types()
    return sorted((f.kind.value, f.address or f.id) for f in report.findings
                  if f.address is not None or f.type in parts)


def test_an_untouched_edge_estate_is_in_sync(edge_estate: EdgeEstate) -> None:
    report = edge_estate.scan()
    assert _mine(report) == []
    compared = {a for a, r in edge_estate.resources.items()
                if r["type"] != "aws_api_gateway_integration"}  # not a supported type
    assert report.summary.compared == len(compared)
    assert report.summary.in_sync == len(compared)


def _change_behind_terraform(estate: EdgeEstate) -> None:
    record = estate.values("aws_route53_record.www")
    _client(estate, "route53").change_resource_record_sets(
        HostedZoneId=record["zone_id"], ChangeBatch={"Changes": [{"Action": "UPSERT",
            "ResourceRecordSet": {"Name": record["fqdn"], "Type": "A", "TTL": 60,
                                  "ResourceRecords": [{"Value": "192.0.2.10"}]}}]})

    alarm = estate.values("aws_cloudwatch_metric_alarm.errors")
    _client(estate, "cloudwatch").put_metric_alarm(
        AlarmName=alarm["alarm_name"], AlarmDescription=alarm["alarm_description"],
        ComparisonOperator=alarm["comparison_operator"],
        EvaluationPeriods=alarm["evaluation_periods"], MetricName=alarm["metric_name"],
        Namespace=alarm["namespace"], Period=alarm["period"], Statistic=alarm["statistic"],
        Threshold=50, AlarmActions=alarm["alarm_actions"],
        Dimensions=[{"Name": k, "Value": v} for k, v in alarm["dimensions"].items()],
    )

    rule = estate.values("aws_cloudwatch_event_rule.nightly")
    _client(estate, "events").put_rule(Name=rule["name"], Description="changed by hand",
                                       ScheduleExpression=rule["schedule_expression"])

    queue = estate.values("aws_sqs_queue_policy.inbox")
    redrive = estate.values("aws_sqs_queue_redrive_policy.inbox")
    policy = json.loads(queue["policy"])
    policy["Statement"][0]["Principal"] = {"Service": "events.amazonaws.com"}
    # moto's SetQueueAttributes drops what is not sent again: send the redrive policy too
    _client(estate, "sqs").set_queue_attributes(QueueUrl=queue["queue_url"], Attributes={
        "Policy": json.dumps(policy), "RedrivePolicy": redrive["redrive_policy"]})

    stage = estate.values("aws_api_gateway_stage.prod")
    _client(estate, "apigateway").update_stage(
        restApiId=stage["rest_api_id"], stageName="prod",
        patchOperations=[{"op": "replace", "path": "/description", "value": "by hand"}])

    subscription = estate.values("aws_sns_topic_subscription.inbox")
    _client(estate, "sns").set_subscription_attributes(
        SubscriptionArn=subscription["arn"], AttributeName="RawMessageDelivery",
        AttributeValue="false")

    oac = estate.values("aws_cloudfront_origin_access_control.site")
    cloudfront = _client(estate, "cloudfront")
    etag = cloudfront.get_origin_access_control(Id=oac["id"])["ETag"]
    cloudfront.update_origin_access_control(Id=oac["id"], IfMatch=etag,
                                            OriginAccessControlConfig={
        "Name": oac["name"], "Description": oac["description"], "SigningProtocol": "sigv4",
        "SigningBehavior": "no-override", "OriginAccessControlOriginType": "s3"})

    lifecycle = estate.values("aws_ecr_lifecycle_policy.app")
    rules = json.loads(lifecycle["policy"])
    rules["rules"][0]["selection"]["countNumber"] = 5
    _client(estate, "ecr").put_lifecycle_policy(repositoryName=lifecycle["repository"],
                                                lifecyclePolicyText=json.dumps(rules))


CHANGED = {
    "aws_route53_record.www", "aws_cloudwatch_metric_alarm.errors",
    "aws_cloudwatch_event_rule.nightly", "aws_sqs_queue_policy.inbox",
    "aws_api_gateway_stage.prod", "aws_sns_topic_subscription.inbox",
    "aws_cloudfront_origin_access_control.site", "aws_ecr_lifecycle_policy.app",
}


def test_changes_behind_terraform_s_back_are_the_ones_terraform_sees(
        edge_estate: EdgeEstate) -> None:
    _change_behind_terraform(edge_estate)
    report = edge_estate.scan()
    found = set(_mine(report))
    # each drift once, on the resource that declares it: the queue's policy on the queue policy,
    # not again on the queue whose computed policy Terraform refreshes too
    assert found == {("changed", address) for address in CHANGED}
    assert edge_estate.drifted_addresses() >= CHANGED
