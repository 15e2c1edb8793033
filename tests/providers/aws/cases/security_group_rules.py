"""Security group rule cases: the three rule types and the adopted default group.

Rules are parts of their group: a rule nobody declares is reported only when its group is
managed (tests/providers/aws/test_network_parts.py), so these cases, whose groups are not in
the state, have no unmanaged test of their own.
"""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _vpc_and_group(ec2: Any, cidr: str, name: str = "app") -> tuple[str, str]:
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    group_id = ec2.create_security_group(GroupName=name, Description=name,
                                         VpcId=vpc_id)["GroupId"]
    return str(vpc_id), str(group_id)


def _rule_arn(rule_id: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group-rule/{rule_id}"


# -- aws_vpc_security_group_ingress_rule -----------------------------------------------------


def _ingress_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    _, group_id = _vpc_and_group(ec2, "10.70.0.0/16")
    rule = ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "https"}]},
    ])["SecurityGroupRules"][0]
    rule_id = rule["SecurityGroupRuleId"]
    # the provider tags a rule after creating it
    ec2.create_tags(Resources=[rule_id], Tags=[{"Key": "env", "Value": "prod"}])
    return {
        "id": rule_id,
        "arn": _rule_arn(rule_id),
        "security_group_id": group_id,
        "security_group_rule_id": rule_id,
        "ip_protocol": "tcp",
        "from_port": 443,
        "to_port": 443,
        "cidr_ipv4": "10.0.0.0/8",
        "cidr_ipv6": None,
        "prefix_list_id": None,
        "referenced_security_group_id": None,
        "description": "https",
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
    }


def _ingress_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    ec2.modify_security_group_rules(GroupId=attrs["security_group_id"], SecurityGroupRules=[{
        "SecurityGroupRuleId": attrs["id"],
        "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                              "CidrIpv4": "10.0.0.0/8", "Description": "opened by hand"},
    }])
    ec2.create_tags(Resources=[attrs["id"]], Tags=[{"Key": "env", "Value": "dev"}])


def _ingress_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").revoke_security_group_ingress(GroupId=attrs["security_group_id"],
                                                 SecurityGroupRuleIds=[attrs["id"]])


# -- aws_vpc_security_group_egress_rule ------------------------------------------------------


def _egress_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id, group_id = _vpc_and_group(ec2, "10.71.0.0/16")
    database = ec2.create_security_group(GroupName="db", Description="db",
                                         VpcId=vpc_id)["GroupId"]
    # all traffic to another group: no ports (the provider keeps them null); moto keeps no
    # description on a grant to a group, so this rule has none
    rule = ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": database}]},
    ])["SecurityGroupRules"][0]
    rule_id = rule["SecurityGroupRuleId"]
    return {
        "id": rule_id,
        "arn": _rule_arn(rule_id),
        "security_group_id": group_id,
        "security_group_rule_id": rule_id,
        "ip_protocol": "-1",
        "from_port": None,
        "to_port": None,
        "cidr_ipv4": None,
        "cidr_ipv6": None,
        "prefix_list_id": None,
        "referenced_security_group_id": database,
        "description": None,
        "tags": None,
        "tags_all": {},
    }


def _egress_change(clients: Any, attrs: Attrs) -> None:
    clients("ec2").create_tags(Resources=[attrs["id"]], Tags=[{"Key": "owner", "Value": "ops"}])


def _egress_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").revoke_security_group_egress(GroupId=attrs["security_group_id"],
                                                SecurityGroupRuleIds=[attrs["id"]])


# -- aws_security_group_rule -----------------------------------------------------------------

_LEGACY_CIDRS = ["10.0.0.0/8", "192.168.0.0/16"]


