"""The drift the terraform-vs-cloudrift benchmark makes with boto3 behind Terraform's back.

``MUTATIONS`` change or delete resources of ``main.tf``'s estate, each naming the address both
judges must report and how (``changed`` or ``missing``); ``UNMANAGED`` creates resources in no
state, each returning the import id cloudrift must report. The shapes come from the e2e tier
(``tests/e2e/behind_terraform.py``), and so does the rule: no change echoes into a computed
attribute of another resource (inline or attached role policies, bucket versioning), because
Terraform would list that resource too and cloudrift, comparing arguments only, rightly would
not. Nothing here waits: no SQS queue is deleted (the provider retries reading one for 20 s).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from tests.e2e.behind_terraform import Clients, Mutation, Unmanaged, Values

Change = Callable[[Clients, Mapping[str, Values]], None]


def _id(estate: Mapping[str, Values], address: str, key: str = "id") -> str:
    return str(estate[address][key])


def ec2_tag(address: str, key: str, value: str) -> Change:
    def run(c: Clients, estate: Mapping[str, Values]) -> None:
        c("ec2").create_tags(Resources=[_id(estate, address)], Tags=[{"Key": key, "Value": value}])

    return run


def ingress(address: str) -> Change:
    def run(c: Clients, estate: Mapping[str, Values]) -> None:
        c("ec2").authorize_security_group_ingress(
            GroupId=_id(estate, address),
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                            "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )

    return run


def _route(table: str, gateway: str) -> Change:
    def run(c: Clients, estate: Mapping[str, Values]) -> None:
        c("ec2").create_route(RouteTableId=_id(estate, table), GatewayId=_id(estate, gateway),
                              DestinationCidrBlock="192.168.0.0/16")

    return run


def _user_tag(address: str) -> Change:
    def run(c: Clients, estate: Mapping[str, Values]) -> None:
        c("iam").tag_user(UserName=_id(estate, address, "name"),
                          Tags=[{"Key": "team", "Value": "tampered"}])

    return run


def role_description(address: str) -> Change:
    def run(c: Clients, estate: Mapping[str, Values]) -> None:
        c("iam").update_role(RoleName=_id(estate, address, "name"), Description="by hand")

    return run


def policy_version(address: str) -> Change:
    def run(c: Clients, estate: Mapping[str, Values]) -> None:
        document = json.loads(_id(estate, address, "policy"))
        document["Statement"][0]["Action"].append("s3:PutObject")
        c("iam").create_policy_version(PolicyArn=_id(estate, address, "arn"),
                                       PolicyDocument=json.dumps(document), SetAsDefault=True)

    return run


def bucket_tags(address: str) -> Change:
    def run(c: Clients, estate: Mapping[str, Values]) -> None:
        # PutBucketTagging replaces the whole set: the provider's default tag stays
        c("s3").put_bucket_tagging(
            Bucket=_id(estate, address),
            Tagging={"TagSet": [{"Key": "owner", "Value": "cloudrift-bench"},
                                {"Key": "team", "Value": "tampered"}]},
        )

    return run


def retention(address: str) -> Change:
    def run(c: Clients, estate: Mapping[str, Values]) -> None:
        c("logs").put_retention_policy(logGroupName=_id(estate, address, "name"),
                                       retentionInDays=90)

    return run


def display_name(address: str) -> Change:
    def run(c: Clients, estate: Mapping[str, Values]) -> None:
        c("sns").set_topic_attributes(TopicArn=_id(estate, address, "arn"),
                                      AttributeName="DisplayName", AttributeValue="pager")

    return run


def immutable(address: str) -> Change:
    def run(c: Clients, estate: Mapping[str, Values]) -> None:
        c("ecr").put_image_tag_mutability(repositoryName=_id(estate, address, "name"),
                                          imageTagMutability="IMMUTABLE")

    return run


def _key_description(address: str) -> Change:
    def run(c: Clients, estate: Mapping[str, Values]) -> None:
        c("kms").update_key_description(KeyId=_id(estate, address, "key_id"),
                                        Description="by hand")

    return run


def _table_tag(address: str) -> Change:
    def run(c: Clients, estate: Mapping[str, Values]) -> None:
        c("dynamodb").tag_resource(ResourceArn=_id(estate, address, "arn"),
                                   Tags=[{"Key": "team", "Value": "tampered"}])

    return run


def _delete(service: str, operation: str, parameter: str, key: str = "id") -> Callable[
        [str], Change]:
    def for_address(address: str) -> Change:
        def run(c: Clients, estate: Mapping[str, Values]) -> None:
            getattr(c(service), operation)(**{parameter: _id(estate, address, key)})

        return run

    return for_address


_delete_user = _delete("iam", "delete_user", "UserName", "name")
_delete_subnet = _delete("ec2", "delete_subnet", "SubnetId")
delete_group = _delete("ec2", "delete_security_group", "GroupId")
delete_log_group = _delete("logs", "delete_log_group", "logGroupName", "name")
delete_topic = _delete("sns", "delete_topic", "TopicArn", "arn")
_delete_repository = _delete("ecr", "delete_repository", "repositoryName", "name")
_delete_table = _delete("dynamodb", "delete_table", "TableName", "name")
delete_bucket = _delete("s3", "delete_bucket", "Bucket")


def changed(address: str, what: str, run: Callable[[str], Change]) -> Mutation:
    return Mutation(address, "changed", what, run(address))


def missing(address: str, run: Callable[[str], Change]) -> Mutation:
    return Mutation(address, "missing", "deleted", run(address))


NET_A, NET_B, NET_C, NET_D = (f'module.network["{k}"]' for k in "abcd")

MUTATIONS: tuple[Mutation, ...] = (
    Mutation(f"{NET_A}.aws_vpc.this", "changed", "tag tier",
             ec2_tag(f"{NET_A}.aws_vpc.this", "tier", "tampered")),
    Mutation(f"{NET_A}.aws_internet_gateway.gw", "changed", "tag added",
             ec2_tag(f"{NET_A}.aws_internet_gateway.gw", "cost-centre", "42")),
    Mutation(f"{NET_B}.aws_subnet.s[3]", "changed", "tag Name",
             ec2_tag(f"{NET_B}.aws_subnet.s[3]", "Name", "renamed")),
    changed(f'{NET_C}.aws_security_group.g["web"]', "ssh ingress added", ingress),
    Mutation(f"{NET_D}.aws_route_table.public", "changed", "route added",
             _route(f"{NET_D}.aws_route_table.public", f"{NET_D}.aws_internet_gateway.gw")),
    changed('module.iam["payments"].aws_iam_user.u["u03"]', "tag team", _user_tag),
    changed('module.iam["search"].aws_iam_role.r[2]', "description", role_description),
    changed('module.iam["identity"].aws_iam_policy.p[1]', "new default version",
             policy_version),
    changed('module.data["catalog"].aws_s3_bucket.b["raw"]', "tag team", bucket_tags),
    changed('module.data["shipping"].aws_cloudwatch_log_group.l[5]', "retention 30 -> 90",
             retention),
    changed('module.data["ledger"].aws_sns_topic.t["alerts"]', "display name", display_name),
    changed('module.data["growth"].aws_ecr_repository.e[1]', "tags immutable", immutable),
    changed('module.data["payments"].aws_kms_key.k[0]', "description", _key_description),
    changed('module.data["search"].aws_dynamodb_table.d[1]', "tag team", _table_tag),
    missing('module.iam["catalog"].aws_iam_user.u["u07"]', _delete_user),
    missing('module.iam["growth"].aws_iam_user.u["u11"]', _delete_user),
    missing(f"{NET_B}.aws_subnet.s[7]", _delete_subnet),
    missing(f'{NET_C}.aws_security_group.g["batch"]', delete_group),
    missing('module.data["billing"].aws_cloudwatch_log_group.l[2]', delete_log_group),
    missing('module.data["ledger"].aws_sns_topic.t["audit"]', delete_topic),
    missing('module.data["search"].aws_ecr_repository.e[0]', _delete_repository),
    missing('module.data["shipping"].aws_dynamodb_table.d[0]', _delete_table),
    missing('module.data["payments"].aws_s3_bucket.b["exports"]', delete_bucket),
)


def _stray_group(c: Clients) -> str:
    # in a managed VPC: a stray among managed siblings, not a whole stray network
    vpc = c("ec2").describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.10.0.0/16"]}])
    return str(c("ec2").create_security_group(
        GroupName="bench-stray", Description="made by hand", VpcId=vpc["Vpcs"][0]["VpcId"],
    )["GroupId"])


def _stray_table(c: Clients) -> str:
    c("dynamodb").create_table(
        TableName="bench-stray", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    return "bench-stray"


def stray_role(c: Clients) -> str:
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}
    c("iam").create_role(RoleName="bench-stray", AssumeRolePolicyDocument=json.dumps(trust))
    return "bench-stray"


def named(create: Callable[[Clients, str], Any], name: str) -> Callable[[Clients], str]:
    def run(c: Clients) -> str:
        create(c, name)
        return name

    return run


UNMANAGED: tuple[Unmanaged, ...] = (
    Unmanaged("aws_iam_user", "user", named(lambda c, n: c("iam").create_user(UserName=n),
                                             "bench-stray")),
    Unmanaged("aws_iam_role", "role", stray_role),
    Unmanaged("aws_s3_bucket", "bucket", named(lambda c, n: c("s3").create_bucket(Bucket=n),
                                                "bench-stray")),
    Unmanaged("aws_vpc", "VPC", lambda c: str(
        c("ec2").create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"])),
    Unmanaged("aws_security_group", "security group", _stray_group),
    Unmanaged("aws_cloudwatch_log_group", "log group", named(
        lambda c, n: c("logs").create_log_group(logGroupName=n), "/bench/stray")),
    Unmanaged("aws_sns_topic", "topic", lambda c: str(
        c("sns").create_topic(Name="bench-stray")["TopicArn"])),
    Unmanaged("aws_ecr_repository", "repository", named(
        lambda c, n: c("ecr").create_repository(repositoryName=n), "bench-stray")),
    Unmanaged("aws_dynamodb_table", "table", _stray_table),
)


