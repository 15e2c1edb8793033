"""Adopted defaults: the default VPC and a default subnet (moto gives each region both).

They are never unmanaged, so these cases have no unmanaged test.
"""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase
from tests.providers.aws.cases.ec2 import SUBNET_DEFAULTS

ACCOUNT = "123456789012"
REGION = "us-east-1"
ZONE = "us-east-1a"


def _default_vpc(ec2: Any) -> dict[str, Any]:
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    return dict(vpcs[0])


def _default_subnet(ec2: Any, zone: str = ZONE) -> dict[str, Any]:
    return dict(ec2.describe_subnets(Filters=[
        {"Name": "default-for-az", "Values": ["true"]},
        {"Name": "availability-zone", "Values": [zone]},
    ])["Subnets"][0])


# -- aws_default_vpc -------------------------------------------------------------------------


def _vpc_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc = _default_vpc(ec2)
    ec2.create_tags(Resources=[vpc["VpcId"]], Tags=[{"Key": "Name", "Value": "default"}])
    return {
        "id": vpc["VpcId"],
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{vpc['VpcId']}",
        "owner_id": ACCOUNT,
        "cidr_block": vpc["CidrBlock"],
        "instance_tenancy": "default",
        "existing_default_vpc": True,
        "force_destroy": False,
        "enable_dns_support": True,
        "enable_dns_hostnames": True,
        "enable_network_address_usage_metrics": False,
        "assign_generated_ipv6_cidr_block": False,
        "ipv6_cidr_block": "",
        "ipv6_cidr_block_network_border_group": "",
        "ipv6_ipam_pool_id": "",
        "ipv6_netmask_length": 0,
        "tags": {"Name": "default"},
        "tags_all": {"Name": "default"},
    }


def _vpc_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    ec2.modify_vpc_attribute(VpcId=attrs["id"], EnableDnsHostnames={"Value": False})
    ec2.modify_vpc_attribute(VpcId=attrs["id"],
                             EnableNetworkAddressUsageMetrics={"Value": True})
    ec2.associate_vpc_cidr_block(VpcId=attrs["id"], AmazonProvidedIpv6CidrBlock=True)


def _vpc_delete(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    for subnet in ec2.describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [attrs["id"]]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    ec2.delete_vpc(VpcId=attrs["id"])


# -- aws_default_subnet ----------------------------------------------------------------------


def _subnet_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    subnet = _default_subnet(ec2)
    ec2.create_tags(Resources=[subnet["SubnetId"]], Tags=[{"Key": "tier", "Value": "public"}])
    return {
        "id": subnet["SubnetId"],
        "arn": subnet["SubnetArn"],
        "owner_id": ACCOUNT,
        "vpc_id": subnet["VpcId"],
        "cidr_block": subnet["CidrBlock"],
        "availability_zone": ZONE,
        "availability_zone_id": subnet["AvailabilityZoneId"],
        "existing_default_subnet": True,
        "force_destroy": False,
        **SUBNET_DEFAULTS,
        "map_public_ip_on_launch": True,
        "tags": {"tier": "public"},
        "tags_all": {"tier": "public"},
        "timeouts": None,
    }


def _subnet_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    ec2.modify_subnet_attribute(SubnetId=attrs["id"], MapPublicIpOnLaunch={"Value": False})
    ec2.create_tags(Resources=[attrs["id"]], Tags=[{"Key": "tier", "Value": "private"}])


def _subnet_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_subnet(SubnetId=attrs["id"])


CASES = [
    AwsCase(
        type="aws_default_vpc",
        create=_vpc_create,
        change=_vpc_change,
        changed_paths=frozenset({"enable_dns_hostnames", "enable_network_address_usage_metrics",
                                 "assign_generated_ipv6_cidr_block", "ipv6_cidr_block"}),
        delete=_vpc_delete,
        unmanaged=False,
    ),
    AwsCase(
        type="aws_default_subnet",
        create=_subnet_create,
        change=_subnet_change,
        changed_paths=frozenset({"map_public_ip_on_launch", "tags.tier"}),
        delete=_subnet_delete,
        unmanaged=False,
    ),
]
