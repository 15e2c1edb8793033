"""VPC resource types: VPCs, subnets, security groups, internet gateways, route tables.

Every type is one bulk ``Describe*`` listing per region. The VPC, subnet, security group and
route table listings are shared (``ec2_common.shared_listing``) with the default-resource types
and the parts (rules, routes, associations) that other modules read from them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, Extractor, FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_bool, present, tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types.ec2_common import (
    IN_DEFAULT_VPC,
    default_vpc_ids,
    shared_listing,
    unless_adopted,
    vpc_listing,
)


def subnet_listing(ctx: AwsContext, region: str) -> list[Item]:
    return shared_listing(ctx, region, "describe_subnets", "Subnets")


def security_group_listing(ctx: AwsContext, region: str) -> list[Item]:
    return shared_listing(ctx, region, "describe_security_groups", "SecurityGroups")


def route_table_listing(ctx: AwsContext, region: str) -> list[Item]:
    return shared_listing(ctx, region, "describe_route_tables", "RouteTables")


# -- aws_vpc ---------------------------------------------------------------------------------


def _ipv6_association(item: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for association in item.get("Ipv6CidrBlockAssociationSet") or ():
        state = (association.get("Ipv6CidrBlockState") or {}).get("State")
        if state in ("associating", "associated"):
            return dict(association)
    return None


def vpc_generated_ipv6(item: Mapping[str, Any]) -> Any:
    """The provider: true when the VPC's IPv6 block comes from Amazon's pool."""
    association = _ipv6_association(item)
    return association is not None and association.get("Ipv6Pool") == "Amazon"


def vpc_ipv6_block(item: Mapping[str, Any]) -> Any:
    association = _ipv6_association(item)
    return None if association is None else association.get("Ipv6CidrBlock")


_IPAM_INPUT = "an input of the IPAM allocation: the block it gave is compared"

VPC = AwsSpec(
    type="aws_vpc",
    description="A VPC.",
    service="ec2",
    enumerate=unless_adopted(vpc_listing, "VpcId", "aws_default_vpc",
                             lambda item: item.get("VpcId") if item.get("IsDefault") else None),
    calls=("ec2:DescribeVpcs",),
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
        FieldSpec("assign_generated_ipv6_cidr_block", extract=vpc_generated_ipv6),
        FieldSpec("ipv6_cidr_block", extract=vpc_ipv6_block),
        tags(),
    ),
    not_compared={
        "ipv4_ipam_pool_id": _IPAM_INPUT,
        "ipv4_netmask_length": _IPAM_INPUT,
        "ipv6_ipam_pool_id": _IPAM_INPUT,
        "ipv6_netmask_length": _IPAM_INPUT,
        "ipv6_cidr_block_network_border_group": "where the IPv6 block is advertised: set with "
        "the block, which is compared",
        "enable_network_address_usage_metrics": "a third DescribeVpcAttribute per VPC for a "
        "metrics switch (compared on aws_default_vpc, one per region)",
    },
)

# -- aws_subnet ------------------------------------------------------------------------------


def subnet_ipv6_cidr(item: Mapping[str, Any]) -> Any:
    for association in item.get("Ipv6CidrBlockAssociationSet") or []:
        state = (association.get("Ipv6CidrBlockState") or {}).get("State")
        if state in ("associating", "associated"):
            return association.get("Ipv6CidrBlock")
    return None


SUBNET = AwsSpec(
    type="aws_subnet",
    description="A subnet of a VPC.",
    service="ec2",
    enumerate=unless_adopted(
        subnet_listing, "SubnetId", "aws_default_subnet",
        lambda item: item.get("SubnetId") if item.get("DefaultForAz") else None),
    calls=("ec2:DescribeSubnets",),
    id_query="SubnetId",
    is_default=lambda item: bool(item.get("DefaultForAz")),
    fields=(
        FieldSpec("vpc_id", query="VpcId"),
        FieldSpec("cidr_block", query="CidrBlock"),
        FieldSpec("availability_zone", query="AvailabilityZone"),
        FieldSpec("availability_zone_id", query="AvailabilityZoneId"),
        FieldSpec("ipv6_cidr_block", extract=subnet_ipv6_cidr),
        attr_bool("ipv6_native", "Ipv6Native", default=False),
        attr_bool("map_public_ip_on_launch", "MapPublicIpOnLaunch", default=False),
        attr_bool("assign_ipv6_address_on_creation", "AssignIpv6AddressOnCreation",
                  default=False),
        attr_bool("enable_dns64", "EnableDns64", default=False),
        attr_bool("enable_resource_name_dns_a_record_on_launch",
                  "PrivateDnsNameOptionsOnLaunch.EnableResourceNameDnsARecord", default=False),
        attr_bool("enable_resource_name_dns_aaaa_record_on_launch",
                  "PrivateDnsNameOptionsOnLaunch.EnableResourceNameDnsAAAARecord", default=False),
        FieldSpec("private_dns_hostname_type_on_launch",
                  extract=present("PrivateDnsNameOptionsOnLaunch.HostnameType")),
        attr_bool("map_customer_owned_ip_on_launch", "MapCustomerOwnedIpOnLaunch",
                  default=False),
        FieldSpec("customer_owned_ipv4_pool", query="CustomerOwnedIpv4Pool"),
        FieldSpec("outpost_arn", query="OutpostArn"),
        FieldSpec("enable_lni_at_device_index", query="EnableLniAtDeviceIndex",
                  normalise=(n.to_int,), default=0),
        tags(),
    ),
)

# -- aws_security_group ----------------------------------------------------------------------

_RULE_SOURCES = ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups")

# The provider's protocolForValue: names for the numbers it knows, "-1" for every spelling of
# "all traffic", anything else unchanged.
PROTOCOL_NAMES = {"-1": "-1", "all": "-1", "6": "tcp", "17": "udp", "1": "icmp",
                  "58": "icmpv6"}


def protocol_name(value: Any) -> str:
    text = str(value if value is not None else "").strip().lower()
    return PROTOCOL_NAMES.get(text, text)


def _port(value: Any) -> int:
    number = n.to_int(value)
    return number if isinstance(number, int) else 0


def security_group_rules(value: Any) -> Any:
    """``ingress`` / ``egress`` rules as a set, grouped the way the provider reads them back.

    AWS merges every source with the same protocol and ports into one IpPermission, the
    provider splits them again by description and then tries to keep the grouping the user
    wrote. Only the individual grants carry meaning, so both sides are cut into grants and
    regrouped by (protocol, from_port, to_port, description).
    """
    if value is None:
        return None
    groups: dict[tuple[str, int, int, str], dict[str, Any]] = {}
    for rule in value:
        if not isinstance(rule, Mapping):
            continue
        protocol = protocol_name(rule.get("protocol"))
        # AWS keeps no ports for "all traffic"; the provider insists on 0/0 in config
        from_port = 0 if protocol == "-1" else _port(rule.get("from_port"))
        to_port = 0 if protocol == "-1" else _port(rule.get("to_port"))
        description = str(rule.get("description") or "")
        group = groups.setdefault(
            (protocol, from_port, to_port, description),
            {"protocol": protocol, "from_port": from_port, "to_port": to_port,
             "description": description, "self": False,
             **{source: set() for source in _RULE_SOURCES}},
        )
        for source in _RULE_SOURCES:
            for entry in rule.get(source) or ():
                text = str(entry)
                group[source].add(text.lower() if source == "ipv6_cidr_blocks" else text)
        group["self"] = group["self"] or n.to_bool(rule.get("self")) is True
    return n.as_set(
        [{**group, **{source: sorted(group[source]) for source in _RULE_SOURCES}}
         for group in groups.values()]
    )


def _group_reference(group_id: str, owner: Any) -> str:
    """A state ``security_groups`` entry names another account's group as ``owner/sg-…``."""
    if isinstance(owner, str) and owner and group_id.startswith(f"{owner}/"):
        return group_id[len(owner) + 1:]
    return group_id


