"""Cloud DNS managed zones and their record sets.

A record set's asset names its zone by the zone's numeric id: the zone's name comes from the
zone's own asset in the same listing. Record sets are parts of their zone (one nobody manages is
reported under a managed zone, and covered by an unmanaged zone's own finding), and the NS and
SOA records Cloud DNS makes with a zone are the zone's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, PartOf, get_path, has_path
from cloudrift_gcp.fields import (
    ASSET,
    asset_project,
    flag,
    label_map,
    number,
    reference,
    short_name,
    sorted_set,
    state_project,
    text,
)
from cloudrift_gcp.spec import GcpSpec
from cloudrift_gcp.types._ids import cloud_template, template


def _state_networks(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "private_visibility_config"):
        return UNKNOWN
    own = state_project(attributes)
    return [reference(entry.get("network_url"), own)
            for entry in get_path(attributes, "private_visibility_config.0.networks") or []]


def _cloud_networks(item: Mapping[str, Any]) -> Any:
    own = asset_project(item)
    return [reference(entry.get("networkUrl"), own)
            for entry in get_path(item, "privateVisibilityConfig.networks") or []]


RECORD_SET_TYPE = "google_dns_record_set"


def _zone_apex_records(item: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """The NS and SOA records Cloud DNS makes at the apex of every zone it creates."""
    project, name, dns_name = asset_project(item), item.get("name"), item.get("dnsName")
    if project and name and dns_name:
        for kind in ("NS", "SOA"):
            yield RECORD_SET_TYPE, \
                f"projects/{project}/managedZones/{name}/rrsets/{dns_name}/{kind}"


MANAGED_ZONE = GcpSpec(
    type="google_dns_managed_zone",
    asset_type="dns.googleapis.com/ManagedZone",
    import_id=template("projects/{project}/managedZones/{name}"),
    cloud_id=cloud_template("projects/{project}/managedZones/{name}"),
    owns=_zone_apex_records,
    owns_types=(RECORD_SET_TYPE,),
    fields=(
        text("dns_name", "dnsName"),
        text("description", "description"),
        text("visibility", "visibility", "public"),
        label_map(),
        text("dnssec_config.0.state", "dnssecConfig.state", "off"),
        FieldSpec("private_visibility_config.0.networks", extract=_cloud_networks,
                  from_state=_state_networks, normalise=(sorted_set,)),
        flag("cloud_logging_config.0.enable_logging", "cloudLoggingConfig.enableLogging"),
    ),
    not_compared={
        "force_destroy": "acted on by Terraform only",
    },
)


# -- record sets ---------------------------------------------------------------------------------


def _state_zone(attributes: Mapping[str, Any]) -> str | None:
    project, zone = state_project(attributes), short_name(attributes.get("managed_zone"))
    return f"projects/{project}/managedZones/{zone}" if project and zone else None


def _state_record_id(attributes: Mapping[str, Any]) -> str | None:
    zone, name, kind = _state_zone(attributes), attributes.get("name"), attributes.get("type")
    return f"{zone}/rrsets/{name}/{kind}" if zone and name and kind else None


def _zone_asset(asset: Mapping[str, Any]) -> str | None:
    """A record set's asset is named under its zone's: ``.../managedZones/<id>/rrsets/...``."""
    name = str(asset.get("name", ""))
    return name.split("/rrsets/", 1)[0] if "/rrsets/" in name else None


def _cloud_zone(item: Mapping[str, Any]) -> str | None:
    zone = (item.get(ASSET) or {}).get("related") or {}
    project = asset_project(item)
    return f"projects/{project}/managedZones/{zone['name']}" if project and zone.get("name") \
        else None


def _cloud_record_id(item: Mapping[str, Any]) -> str | None:
    zone, name, kind = _cloud_zone(item), item.get("name"), item.get("type")
    return f"{zone}/rrsets/{name}/{kind}" if zone and name and kind else None


def _record(kind: Any, value: Any) -> Any:
    """One record as the provider compares it: IPv6 addresses canonical, MX and DS records
    without case, TXT records without case or surrounding quotes."""
    if not isinstance(value, str):
        return value
    if kind == "AAAA":
        try:
            return str(ipaddress.IPv6Address(value))
        except ValueError:
            return value
    if kind in ("MX", "DS"):
        return value.lower()
    if kind == "TXT":
        return value.strip('"').lower()
    return value


def _state_rrdatas(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "rrdatas"):
        return UNKNOWN
    kind = attributes.get("type")
    return [_record(kind, r) for r in attributes.get("rrdatas") or []]


def _cloud_rrdatas(item: Mapping[str, Any]) -> Any:
    kind = item.get("type")
    return [_record(kind, r) for r in item.get("rrdatas") or []]


RECORD_SET = GcpSpec(
    type=RECORD_SET_TYPE,
    asset_type="dns.googleapis.com/ResourceRecordSet",
    import_id=_state_record_id,
    cloud_id=_cloud_record_id,
    related=_zone_asset,
    part_of=(PartOf(parent_type="google_dns_managed_zone", parent_id=_state_zone, fields=(),
                    cloud_parent_id=_cloud_zone),),
    fields=(
        number("ttl", "ttl"),
        FieldSpec("rrdatas", extract=_cloud_rrdatas, from_state=_state_rrdatas,
                  normalise=(sorted_set,)),
    ),
    not_compared={"routing_policy": "routing policies are compared by a later version"},
)


SPECS = (MANAGED_ZONE, RECORD_SET)
