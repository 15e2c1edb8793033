"""Changes made to the applied estate with boto3, behind Terraform's back.

Each ``Mutation`` names the Terraform address it touches and what both judges must call it
(``changed`` or ``missing``). The choice avoids changes that echo into a *computed* attribute of
another resource, because Terraform's ``resource_drift`` lists every attribute that moved, computed
or not, while cloudrift compares declared arguments only:

- an ``aws_s3_bucket_versioning`` or ``aws_s3_bucket_policy`` change also moves the bucket's
  computed ``versioning`` / ``policy`` attributes (Terraform would report ``aws_s3_bucket`` too);
- an ``aws_iam_role_policy`` or ``aws_iam_role_policy_attachment`` change also moves the role's
  computed ``inline_policy`` / ``managed_policy_arns`` and the policy's ``attachment_count``.

No queue is deleted: the provider retries reading a missing queue for 20 s (SQS is eventually
consistent), which would double the refresh time. ``aws_sqs_queue.q["billing"]`` stays untouched
so that a changed ``for_each`` sibling is seen not to spill onto it.

``Unmanaged`` resources are created outside any state; each returns the import id cloudrift must
report for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import boto3

from cloudrift.testing import FAKE_CREDENTIALS

Values = Mapping[str, Any]


class Clients:
    """boto3 clients for the emulator, independent of the test process's environment."""

    def __init__(self, endpoint: str, region: str) -> None:
        self._session = boto3.session.Session(
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
            region_name=region,
        )
        self._endpoint = endpoint
        self._cache: dict[str, Any] = {}

    def __call__(self, service: str) -> Any:
        if service not in self._cache:
            self._cache[service] = self._session.client(service, endpoint_url=self._endpoint)
        return self._cache[service]


@dataclass(frozen=True)
class Mutation:
    address: str
    expect: str  # "changed" or "missing"
    what: str
    run: Callable[[Clients, Mapping[str, Values]], None]


@dataclass(frozen=True)
class Unmanaged:
    type: str
    what: str
    create: Callable[[Clients], str]


def _v(estate: Mapping[str, Values], address: str) -> Values:
    return estate[address]


def _tag(address: str, key: str, value: str) -> Callable[[Clients, Mapping[str, Values]], None]:
    def run(c: Clients, estate: Mapping[str, Values]) -> None:
        c("ec2").create_tags(
            Resources=[_v(estate, address)["id"]], Tags=[{"Key": key, "Value": value}]
        )

    return run


def _sg_ingress(c: Clients, estate: Mapping[str, Values]) -> None:
    c("ec2").authorize_security_group_ingress(
        GroupId=_v(estate, "module.net.aws_security_group.web")["id"],
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "ssh"}]}],
    )


def _route(c: Clients, estate: Mapping[str, Values]) -> None:
    c("ec2").create_route(
        RouteTableId=_v(estate, "module.net.aws_route_table.public")["id"],
        DestinationCidrBlock="192.168.0.0/16",
        GatewayId=_v(estate, "module.net.aws_internet_gateway.gw")["id"],
    )


def _volume_size(c: Clients, estate: Mapping[str, Values]) -> None:
    c("ec2").modify_volume(VolumeId=_v(estate, "aws_ebs_volume.data")["id"], Size=20)


def _release_eip(c: Clients, estate: Mapping[str, Values]) -> None:
    c("ec2").release_address(AllocationId=_v(estate, "aws_eip.web")["id"])


def _delete_subnet(c: Clients, estate: Mapping[str, Values]) -> None:
    c("ec2").delete_subnet(SubnetId=_v(estate, "module.net.aws_subnet.s[2]")["id"])


def _queue_timeout(c: Clients, estate: Mapping[str, Values]) -> None:
    c("sqs").set_queue_attributes(
        QueueUrl=_v(estate, 'aws_sqs_queue.q["orders"]')["id"],
        Attributes={"VisibilityTimeout": "99"},
    )


def _delete_user(c: Clients, estate: Mapping[str, Values]) -> None:
    c("iam").delete_user(UserName=_v(estate, 'aws_iam_user.u["auditor"]')["name"])


def _role_description(c: Clients, estate: Mapping[str, Values]) -> None:
    c("iam").update_role(RoleName=_v(estate, "aws_iam_role.app")["name"],
                         Description="changed by hand")


def _policy_version(c: Clients, estate: Mapping[str, Values]) -> None:
    values = _v(estate, "aws_iam_policy.read")
    document = json.loads(values["policy"])
    document["Statement"][0]["Action"] = ["s3:GetObject", "s3:ListBucket", "s3:PutObject"]
    c("iam").create_policy_version(
        PolicyArn=values["arn"], PolicyDocument=json.dumps(document), SetAsDefault=True
    )


def _user_tag(c: Clients, estate: Mapping[str, Values]) -> None:
    c("iam").tag_user(UserName=_v(estate, 'aws_iam_user.u["ci"]')["name"],
                      Tags=[{"Key": "kind", "Value": "tampered"}])


def _bucket_tags(c: Clients, estate: Mapping[str, Values]) -> None:
    # PutBucketTagging replaces the whole set: keep the provider's default tag, change one.
    c("s3").put_bucket_tagging(
        Bucket=_v(estate, "aws_s3_bucket.data")["bucket"],
        Tagging={"TagSet": [{"Key": "owner", "Value": "cloudrift-e2e"},
                            {"Key": "purpose", "Value": "tampered"}]},
    )


