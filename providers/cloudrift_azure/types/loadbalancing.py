"""Microsoft.Network load balancing: load balancers with their rules and backend pools (both
kept inside the load balancer's own payload, like subnets in their network), and application
gateways."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import normalise as n
from cloudrift_azure import ids
from cloudrift_azure.fields import (
    arm_records,
    identity,
    ids_set,
    listed,
    location,
    prop,
    ref_id,
    ref_name,
    tags,
)
from cloudrift_azure.spec import AzureSpec, Source

API = "2024-05-01"


def _static_address(entry: Mapping[str, Any]) -> Any:
    """A private address is the user's only when allocated statically."""
    props = entry.get("properties") or {}
    if str(props.get("privateIPAllocationMethod", "")).lower() != "static":
        return None
    return props.get("privateIPAddress")


def _frontends(value: Any) -> Any:
    """Frontend IP configurations, by name; a dynamic private address is the cloud's choice."""
    rows = arm_records({
        "name": ("name", None),
        "subnet_id": ("properties.subnet.id", ids.normalise_id),
        "private_ip_address_allocation": ("properties.privateIPAllocationMethod", n.lower),
        "private_ip_address": (_static_address, None),
        "private_ip_address_version": ("properties.privateIPAddressVersion", n.lower),
        "public_ip_address_id": ("properties.publicIPAddress.id", ids.normalise_id),
        "public_ip_prefix_id": ("properties.publicIPPrefix.id", ids.normalise_id),
        "gateway_load_balancer_frontend_ip_configuration_id": (
            "properties.gatewayLoadBalancer.id", ids.normalise_id),
        "zones": ("zones", n.as_set),
    })(value)
    if not isinstance(rows, list):
        return rows
    for row in rows:
        if row.get("private_ip_address_allocation") != "static":
            row["private_ip_address"] = None
        if row.get("private_ip_address_version") is None:
            row["private_ip_address_version"] = "ipv4"
    return sorted(rows, key=lambda r: str(r.get("name")))


LB = AzureSpec(
    type="azurerm_lb",
    arm_type="Microsoft.Network/loadBalancers",
    api_version=API,
    description="rules and backend pools are compared as azurerm_lb_rule and "
    "azurerm_lb_backend_address_pool",
    fields=(
        location(),
        tags(),
        listed("sku", "sku.name"),
        listed("sku_tier", "sku.tier", default="Regional"),
        listed("edge_zone", "extendedLocation.name"),
        prop("frontend_ip_configuration", "properties.frontendIPConfigurations", _frontends,
             default=[]),
    ),
    not_compared={
        "frontend_ip_configuration.*.private_ip_address": "compared only when allocated "
        "statically (a dynamic address is the cloud's choice)",
    },
    version_specific=frozenset({"edge_zone"}),
)


def _rule_pools(payload: Mapping[str, Any]) -> Any:
    """``backendAddressPools`` (gateway load balancers), else the single
    ``backendAddressPool``: the provider reads one or the other by the SKU."""
    props = payload.get("properties") or {}
    pools = [p.get("id") for p in props.get("backendAddressPools") or [] if p.get("id")]
    single = (props.get("backendAddressPool") or {}).get("id")
    return pools or ([single] if single else [])


def _lb_child(name: str) -> str:
    return f"the load balancer is read once for all of its {name}s"


LB_RULE = AzureSpec(
    type="azurerm_lb_rule",
    arm_type="Microsoft.Network/loadBalancers/loadBalancingRules",
    api_version=API,
    source=Source.PARENT,
    parent="azurerm_lb",
    children="properties.loadBalancingRules",
    description=_lb_child("rule"),
    fields=(
        prop("frontend_ip_configuration_name", "properties.frontendIPConfiguration",
             ref_name),
        prop("protocol", "properties.protocol", n.lower),
        prop("frontend_port", "properties.frontendPort", n.to_int),
        prop("backend_port", "properties.backendPort", n.to_int),
        prop("backend_address_pool_ids", None, ids_set, extract=_rule_pools),
        prop("probe_id", "properties.probe", ref_id),
        prop("floating_ip_enabled", "properties.enableFloatingIP", n.to_bool, default=False),
        prop("idle_timeout_in_minutes", "properties.idleTimeoutInMinutes", n.to_int,
             default=4),
        prop("load_distribution", "properties.loadDistribution", default="Default"),
        prop("disable_outbound_snat", "properties.disableOutboundSnat", n.to_bool,
             default=False),
        prop("tcp_reset_enabled", "properties.enableTcpReset", n.to_bool, default=False),
    ),
)

