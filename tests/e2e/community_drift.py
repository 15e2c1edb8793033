"""Changes made to the community estate (``community/``) behind Terraform's back, with boto3.

First the two drifts of the issue that nobody could see: the private subnets' default route
through the NAT gateway deleted, and a bucket's public access block removed. Then what teams
meet day to day on such an estate: a rule's description edited in the console, a queue tuned by
hand, tags changed, a rule opened on a group whose rules are resources of their own, the rules
Terraform removed from the VPC's default security group and network ACL put back, a route added
to the main route table, and resources made by hand next to the managed ones.

A ``Change`` names the address it touches, what cloudrift must call it, and ``echoes``: the
parents that Terraform *also* shows moving because their state holds a computed copy of the part
(a route table's ``route``, a group's ``ingress``). Whether cloudrift reports an echo on the
parent or leaves it to the part is ``parts_oracle``'s to say, not this file's.

A ``HandMade`` resource is made outside any state. One that is a part of a managed parent (a
rule, an ACL entry) names the parent's address and the field it belongs to: Terraform shows that
field of the parent moving, and cloudrift reports the part as unmanaged when the parent leaves
the field to its parts, else as a change of the parent.

moto's SetQueueAttributes drops a queue's policy when it is not sent again (AWS keeps it): the
queue changed here has none of its own (the module's policy is its dead-letter queue's).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tests.e2e.behind_terraform import Clients

Values = Mapping[str, Any]
Estate = Mapping[str, Values]

NAT_ROUTE = "module.vpc.aws_route.private_nat_gateway"
PUBLIC_ACCESS_BLOCK = 'module.assets["prod"].aws_s3_bucket_public_access_block.this'
WEB_GROUP = "module.web_sg.aws_security_group.this"
DEFAULT_GROUP = "module.vpc.aws_default_security_group.this"
DEFAULT_ACL = "module.vpc.aws_default_network_acl.this"


@dataclass(frozen=True)
class Change:
    address: str
    expect: str  # "changed" or "missing"
    what: str
    run: Callable[[Clients, Estate], None]
    echoes: tuple[str, ...] = ()


@dataclass(frozen=True)
class HandMade:
    type: str
    what: str
    create: Callable[[Clients, Estate], str]  # returns the import id cloudrift reports
    part_of: tuple[str, str] | None = None  # (parent address, parent field)


def _tag(address: str, key: str, value: str) -> Callable[[Clients, Estate], None]:
    def run(c: Clients, estate: Estate) -> None:
        c("ec2").create_tags(Resources=[estate[address]["id"]],
                             Tags=[{"Key": key, "Value": value}])

    return run


def _delete_nat_route(c: Clients, estate: Estate) -> None:
    route = estate[NAT_ROUTE]
    c("ec2").delete_route(RouteTableId=route["route_table_id"],
                          DestinationCidrBlock=route["destination_cidr_block"])


def _delete_public_access_block(c: Clients, estate: Estate) -> None:
    c("s3").delete_public_access_block(Bucket=estate[PUBLIC_ACCESS_BLOCK]["bucket"])


def _https_description(c: Clients, estate: Estate) -> None:
    rule = estate['module.web_sg.aws_vpc_security_group_ingress_rule.this["https"]']
    c("ec2").modify_security_group_rules(GroupId=rule["security_group_id"], SecurityGroupRules=[{
        "SecurityGroupRuleId": rule["security_group_rule_id"],
        "SecurityGroupRule": {"IpProtocol": rule["ip_protocol"], "FromPort": rule["from_port"],
                              "ToPort": rule["to_port"], "CidrIpv4": rule["cidr_ipv4"],
                              "Description": "changed in the console"},
    }])


def _postgres_description(c: Clients, estate: Estate) -> None:
    rule = estate['module.db_sg.aws_security_group_rule.ingress["postgres"]']
    c("ec2").update_security_group_rule_descriptions_ingress(
        GroupId=rule["security_group_id"], IpPermissions=[{
            "IpProtocol": rule["protocol"], "FromPort": rule["from_port"],
            "ToPort": rule["to_port"],
            "IpRanges": [{"CidrIp": rule["cidr_blocks"][0],
                          "Description": "changed in the console"}],
        }])


def _queue_timeout(c: Clients, estate: Estate) -> None:
    queue = estate['module.jobs["dev"].aws_sqs_queue.this']
    c("sqs").set_queue_attributes(QueueUrl=queue["url"], Attributes={"VisibilityTimeout": "45"})


def _bucket_tag(c: Clients, estate: Estate) -> None:
    # PutBucketTagging replaces the whole set: keep the others, change one
    bucket = estate['module.assets["dev"].aws_s3_bucket.this']
    tags = {**bucket["tags_all"], "environment": "tampered"}
    c("s3").put_bucket_tagging(Bucket=bucket["bucket"], Tagging={
        "TagSet": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]})


def _log_retention(c: Clients, estate: Estate) -> None:
    c("logs").put_retention_policy(
        logGroupName=estate["module.vpc.aws_cloudwatch_log_group.flow_log"]["name"],
        retentionInDays=90)


def _role_description(c: Clients, estate: Estate) -> None:
    c("iam").update_role(RoleName=estate["module.vpc.aws_iam_role.flow_log"]["name"],
                         Description="changed in the console")


def _main_table_route(c: Clients, estate: Estate) -> None:
    c("ec2").create_route(
        RouteTableId=estate["module.vpc.aws_default_route_table.this"]["id"],
        DestinationCidrBlock="192.168.0.0/16",
        GatewayId=estate["module.vpc.aws_internet_gateway.this"]["id"])


CHANGES: tuple[Change, ...] = (
    Change(NAT_ROUTE, "missing", "the private subnets' default route through the NAT deleted",
           _delete_nat_route, echoes=("module.vpc.aws_route_table.private",)),
    Change(PUBLIC_ACCESS_BLOCK, "missing", "the bucket's public access block removed",
           _delete_public_access_block),
    Change('module.web_sg.aws_vpc_security_group_ingress_rule.this["https"]', "changed",
           "description edited", _https_description, echoes=(WEB_GROUP,)),
    Change('module.db_sg.aws_security_group_rule.ingress["postgres"]', "changed",
           "description edited", _postgres_description,
           echoes=("module.db_sg.aws_security_group.this",)),
    Change('module.jobs["dev"].aws_sqs_queue.this', "changed", "visibility timeout 30 -> 45 s",
           _queue_timeout),
    Change('module.vpc.aws_subnet.private["b"]', "changed", "tag tier changed",
           _tag('module.vpc.aws_subnet.private["b"]', "tier", "tampered")),
    Change("module.vpc.aws_nat_gateway.this", "changed", "tag Name changed",
           _tag("module.vpc.aws_nat_gateway.this", "Name", "renamed")),
    Change('module.assets["dev"].aws_s3_bucket.this', "changed", "tag environment changed",
           _bucket_tag),
    Change("module.vpc.aws_cloudwatch_log_group.flow_log", "changed", "retention 14 -> 90 days",
           _log_retention),
    Change("module.vpc.aws_iam_role.flow_log", "changed", "description set", _role_description),
    Change("module.vpc.aws_default_route_table.this", "changed",
           "route to 192.168.0.0/16 added to the main route table", _main_table_route),
)


def _ssh_rule(c: Clients, estate: Estate) -> str:
    made = c("ec2").authorize_security_group_ingress(
        GroupId=estate[WEB_GROUP]["id"], IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
            "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "ssh, for a moment"}]}])
    return str(made["SecurityGroupRules"][0]["SecurityGroupRuleId"])


def _default_egress_back(c: Clients, estate: Estate) -> str:
    # the rule AWS gives every default group, which Terraform removed when it adopted the group
    made = c("ec2").authorize_security_group_egress(
        GroupId=estate[DEFAULT_GROUP]["id"], IpPermissions=[{
            "IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    return str(made["SecurityGroupRules"][0]["SecurityGroupRuleId"])


def _default_acl_allow_back(c: Clients, estate: Estate) -> str:
    # rule 100 allowing everything in, as AWS makes it; Terraform removed it on adoption
    acl = estate[DEFAULT_ACL]["id"]
    c("ec2").create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1",
                                      RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0")
    return f"{acl}:100:-1:false"


def _stray_bucket(c: Clients, estate: Estate) -> str:
    c("s3").create_bucket(Bucket="community-stray")
    return "community-stray"


def _stray_queue(c: Clients, estate: Estate) -> str:
    return str(c("sqs").create_queue(QueueName="community-stray")["QueueUrl"])


def _stray_group(c: Clients, estate: Estate) -> str:
    # a group brings its allow-all egress rule: that is covered by the group's own finding
    return str(c("ec2").create_security_group(
        GroupName="community-stray", Description="made by hand",
        VpcId=estate["module.vpc.aws_vpc.this"]["id"])["GroupId"])


HAND_MADE: tuple[HandMade, ...] = (
    HandMade("aws_vpc_security_group_ingress_rule", "ssh opened on the web group", _ssh_rule,
             part_of=(WEB_GROUP, "ingress")),
    HandMade("aws_vpc_security_group_egress_rule", "allow-all egress put back on the default "
             "group", _default_egress_back, part_of=(DEFAULT_GROUP, "egress")),
    HandMade("aws_network_acl_rule", "allow-all ingress put back on the default ACL",
             _default_acl_allow_back, part_of=(DEFAULT_ACL, "ingress")),
    HandMade("aws_s3_bucket", "bucket community-stray", _stray_bucket),
    HandMade("aws_sqs_queue", "queue community-stray", _stray_queue),
    HandMade("aws_security_group", "group community-stray in the VPC", _stray_group),
)
