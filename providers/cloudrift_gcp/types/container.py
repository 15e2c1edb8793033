"""GKE clusters. The container API is proto-based: false and empty fields are left out, and
``network`` / ``subnetwork`` are short names.

A cluster's node pools run on managed instance groups GKE creates (``instanceGroupUrls``): those
groups, and through them their VMs and disks, are the cluster's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, has_path
from cloudrift_gcp.fields import flag, label_map, ref, sorted_set, text
from cloudrift_gcp.spec import GcpSpec
from cloudrift_gcp.types._ids import cloud_template, relative_name, template

GROUP_TYPE = "google_compute_instance_group_manager"


def _node_pool_groups(item: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    for pool in item.get("nodePools") or []:
        for link in pool.get("instanceGroupUrls") or []:
            found = relative_name(link)
            if found:
                yield GROUP_TYPE, found


def _networking_mode(item: Mapping[str, Any]) -> str:
    alias = (item.get("ipAllocationPolicy") or {}).get("useIpAliases")
    return "VPC_NATIVE" if alias else "ROUTES"


def _state_cidr_blocks(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "master_authorized_networks_config"):
        return UNKNOWN
    config = (attributes.get("master_authorized_networks_config") or [{}])[0]
    return [{"cidr_block": b.get("cidr_block"), "display_name": b.get("display_name") or None}
            for b in config.get("cidr_blocks") or []]


def _cloud_cidr_blocks(item: Mapping[str, Any]) -> Any:
    config = item.get("masterAuthorizedNetworksConfig") or {}
    return [{"cidr_block": b.get("cidrBlock"), "display_name": b.get("displayName") or None}
            for b in config.get("cidrBlocks") or []]


CLUSTER = GcpSpec(
    type="google_container_cluster",
    asset_type="container.googleapis.com/Cluster",
    import_id=template("projects/{project}/locations/{location}/clusters/{name}"),
    cloud_id=cloud_template("projects/{project}/locations/{location}/clusters/{name}"),
    owns=_node_pool_groups,
    owns_types=(GROUP_TYPE,),
    fields=(
        text("description", "description"),
        ref("network", "network"),
        ref("subnetwork", "subnetwork"),
        label_map("resource_labels", "resourceLabels",
                  state_names=("effective_labels", "terraform_labels", "resource_labels")),
        text("logging_service", "loggingService", "logging.googleapis.com/kubernetes"),
        text("monitoring_service", "monitoringService", "monitoring.googleapis.com/kubernetes"),
        text("release_channel.0.channel", "releaseChannel.channel", "UNSPECIFIED"),
        FieldSpec("networking_mode", extract=_networking_mode),
        flag("enable_autopilot", "autopilot.enabled"),
        flag("enable_shielded_nodes", "shieldedNodes.enabled"),
        flag("enable_legacy_abac", "legacyAbac.enabled"),
        flag("enable_intranode_visibility", "networkConfig.enableIntraNodeVisibility"),
        flag("private_cluster_config.0.enable_private_nodes",
             "privateClusterConfig.enablePrivateNodes"),
        text("workload_identity_config.0.workload_pool", "workloadIdentityConfig.workloadPool"),
        flag("vertical_pod_autoscaling.0.enabled", "verticalPodAutoscaling.enabled"),
        FieldSpec("master_authorized_networks_config.0.cidr_blocks", extract=_cloud_cidr_blocks,
                  from_state=_state_cidr_blocks, normalise=(sorted_set,)),
    ),
    not_compared={
        "deletion_protection": "acted on by Terraform only",
        "remove_default_node_pool": "acted on by Terraform only",
        "initial_node_count": "acted on by Terraform only",
    },
)

SPECS = (CLUSTER,)
