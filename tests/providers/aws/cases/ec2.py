"""EC2 and VPC cases."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase


def _vpc_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc = ec2.create_vpc(
        CidrBlock="10.10.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "env", "Value": "prod"}]}],
    )["Vpc"]
    ec2.modify_vpc_attribute(VpcId=vpc["VpcId"], EnableDnsHostnames={"Value": True})
    return {
        "id": vpc["VpcId"],
        "arn": f"arn:aws:ec2:us-east-1:123456789012:vpc/{vpc['VpcId']}",
        "cidr_block": "10.10.0.0/16",
        "instance_tenancy": "default",
        "enable_dns_support": True,
        "enable_dns_hostnames": True,
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
    }


def _vpc_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    ec2.modify_vpc_attribute(VpcId=attrs["id"], EnableDnsHostnames={"Value": False})
    ec2.create_tags(Resources=[attrs["id"]], Tags=[{"Key": "env", "Value": "dev"}])


def _vpc_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_vpc(VpcId=attrs["id"])


CASES = [
    AwsCase(
        type="aws_vpc",
        create=_vpc_create,
        change=_vpc_change,
        changed_paths=frozenset({"enable_dns_hostnames", "tags.env"}),
        delete=_vpc_delete,
    ),
]