def state_rules(kind: str) -> Extractor:
    def read(attributes: Mapping[str, Any]) -> Any:
        rules = attributes.get(kind)
        if rules is None:
            return None
        own_id, owner = attributes.get("id"), attributes.get("owner_id")
        resolved = []
        for rule in rules:
            if not isinstance(rule, Mapping):
                continue
            is_self = n.to_bool(rule.get("self")) is True
            others = []
            for group in rule.get("security_groups") or ():
                reference = _group_reference(str(group), owner)
                # the provider reads a grant to the group itself back as self = true
                if reference == own_id:
                    is_self = True
                else:
                    others.append(reference)
            resolved.append({**rule, "security_groups": others, "self": is_self})
        return resolved

    return read


def _grants(perm: Mapping[str, Any], own_id: Any, owner: Any) -> list[dict[str, Any]]:
    """One state-shaped rule per source of an IpPermission, as the provider reads them."""
    base = {"protocol": perm.get("IpProtocol"), "from_port": perm.get("FromPort"),
            "to_port": perm.get("ToPort")}
    sources: list[tuple[str, Mapping[str, Any], Any]] = []
    sources += [("cidr_blocks", e, e.get("CidrIp")) for e in perm.get("IpRanges") or ()]
    sources += [("ipv6_cidr_blocks", e, e.get("CidrIpv6")) for e in perm.get("Ipv6Ranges") or ()]
    sources += [("prefix_list_ids", e, e.get("PrefixListId"))
                for e in perm.get("PrefixListIds") or ()]
    for pair in perm.get("UserIdGroupPairs") or ():
        group_id, user = pair.get("GroupId"), pair.get("UserId")
        if group_id == own_id:
            sources.append(("self", pair, True))
        elif user and user != owner:
            sources.append(("security_groups", pair, f"{user}/{group_id}"))
        else:
            sources.append(("security_groups", pair, group_id))
    return [
        {**base, "description": entry.get("Description") or "",
         source: value if source == "self" else [value]}
        for source, entry, value in sources
    ]


