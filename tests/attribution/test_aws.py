"""Who changed it on AWS: real boto3 against our CloudTrail (LookupEvents) and moto for the rest."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from click.testing import CliRunner

from cloudrift.cli import cli
from cloudrift.model import AttributionStatus, Finding, FindingKind, Scope
from cloudrift.testing import StateBuilder
from cloudrift_aws.attribution import CloudTrailAttributor
from cloudrift_aws.session import AwsContext
from cloudrift_aws.testing import MotoServer
from cloudrift_aws.testing_cloudtrail import ACCOUNT, CloudTrailServer, trail_event

NOW = datetime.now(timezone.utc).replace(microsecond=0)
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
SECRET = "hunter2-in-the-request-parameters"


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def finding(resource_id: str, region: str = "us-east-1", *, kind: FindingKind = FindingKind.CHANGED,
            rtype: str = "aws_security_group") -> Finding:
    return Finding(kind=kind, type=rtype, id=resource_id, provider="aws",
                   scope=Scope(account=ACCOUNT, region=region)).with_fingerprint()


def attributor(max_attempts: int = 4, **kwargs: Any) -> CloudTrailAttributor:
    # no endpoint_url: botocore takes AWS_ENDPOINT_URL_CLOUDTRAIL, as a real run would
    ctx = AwsContext(boto3.session.Session(region_name="us-east-1"), max_attempts=max_attempts)
    return CloudTrailAttributor(ctx, "us-east-1", **kwargs)


def within_rate(times: list[float]) -> bool:
    """No three requests within one second, give or take 200 ms of a loaded machine's jitter
    between sending and the server's reading (unpaced, they come milliseconds apart)."""
    return all(later - first >= 0.8 for first, later in zip(times, times[2:], strict=False))


# -- the command line ----------------------------------------------------------------------------


