"""Network ACL cases: an ACL with its rules inline, a rule on its own, the adopted default ACL.

moto drops an entry's ICMP type and code and gives a new ACL none of the catch-all deny rules
(32767) AWS adds; the comparison leaves those out anyway, and these cases use no ICMP rule.
"""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _acl_rule(**values: Any) -> dict[str, Any]:
    """A rule as the provider records it in ``ingress`` / ``egress``."""
    rule: dict[str, Any] = {"action": "allow", "cidr_block": "", "from_port": 0,
                            "icmp_code": 0, "icmp_type": 0, "ipv6_cidr_block": "",
                            "protocol": "-1", "rule_no": 100, "to_port": 0}
    rule.update(values)
    return rule


def _acl_arn(acl_id: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:network-acl/{acl_id}"


def _default_acl(ec2: Any, vpc_id: str) -> str:
    return str(ec2.describe_network_acls(Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]},
    ])["NetworkAcls"][0]["NetworkAclId"])


def _move_subnet(ec2: Any, subnet_id: str, acl_id: str) -> None:
    association = ec2.describe_network_acls(Filters=[
        {"Name": "association.subnet-id", "Values": [subnet_id]},
    ])["NetworkAcls"][0]["Associations"]
    current = next(a for a in association if a["SubnetId"] == subnet_id)
    ec2.replace_network_acl_association(AssociationId=current["NetworkAclAssociationId"],
                                        NetworkAclId=acl_id)


# -- aws_network_acl -------------------------------------------------------------------------


def _acl_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.90.1.0/24")["Subnet"]["SubnetId"]
    acl_id = ec2.create_network_acl(
        VpcId=vpc_id, TagSpecifications=[{"ResourceType": "network-acl",
                                          "Tags": [{"Key": "env", "Value": "prod"}]}],
    )["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Protocol="6",
                                 RuleAction="allow", Egress=False, CidrBlock="10.0.0.0/8",
                                 PortRange={"From": 22, "To": 22})
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Protocol="-1",
                                 RuleAction="allow", Egress=True, CidrBlock="0.0.0.0/0")
    _move_subnet(ec2, subnet_id, acl_id)
    return {
        "id": acl_id,
        "arn": _acl_arn(acl_id),
        "owner_id": ACCOUNT,
        "vpc_id": vpc_id,
        "subnet_ids": [subnet_id],
        # configured as protocol = "tcp": the provider records the number
        "ingress": [_acl_rule(protocol="6", cidr_block="10.0.0.0/8", from_port=22, to_port=22)],
        "egress": [_acl_rule(cidr_block="0.0.0.0/0")],
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
    }


def _acl_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    ec2.create_network_acl_entry(NetworkAclId=attrs["id"], RuleNumber=200, Protocol="17",
                                 RuleAction="deny", Egress=False, CidrBlock="0.0.0.0/0",
                                 PortRange={"From": 53, "To": 53})
    ec2.create_tags(Resources=[attrs["id"]], Tags=[{"Key": "env", "Value": "dev"}])


def _acl_delete(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    _move_subnet(ec2, attrs["subnet_ids"][0], _default_acl(ec2, attrs["vpc_id"]))
    ec2.delete_network_acl(NetworkAclId=attrs["id"])


# -- aws_network_acl_rule --------------------------------------------------------------------


def _rule_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=120, Protocol="6",
                                 RuleAction="allow", Egress=False, CidrBlock="10.0.0.0/8",
                                 PortRange={"From": 443, "To": 443})
    return {
        "id": "nacl-2341981760",
        "network_acl_id": acl_id,
        "rule_number": 120,
        "egress": False,
        # as the user wrote it; the provider's read keeps it
        "protocol": "tcp",
        "rule_action": "allow",
        "cidr_block": "10.0.0.0/8",
        "ipv6_cidr_block": "",
        "from_port": 443,
        "to_port": 443,
        "icmp_type": None,
        "icmp_code": None,
    }


def _rule_import_id(attrs: Attrs) -> str:
    return f"{attrs['network_acl_id']}:120:tcp:false"


def _rule_change(clients: Any, attrs: Attrs) -> None:
    clients("ec2").replace_network_acl_entry(
        NetworkAclId=attrs["network_acl_id"], RuleNumber=120, Protocol="6", RuleAction="deny",
        Egress=False, CidrBlock="10.0.0.0/8", PortRange={"From": 443, "To": 8443})


def _rule_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_network_acl_entry(NetworkAclId=attrs["network_acl_id"],
                                            RuleNumber=120, Egress=False)


# -- aws_default_network_acl -----------------------------------------------------------------


def _default_acl_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.92.0.0/16")["Vpc"]["VpcId"]
    acl_id = _default_acl(ec2, vpc_id)
    ec2.create_tags(Resources=[acl_id], Tags=[{"Key": "Name", "Value": "default"}])
    # adopted as AWS made it: everything allowed both ways
    return {
        "id": acl_id,
        "arn": _acl_arn(acl_id),
        "owner_id": ACCOUNT,
        "default_network_acl_id": acl_id,
        "vpc_id": vpc_id,
        "subnet_ids": [],
        "ingress": [_acl_rule(cidr_block="0.0.0.0/0")],
        "egress": [_acl_rule(cidr_block="0.0.0.0/0")],
        "tags": {"Name": "default"},
        "tags_all": {"Name": "default"},
    }


def _default_acl_change(clients: Any, attrs: Attrs) -> None:
    clients("ec2").create_network_acl_entry(
        NetworkAclId=attrs["id"], RuleNumber=50, Protocol="6", RuleAction="deny", Egress=False,
        CidrBlock="0.0.0.0/0", PortRange={"From": 3389, "To": 3389})


def _default_acl_delete(clients: Any, attrs: Attrs) -> None:
    # the default ACL goes with its VPC only
    ec2 = clients("ec2")
    ec2.delete_vpc(VpcId=attrs["vpc_id"])
    # moto leaves a deleted VPC's default ACL behind (AWS deletes it with the VPC, and refuses
    # to delete it on its own); moto lets it be deleted, and keeps the association of a deleted
    # subnet (so this VPC has none)
    ec2.delete_network_acl(NetworkAclId=attrs["id"])


CASES = [
    AwsCase(
        type="aws_network_acl",
        create=_acl_create,
        change=_acl_change,
        changed_paths=frozenset({"ingress", "tags.env"}),
        delete=_acl_delete,
    ),
    AwsCase(
        type="aws_network_acl_rule",
        create=_rule_create,
        change=_rule_change,
        changed_paths=frozenset({"rule_action", "to_port"}),
        delete=_rule_delete,
        import_id=_rule_import_id,
        unmanaged=False,
    ),
    AwsCase(
        type="aws_default_network_acl",
        create=_default_acl_create,
        change=_default_acl_change,
        changed_paths=frozenset({"ingress"}),
        delete=_default_acl_delete,
        unmanaged=False,
    ),
]
