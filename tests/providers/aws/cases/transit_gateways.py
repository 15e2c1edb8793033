"""Transit gateway cases: a gateway and a VPC attachment."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _tags(**tags: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


# -- aws_ec2_transit_gateway -----------------------------------------------------------------


def _tgw_create(clients: Any) -> Attrs:
    gateway = clients("ec2").create_transit_gateway(
        Description="core", Options={"AmazonSideAsn": 64600, "DnsSupport": "enable"},
        TagSpecifications=[{"ResourceType": "transit-gateway", "Tags": _tags(env="prod")}],
    )["TransitGateway"]
    options = gateway["Options"]
    return {
        "id": gateway["TransitGatewayId"],
        "arn": gateway["TransitGatewayArn"],
        "owner_id": ACCOUNT,
        "description": "core",
        "amazon_side_asn": 64600,
        "auto_accept_shared_attachments": "disable",
        "default_route_table_association": "enable",
        "default_route_table_propagation": "enable",
        "association_default_route_table_id": options["AssociationDefaultRouteTableId"],
        "propagation_default_route_table_id": options["PropagationDefaultRouteTableId"],
        "dns_support": "enable",
        "multicast_support": "disable",
        "security_group_referencing_support": "disable",
        "transit_gateway_cidr_blocks": [],
        "vpn_ecmp_support": "enable",
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
        "timeouts": None,
    }


def _tgw_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    ec2.modify_transit_gateway(TransitGatewayId=attrs["id"], Description="changed by hand")
    ec2.create_tags(Resources=[attrs["id"]], Tags=_tags(env="dev"))


def _tgw_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_transit_gateway(TransitGatewayId=attrs["id"])


# -- aws_ec2_transit_gateway_vpc_attachment --------------------------------------------------


def _default_table(ec2: Any, gateway_id: str) -> str:
    gateway = ec2.describe_transit_gateways(TransitGatewayIds=[gateway_id])["TransitGateways"][0]
    return str(gateway["Options"]["PropagationDefaultRouteTableId"])


def _attachment_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.110.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.110.1.0/24")["Subnet"]["SubnetId"]
    gateway_id = ec2.create_transit_gateway(Description="hub")["TransitGateway"][
        "TransitGatewayId"]
    attachment_id = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=gateway_id, VpcId=vpc_id, SubnetIds=[subnet_id],
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    # moto drops an attachment's TagSpecifications (CreateTags works), and does not propagate a
    # new attachment to the default route table as AWS does when the gateway says "enable"
    ec2.create_tags(Resources=[attachment_id], Tags=_tags(env="prod"))
    ec2.enable_transit_gateway_route_table_propagation(
        TransitGatewayRouteTableId=_default_table(ec2, gateway_id),
        TransitGatewayAttachmentId=attachment_id)
    return {
        "id": attachment_id,
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:transit-gateway-attachment/{attachment_id}",
        "transit_gateway_id": gateway_id,
        "vpc_id": vpc_id,
        "vpc_owner_id": ACCOUNT,
        "subnet_ids": [subnet_id],
        "appliance_mode_support": "disable",
        "dns_support": "enable",
        "ipv6_support": "disable",
        "security_group_referencing_support": "enable",
        "transit_gateway_default_route_table_association": True,
        "transit_gateway_default_route_table_propagation": True,
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
        "timeouts": None,
    }


def _attachment_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    ec2.modify_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attrs["id"],
                                              Options={"DnsSupport": "disable"})
    ec2.disable_transit_gateway_route_table_propagation(
        TransitGatewayRouteTableId=_default_table(ec2, attrs["transit_gateway_id"]),
        TransitGatewayAttachmentId=attrs["id"])


def _attachment_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=attrs["id"])


CASES = [
    AwsCase(
        type="aws_ec2_transit_gateway",
        create=_tgw_create,
        change=_tgw_change,
        changed_paths=frozenset({"description", "tags.env"}),
        delete=_tgw_delete,
    ),
    AwsCase(
        type="aws_ec2_transit_gateway_vpc_attachment",
        create=_attachment_create,
        change=_attachment_change,
        changed_paths=frozenset({"dns_support",
                                 "transit_gateway_default_route_table_propagation"}),
        delete=_attachment_delete,
    ),
]