def _key_description(c: Clients, estate: Mapping[str, Values]) -> None:
    c("kms").update_key_description(KeyId=_v(estate, "aws_kms_key.main")["key_id"],
                                    Description="changed by hand")


def _topic_name(c: Clients, estate: Mapping[str, Values]) -> None:
    c("sns").set_topic_attributes(TopicArn=_v(estate, "aws_sns_topic.alerts")["arn"],
                                  AttributeName="DisplayName", AttributeValue="pager")


def _table_tag(c: Clients, estate: Mapping[str, Values]) -> None:
    c("dynamodb").tag_resource(ResourceArn=_v(estate, "aws_dynamodb_table.sessions")["arn"],
                               Tags=[{"Key": "purpose", "Value": "tampered"}])


def _delete_log_group(c: Clients, estate: Mapping[str, Values]) -> None:
    c("logs").delete_log_group(logGroupName=_v(estate, "aws_cloudwatch_log_group.app")["name"])


def _repository_mutability(c: Clients, estate: Mapping[str, Values]) -> None:
    c("ecr").put_image_tag_mutability(
        repositoryName=_v(estate, "aws_ecr_repository.app")["name"],
        imageTagMutability="IMMUTABLE",
    )


def _function_timeout(c: Clients, estate: Mapping[str, Values]) -> None:
    c("lambda").update_function_configuration(
        FunctionName=_v(estate, "aws_lambda_function.worker")["function_name"], Timeout=30
    )


def _db_tag(c: Clients, estate: Mapping[str, Values]) -> None:
    c("rds").add_tags_to_resource(ResourceName=_v(estate, "aws_db_instance.db")["arn"],
                                  Tags=[{"Key": "team", "Value": "dba"}])


MUTATIONS: tuple[Mutation, ...] = (
    Mutation("module.net.aws_vpc.this", "changed", "tag tier changed",
             _tag("module.net.aws_vpc.this", "tier", "tampered")),
    Mutation("module.net.aws_subnet.s[1]", "changed", "tag Name changed",
             _tag("module.net.aws_subnet.s[1]", "Name", "renamed")),
    Mutation("module.net.aws_subnet.s[2]", "missing", "deleted", _delete_subnet),
    Mutation("module.net.aws_security_group.web", "changed", "ssh ingress rule added",
             _sg_ingress),
    Mutation("module.net.aws_internet_gateway.gw", "changed", "tag added",
             _tag("module.net.aws_internet_gateway.gw", "cost-centre", "42")),
    Mutation("module.net.aws_route_table.public", "changed", "route added", _route),
    Mutation("aws_instance.web", "changed", "tag Name changed",
             _tag("aws_instance.web", "Name", "renamed")),
    Mutation("aws_ebs_volume.data", "changed", "size 10 -> 20 GiB", _volume_size),
    Mutation("aws_eip.web", "missing", "released", _release_eip),
    Mutation('aws_sqs_queue.q["orders"]', "changed", "visibility timeout 30 -> 99",
             _queue_timeout),
    Mutation("aws_iam_role.app", "changed", "description changed", _role_description),
    Mutation("aws_iam_policy.read", "changed", "new default version allows s3:PutObject",
             _policy_version),
    Mutation('aws_iam_user.u["ci"]', "changed", "tag kind changed", _user_tag),
    Mutation('aws_iam_user.u["auditor"]', "missing", "deleted", _delete_user),
    Mutation("aws_s3_bucket.data", "changed", "tag purpose changed", _bucket_tags),
    Mutation("aws_kms_key.main", "changed", "description changed", _key_description),
    Mutation("aws_sns_topic.alerts", "changed", "display name changed", _topic_name),
    Mutation("aws_dynamodb_table.sessions", "changed", "tag purpose changed", _table_tag),
    Mutation("aws_cloudwatch_log_group.app", "missing", "deleted", _delete_log_group),
    Mutation("aws_ecr_repository.app", "changed", "image tags made immutable",
             _repository_mutability),
    Mutation("aws_lambda_function.worker", "changed", "timeout 10 -> 30 s", _function_timeout),
    Mutation("aws_db_instance.db", "changed", "tag team added", _db_tag),
)


def _stray_queue(c: Clients) -> str:
    return str(c("sqs").create_queue(QueueName="e2e-stray")["QueueUrl"])


def _stray_bucket(c: Clients) -> str:
    c("s3").create_bucket(Bucket="cloudrift-e2e-stray")
    return "cloudrift-e2e-stray"


def _stray_user(c: Clients) -> str:
    c("iam").create_user(UserName="e2e-stray")
    return "e2e-stray"


def _stray_vpc(c: Clients) -> str:
    # A new VPC brings its own default security group, main route table and network ACL: none
    # of them may be reported as unmanaged without --strict.
    return str(c("ec2").create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"])


def _stray_log_group(c: Clients) -> str:
    c("logs").create_log_group(logGroupName="/e2e/stray")
    return "/e2e/stray"


UNMANAGED: tuple[Unmanaged, ...] = (
    Unmanaged("aws_sqs_queue", "queue e2e-stray", _stray_queue),
    Unmanaged("aws_s3_bucket", "bucket cloudrift-e2e-stray", _stray_bucket),
    Unmanaged("aws_iam_user", "user e2e-stray", _stray_user),
    Unmanaged("aws_vpc", "VPC 10.99.0.0/16", _stray_vpc),
    Unmanaged("aws_cloudwatch_log_group", "log group /e2e/stray", _stray_log_group),
)
