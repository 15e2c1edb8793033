"""Gateways and connections of a VPC: NAT gateways, egress-only internet gateways, customer
and VPN gateways, VPC peering connections.

Each is one paged ``Describe*`` per region, tags included. Deleted ones stay listed for a
while (an hour or more) in a final state: for Terraform they are gone, and so they are here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, Resource, get_path
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import present, tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Enumerator, Item
from cloudrift_aws.types.ec2_common import copies, shared_listing


def _live(operation: str, result: str, state: str, gone: frozenset[str]) -> Enumerator:
    """Every item of a shared listing but those whose ``state`` (a key, or ``Status.Code``)
    says it is gone."""

    def read(item: Mapping[str, Any]) -> Any:
        value: Any = item
        for step in state.split("."):
            value = value.get(step) if isinstance(value, Mapping) else None
        return value

    def enumerate_(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
        listing = shared_listing(ctx, region, operation, result)
        return copies(listing, lambda item: read(item) not in gone)

    return enumerate_


def nat_gateway_listing(ctx: AwsContext, region: str) -> list[Item]:
    return shared_listing(ctx, region, "describe_nat_gateways", "NatGateways")


# -- aws_nat_gateway -------------------------------------------------------------------------


def _primary(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """The primary address (AWS flags it; an endpoint that does not lists it first)."""
    addresses = [a for a in item.get("NatGatewayAddresses") or () if isinstance(a, Mapping)]
    flagged = [a for a in addresses if a.get("IsPrimary")]
    return flagged[0] if flagged else (addresses[0] if addresses else {})


def _secondary(key: str) -> Callable[[Mapping[str, Any]], Any]:
    def extract(item: Mapping[str, Any]) -> Any:
        primary = _primary(item)
        return [a.get(key) for a in item.get("NatGatewayAddresses") or ()
                if a is not primary and a.get(key)]

    return extract


NAT_GATEWAY = AwsSpec(
    type="aws_nat_gateway",
    description="A NAT gateway in a subnet, public (with an elastic IP) or private.",
    service="ec2",
    enumerate=_live("describe_nat_gateways", "NatGateways", "State",
                    frozenset({"deleting", "deleted", "failed"})),
    calls=("ec2:DescribeNatGateways",),
    id_query="NatGatewayId",
    fields=(
        FieldSpec("subnet_id", query="SubnetId"),
        FieldSpec("connectivity_type", query="ConnectivityType", default="public"),
        FieldSpec("allocation_id", extract=lambda item: _primary(item).get("AllocationId")),
        FieldSpec("private_ip", extract=lambda item: _primary(item).get("PrivateIp")),
        FieldSpec("secondary_allocation_ids", extract=_secondary("AllocationId"),
                  normalise=(n.as_set,)),
        FieldSpec("secondary_private_ip_addresses", extract=_secondary("PrivateIp"),
                  normalise=(n.as_set,)),
        FieldSpec("secondary_private_ip_address_count",
                  extract=lambda item: len(_secondary("PrivateIp")(item)),
                  normalise=(n.to_int,)),
        tags(),
    ),
)

# -- aws_egress_only_internet_gateway --------------------------------------------------------

EGRESS_ONLY_INTERNET_GATEWAY = AwsSpec(
    type="aws_egress_only_internet_gateway",
    description="An egress-only internet gateway (outbound IPv6) of a VPC.",
    service="ec2",
    enumerate=lambda ctx, region, managed: copies(shared_listing(
        ctx, region, "describe_egress_only_internet_gateways", "EgressOnlyInternetGateways")),
    calls=("ec2:DescribeEgressOnlyInternetGateways",),
    id_query="EgressOnlyInternetGatewayId",
    fields=(
        FieldSpec("vpc_id", query="Attachments[0].VpcId"),
        tags(),
    ),
)

# -- aws_customer_gateway --------------------------------------------------------------------

CUSTOMER_GATEWAY = AwsSpec(
    type="aws_customer_gateway",
    description="The customer side of a site-to-site VPN.",
    service="ec2",
    enumerate=_live("describe_customer_gateways", "CustomerGateways", "State",
                    frozenset({"deleting", "deleted"})),
    calls=("ec2:DescribeCustomerGateways",),
    id_query="CustomerGatewayId",
    fields=(
        FieldSpec("type", query="Type"),
        FieldSpec("ip_address", query="IpAddress"),
        FieldSpec("bgp_asn", query="BgpAsn", normalise=(n.to_str,)),
        FieldSpec("bgp_asn_extended", query="BgpAsnExtended", normalise=(n.to_str,)),
        FieldSpec("certificate_arn", query="CertificateArn"),
        # left out when unset, and by some endpoints (moto) even when set: absent is unknown
        FieldSpec("device_name", extract=present("DeviceName")),
        tags(),
    ),
)

# -- aws_vpn_gateway -------------------------------------------------------------------------


def _attached_vpc(item: Mapping[str, Any]) -> Any:
    for attachment in item.get("VpcAttachments") or ():
        if attachment.get("State") in ("attaching", "attached"):
            return attachment.get("VpcId")
    return None


VPN_GATEWAY = AwsSpec(
    type="aws_vpn_gateway",
    description="A virtual private gateway, attached to a VPC.",
    service="ec2",
    enumerate=_live("describe_vpn_gateways", "VpnGateways", "State",
                    frozenset({"deleting", "deleted"})),
    calls=("ec2:DescribeVpnGateways",),
    id_query="VpnGatewayId",
    fields=(
        FieldSpec("vpc_id", extract=_attached_vpc),
        FieldSpec("amazon_side_asn", query="AmazonSideAsn", normalise=(n.to_str,)),
        FieldSpec("availability_zone", query="AvailabilityZone"),
        tags(),
    ),
)

# -- aws_vpc_peering_connection --------------------------------------------------------------


def _dns_resolution(side: str) -> FieldSpec:
    # the provider records the block from the connection's options once it is active; both
    # sides default to false
    path = f"{side.lower()}.0.allow_remote_vpc_dns_resolution"
    return FieldSpec(
        path,
        query=f"{side}VpcInfo.PeeringOptions.AllowDnsResolutionFromRemoteVpc",
        from_state=lambda attributes: get_path(attributes, path) or False,
        normalise=(n.to_bool,),
        default=False,
    )


VPC_PEERING_CONNECTION = AwsSpec(
    type="aws_vpc_peering_connection",
    description="A peering connection from a VPC (the requester's side).",
    service="ec2",
    enumerate=_live("describe_vpc_peering_connections", "VpcPeeringConnections", "Status.Code",
                    frozenset({"deleting", "deleted", "rejected", "failed", "expired"})),
    calls=("ec2:DescribeVpcPeeringConnections",),
    id_query="VpcPeeringConnectionId",
    fields=(
        FieldSpec("vpc_id", query="RequesterVpcInfo.VpcId"),
        FieldSpec("peer_vpc_id", query="AccepterVpcInfo.VpcId"),
        FieldSpec("peer_owner_id", query="AccepterVpcInfo.OwnerId"),
        FieldSpec("peer_region", extract=present("AccepterVpcInfo.Region")),
        _dns_resolution("Accepter"),
        _dns_resolution("Requester"),
        tags(),
    ),
    not_compared={"auto_accept": "Terraform-only: whether apply accepts the request"},
)

SPECS: tuple[AwsSpec, ...] = (
    NAT_GATEWAY, EGRESS_ONLY_INTERNET_GATEWAY, CUSTOMER_GATEWAY, VPN_GATEWAY,
    VPC_PEERING_CONNECTION,
)
