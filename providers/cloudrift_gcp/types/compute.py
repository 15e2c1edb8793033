"""Compute Engine: instances, networks, subnetworks, firewall rules, disks, addresses.

Cloud Asset returns the Compute Engine REST resource: references are self-links, int64 values
(``sizeGb``) strings, and ``tags`` / ``metadata`` are wrapped with a fingerprint.

What Compute Engine creates with a resource is that resource's: an instance's boot disk and
the disks it deletes with itself (``boot_disk.initialize_params``, an instance template's
disks), the instances a managed instance group (or GKE, through one) creates, and the
subnetworks an auto-mode network creates in every region.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, get_path, has_path
from cloudrift.sdk import normalise as n
from cloudrift_gcp.fields import (
    flag,
    label_map,
    labels,
    number,
    opt,
    ref,
    short_name,
    sorted_set,
    string_set,
    text,
)
from cloudrift_gcp.spec import GcpSpec
from cloudrift_gcp.types._ids import from_self_link, relative_name, template

DEFAULT_NETWORK = "default"
DISK_TYPE = "google_compute_disk"
SUBNETWORK_TYPE = "google_compute_subnetwork"
# the rules Google creates with the default network
DEFAULT_FIREWALLS = frozenset(
    {"default-allow-internal", "default-allow-ssh", "default-allow-rdp", "default-allow-icmp"}
)
# GKE creates and deletes these itself (nodes, ingress, load-balancer health checks)
GKE_PREFIXES = ("gke-", "k8s-", "k8s2-")
STARTUP_SCRIPT = "startup-script"


def _metadata(item: Mapping[str, Any]) -> dict[str, str] | None:
    entries = get_path(item, "metadata.items")
    if not isinstance(entries, list):
        return None
    return {str(e.get("key")): str(e.get("value", "")) for e in entries if isinstance(e, Mapping)}


def _cloud_metadata(item: Mapping[str, Any]) -> Any:
    found = _metadata(item) or {}
    return {k: v for k, v in found.items() if k != STARTUP_SCRIPT}


def _state_metadata(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "metadata"):
        return UNKNOWN
    found = attributes.get("metadata") or {}
    # metadata_startup_script is compared on its own; the provider keeps it out of `metadata`
    return {k: v for k, v in found.items() if k != STARTUP_SCRIPT}


def _cloud_startup_script(item: Mapping[str, Any]) -> Any:
    return (_metadata(item) or {}).get(STARTUP_SCRIPT)


def _state_startup_script(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "metadata_startup_script") and not has_path(attributes, "metadata"):
        return UNKNOWN
    return attributes.get("metadata_startup_script") or (attributes.get("metadata") or {}).get(
        STARTUP_SCRIPT
    )


def _instance_creator(item: Mapping[str, Any]) -> str | None:
    """The instance group manager that created the instance (its ``created-by`` metadata), or
    GKE for a node of a cluster."""
    creator = (_metadata(item) or {}).get("created-by")
    if creator:
        return creator
    return "GKE" if "goog-gke-node" in (item.get("labels") or {}) else None


def _instance_disks(item: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """The boot disk, and every disk the instance deletes with itself: created with it from
    ``initialize_params`` or an instance template, not attached from elsewhere."""
    for disk in item.get("disks") or []:
        if disk.get("type", "PERSISTENT") != "PERSISTENT":
            continue  # local SSDs (scratch disks) are no Disk resources at all
        source = relative_name(disk.get("source"))
        if source and (disk.get("boot") or disk.get("autoDelete")):
            yield DISK_TYPE, source


INSTANCE = GcpSpec(
    type="google_compute_instance",
    asset_type="compute.googleapis.com/Instance",
    import_id=template("projects/{project}/zones/{zone}/instances/{name}"),
    cloud_id=from_self_link,
    created_by=_instance_creator,
    owns=_instance_disks,
    owns_types=(DISK_TYPE,),
    fields=(
        FieldSpec("machine_type", query="machineType", normalise=(short_name,)),
        text("description", "description"),
        label_map(),
        string_set("tags", "tags.items"),
        FieldSpec("metadata", extract=_cloud_metadata, from_state=_state_metadata,
                  normalise=(labels,)),
        FieldSpec("metadata_startup_script", extract=_cloud_startup_script,
                  from_state=_state_startup_script),
        flag("can_ip_forward", "canIpForward"),
        flag("deletion_protection", "deletionProtection"),
        text("min_cpu_platform", "minCpuPlatform"),
        flag("scheduling.0.preemptible", "scheduling.preemptible"),
        flag("scheduling.0.automatic_restart", "scheduling.automaticRestart", default=True),
        text("scheduling.0.on_host_maintenance", "scheduling.onHostMaintenance"),
        text("scheduling.0.provisioning_model", "scheduling.provisioningModel", "STANDARD"),
        text("service_account.0.email", "serviceAccounts[0].email"),
        string_set("service_account.0.scopes", "serviceAccounts[0].scopes"),
        ref("network_interface.0.network", "networkInterfaces[0].network"),
        ref("network_interface.0.subnetwork", "networkInterfaces[0].subnetwork"),
        text("network_interface.0.network_ip", "networkInterfaces[0].networkIP"),
        flag("boot_disk.0.auto_delete", "disks[?boot] | [0].autoDelete", default=True),
        flag("shielded_instance_config.0.enable_secure_boot",
             "shieldedInstanceConfig.enableSecureBoot"),
        flag("shielded_instance_config.0.enable_vtpm", "shieldedInstanceConfig.enableVtpm",
             default=True),
        flag("shielded_instance_config.0.enable_integrity_monitoring",
             "shieldedInstanceConfig.enableIntegrityMonitoring", default=True),
    ),
    not_compared={
        "allow_stopping_for_update": "acted on by Terraform only",
        "desired_status": "acted on by Terraform only",
    },
)

def _auto_subnetworks(item: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """An auto-mode network creates one subnetwork named after itself in every region."""
    if not item.get("autoCreateSubnetworks"):
        return
    for link in item.get("subnetworks") or []:
        if short_name(link) == item.get("name"):
            found = relative_name(link)
            if found:
                yield SUBNETWORK_TYPE, found


NETWORK = GcpSpec(
    type="google_compute_network",
    asset_type="compute.googleapis.com/Network",
    import_id=template("projects/{project}/global/networks/{name}"),
    cloud_id=from_self_link,
    is_default=lambda item: item.get("name") == DEFAULT_NETWORK,
    owns=_auto_subnetworks,
    owns_types=(SUBNETWORK_TYPE,),
    fields=(
        text("description", "description"),
        flag("auto_create_subnetworks", "autoCreateSubnetworks"),
        text("routing_mode", "routingConfig.routingMode", "REGIONAL"),
        # networks created before MTU was configurable report none: they run at 1460
        number("mtu", "mtu", 1460),
        flag("enable_ula_internal_ipv6", "enableUlaInternalIpv6"),
        text("network_firewall_policy_enforcement_order",
             "networkFirewallPolicyEnforcementOrder", "AFTER_CLASSIC_FIREWALL"),
    ),
    not_compared={
        "delete_default_routes_on_create": "acted on by Terraform only",
    },
)


def _state_secondary_ranges(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "secondary_ip_range"):
        return UNKNOWN
    return [
        {"range_name": r.get("range_name"), "ip_cidr_range": r.get("ip_cidr_range")}
        for r in attributes.get("secondary_ip_range") or []
    ]


def _cloud_secondary_ranges(item: Mapping[str, Any]) -> Any:
    return [
        {"range_name": r.get("rangeName"), "ip_cidr_range": r.get("ipCidrRange")}
        for r in item.get("secondaryIpRanges") or []
    ]


SUBNETWORK = GcpSpec(
    type=SUBNETWORK_TYPE,
    asset_type="compute.googleapis.com/Subnetwork",
    import_id=template("projects/{project}/regions/{region}/subnetworks/{name}"),
    cloud_id=from_self_link,
    # auto-mode subnetworks of the default network, one per region, all named "default"
    is_default=lambda item: item.get("name") == DEFAULT_NETWORK
    and short_name(item.get("network")) == DEFAULT_NETWORK,
    fields=(
        text("description", "description"),
        text("ip_cidr_range", "ipCidrRange"),
        ref("network", "network"),
        flag("private_ip_google_access", "privateIpGoogleAccess"),
        text("private_ipv6_google_access", "privateIpv6GoogleAccess", "DISABLE_GOOGLE_ACCESS"),
        text("stack_type", "stackType", "IPV4_ONLY"),
        text("purpose", "purpose", "PRIVATE"),
        FieldSpec("secondary_ip_range", extract=_cloud_secondary_ranges,
                  from_state=_state_secondary_ranges, normalise=(sorted_set,)),
    ),
)


def _state_rules(block: str) -> Any:
    def read(attributes: Mapping[str, Any]) -> Any:
        if not has_path(attributes, block):
            return UNKNOWN
        return [
            {"protocol": n.lower(r.get("protocol")), "ports": list(r.get("ports") or [])}
            for r in attributes.get(block) or []
        ]

    return read


def _cloud_rules(key: str) -> Any:
    def read(item: Mapping[str, Any]) -> Any:
        return [
            {"protocol": n.lower(r.get("IPProtocol")), "ports": list(r.get("ports") or [])}
            for r in item.get(key) or []
        ]

    return read


def _cloud_log_metadata(item: Mapping[str, Any]) -> Any:
    config = item.get("logConfig") or {}
    return config.get("metadata") if config.get("enable") else None


def _default_firewall(item: Mapping[str, Any]) -> bool:
    name = str(item.get("name", ""))
    if name.startswith(GKE_PREFIXES):
        return True
    return name in DEFAULT_FIREWALLS and short_name(item.get("network")) == DEFAULT_NETWORK


FIREWALL = GcpSpec(
    type="google_compute_firewall",
    asset_type="compute.googleapis.com/Firewall",
    import_id=template("projects/{project}/global/firewalls/{name}"),
    cloud_id=from_self_link,
    is_default=_default_firewall,
    fields=(
        text("description", "description"),
        ref("network", "network"),
        text("direction", "direction", "INGRESS"),
        number("priority", "priority", 1000),
        flag("disabled", "disabled"),
        string_set("source_ranges", "sourceRanges"),
        string_set("destination_ranges", "destinationRanges"),
        string_set("source_tags", "sourceTags"),
        string_set("target_tags", "targetTags"),
        string_set("source_service_accounts", "sourceServiceAccounts"),
        string_set("target_service_accounts", "targetServiceAccounts"),
        FieldSpec("allow", extract=_cloud_rules("allowed"), from_state=_state_rules("allow"),
                  normalise=(sorted_set,)),
        FieldSpec("deny", extract=_cloud_rules("denied"), from_state=_state_rules("deny"),
                  normalise=(sorted_set,)),
        FieldSpec("log_config.0.metadata", extract=_cloud_log_metadata),
    ),
)


def _made_by_kubernetes(item: Mapping[str, Any]) -> bool:
    item_labels = item.get("labels") or {}
    return (
        "goog-gke-node" in item_labels
        or "goog-k8s-cluster-name" in item_labels
        or "kubernetes.io/created-for" in str(item.get("description", ""))
    )


DISK = GcpSpec(
    type=DISK_TYPE,
    asset_type="compute.googleapis.com/Disk",
    import_id=template("projects/{project}/zones/{zone}/disks/{name}"),
    cloud_id=from_self_link,
    is_default=_made_by_kubernetes,
    fields=(
        opt("type", "type", "pd-standard", short_name),
        number("size", "sizeGb"),
        text("description", "description"),
        label_map(),
        number("physical_block_size_bytes", "physicalBlockSizeBytes", 4096),
        number("provisioned_iops", "provisionedIops", 0),
        number("provisioned_throughput", "provisionedThroughput", 0),
    ),
)

ADDRESS = GcpSpec(
    type="google_compute_address",
    asset_type="compute.googleapis.com/Address",
    import_id=template("projects/{project}/regions/{region}/addresses/{name}"),
    cloud_id=from_self_link,
    fields=(
        text("address", "address"),
        text("address_type", "addressType", "EXTERNAL"),
        text("description", "description"),
        label_map(),
        text("network_tier", "networkTier"),
        text("purpose", "purpose"),
        ref("network", "network"),
        ref("subnetwork", "subnetwork"),
        number("prefix_length", "prefixLength", 0),
    ),
)

SPECS = (INSTANCE, NETWORK, SUBNETWORK, FIREWALL, DISK, ADDRESS)
