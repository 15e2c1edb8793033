"""Cloud Routers and their NATs, routes, global addresses.

A router's NATs are no assets of their own: they live in the router's ``nats`` list, and each is
read from there as a ``google_compute_router_nat`` (a part of the router: one nobody manages
is reported under a managed router, and covered by an unmanaged router's own finding). Routes
Compute Engine generates (a network's default and subnet routes, GKE's node routes) belong to
what generated them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, PartOf, get_path, has_path
from cloudrift.sdk import normalise as n
from cloudrift_gcp.fields import (
    asset_project,
    flag,
    label_map,
    number,
    ref,
    ref_list,
    reference,
    reported,
    sorted_set,
    state_project,
    string_set,
    text,
)
from cloudrift_gcp.spec import GcpSpec, Item
from cloudrift_gcp.types._ids import from_self_link, relative_name, template

ROUTER_TYPE = "google_compute_router"
_ROUTER_ID = "projects/{project}/regions/{region}/routers/{name}"


def _state_ranges(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "bgp"):
        return UNKNOWN
    return [{"range": r.get("range"), "description": r.get("description") or None}
            for r in get_path(attributes, "bgp.0.advertised_ip_ranges") or []]


def _cloud_ranges(item: Mapping[str, Any]) -> Any:
    return [{"range": r.get("range"), "description": r.get("description") or None}
            for r in get_path(item, "bgp.advertisedIpRanges") or []]


ROUTER = GcpSpec(
    type=ROUTER_TYPE,
    asset_type="compute.googleapis.com/Router",
    import_id=template(_ROUTER_ID),
    cloud_id=from_self_link,
    fields=(
        text("description", "description"),
        ref("network", "network"),
        number("bgp.0.asn", "bgp.asn"),
        text("bgp.0.advertise_mode", "bgp.advertiseMode", "DEFAULT"),
        string_set("bgp.0.advertised_groups", "bgp.advertisedGroups"),
        FieldSpec("bgp.0.advertised_ip_ranges", extract=_cloud_ranges, from_state=_state_ranges,
                  normalise=(sorted_set,)),
        number("bgp.0.keepalive_interval", "bgp.keepaliveInterval", 20),
        flag("encrypted_interconnect_router", "encryptedInterconnectRouter"),
    ),
    not_compared={
        "md5_authentication_keys": "the API never returns the keys",
        "params": "resource manager tags are only sent when the router is created",
    },
)


# -- NATs of a router --------------------------------------------------------------------------

_ROUTER = "$router"


def _nats(asset: Mapping[str, Any], project: str | None) -> list[Item]:
    router = (asset.get("resource") or {}).get("data") or {}
    link = relative_name(router.get("selfLink"))
    return [{**nat, _ROUTER: link} for nat in router.get("nats") or [] if isinstance(nat, Mapping)]


def _nat_id(item: Mapping[str, Any]) -> str | None:
    router, name = item.get(_ROUTER), item.get("name")
    return f"{router}/{name}" if router and name else None


def _state_router(attributes: Mapping[str, Any]) -> str | None:
    return template(_ROUTER_ID, name="router")(attributes)


def _state_nat_id(attributes: Mapping[str, Any]) -> str | None:
    router, name = _state_router(attributes), attributes.get("name")
    return f"{router}/{name}" if router and name else None


def _state_subnetworks(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "subnetwork"):
        return UNKNOWN
    own = state_project(attributes)
    return [{"name": reference(s.get("name"), own),
             "ranges": sorted(s.get("source_ip_ranges_to_nat") or []),
             "secondary": sorted(s.get("secondary_ip_range_names") or [])}
            for s in attributes.get("subnetwork") or []]


def _cloud_subnetworks(item: Mapping[str, Any]) -> Any:
    own = asset_project(item)
    return [{"name": reference(s.get("name"), own),
             "ranges": sorted(s.get("sourceIpRangesToNat") or []),
             "secondary": sorted(s.get("secondaryIpRangeNames") or [])}
            for s in item.get("subnetworks") or []]


ROUTER_NAT = GcpSpec(
    type="google_compute_router_nat",
    asset_type="compute.googleapis.com/Router",
    expand=_nats,
    import_id=_state_nat_id,
    cloud_id=_nat_id,
    part_of=(PartOf(parent_type=ROUTER_TYPE, parent_id=_state_router, fields=(),
                    cloud_parent_id=lambda item: item.get(_ROUTER)),),
    fields=(
        text("type", "type", "PUBLIC"),
        text("nat_ip_allocate_option", "natIpAllocateOption"),
        text("source_subnetwork_ip_ranges_to_nat", "sourceSubnetworkIpRangesToNat"),
        ref_list("nat_ips", "natIps"),
        ref_list("drain_nat_ips", "drainNatIps"),
        FieldSpec("subnetwork", extract=_cloud_subnetworks, from_state=_state_subnetworks,
                  normalise=(sorted_set,)),
        reported("min_ports_per_vm", "minPortsPerVm", n.to_int),
        number("max_ports_per_vm", "maxPortsPerVm", 0),
        reported("enable_dynamic_port_allocation", "enableDynamicPortAllocation", n.to_bool),
        reported("enable_endpoint_independent_mapping", "enableEndpointIndependentMapping",
                 n.to_bool),
        number("udp_idle_timeout_sec", "udpIdleTimeoutSec", 30),
        number("icmp_idle_timeout_sec", "icmpIdleTimeoutSec", 30),
        number("tcp_established_idle_timeout_sec", "tcpEstablishedIdleTimeoutSec", 1200),
        number("tcp_transitory_idle_timeout_sec", "tcpTransitoryIdleTimeoutSec", 30),
        number("tcp_time_wait_timeout_sec", "tcpTimeWaitTimeoutSec", 120),
        flag("log_config.0.enable", "logConfig.enable"),
        text("log_config.0.filter", "logConfig.filter"),
        string_set("endpoint_types", "endpointTypes"),
        reported("auto_network_tier", "autoNetworkTier"),
    ),
    not_compared={
        "initial_nat_ips": "only used when the NAT is created",
        "rules": "NAT rules are compared by a later version",
    },
)


# -- routes ------------------------------------------------------------------------------------

# a network's generated routes: "default-route-" and a hex digest (its internet route and one
# subnet route per subnet range)
_GENERATED_ROUTE = re.compile(r"^default-route-[0-9a-f]+$")


def _route_creator(item: Mapping[str, Any]) -> str | None:
    if item.get("routeType") == "SUBNET" or _GENERATED_ROUTE.match(str(item.get("name", ""))):
        return str(item.get("network") or "network")
    if item.get("description") == "k8s-node-route":
        return "GKE"  # the routes of a routes-based GKE cluster
    return None


ROUTE = GcpSpec(
    type="google_compute_route",
    asset_type="compute.googleapis.com/Route",
    import_id=template("projects/{project}/global/routes/{name}"),
    cloud_id=from_self_link,
    created_by=_route_creator,
    fields=(
        text("description", "description"),
        text("dest_range", "destRange"),
        ref("network", "network"),
        number("priority", "priority", 1000),
        string_set("tags", "tags"),
        ref("next_hop_gateway", "nextHopGateway"),
        ref("next_hop_instance", "nextHopInstance"),
        text("next_hop_ip", "nextHopIp"),
        ref("next_hop_vpn_tunnel", "nextHopVpnTunnel"),
        ref("next_hop_ilb", "nextHopIlb"),
    ),
    not_compared={"params": "resource manager tags are only sent when the route is created"},
)


# -- global addresses --------------------------------------------------------------------------

GLOBAL_ADDRESS = GcpSpec(
    type="google_compute_global_address",
    asset_type="compute.googleapis.com/GlobalAddress",
    import_id=template("projects/{project}/global/addresses/{name}"),
    cloud_id=from_self_link,
    fields=(
        text("address", "address"),
        text("address_type", "addressType", "EXTERNAL"),
        text("description", "description"),
        label_map(),
        text("ip_version", "ipVersion", "IPV4"),
        number("prefix_length", "prefixLength", 0),
        text("purpose", "purpose"),
        ref("network", "network"),
    ),
)

SPECS = (ROUTER, ROUTER_NAT, ROUTE, GLOBAL_ADDRESS)
