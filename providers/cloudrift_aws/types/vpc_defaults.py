"""The default VPC and its default subnets, adopted by ``aws_default_vpc`` and
``aws_default_subnet``.

AWS creates them; Terraform adopts them without creating anything. They are compared when a
state holds them and never reported unmanaged (``aws_vpc`` and ``aws_subnet`` already list
them as AWS's defaults). Both read the listings ``aws_vpc`` and ``aws_subnet`` make.
"""

from __future__ import annotations

from cloudrift_aws.fields import attr_bool
from cloudrift_aws.spec import AwsSpec, Detail
from cloudrift_aws.types.ec2_common import adopted, vpc_listing
from cloudrift_aws.types.vpc import SUBNET, VPC, subnet_listing

_VPC_FIELDS = {"enable_dns_support", "enable_dns_hostnames", "assign_generated_ipv6_cidr_block",
               "ipv6_cidr_block", "tags"}

DEFAULT_VPC = AwsSpec(
    type="aws_default_vpc",
    description="The region's default VPC, adopted.",
    service="ec2",
    enumerate=adopted(vpc_listing, lambda vpc: bool(vpc.get("IsDefault"))),
    calls=("ec2:DescribeVpcs",),
    id_query="VpcId",
    is_default=lambda item: True,
    # AWS makes it; only an adopted one is Terraform's
    unmanaged=False,
    details=(
        *VPC.details,
        Detail(
            "usage_metrics",
            "describe_vpc_attribute",
            lambda item: {"VpcId": item["VpcId"],
                          "Attribute": "enableNetworkAddressUsageMetrics"},
            result="EnableNetworkAddressUsageMetrics.Value",
        ),
    ),
    fields=(
        *(f for f in VPC.fields if f.path in _VPC_FIELDS),
        attr_bool("enable_network_address_usage_metrics", "usage_metrics",
                  detail="usage_metrics"),
    ),
    not_compared={
        "force_destroy": "Terraform-only: what to do on destroy",
        "ipv6_ipam_pool_id": "an input of the IPv6 allocation: the block it gave is compared",
        "ipv6_netmask_length": "an input of the IPv6 allocation: the block it gave is compared",
        "ipv6_cidr_block_network_border_group": "where the IPv6 block is advertised: set with "
        "the block, which is compared",
    },
)

# the subnet's own arguments; vpc_id, cidr_block and the like are AWS's choice here
_SUBNET_FIELDS = {
    "availability_zone", "ipv6_cidr_block", "ipv6_native", "map_public_ip_on_launch",
    "assign_ipv6_address_on_creation", "enable_dns64",
    "enable_resource_name_dns_a_record_on_launch",
    "enable_resource_name_dns_aaaa_record_on_launch", "private_dns_hostname_type_on_launch",
    "map_customer_owned_ip_on_launch", "customer_owned_ipv4_pool", "tags",
}

DEFAULT_SUBNET = AwsSpec(
    type="aws_default_subnet",
    description="A default subnet of the default VPC, adopted.",
    service="ec2",
    enumerate=adopted(subnet_listing, lambda subnet: bool(subnet.get("DefaultForAz"))),
    calls=("ec2:DescribeSubnets",),
    id_query="SubnetId",
    is_default=lambda item: True,
    unmanaged=False,
    fields=tuple(f for f in SUBNET.fields if f.path in _SUBNET_FIELDS),
    not_compared={"force_destroy": "Terraform-only: what to do on destroy"},
)

SPECS: tuple[AwsSpec, ...] = (DEFAULT_VPC, DEFAULT_SUBNET)