@pytest.fixture
def estate(moto: MotoServer, cloudtrail: CloudTrailServer,
           tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A drifted queue (changed by bob), a deleted one (by alice), an unmanaged one."""
    sqs = boto3.client("sqs", region_name="eu-west-1", endpoint_url=moto.endpoint)
    state = StateBuilder()
    urls = {}
    for name in ("drifted", "deleted"):
        urls[name] = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})[
            "QueueUrl"]
        state.add("aws_sqs_queue", "q", {
            "id": urls[name], "name": name,
            "arn": f"arn:aws:sqs:eu-west-1:{ACCOUNT}:{name}",
            "visibility_timeout_seconds": 30, "tags": {}, "tags_all": {},
        }, index_key=name)
    sqs.set_queue_attributes(QueueUrl=urls["drifted"], Attributes={"VisibilityTimeout": "60"})
    sqs.delete_queue(QueueUrl=urls["deleted"])
    sqs.create_queue(QueueName="stray")
    drifted_arn = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:drifted"
    queue = {"service": "sqs.amazonaws.com", "resource_type": "AWS::SQS::Queue",
             "region": "eu-west-1"}
    cloudtrail.add("eu-west-1", [
        # SQS events name the queue by ARN: found after the URL (the import id) finds nothing
        trail_event("SetQueueAttributes", drifted_arn, at=ago(hours=5), principal=BOB,
                    source_ip="198.51.100.9", event_id="evt-bob",
                    request_parameters={"attributes": {"Policy": SECRET}}, **queue),
        # newer, but a read and a denied write: neither changed the queue
        trail_event("GetQueueAttributes", drifted_arn, at=ago(hours=1), read_only=True,
                    **queue),
        trail_event("SetQueueAttributes", drifted_arn, at=ago(hours=2),
                    error_code="AccessDenied", **queue),
        trail_event("DeleteQueue", urls["deleted"], at=ago(days=2), event_id="evt-alice",
                    **queue),
        trail_event("CreateQueue", urls["deleted"], at=ago(days=30), **queue),
    ])
    path = tmp_path / "terraform.tfstate"
    state.write(path)
    return path, {"AWS_ENDPOINT_URL": moto.endpoint,
                  "AWS_ENDPOINT_URL_CLOUDTRAIL": cloudtrail.endpoint}


def scan(path: Path, env: dict[str, str], *extra: str) -> Any:
    return CliRunner().invoke(cli, ["scan", "--from", f"tfstate://{path}", "--to", "aws",
                                    "--region", "eu-west-1", "-o", "json://", *extra],
                              env=env, catch_exceptions=False)


def test_attribute_names_who_changed_and_who_deleted(
        estate: tuple[Path, dict[str, str]], cloudtrail: CloudTrailServer) -> None:
    path, env = estate
    result = scan(path, env, "--attribute")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    by_kind = {f["kind"]: f for f in report["findings"]}

    changed = by_kind["changed"]["attribution"]
    assert changed["status"] == "found"
    assert changed["events"] == [{
        "principal": BOB, "time": stamp(ago(hours=5)), "source_ip": "198.51.100.9",
        "event_name": "SetQueueAttributes", "source": "cloudtrail", "event_id": "evt-bob",
    }]
    missing = by_kind["missing"]["attribution"]
    assert [e["event_name"] for e in missing["events"]] == ["DeleteQueue", "CreateQueue"]
    assert missing["events"][0]["principal"].endswith(":user/alice")
    assert "attribution" not in by_kind["unmanaged"]  # absent, never null

    # LookupEvents only in the queues' region, each counted in the report; besides them only
    # the scan's listing of trails (aws_cloudtrail)
    lookups = cloudtrail.lookups()
    assert lookups
    assert {cloudtrail.operation(r) for r in cloudtrail.requests} == {
        "LookupEvents", "DescribeTrails"}
    assert {cloudtrail.region(r) for r in lookups} == {"eu-west-1"}
    assert report["api_calls"]["aws:cloudtrail:LookupEvents"] == len(lookups) == 3
    assert SECRET not in result.output


def test_without_attribute_cloudtrail_is_never_called(
        estate: tuple[Path, dict[str, str]], cloudtrail: CloudTrailServer) -> None:
    path, env = estate
    result = scan(path, env)
    assert result.exit_code == 1, result.output
    assert cloudtrail.lookups() == []
    # the scan lists trails (aws_cloudtrail), and nothing else of CloudTrail's
    assert {cloudtrail.operation(r) for r in cloudtrail.requests} <= {"DescribeTrails"}
    assert not any("attribution" in f for f in json.loads(result.output)["findings"])


def test_attribute_from_the_environment(
        estate: tuple[Path, dict[str, str]], cloudtrail: CloudTrailServer) -> None:
    path, env = estate
    result = scan(path, {**env, "CLOUDRIFT_ATTRIBUTE": "1"})
    assert json.loads(result.output)["findings"][0]["attribution"]["status"] == "found"
    assert cloudtrail.lookups()


# -- the attributor against the server -----------------------------------------------------------


def test_no_write_event_is_unknown_never_a_guess(cloudtrail: CloudTrailServer) -> None:
    cloudtrail.add("us-east-1", [
        trail_event("DescribeSecurityGroups", "sg-1", at=ago(hours=1), read_only=True),
        # older than the 90 days LookupEvents is asked for
        trail_event("AuthorizeSecurityGroupIngress", "sg-1", at=ago(days=91)),
        # another resource's write
        trail_event("AuthorizeSecurityGroupIngress", "sg-2", at=ago(hours=2)),
    ])
    target = finding("sg-1")
    result = attributor(now=lambda: NOW).attribute([target])
    answer = result.attributions[target.fingerprint]
    assert answer.status is AttributionStatus.UNKNOWN
    assert answer.events == []
    assert answer.note == "no write event in 90 days"
    body = json.loads(cloudtrail.lookups()[0].body)
    assert body["LookupAttributes"] == [{"AttributeKey": "ResourceName",
                                         "AttributeValue": "sg-1"}]
    assert abs(body["StartTime"] - (NOW - timedelta(days=90)).timestamp()) < 1


def test_pages_are_followed_until_writes_are_found(cloudtrail: CloudTrailServer) -> None:
    cloudtrail.max_page_size = 2
    reads = [trail_event("DescribeSecurityGroups", "sg-1", at=ago(minutes=n), read_only=True)
             for n in range(1, 6)]
    writes = [trail_event("ModifySecurityGroupRules", "sg-1", at=ago(days=n)) for n in (1, 2)]
    cloudtrail.add("us-east-1", [*reads, *writes])
    target = finding("sg-1")
    answer = attributor().attribute([target]).attributions[target.fingerprint]
    assert answer.status is AttributionStatus.FOUND
    assert [e.time for e in answer.events] == [stamp(ago(days=1)), stamp(ago(days=2))]
    lookups = cloudtrail.lookups()
    assert len(lookups) == 4  # 5 reads and 2 writes, two a page
    tokens = [json.loads(r.body).get("NextToken") for r in lookups]
    assert tokens[0] is None
    assert all(tokens[1:])


def test_at_most_a_few_events_newest_first(cloudtrail: CloudTrailServer) -> None:
    cloudtrail.add("us-east-1", [trail_event("ModifySecurityGroupRules", "sg-1",
                                             at=ago(hours=n)) for n in range(1, 8)])
    target = finding("sg-1")
    answer = attributor().attribute([target]).attributions[target.fingerprint]
    assert [e.time for e in answer.events] == [stamp(ago(hours=n)) for n in (1, 2, 3)]


def test_page_limit_gives_unknown_with_what_was_searched(cloudtrail: CloudTrailServer) -> None:
    cloudtrail.max_page_size = 2
    cloudtrail.add("us-east-1", [trail_event("DescribeSecurityGroups", "sg-1",
                                             at=ago(minutes=n), read_only=True)
                                 for n in range(1, 10)])
    target = finding("sg-1")
    answer = attributor(max_pages=3).attribute([target]).attributions[target.fingerprint]
    assert answer.status is AttributionStatus.UNKNOWN
    assert answer.note == "no write event among the 6 newest events (3 pages of CloudTrail read)"
    assert len(cloudtrail.lookups()) == 3


def test_lookups_are_paced_at_two_a_second_per_region(cloudtrail: CloudTrailServer) -> None:
    targets = [finding(f"sg-{n}") for n in range(5)] + [finding(f"sg-{n}", "eu-west-1")
                                                         for n in range(3)]
    result = attributor().attribute(targets)
    assert len(result.attributions) == 8
    assert result.api_calls == {"cloudtrail:LookupEvents": 8}
    for region, count in (("us-east-1", 5), ("eu-west-1", 3)):
        times = [r.at for r in cloudtrail.lookups(region)]
        assert len(times) == count
        assert within_rate(times), times
    assert cloudtrail.throttled == 0  # the server's own two-a-second bucket never ran dry


def test_an_unpaced_client_is_throttled_by_the_server(cloudtrail: CloudTrailServer) -> None:
    client = boto3.client("cloudtrail", region_name="us-east-1",
                          config=Config(retries={"total_max_attempts": 1}))
    codes = []
    for _ in range(4):
        try:
            client.lookup_events(MaxResults=1)
            codes.append("ok")
        except client.exceptions.ClientError as exc:
            codes.append(exc.response["Error"]["Code"])
    assert "ThrottlingException" in codes


def test_throttling_is_retried_with_backoff(cloudtrail: CloudTrailServer) -> None:
    cloudtrail.add("us-east-1", [trail_event("ModifySecurityGroupRules", "sg-1", at=ago(hours=1))])
    cloudtrail.throttle(times=2)
    target = finding("sg-1")
    answer = attributor().attribute([target]).attributions[target.fingerprint]
    assert answer.status is AttributionStatus.FOUND
    times = [r.at for r in cloudtrail.lookups()]
    assert len(times) == 3
    assert within_rate(times)


def test_throttled_past_the_retries_is_failed_not_unknown(cloudtrail: CloudTrailServer) -> None:
    cloudtrail.throttle(times=10)
    target = finding("sg-1")
    answer = attributor(max_attempts=2).attribute([target]).attributions[target.fingerprint]
    assert answer.status is AttributionStatus.FAILED
    assert answer.note == "CloudTrail throttled in us-east-1 (ThrottlingException) after retries"


def test_denied_fails_every_lookup_of_the_region_with_one_call(
        cloudtrail: CloudTrailServer) -> None:
    cloudtrail.deny(region="us-east-1")
    cloudtrail.add("eu-west-1", [trail_event("ModifySecurityGroupRules", "sg-9",
                                             at=ago(hours=1), region="eu-west-1")])
    denied = [finding("sg-1"), finding("sg-2")]
    allowed = finding("sg-9", "eu-west-1")
    answers = attributor().attribute([*denied, allowed]).attributions
    for target in denied:
        assert answers[target.fingerprint].status is AttributionStatus.FAILED
        assert answers[target.fingerprint].note == (
            "cloudtrail:LookupEvents denied in us-east-1 (AccessDeniedException)")
    assert answers[allowed.fingerprint].status is AttributionStatus.FOUND
    assert len(cloudtrail.lookups("us-east-1")) == 1


def test_global_resources_are_looked_up_in_us_east_1(cloudtrail: CloudTrailServer) -> None:
    cloudtrail.add("us-east-1", [trail_event(
        "PutRolePolicy", "deployer", at=ago(hours=3), service="iam.amazonaws.com",
        resource_type="AWS::IAM::Role", identity={
            "type": "AssumedRole", "principalId": "AROAEXAMPLE:carol",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/carol"})])
    target = finding("deployer", "global", rtype="aws_iam_role")
    answer = attributor().attribute([target]).attributions[target.fingerprint]
    assert answer.events[0].principal == f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/carol"
    assert [cloudtrail.region(r) for r in cloudtrail.lookups()] == ["us-east-1"]


def test_the_same_resource_is_looked_up_once(cloudtrail: CloudTrailServer) -> None:
    changed = finding("sg-1")
    again = finding("sg-1", rtype="aws_vpc_security_group_ingress_rule")
    answers = attributor().attribute([changed, again]).attributions
    assert set(answers) == {changed.fingerprint, again.fingerprint}
    assert len(cloudtrail.lookups()) == 1
