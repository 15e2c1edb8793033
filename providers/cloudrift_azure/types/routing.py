"""Microsoft.Network routing and private connectivity: route tables, NAT gateways and private
endpoints (whose network interface Azure creates with the endpoint)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import normalise as n
from cloudrift_azure import ids
from cloudrift_azure.fields import (
    arm_records,
    listed,
    location,
    negated,
    prop,
    tags,
)
from cloudrift_azure.spec import AzureSpec, SubResource

API = "2024-05-01"

_ROUTES = arm_records({
    "name": ("name", None),
    "address_prefix": ("properties.addressPrefix", n.lower),
    "next_hop_type": ("properties.nextHopType", n.lower),
    "next_hop_in_ip_address": ("properties.nextHopIpAddress", None),
})

ROUTE_TABLE = AzureSpec(
    type="azurerm_route_table",
    arm_type="Microsoft.Network/routeTables",
    api_version=API,
    description="`route` is compared as a set, also when the routes are azurerm_route "
    "resources (the provider records them on the table too)",
    fields=(
        location(),
        tags(),
        prop("route", "properties.routes", _ROUTES, default=[]),
        # 4.x, then the 3.x inverse of the same setting
        prop("bgp_route_propagation_enabled", None, n.to_bool,
             extract=negated("properties.disableBgpRoutePropagation", False)),
        prop("disable_bgp_route_propagation", "properties.disableBgpRoutePropagation",
             n.to_bool, default=False),
    ),
    version_specific=frozenset({"bgp_route_propagation_enabled",
                                "disable_bgp_route_propagation"}),
)

NAT_GATEWAY = AzureSpec(
    type="azurerm_nat_gateway",
    arm_type="Microsoft.Network/natGateways",
    api_version=API,
    description="public IPs and subnets join a NAT gateway through association resources: "
    "not compared here",
    fields=(
        location(),
        tags(),
        listed("sku_name", "sku.name", default="Standard"),
        prop("idle_timeout_in_minutes", "properties.idleTimeoutInMinutes", n.to_int, default=4),
        prop("zones", "zones", n.as_set, default=[]),
    ),
)


# -- private endpoint ------------------------------------------------------------------------

_DNS_GROUPS = "dns_zone_groups"


def _connections(payload: Mapping[str, Any]) -> Any:
    """Automatic and manual service connections as the provider's blocks."""
    props = payload.get("properties") or {}
    rows = []
    for key, manual in (("privateLinkServiceConnections", False),
                        ("manualPrivateLinkServiceConnections", True)):
        for conn in props.get(key) or []:
            cprops = conn.get("properties") or {}
            target = str(cprops.get("privateLinkServiceId") or "")
            alias = target.endswith(".azure.privatelinkservice")
            rows.append({
                "name": conn.get("name"),
                "is_manual_connection": manual,
                "private_connection_resource_id": None if alias else target,
                "private_connection_resource_alias": target if alias else None,
                "subresource_names": cprops.get("groupIds") or [],
                "request_message": cprops.get("requestMessage") if manual else None,
            })
    return rows


def _connection_blocks(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return n.as_set([{
        "name": b.get("name"),
        "is_manual_connection": bool(b.get("is_manual_connection")),
        "private_connection_resource_id": ids.normalise_id(
            b.get("private_connection_resource_id") or None),
        "private_connection_resource_alias": b.get("private_connection_resource_alias") or None,
        "subresource_names": n.as_set(b.get("subresource_names") or []),
        "request_message": b.get("request_message") or None,
    } for b in value if isinstance(b, Mapping)])


def _zone_groups(payload: Mapping[str, Any]) -> Any:
    """The private DNS zone groups (a list below the endpoint) as the provider's block."""
    groups = (payload.get(_DNS_GROUPS) or {}).get("value") or []
    return [{
        "name": g.get("name"),
        "private_dns_zone_ids": [
            (c.get("properties") or {}).get("privateDnsZoneId")
            for c in (g.get("properties") or {}).get("privateDnsZoneConfigs") or []],
    } for g in groups]


def _zone_group_blocks(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return n.as_set([{"name": b.get("name"),
                      "private_dns_zone_ids": n.as_set(ids.normalise_id(
                          b.get("private_dns_zone_ids") or []))}
                     for b in value if isinstance(b, Mapping)])


def _interfaces(payload: Mapping[str, Any]) -> list[str]:
    """The network interface Azure creates with the endpoint."""
    found = (payload.get("properties") or {}).get("networkInterfaces") or []
    return [str(nic["id"]) for nic in found if isinstance(nic, Mapping) and nic.get("id")]


PRIVATE_ENDPOINT = AzureSpec(
    type="azurerm_private_endpoint",
    arm_type="Microsoft.Network/privateEndpoints",
    api_version=API,
    description="its network interface, created with it, is not reported unmanaged; DNS zone "
    "groups are read from a list below the endpoint",
    sub_resources=(SubResource(_DNS_GROUPS, "/privateDnsZoneGroups"),),
    inline_children=_interfaces,
    inline_types=frozenset({"azurerm_network_interface"}),
    fields=(
        location(),
        tags(),
        listed("edge_zone", "extendedLocation.name"),
        prop("subnet_id", "properties.subnet.id", ids.normalise_id),
        prop("custom_network_interface_name", "properties.customNetworkInterfaceName"),
        prop("private_service_connection", None, _connection_blocks, extract=_connections),
        prop("ip_configuration", "properties.ipConfigurations", arm_records({
            "name": ("name", None),
            "private_ip_address": ("properties.privateIPAddress", None),
            "subresource_name": ("properties.groupId", None),
            "member_name": ("properties.memberName", None),
        }), default=[]),
        prop("private_dns_zone_group", None, _zone_group_blocks, extract=_zone_groups,
             detail=_DNS_GROUPS),
    ),
    version_specific=frozenset({"edge_zone", "custom_network_interface_name"}),
)

SPECS = (ROUTE_TABLE, NAT_GATEWAY, PRIVATE_ENDPOINT)
