"""Instance templates and (zonal) managed instance groups.

An instance template is immutable: any change makes a new template, so drift is a template
deleted, or one made again by hand under the same name. A managed instance group's VMs are its
own (their ``created-by`` metadata names it: see ``compute.py``); the groups GKE makes for its
node pools are the cluster's, and so are their templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, get_path, has_path
from cloudrift.sdk import normalise as n
from cloudrift_gcp.fields import (
    asset_project,
    flag,
    label_map,
    labels,
    number,
    ref,
    ref_list,
    reference,
    short_name,
    sorted_set,
    state_project,
    string_set,
    text,
)
from cloudrift_gcp.spec import GcpSpec
from cloudrift_gcp.types._ids import from_self_link, template

STARTUP_SCRIPT = "startup-script"
GKE_LABELS = ("goog-gke-node", "goog-k8s-cluster-name")


def _template_metadata(item: Mapping[str, Any]) -> dict[str, str]:
    entries = get_path(item, "properties.metadata.items") or []
    return {str(e.get("key")): str(e.get("value", "")) for e in entries if isinstance(e, Mapping)}


def _state_metadata(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "metadata"):
        return UNKNOWN
    return {k: v for k, v in (attributes.get("metadata") or {}).items() if k != STARTUP_SCRIPT}


def _state_startup_script(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "metadata_startup_script"):
        return UNKNOWN
    return attributes.get("metadata_startup_script") or \
        (attributes.get("metadata") or {}).get(STARTUP_SCRIPT)


def _state_disks(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "disk"):
        return UNKNOWN
    own = state_project(attributes)
    return [{
        "boot": bool(d.get("boot")),
        "auto_delete": d.get("auto_delete", True) is not False,
        "type": d.get("type") or "PERSISTENT",
        "disk_type": d.get("disk_type") or None,
        "disk_size_gb": d.get("disk_size_gb") or None,
        "source_image": reference(d.get("source_image"), own) or None,
        "source": reference(d.get("source"), own) or None,
    } for d in attributes.get("disk") or []]


def _cloud_disks(item: Mapping[str, Any]) -> Any:
    own = asset_project(item)
    disks = []
    for d in get_path(item, "properties.disks") or []:
        params = d.get("initializeParams") or {}
        size = params.get("diskSizeGb")
        disks.append({
            "boot": bool(d.get("boot")),
            "auto_delete": bool(d.get("autoDelete")),
            "type": d.get("type") or "PERSISTENT",
            "disk_type": short_name(params.get("diskType")) or None,
            "disk_size_gb": int(size) if size not in (None, "") else None,
            "source_image": reference(params.get("sourceImage"), own) or None,
            "source": reference(d.get("source"), own) or None,
        })
    return disks


def _made_by_gke(item: Mapping[str, Any]) -> str | None:
    found = get_path(item, "properties.labels") or {}
    return "GKE" if any(key in found for key in GKE_LABELS) else None


INSTANCE_TEMPLATE = GcpSpec(
    type="google_compute_instance_template",
    asset_type="compute.googleapis.com/InstanceTemplate",
    import_id=template("projects/{project}/global/instanceTemplates/{name}"),
    # regional templates are google_compute_region_instance_template's
    cloud_id=lambda item: None if item.get("region") else from_self_link(item),
    created_by=_made_by_gke,
    fields=(
        text("description", "description"),
        text("instance_description", "properties.description"),
        FieldSpec("machine_type", query="properties.machineType", normalise=(short_name,)),
        flag("can_ip_forward", "properties.canIpForward"),
        label_map(query="properties.labels"),
        string_set("tags", "properties.tags.items"),
        FieldSpec("metadata", extract=lambda item: {
            k: v for k, v in _template_metadata(item).items() if k != STARTUP_SCRIPT},
            from_state=_state_metadata, normalise=(labels,)),
        FieldSpec("metadata_startup_script",
                  extract=lambda item: _template_metadata(item).get(STARTUP_SCRIPT),
                  from_state=_state_startup_script),
        text("min_cpu_platform", "properties.minCpuPlatform"),
        FieldSpec("disk", extract=_cloud_disks, from_state=_state_disks),
        ref("network_interface.0.network", "properties.networkInterfaces[0].network"),
        ref("network_interface.0.subnetwork", "properties.networkInterfaces[0].subnetwork"),
        text("service_account.0.email", "properties.serviceAccounts[0].email"),
        string_set("service_account.0.scopes", "properties.serviceAccounts[0].scopes"),
        flag("scheduling.0.preemptible", "properties.scheduling.preemptible"),
        flag("scheduling.0.automatic_restart", "properties.scheduling.automaticRestart",
             default=True),
        text("scheduling.0.on_host_maintenance", "properties.scheduling.onHostMaintenance"),
        text("scheduling.0.provisioning_model", "properties.scheduling.provisioningModel",
             "STANDARD"),
        flag("shielded_instance_config.0.enable_secure_boot",
             "properties.shieldedInstanceConfig.enableSecureBoot"),
    ),
    not_compared={
        "name_prefix": "only used by Terraform to make up a name",
        "disk.labels": "of each disk its kind, type, size, image and source are compared",
        "guest_accelerator": "compared by a later version",
    },
)


# -- managed instance groups ---------------------------------------------------------------------


def _state_versions(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "version"):
        return UNKNOWN
    own = state_project(attributes)
    return [{"name": v.get("name") or None,
             "instance_template": reference(v.get("instance_template"), own),
             "target_size": get_path(v, "target_size.0.fixed") or None,
             "target_percent": get_path(v, "target_size.0.percent") or None}
            for v in attributes.get("version") or []]


def _cloud_versions(item: Mapping[str, Any]) -> Any:
    own = asset_project(item)
    return [{"name": v.get("name") or None,
             "instance_template": reference(v.get("instanceTemplate"), own),
             "target_size": _int(get_path(v, "targetSize.fixed")),
             "target_percent": _int(get_path(v, "targetSize.percent"))}
            for v in item.get("versions") or []]


def _int(value: Any) -> int | None:
    return int(value) if value not in (None, "") and int(value) != 0 else None


def _cloud_target_size(item: Mapping[str, Any]) -> Any:
    # an autoscaler sets the size of the group it scales: that is not drift
    if get_path(item, "status.autoscaler"):
        return UNKNOWN
    return item.get("targetSize")


def _pairs(state_path: str, api_path: str, keys: Mapping[str, str]) -> tuple[Any, Any]:
    def from_state(attributes: Mapping[str, Any]) -> Any:
        if not has_path(attributes, state_path):
            return UNKNOWN
        return [{k: e.get(k) for k in keys} for e in attributes.get(state_path) or []]

    def from_cloud(item: Mapping[str, Any]) -> Any:
        return [{k: e.get(api) for k, api in keys.items()} for e in item.get(api_path) or []]

    return from_state, from_cloud


_PORTS = _pairs("named_port", "namedPorts", {"name": "name", "port": "port"})


def _normal_ports(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return sorted_set([{"name": p.get("name"), "port": int(p["port"]) if p.get("port") is not None
                        else None} for p in value])


INSTANCE_GROUP_MANAGER = GcpSpec(
    type="google_compute_instance_group_manager",
    asset_type="compute.googleapis.com/InstanceGroupManager",
    import_id=template("projects/{project}/zones/{zone}/instanceGroupManagers/{name}"),
    # the asset type holds regional groups too: those are another Terraform type's
    cloud_id=lambda item: from_self_link(item) if "/zones/" in str(item.get("selfLink", ""))
    else None,
    fields=(
        text("description", "description"),
        text("base_instance_name", "baseInstanceName"),
        FieldSpec("version", extract=_cloud_versions, from_state=_state_versions,
                  normalise=(sorted_set,)),
        FieldSpec("target_size", extract=_cloud_target_size, normalise=(n.to_int,)),
        ref_list("target_pools", "targetPools"),
        FieldSpec("named_port", extract=_PORTS[1], from_state=_PORTS[0],
                  normalise=(_normal_ports,)),
        ref("auto_healing_policies.0.health_check", "autoHealingPolicies[0].healthCheck"),
        number("auto_healing_policies.0.initial_delay_sec",
               "autoHealingPolicies[0].initialDelaySec"),
        text("update_policy.0.type", "updatePolicy.type"),
        text("update_policy.0.minimal_action", "updatePolicy.minimalAction"),
        number("update_policy.0.max_surge_fixed", "updatePolicy.maxSurge.fixed"),
        number("update_policy.0.max_unavailable_fixed", "updatePolicy.maxUnavailable.fixed"),
        text("update_policy.0.replacement_method", "updatePolicy.replacementMethod",
             "SUBSTITUTE"),
    ),
    not_compared={
        "wait_for_instances": "acted on by Terraform only",
        "list_managed_instances_results": "compared by a later version",
        "stateful_disk": "compared by a later version",
    },
)


SPECS = (INSTANCE_TEMPLATE, INSTANCE_GROUP_MANAGER)