_TUNNEL = arm_records({
    "identifier": ("identifier", n.to_int),
    "type": ("type", n.lower),
    "protocol": ("protocol", n.lower),
    "port": ("port", n.to_int),
})

LB_BACKEND_ADDRESS_POOL = AzureSpec(
    type="azurerm_lb_backend_address_pool",
    arm_type="Microsoft.Network/loadBalancers/backendAddressPools",
    api_version=API,
    source=Source.PARENT,
    parent="azurerm_lb",
    children="properties.backendAddressPools",
    description=_lb_child("backend pool"),
    fields=(
        prop("synchronous_mode", "properties.syncMode"),
        prop("tunnel_interface", "properties.tunnelInterfaces", _TUNNEL, default=[]),
        prop("virtual_network_id", "properties.virtualNetwork", ref_id),
    ),
    not_compared={
        "backend addresses": "members join a pool from their own side (a NIC's ip "
        "configuration, azurerm_lb_backend_address_pool_address)",
    },
    version_specific=frozenset({"synchronous_mode", "virtual_network_id"}),
)


# -- application gateway --------------------------------------------------------------------


def _sku(payload: Mapping[str, Any]) -> Any:
    # an application gateway's SKU is among its properties, not beside them
    sku = (payload.get("properties") or {}).get("sku") or {}
    return [{"name": sku.get("name"), "tier": sku.get("tier"),
             "capacity": sku.get("capacity")}]


