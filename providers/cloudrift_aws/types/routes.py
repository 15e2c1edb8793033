"""Routes, route table associations and the adopted main route table.

All three come from the ``DescribeRouteTables`` listing ``aws_route_table`` makes, once per
region. A route is a part of its table's ``route``; an association a part of its table with no
field of the table's own (a table does not declare its associations).

Left out of the listings, because no resource of these types declares them: routes AWS
propagates from a virtual private gateway (``propagating_vgws`` of the table) and the prefix
list routes of gateway VPC endpoints (``route_table_ids`` of the endpoint); the main
association of each table (``aws_main_route_table_association``, which ``terraform import``
does not take). The local route of the VPC's own blocks is AWS's: a default, never unmanaged
unless ``--strict``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, PartOf, Resource
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types.ec2_common import IMPORT_ID, adopt_ids, adopted
from cloudrift_aws.types.vpc import ROUTE_TABLE, is_main_table, route_table_listing

# -- aws_route -------------------------------------------------------------------------------

_DESTINATIONS = (
    ("destination_cidr_block", "DestinationCidrBlock"),
    ("destination_ipv6_cidr_block", "DestinationIpv6CidrBlock"),
    ("destination_prefix_list_id", "DestinationPrefixListId"),
)


def _owned_elsewhere(route: Mapping[str, Any]) -> bool:
    gateway = str(route.get("GatewayId") or "")
    if route.get("Origin") == "EnableVgwRoutePropagation":
        return True
    return bool(route.get("DestinationPrefixListId")) and gateway.startswith("vpce-")


def _canonical_destination(import_id: str) -> str:
    """``rtb-…_<destination>`` with an IPv6 block in its one canonical spelling."""
    table, _, destination = import_id.partition("_")
    try:
        destination = str(ipaddress.ip_network(destination, strict=False))
    except ValueError:
        destination = destination.lower()
    return f"{table}_{destination}"


def _routes(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    items: list[Item] = []
    for table in route_table_listing(ctx, region):
        for route in table.get("Routes") or ():
            if _owned_elsewhere(route):
                continue
            destination = next((route[key] for _, key in _DESTINATIONS if route.get(key)), None)
            if destination is None:
                continue
            items.append({**route, "RouteTableId": table.get("RouteTableId"),
                          IMPORT_ID: f"{table.get('RouteTableId')}_{destination}"})
    return adopt_ids(items, managed, _canonical_destination)


def _route_import_id(attributes: Mapping[str, Any]) -> str | None:
    """``ROUTETABLEID_DESTINATION``, the destination being whichever of the three is set."""
    table = attributes.get("route_table_id")
    destination = next((attributes[key] for key, _ in _DESTINATIONS if attributes.get(key)), None)
    return f"{table}_{destination}" if table and destination else None


def _gateway(item: Mapping[str, Any]) -> Any:
    # the provider reads a VPC endpoint target, which AWS returns as GatewayId, into
    # vpc_endpoint_id
    gateway = item.get("GatewayId")
    return None if str(gateway or "").startswith("vpce-") else gateway


def _endpoint(item: Mapping[str, Any]) -> Any:
    gateway = str(item.get("GatewayId") or "")
    return gateway if gateway.startswith("vpce-") else None


_IDENTITY = "part of the import id: a route elsewhere is another route"

ROUTE = AwsSpec(
    type="aws_route",
    description="One route of a route table.",
    service="ec2",
    enumerate=_routes,
    calls=("ec2:DescribeRouteTables",),
    id_query=f'"{IMPORT_ID}"',
    import_id=_route_import_id,
    is_default=lambda item: item.get("GatewayId") == "local",
    part_of=(PartOf(parent_type="aws_route_table", parent_id="route_table_id",
                    fields=("route",), cloud_parent_id="RouteTableId"),),
    fields=(
        FieldSpec("gateway_id", extract=_gateway),
        FieldSpec("vpc_endpoint_id", extract=_endpoint),
        FieldSpec("carrier_gateway_id", query="CarrierGatewayId"),
        FieldSpec("core_network_arn", query="CoreNetworkArn"),
        FieldSpec("egress_only_gateway_id", query="EgressOnlyInternetGatewayId"),
        FieldSpec("local_gateway_id", query="LocalGatewayId"),
        FieldSpec("nat_gateway_id", query="NatGatewayId"),
        FieldSpec("network_interface_id", query="NetworkInterfaceId"),
        FieldSpec("transit_gateway_id", query="TransitGatewayId"),
        FieldSpec("vpc_peering_connection_id", query="VpcPeeringConnectionId"),
    ),
    not_compared={
        "route_table_id": _IDENTITY,
        "destination_cidr_block": _IDENTITY,
        "destination_ipv6_cidr_block": _IDENTITY,
        "destination_prefix_list_id": _IDENTITY,
    },
)

# -- aws_route_table_association -------------------------------------------------------------


def _associations(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    items: list[Item] = []
    for table in route_table_listing(ctx, region):
        for association in table.get("Associations") or ():
            target = association.get("SubnetId") or association.get("GatewayId")
            state = (association.get("AssociationState") or {}).get("State", "associated")
            if association.get("Main") or not target or state not in ("associated",
                                                                       "associating"):
                continue
            items.append({**association, IMPORT_ID: f"{target}/{table.get('RouteTableId')}"})
    return items


def _association_import_id(attributes: Mapping[str, Any]) -> str | None:
    """``SUBNETID/ROUTETABLEID`` or ``GATEWAYID/ROUTETABLEID``."""
    target = attributes.get("subnet_id") or attributes.get("gateway_id")
    table = attributes.get("route_table_id")
    return f"{target}/{table}" if target and table else None


_ASSOCIATION_IDENTITY = ("part of the import id: another table or target is another "
                         "association")

ROUTE_TABLE_ASSOCIATION = AwsSpec(
    type="aws_route_table_association",
    description="A subnet's or gateway's association with a route table.",
    service="ec2",
    enumerate=_associations,
    calls=("ec2:DescribeRouteTables",),
    id_query=f'"{IMPORT_ID}"',
    import_id=_association_import_id,
    # an association is its own thing: the table declares no field for it
    part_of=(PartOf(parent_type="aws_route_table", parent_id="route_table_id", fields=(),
                    cloud_parent_id="RouteTableId"),),
    fields=(),
    not_compared={name: _ASSOCIATION_IDENTITY
                  for name in ("route_table_id", "subnet_id", "gateway_id")},
)

# -- aws_default_route_table -----------------------------------------------------------------


_INLINE = {"route", "propagating_vgws", "tags"}

DEFAULT_ROUTE_TABLE = AwsSpec(
    type="aws_default_route_table",
    description="The main route table of a VPC, adopted: its routes are set inline.",
    service="ec2",
    enumerate=adopted(route_table_listing, is_main_table),
    calls=("ec2:DescribeRouteTables",),
    # terraform import takes the VPC's id
    id_query="VpcId",
    import_id="vpc_id",
    is_default=lambda item: True,
    # AWS makes one per VPC; only an adopted one is Terraform's
    unmanaged=False,
    fields=(
        # another table made the main one is drift of the adopted table
        FieldSpec("default_route_table_id", query="RouteTableId"),
        *(f for f in ROUTE_TABLE.fields if f.path in _INLINE),
    ),
)

SPECS: tuple[AwsSpec, ...] = (ROUTE, ROUTE_TABLE_ASSOCIATION, DEFAULT_ROUTE_TABLE)
