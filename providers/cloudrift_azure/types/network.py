"""Microsoft.Network: virtual networks and their subnets, security groups, public IPs, network
interfaces and DNS zones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import normalise as n
from cloudrift_azure import ids
from cloudrift_azure.fields import (
    enabled,
    ids_set,
    listed,
    location,
    none_word,
    present_or_unknown,
    prop,
    records,
    tags,
    zero_as_none,
)
from cloudrift_azure.spec import AzureSpec, Source, SubResource

API = "2024-05-01"
DNS_API = "2018-05-01"


# -- virtual network -------------------------------------------------------------------------


def _ddos_plan(payload: Mapping[str, Any]) -> Any:
    props = payload.get("properties") or {}
    plan = (props.get("ddosProtectionPlan") or {}).get("id")
    if not plan:
        return []
    return [{"id": plan, "enable": props.get("enableDdosProtection", False)}]


def _vnet_encryption(payload: Mapping[str, Any]) -> Any:
    encryption = (payload.get("properties") or {}).get("encryption") or {}
    if not encryption.get("enabled"):
        return []
    return [{"enforcement": encryption.get("enforcement")}]


VIRTUAL_NETWORK = AzureSpec(
    type="azurerm_virtual_network",
    arm_type="Microsoft.Network/virtualNetworks",
    api_version=API,
    description="subnets are compared as azurerm_subnet, not as the `subnet` blocks",
    fields=(
        location(),
        tags(),
        prop("address_space", "properties.addressSpace.addressPrefixes", n.as_set),
        prop("dns_servers", "properties.dhcpOptions.dnsServers"),
        prop("flow_timeout_in_minutes", "properties.flowTimeoutInMinutes", n.to_int,
             zero_as_none),
        prop("bgp_community", "properties.bgpCommunities.virtualNetworkCommunity"),
        prop("ddos_protection_plan", None,
             records(("id", ids.normalise_id), ("enable", n.to_bool)), extract=_ddos_plan),
        prop("encryption", None, records(("enforcement", None)), extract=_vnet_encryption),
        listed("edge_zone", "extendedLocation.name"),
        prop("private_endpoint_vnet_policies", "properties.privateEndpointVNetPolicies",
             default="Disabled"),
    ),
    version_specific=frozenset({"private_endpoint_vnet_policies", "edge_zone", "encryption"}),
)


# -- subnet ----------------------------------------------------------------------------------


def _subnet_prefixes(payload: Mapping[str, Any]) -> Any:
    props = payload.get("properties") or {}
    prefixes = props.get("addressPrefixes")
    if prefixes:
        return prefixes
    single = props.get("addressPrefix")
    return [single] if single else []


def _delegations(payload: Mapping[str, Any]) -> Any:
    found = (payload.get("properties") or {}).get("delegations") or []
    return [
        {
            "name": d.get("name"),
            "service_delegation": [{
                "name": (d.get("properties") or {}).get("serviceName"),
                "actions": (d.get("properties") or {}).get("actions") or [],
            }],
        }
        for d in found
    ]


def _delegation_blocks(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    rows = []
    for block in value:
        services = [
            {"name": s.get("name"), "actions": n.as_set(s.get("actions") or [])}
            for s in block.get("service_delegation") or []
        ]
        rows.append({"name": block.get("name"), "service_delegation": n.as_set(services)})
    return n.as_set(rows)


SUBNET = AzureSpec(
    type="azurerm_subnet",
    arm_type="Microsoft.Network/virtualNetworks/subnets",
    api_version=API,
    source=Source.PARENT,
    parent="azurerm_virtual_network",
    children="properties.subnets",
    unmanaged=True,
    fields=(
        prop("address_prefixes", None, n.as_set, extract=_subnet_prefixes),
        prop("service_endpoints", "properties.serviceEndpoints[].service", n.as_set),
        prop("service_endpoint_policy_ids", "properties.serviceEndpointPolicies[].id", ids_set),
        prop("delegation", None, _delegation_blocks, extract=_delegations),
        # 4.x: a string; ARM's default for it changed over time, so absent is unknown
        prop("private_endpoint_network_policies", None,
             extract=present_or_unknown("properties.privateEndpointNetworkPolicies")),
        # 3.x: the same setting as a bool
        prop("private_endpoint_network_policies_enabled", None, enabled,
             extract=present_or_unknown("properties.privateEndpointNetworkPolicies")),
        prop("private_link_service_network_policies_enabled",
             "properties.privateLinkServiceNetworkPolicies", enabled, default="Enabled"),
        prop("default_outbound_access_enabled", "properties.defaultOutboundAccess", n.to_bool,
             default=True),
    ),
    version_specific=frozenset({
        "private_endpoint_network_policies", "private_endpoint_network_policies_enabled",
        "default_outbound_access_enabled", "service_endpoint_policy_ids",
    }),
)


# -- network security group ------------------------------------------------------------------

_RULE_SCALARS = ("description", "source_port_range", "destination_port_range",
                 "source_address_prefix", "destination_address_prefix")
_RULE_SETS = ("source_port_ranges", "destination_port_ranges", "source_address_prefixes",
              "destination_address_prefixes")
_ARM_RULE_KEYS = {
    "description": "description",
    "protocol": "protocol",
    "source_port_range": "sourcePortRange",
    "destination_port_range": "destinationPortRange",
    "source_address_prefix": "sourceAddressPrefix",
    "destination_address_prefix": "destinationAddressPrefix",
    "source_port_ranges": "sourcePortRanges",
    "destination_port_ranges": "destinationPortRanges",
    "source_address_prefixes": "sourceAddressPrefixes",
    "destination_address_prefixes": "destinationAddressPrefixes",
    "access": "access",
    "priority": "priority",
    "direction": "direction",
}


def _rule_from_arm(rule: Mapping[str, Any]) -> dict[str, Any]:
    props = rule.get("properties") or {}
    converted: dict[str, Any] = {"name": rule.get("name")}
    for key, arm_key in _ARM_RULE_KEYS.items():
        converted[key] = props.get(arm_key)
    converted["source_application_security_group_ids"] = [
        g.get("id") for g in props.get("sourceApplicationSecurityGroups") or []]
    converted["destination_application_security_group_ids"] = [
        g.get("id") for g in props.get("destinationApplicationSecurityGroups") or []]
    return converted


def security_rules(value: Any) -> Any:
    """Security rules from state blocks or ARM ``securityRules``, as a set of flat maps.
    Enum values compare case-insensitively (the provider accepts ``tcp`` for ``Tcp``)."""
    if not isinstance(value, list):
        return value
    rows = []
    for rule in value:
        if not isinstance(rule, Mapping):
            continue
        if "properties" in rule:
            rule = _rule_from_arm(rule)
        row: dict[str, Any] = {"name": rule.get("name")}
        for key in _RULE_SCALARS:
            row[key] = rule.get(key) or None
        for key in _RULE_SETS:
            row[key] = n.as_set(rule.get(key) or [])
        for key in ("source_application_security_group_ids",
                    "destination_application_security_group_ids"):
            row[key] = ids_set(rule.get(key) or [])
        for key in ("protocol", "access", "direction"):
            row[key] = n.lower(rule.get(key))
        row["priority"] = n.to_int(rule.get("priority"))
        rows.append(row)
    return n.as_set(rows)


NETWORK_SECURITY_GROUP = AzureSpec(
    type="azurerm_network_security_group",
    arm_type="Microsoft.Network/networkSecurityGroups",
    api_version=API,
    fields=(
        location(),
        tags(),
        prop("security_rule", "properties.securityRules", security_rules, default=[]),
    ),
)


# -- public IP -------------------------------------------------------------------------------


def _ip_tags(value: Any) -> Any:
    if isinstance(value, list):
        return {str(t.get("ipTagType")): str(t.get("tag")) for t in value
                if isinstance(t, Mapping)}
    return value


PUBLIC_IP = AzureSpec(
    type="azurerm_public_ip",
    arm_type="Microsoft.Network/publicIPAddresses",
    api_version=API,
    fields=(
        location(),
        tags(),
        listed("sku", "sku.name"),
        listed("sku_tier", "sku.tier", default="Regional"),
        listed("edge_zone", "extendedLocation.name"),
        prop("allocation_method", "properties.publicIPAllocationMethod"),
        prop("zones", "zones", n.as_set, default=[]),
        prop("idle_timeout_in_minutes", "properties.idleTimeoutInMinutes", n.to_int, default=4),
        prop("ip_version", "properties.publicIPAddressVersion", n.lower, default="IPv4"),
        prop("domain_name_label", "properties.dnsSettings.domainNameLabel"),
        prop("reverse_fqdn", "properties.dnsSettings.reverseFqdn"),
        prop("ip_tags", "properties.ipTags", _ip_tags, default=[]),
        prop("public_ip_prefix_id", "properties.publicIPPrefix.id", ids.normalise_id),
        prop("ddos_protection_mode", "properties.ddosSettings.protectionMode",
             default="VirtualNetworkInherited"),
        prop("ddos_protection_plan_id", "properties.ddosSettings.ddosProtectionPlan.id",
             ids.normalise_id),
    ),
    version_specific=frozenset({"ddos_protection_mode", "ddos_protection_plan_id", "edge_zone"}),
)


# -- network interface -----------------------------------------------------------------------


def _ip_configurations(value: Any) -> Any:
    """State ``ip_configuration`` blocks or ARM ``ipConfigurations``, as a list sorted by name.
    A dynamic private address is the cloud's choice, so it is compared only when static."""
    if not isinstance(value, list):
        return value
    rows = []
    for conf in value:
        if not isinstance(conf, Mapping):
            continue
        if "properties" in conf:
            props = conf.get("properties") or {}
            conf = {
                "name": conf.get("name"),
                "subnet_id": (props.get("subnet") or {}).get("id"),
                "private_ip_address_allocation": props.get("privateIPAllocationMethod"),
                "private_ip_address": props.get("privateIPAddress"),
                "private_ip_address_version": props.get("privateIPAddressVersion"),
                "public_ip_address_id": (props.get("publicIPAddress") or {}).get("id"),
                "primary": props.get("primary"),
                "gateway_load_balancer_frontend_ip_configuration_id":
                    (props.get("gatewayLoadBalancer") or {}).get("id"),
            }
        allocation = n.lower(conf.get("private_ip_address_allocation"))
        rows.append({
            "name": conf.get("name"),
            "subnet_id": ids.normalise_id(conf.get("subnet_id") or None),
            "private_ip_address_allocation": allocation,
            "private_ip_address": conf.get("private_ip_address") or None
            if allocation == "static" else None,
            "private_ip_address_version": n.lower(conf.get("private_ip_address_version")
                                                  or "IPv4"),
            "public_ip_address_id": ids.normalise_id(conf.get("public_ip_address_id") or None),
            "primary": bool(conf.get("primary")),
            "gateway_load_balancer_frontend_ip_configuration_id": ids.normalise_id(
                conf.get("gateway_load_balancer_frontend_ip_configuration_id") or None),
        })
    return sorted(rows, key=lambda r: str(r["name"]))