def _sku_block(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return [{"name": n.lower(b.get("name")), "tier": n.lower(b.get("tier")),
             # an autoscaled gateway has no fixed capacity (the state records 0)
             "capacity": n.to_int(b.get("capacity")) or None}
            for b in value if isinstance(b, Mapping)]


def _autoscale(payload: Mapping[str, Any]) -> Any:
    found = (payload.get("properties") or {}).get("autoscaleConfiguration")
    if not found:
        return []
    return [{"min_capacity": found.get("minCapacity"), "max_capacity": found.get("maxCapacity")}]


def _addresses(kind: str) -> Any:
    def extract(entry: Mapping[str, Any]) -> Any:
        found = (entry.get("properties") or {}).get("backendAddresses") or []
        return n.as_set([a.get(kind) for a in found if a.get(kind)])

    return extract


_PROTOCOL = n.lower
_SUBRESOURCES: dict[str, tuple[str, Any]] = {
    "gateway_ip_configuration": ("properties.gatewayIPConfigurations", arm_records({
        "name": ("name", None),
        "subnet_id": ("properties.subnet.id", ids.normalise_id),
    })),
    "frontend_port": ("properties.frontendPorts", arm_records({
        "name": ("name", None),
        "port": ("properties.port", n.to_int),
    })),
    "frontend_ip_configuration": ("properties.frontendIPConfigurations", arm_records({
        "name": ("name", None),
        "public_ip_address_id": ("properties.publicIPAddress.id", ids.normalise_id),
        "subnet_id": ("properties.subnet.id", ids.normalise_id),
        "private_ip_address_allocation": ("properties.privateIPAllocationMethod", n.lower),
    })),
    "backend_address_pool": ("properties.backendAddressPools", arm_records({
        "name": ("name", None),
        "fqdns": (_addresses("fqdn"), n.as_set),
        "ip_addresses": (_addresses("ipAddress"), n.as_set),
    })),
    "backend_http_settings": ("properties.backendHttpSettingsCollection", arm_records({
        "name": ("name", None),
        "port": ("properties.port", n.to_int),
        "protocol": ("properties.protocol", _PROTOCOL),
        "cookie_based_affinity": ("properties.cookieBasedAffinity", n.lower),
        "request_timeout": ("properties.requestTimeout", n.to_int),
        "path": ("properties.path", None),
        "probe_name": ("properties.probe", ref_name),
        "host_name": ("properties.hostName", None),
        "pick_host_name_from_backend_address": ("properties.pickHostNameFromBackendAddress",
                                                n.to_bool),
    })),
    "http_listener": ("properties.httpListeners", arm_records({
        "name": ("name", None),
        "frontend_ip_configuration_name": ("properties.frontendIPConfiguration", ref_name),
        "frontend_port_name": ("properties.frontendPort", ref_name),
        "protocol": ("properties.protocol", _PROTOCOL),
        "host_name": ("properties.hostName", None),
        "ssl_certificate_name": ("properties.sslCertificate", ref_name),
        "require_sni": ("properties.requireServerNameIndication", n.to_bool),
    })),
    "request_routing_rule": ("properties.requestRoutingRules", arm_records({
        "name": ("name", None),
        "rule_type": ("properties.ruleType", n.lower),
        "priority": ("properties.priority", n.to_int),
        "http_listener_name": ("properties.httpListener", ref_name),
        "backend_address_pool_name": ("properties.backendAddressPool", ref_name),
        "backend_http_settings_name": ("properties.backendHttpSettings", ref_name),
        "url_path_map_name": ("properties.urlPathMap", ref_name),
        "redirect_configuration_name": ("properties.redirectConfiguration", ref_name),
    })),
    "probe": ("properties.probes", arm_records({
        "name": ("name", None),
        "protocol": ("properties.protocol", _PROTOCOL),
        "path": ("properties.path", None),
        "host": ("properties.host", None),
        "interval": ("properties.interval", n.to_int),
        "timeout": ("properties.timeout", n.to_int),
        "unhealthy_threshold": ("properties.unhealthyThreshold", n.to_int),
        "pick_host_name_from_backend_http_settings": (
            "properties.pickHostNameFromBackendHttpSettings", n.to_bool),
    })),
}

APPLICATION_GATEWAY = AzureSpec(
    type="azurerm_application_gateway",
    arm_type="Microsoft.Network/applicationGateways",
    api_version=API,
    fields=(
        location(),
        tags(),
        identity(),
        prop("sku", None, _sku_block, extract=_sku),
        prop("zones", "zones", n.as_set, default=[]),
        prop("autoscale_configuration", None,
             arm_records({"min_capacity": ("min_capacity", n.to_int),
                          "max_capacity": ("max_capacity", n.to_int)}),
             extract=_autoscale),
        prop("enable_http2", "properties.enableHttp2", n.to_bool, default=False),
        prop("fips_enabled", "properties.enableFips", n.to_bool, default=False),
        prop("firewall_policy_id", "properties.firewallPolicy", ref_id),
        prop("force_firewall_policy_association", "properties.forceFirewallPolicyAssociation",
             n.to_bool, default=False),
        *(prop(path, query, step, default=[]) for path, (query, step) in _SUBRESOURCES.items()),
    ),
    not_compared={
        "ssl_certificate": "certificate data and passwords are write-only secrets",
        "authentication_certificate": "certificate data is write-only",
        "trusted_root_certificate": "certificate data is write-only",
        "trusted_client_certificate": "certificate data is write-only",
        "url_path_map": "not compared yet (nested path rules)",
        "redirect_configuration": "not compared yet",
        "rewrite_rule_set": "not compared yet (nested conditions and actions)",
        "waf_configuration": "not compared yet (superseded by firewall_policy_id)",
        "ssl_policy": "not compared yet: ARM leaves out the predefined policy's values",
        "ssl_profile": "not compared yet",
        "custom_error_configuration": "not compared yet",
        "private_link_configuration": "not compared yet",
    },
)

SPECS = (LB, LB_RULE, LB_BACKEND_ADDRESS_POOL, APPLICATION_GATEWAY)