def _legacy_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    _, group_id = _vpc_and_group(ec2, "10.72.0.0/16")
    # one resource, two sources: AWS keeps two rules
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": cidr, "Description": "ssh"} for cidr in _LEGACY_CIDRS]},
    ])
    return {
        # the state id is a hash; the import id is spelled out from the arguments
        "id": "sgrule-1234567890",
        "security_group_id": group_id,
        "security_group_rule_id": "",
        "type": "ingress",
        "protocol": "tcp",
        "from_port": 22,
        "to_port": 22,
        "cidr_blocks": list(_LEGACY_CIDRS),
        "ipv6_cidr_blocks": None,
        "prefix_list_ids": None,
        "self": False,
        "source_security_group_id": None,
        "description": "ssh",
        "timeouts": None,
    }


def _legacy_import_id(attrs: Attrs) -> str:
    return f"{attrs['security_group_id']}_ingress_tcp_22_22_10.0.0.0/8_192.168.0.0/16"


def _legacy_change(clients: Any, attrs: Attrs) -> None:
    clients("ec2").update_security_group_rule_descriptions_ingress(
        GroupId=attrs["security_group_id"], IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
             "IpRanges": [{"CidrIp": cidr, "Description": "bastion"} for cidr in _LEGACY_CIDRS]},
        ])


def _legacy_delete(clients: Any, attrs: Attrs) -> None:
    # one of the two sources is enough: the provider no longer finds the rule
    clients("ec2").revoke_security_group_ingress(GroupId=attrs["security_group_id"],
                                                 IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "192.168.0.0/16"}]},
    ])


# -- aws_default_security_group --------------------------------------------------------------


def _grant(**values: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "cidr_blocks": [], "ipv6_cidr_blocks": [], "prefix_list_ids": [],
        "security_groups": [], "self": False, "description": "",
    }
    rule.update(values)
    return rule


def _default_group_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.73.0.0/16")["Vpc"]["VpcId"]
    group_id = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]},
    ])["SecurityGroups"][0]["GroupId"]
    # AWS gives a default group all traffic from itself; moto's default groups lack that rule
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group_id}]}])
    ec2.create_tags(Resources=[group_id], Tags=[{"Key": "Name", "Value": "locked"}])
    # adopted as AWS made it: all traffic from itself in, all traffic out
    return {
        "id": group_id,
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group_id}",
        "owner_id": ACCOUNT,
        "name": "default",
        "name_prefix": "",
        "description": "default VPC security group",
        "vpc_id": vpc_id,
        "revoke_rules_on_delete": False,
        "ingress": [_grant(protocol="-1", from_port=0, to_port=0, self=True)],
        "egress": [_grant(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])],
        "tags": {"Name": "locked"},
        "tags_all": {"Name": "locked"},
    }


def _default_group_change(clients: Any, attrs: Attrs) -> None:
    clients("ec2").authorize_security_group_ingress(GroupId=attrs["id"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])


def _default_group_delete(clients: Any, attrs: Attrs) -> None:
    # a default group goes with its VPC only
    clients("ec2").delete_vpc(VpcId=attrs["vpc_id"])


CASES = [
    AwsCase(
        type="aws_vpc_security_group_ingress_rule",
        create=_ingress_create,
        change=_ingress_change,
        changed_paths=frozenset({"description", "tags.env"}),
        delete=_ingress_delete,
        unmanaged=False,
    ),
    AwsCase(
        type="aws_vpc_security_group_egress_rule",
        create=_egress_create,
        change=_egress_change,
        changed_paths=frozenset({"tags.owner"}),
        delete=_egress_delete,
        unmanaged=False,
    ),
    AwsCase(
        type="aws_security_group_rule",
        create=_legacy_create,
        change=_legacy_change,
        changed_paths=frozenset({"description"}),
        delete=_legacy_delete,
        import_id=_legacy_import_id,
        unmanaged=False,
    ),
    AwsCase(
        type="aws_default_security_group",
        create=_default_group_create,
        change=_default_group_change,
        changed_paths=frozenset({"ingress"}),
        delete=_default_group_delete,
        unmanaged=False,
    ),
]