NETWORK_INTERFACE = AzureSpec(
    type="azurerm_network_interface",
    arm_type="Microsoft.Network/networkInterfaces",
    api_version=API,
    fields=(
        location(),
        tags(),
        prop("ip_configuration", "properties.ipConfigurations", _ip_configurations),
        prop("dns_servers", "properties.dnsSettings.dnsServers"),
        prop("internal_dns_name_label", "properties.dnsSettings.internalDnsNameLabel"),
        listed("edge_zone", "extendedLocation.name"),
        # 4.x names, then the 3.x names of the same settings
        prop("accelerated_networking_enabled", "properties.enableAcceleratedNetworking",
             n.to_bool, default=False),
        prop("ip_forwarding_enabled", "properties.enableIPForwarding", n.to_bool, default=False),
        prop("enable_accelerated_networking", "properties.enableAcceleratedNetworking",
             n.to_bool, default=False),
        prop("enable_ip_forwarding", "properties.enableIPForwarding", n.to_bool, default=False),
        prop("auxiliary_mode", "properties.auxiliaryMode", none_word),
        prop("auxiliary_sku", "properties.auxiliarySku", none_word),
    ),
    version_specific=frozenset({
        "accelerated_networking_enabled", "ip_forwarding_enabled",
        "enable_accelerated_networking", "enable_ip_forwarding",
        "auxiliary_mode", "auxiliary_sku", "edge_zone",
    }),
)


# -- DNS zone --------------------------------------------------------------------------------

_SOA = "soa"


def _soa(path: str, query: str) -> Any:
    return prop(f"soa_record.0.{path}", f"{_SOA}.properties.{query}", n.to_int
                if path != "email" else n.lower, detail=_SOA)


DNS_ZONE = AzureSpec(
    type="azurerm_dns_zone",
    arm_type="Microsoft.Network/dnsZones",
    api_version=DNS_API,
    sub_resources=(SubResource(_SOA, "/SOA/@"),),
    fields=(
        tags(),
        _soa("email", "SOARecord.email"),
        _soa("expire_time", "SOARecord.expireTime"),
        _soa("minimum_ttl", "SOARecord.minimumTTL"),
        _soa("refresh_time", "SOARecord.refreshTime"),
        _soa("retry_time", "SOARecord.retryTime"),
        _soa("ttl", "TTL"),
        prop("soa_record.0.tags", f"{_SOA}.properties.metadata", n.tags, default={},
             detail=_SOA),
    ),
)

SPECS = (VIRTUAL_NETWORK, SUBNET, NETWORK_SECURITY_GROUP, PUBLIC_IP, NETWORK_INTERFACE,
         DNS_ZONE)