def cloud_rules(key: str) -> Extractor:
    def read(item: Mapping[str, Any]) -> Any:
        permissions = item.get(key)
        if permissions is None:
            return UNKNOWN
        own_id, owner = item.get("GroupId"), item.get("OwnerId")
        return [rule for perm in permissions for rule in _grants(perm, own_id, owner)]

    return read


SECURITY_GROUP = AwsSpec(
    type="aws_security_group",
    description="A security group; its rules inline, unless rule resources take them over.",
    service="ec2",
    enumerate=unless_adopted(
        security_group_listing, "GroupId", "aws_default_security_group",
        lambda item: item.get("GroupId") if item.get("GroupName") == "default" else None),
    calls=("ec2:DescribeSecurityGroups",),
    id_query="GroupId",
    # every VPC gets a group named "default" that cannot be deleted
    is_default=lambda item: item.get("GroupName") == "default",
    fields=(
        FieldSpec("name", query="GroupName"),
        FieldSpec("description", query="Description"),
        FieldSpec("vpc_id", query="VpcId"),
        FieldSpec("ingress", extract=cloud_rules("IpPermissions"),
                  from_state=state_rules("ingress"), normalise=(security_group_rules,)),
        FieldSpec("egress", extract=cloud_rules("IpPermissionsEgress"),
                  from_state=state_rules("egress"), normalise=(security_group_rules,)),
        tags(),
    ),
    not_compared={
        "name_prefix": "makes the name, which is compared",
        "revoke_rules_on_delete": "Terraform-only: what to do on destroy",
    },
)

# -- aws_internet_gateway --------------------------------------------------------------------


