"""EC2 and VPC resource types."""

from __future__ import annotations

from cloudrift.spec import FieldSpec
from cloudrift_aws.fields import attr_bool, tags
from cloudrift_aws.spec import AwsSpec, Call, Detail

VPC = AwsSpec(
    type="aws_vpc",
    service="ec2",
    list=Call("describe_vpcs", "Vpcs"),
    id_query="VpcId",
    is_default=lambda item: bool(item.get("IsDefault")),
    details=(
        Detail(
            "dns_support",
            "describe_vpc_attribute",
            lambda item: {"VpcId": item["VpcId"], "Attribute": "enableDnsSupport"},
            result="EnableDnsSupport.Value",
        ),
        Detail(
            "dns_hostnames",
            "describe_vpc_attribute",
            lambda item: {"VpcId": item["VpcId"], "Attribute": "enableDnsHostnames"},
            result="EnableDnsHostnames.Value",
        ),
    ),
    fields=(
        FieldSpec("cidr_block", query="CidrBlock"),
        FieldSpec("instance_tenancy", query="InstanceTenancy"),
        attr_bool("enable_dns_support", "dns_support", detail="dns_support"),
        attr_bool("enable_dns_hostnames", "dns_hostnames", detail="dns_hostnames"),
        tags(),
    ),
)

SPECS: tuple[AwsSpec, ...] = (VPC,)
