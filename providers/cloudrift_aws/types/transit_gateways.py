"""Transit gateways and their VPC attachments.

Each is one paged ``Describe*`` per region. Whether an attachment is associated with (and
propagates to) its gateway's default route table is not in the attachment listing: for managed
attachments only, one ``GetTransitGatewayRouteTableAssociations`` and one
``GetTransitGatewayRouteTablePropagations`` per default route table settle it, whatever the
number of attachments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import present, tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types.ec2_common import copies, shared_listing

_GONE = frozenset({"deleting", "deleted", "failed", "rejected"})


def transit_gateway_listing(ctx: AwsContext, region: str) -> list[Item]:
    return shared_listing(ctx, region, "describe_transit_gateways", "TransitGateways")


# -- aws_ec2_transit_gateway -----------------------------------------------------------------

TRANSIT_GATEWAY = AwsSpec(
    type="aws_ec2_transit_gateway",
    description="A transit gateway.",
    service="ec2",
    enumerate=lambda ctx, region, managed: copies(
        transit_gateway_listing(ctx, region), lambda tgw: tgw.get("State") not in _GONE),
    calls=("ec2:DescribeTransitGateways",),
    id_query="TransitGatewayId",
    fields=(
        FieldSpec("description", query="Description"),
        FieldSpec("amazon_side_asn", query="Options.AmazonSideAsn", normalise=(n.to_int,)),
        FieldSpec("auto_accept_shared_attachments", query="Options.AutoAcceptSharedAttachments"),
        FieldSpec("default_route_table_association",
                  query="Options.DefaultRouteTableAssociation"),
        FieldSpec("default_route_table_propagation",
                  query="Options.DefaultRouteTablePropagation"),
        FieldSpec("dns_support", query="Options.DnsSupport"),
        FieldSpec("multicast_support", query="Options.MulticastSupport"),
        FieldSpec("vpn_ecmp_support", query="Options.VpnEcmpSupport"),
        # AWS always answers it; an endpoint that does not (moto) cannot tell
        FieldSpec("security_group_referencing_support",
                  extract=present("Options.SecurityGroupReferencingSupport")),
        FieldSpec("transit_gateway_cidr_blocks", query="Options.TransitGatewayCidrBlocks",
                  normalise=(n.as_set,)),
        tags(),
    ),
)

# -- aws_ec2_transit_gateway_vpc_attachment --------------------------------------------------

_ASSOCIATED = "cloudrift:DefaultRouteTableAssociation"
_IN_FORCE = frozenset({"associating", "associated", "enabling", "enabled"})
_PROPAGATED = "cloudrift:DefaultRouteTablePropagation"


def _attached_to(ctx: AwsContext, region: str, operation: str, result: str,
                 table_id: str) -> frozenset[str]:
    """The attachments a route table associates (or propagates from): once per table."""

    def listing() -> frozenset[str]:
        found = ctx.paginate("ec2", region, operation, result, TransitGatewayRouteTableId=table_id)
        return frozenset(str(entry.get("TransitGatewayAttachmentId")) for entry in found
                         if entry.get("State") in _IN_FORCE)

    return ctx.memo(f"ec2:{operation}:{region}:{table_id}", listing)


def _default_table_flag(ctx: AwsContext, region: str, gateways: Mapping[Any, Item],
                        option: str, operation: str, result: str
                        ) -> Callable[[Mapping[str, Any]], bool | None]:
    def flag(attachment: Mapping[str, Any]) -> bool | None:
        gateway = gateways.get(attachment.get("TransitGatewayId"))
        if gateway is None:
            return None  # a gateway of another account (shared): its tables are not ours to read
        table_id = (gateway.get("Options") or {}).get(option)
        if not table_id:
            return False
        members = _attached_to(ctx, region, operation, result, str(table_id))
        return attachment.get("TransitGatewayAttachmentId") in members

    return flag


def _vpc_attachments(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    listing = shared_listing(ctx, region, "describe_transit_gateway_vpc_attachments",
                             "TransitGatewayVpcAttachments")
    attachments = copies(listing, lambda item: item.get("State") not in _GONE)
    wanted = {resource.id for resource in managed}
    mine = [item for item in attachments if item.get("TransitGatewayAttachmentId") in wanted]
    if not mine:
        return attachments
    gateways = {g.get("TransitGatewayId"): g for g in transit_gateway_listing(ctx, region)}
    associated = _default_table_flag(
        ctx, region, gateways, "AssociationDefaultRouteTableId",
        "get_transit_gateway_route_table_associations", "Associations")
    propagated = _default_table_flag(
        ctx, region, gateways, "PropagationDefaultRouteTableId",
        "get_transit_gateway_route_table_propagations", "TransitGatewayRouteTablePropagations")
    for item in mine:
        item[_ASSOCIATED] = associated(item)
        item[_PROPAGATED] = propagated(item)
    return attachments


def _known(key: str) -> Callable[[Mapping[str, Any]], Any]:
    return present(f'"{key}"')


TRANSIT_GATEWAY_VPC_ATTACHMENT = AwsSpec(
    type="aws_ec2_transit_gateway_vpc_attachment",
    description="A VPC's attachment to a transit gateway.",
    service="ec2",
    enumerate=_vpc_attachments,
    calls=("ec2:DescribeTransitGatewayVpcAttachments", "ec2:DescribeTransitGateways",
           "ec2:GetTransitGatewayRouteTableAssociations",
           "ec2:GetTransitGatewayRouteTablePropagations"),
    id_query="TransitGatewayAttachmentId",
    fields=(
        FieldSpec("transit_gateway_id", query="TransitGatewayId"),
        FieldSpec("vpc_id", query="VpcId"),
        FieldSpec("subnet_ids", query="SubnetIds", normalise=(n.as_set,)),
        FieldSpec("appliance_mode_support", query="Options.ApplianceModeSupport"),
        FieldSpec("dns_support", query="Options.DnsSupport"),
        FieldSpec("ipv6_support", query="Options.Ipv6Support"),
        FieldSpec("security_group_referencing_support",
                  extract=present("Options.SecurityGroupReferencingSupport")),
        FieldSpec("transit_gateway_default_route_table_association", extract=_known(_ASSOCIATED),
                  normalise=(n.to_bool,)),
        FieldSpec("transit_gateway_default_route_table_propagation", extract=_known(_PROPAGATED),
                  normalise=(n.to_bool,)),
        tags(),
    ),
)

SPECS: tuple[AwsSpec, ...] = (TRANSIT_GATEWAY, TRANSIT_GATEWAY_VPC_ATTACHMENT)