def _internet_gateways(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    listing = ctx.paginate("ec2", region, "describe_internet_gateways", "InternetGateways")
    gateways = [dict(gateway) for gateway in listing]
    attached = {a.get("VpcId") for g in gateways for a in g.get("Attachments") or ()}
    defaults = default_vpc_ids(ctx, region) if attached - {None} else frozenset()
    for gateway in gateways:
        gateway[IN_DEFAULT_VPC] = any(
            a.get("VpcId") in defaults for a in gateway.get("Attachments") or ()
        )
    return gateways


INTERNET_GATEWAY = AwsSpec(
    type="aws_internet_gateway",
    calls=("ec2:DescribeInternetGateways", "ec2:DescribeVpcs"),
    description="An internet gateway, attached to a VPC.",
    service="ec2",
    enumerate=_internet_gateways,
    id_query="InternetGatewayId",
    # AWS attaches one to every default VPC it creates
    is_default=lambda item: bool(item.get(IN_DEFAULT_VPC)),
    fields=(
        FieldSpec("vpc_id", query="Attachments[0].VpcId"),
        tags(),
    ),
)

# -- aws_route_table -------------------------------------------------------------------------

# route.<key> in state, from Route.<field> in the API (the provider's flattenRoute)
_ROUTE_KEYS = (
    ("cidr_block", "DestinationCidrBlock"),
    ("ipv6_cidr_block", "DestinationIpv6CidrBlock"),
    ("destination_prefix_list_id", "DestinationPrefixListId"),
    ("carrier_gateway_id", "CarrierGatewayId"),
    ("core_network_arn", "CoreNetworkArn"),
    ("egress_only_gateway_id", "EgressOnlyInternetGatewayId"),
    ("local_gateway_id", "LocalGatewayId"),
    ("nat_gateway_id", "NatGatewayId"),
    ("network_interface_id", "NetworkInterfaceId"),
    ("transit_gateway_id", "TransitGatewayId"),
    ("vpc_peering_connection_id", "VpcPeeringConnectionId"),
)


def cloud_routes(item: Mapping[str, Any]) -> Any:
    routes = item.get("Routes")
    if routes is None:
        return UNKNOWN
    result = []
    for route in routes:
        gateway = str(route.get("GatewayId") or "")
        # propagated routes and VPC endpoint prefix-list routes belong to other resources
        if route.get("Origin") == "EnableVgwRoutePropagation":
            continue
        if route.get("DestinationPrefixListId") and gateway.startswith("vpce-"):
            continue
        if gateway == "VpcLattice":
            continue
        entry = {key: route.get(field) for key, field in _ROUTE_KEYS}
        if gateway.startswith("vpce-"):
            entry["vpc_endpoint_id"] = gateway
        else:
            entry["gateway_id"] = gateway
        result.append(entry)
    return result


def route_set(value: Any) -> Any:
    """``route`` as a set of its non-empty keys.

    State writes ``""`` for every unused target; the local route of the VPC's own CIDR always
    exists and cannot be removed, so Terraform leaves it out and so does the comparison.
    """
    if value is None:
        return None
    routes = []
    for route in value:
        if not isinstance(route, Mapping) or route.get("gateway_id") == "local":
            continue
        routes.append({str(k): str(v) for k, v in route.items() if not n.is_empty(v)})
    return n.as_set(routes)


def is_main_table(table: Mapping[str, Any]) -> bool:
    return any(a.get("Main") for a in table.get("Associations") or ())


ROUTE_TABLE = AwsSpec(
    type="aws_route_table",
    description="A route table; its routes inline, unless aws_route resources take them over.",
    service="ec2",
    # aws_default_route_table is imported by the VPC's id
    enumerate=unless_adopted(
        route_table_listing, "RouteTableId", "aws_default_route_table",
        lambda item: item.get("VpcId") if is_main_table(item) else None),
    calls=("ec2:DescribeRouteTables",),
    id_query="RouteTableId",
    # the main route table comes with the VPC
    is_default=is_main_table,
    fields=(
        FieldSpec("vpc_id", query="VpcId"),
        FieldSpec("route", extract=cloud_routes, normalise=(route_set,)),
        FieldSpec("propagating_vgws", query="PropagatingVgws[].GatewayId",
                  normalise=(n.as_set,)),
        tags(),
    ),
)

SPECS: tuple[AwsSpec, ...] = (VPC, SUBNET, SECURITY_GROUP, INTERNET_GATEWAY, ROUTE_TABLE)
