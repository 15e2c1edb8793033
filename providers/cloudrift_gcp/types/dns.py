"""Cloud DNS managed zones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.spec import UNKNOWN, FieldSpec, get_path, has_path
from cloudrift_gcp.fields import (
    asset_project,
    flag,
    label_map,
    reference,
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


MANAGED_ZONE = GcpSpec(
    type="google_dns_managed_zone",
    asset_type="dns.googleapis.com/ManagedZone",
    import_id=template("projects/{project}/managedZones/{name}"),
    cloud_id=cloud_template("projects/{project}/managedZones/{name}"),
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
)

SPECS = (MANAGED_ZONE,)
