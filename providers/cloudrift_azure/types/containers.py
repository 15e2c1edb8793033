"""Microsoft.ContainerService and Microsoft.ContainerRegistry: AKS clusters and container
registries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec
from cloudrift.sdk import normalise as n
from cloudrift_azure import ids
from cloudrift_azure.fields import (
    enabled,
    identity,
    listed,
    location,
    none_word,
    nonempty_state,
    prop,
    records,
    tags,
    zero_as_none,
)
from cloudrift_azure.spec import AzureSpec

AKS_API = "2024-09-01"
ACR_API = "2023-07-01"


# -- Kubernetes cluster ----------------------------------------------------------------------


def _default_pool(payload: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The default node pool: the first System pool (Terraform creates it first, and AKS
    needs one)."""
    pools = (payload.get("properties") or {}).get("agentPoolProfiles") or []
    system = [p for p in pools if str(p.get("mode", "")).lower() == "system"]
    chosen = system[0] if system else (pools[0] if pools else None)
    return chosen if isinstance(chosen, Mapping) else None


def _pool(key: str, *, autoscaled: Any = None) -> Any:
    def extract(payload: Mapping[str, Any]) -> Any:
        pool = _default_pool(payload)
        if pool is None:
            return UNKNOWN
        if autoscaled is not None and pool.get("enableAutoScaling"):
            return autoscaled
        return pool.get(key)

    return extract


def _pool_field(path: str, key: str, *steps: Any, default: Any = None,
                autoscaled: Any = None) -> FieldSpec:
    extra: dict[str, Any] = {} if default is None else {"default": default}
    return prop(f"default_node_pool.0.{path}", None, *steps,
                extract=_pool(key, autoscaled=autoscaled), **extra)


def _net(path: str, key: str, *steps: Any, default: Any = None) -> FieldSpec:
    extra: dict[str, Any] = {} if default is None else {"default": default}
    return prop(f"network_profile.0.{path}", f"properties.networkProfile.{key}", *steps,
                **extra)


def _upgrade_channel(value: Any) -> Any:
    return n.lower(none_word(value))


KUBERNETES_CLUSTER = AzureSpec(
    type="azurerm_kubernetes_cluster",
    arm_type="Microsoft.ContainerService/managedClusters",
    api_version=AKS_API,
    description="the default node pool is the first System pool; node_count is not compared "
    "while the autoscaler owns it",
    fields=(
        location(),
        tags(),
        identity(),
        listed("sku_tier", "sku.tier", default="Free"),
        prop("dns_prefix", "properties.dnsPrefix"),
        prop("kubernetes_version", "properties.kubernetesVersion"),
        prop("node_resource_group", "properties.nodeResourceGroup", n.lower),
        prop("private_cluster_enabled", "properties.apiServerAccessProfile.enablePrivateCluster",
             n.to_bool, default=False),
        prop("role_based_access_control_enabled", "properties.enableRBAC", n.to_bool,
             default=True),
        prop("local_account_disabled", "properties.disableLocalAccounts", n.to_bool,
             default=False),
        prop("oidc_issuer_enabled", "properties.oidcIssuerProfile.enabled", n.to_bool,
             default=False),
        prop("workload_identity_enabled",
             "properties.securityProfile.workloadIdentity.enabled", n.to_bool, default=False),
        prop("azure_policy_enabled", "properties.addonProfiles.azurepolicy.enabled", n.to_bool,
             default=False),
        prop("image_cleaner_enabled", "properties.securityProfile.imageCleaner.enabled",
             n.to_bool, default=False),
        # 4.x names, then 3.x names
        prop("automatic_upgrade_channel", "properties.autoUpgradeProfile.upgradeChannel",
             _upgrade_channel),
        prop("automatic_channel_upgrade", "properties.autoUpgradeProfile.upgradeChannel",
             _upgrade_channel),
        prop("node_os_upgrade_channel", "properties.autoUpgradeProfile.nodeOSUpgradeChannel",
             default="NodeImage"),
        prop("node_os_channel_upgrade", "properties.autoUpgradeProfile.nodeOSUpgradeChannel",
             default="NodeImage"),
        prop("api_server_access_profile.0.authorized_ip_ranges",
             "properties.apiServerAccessProfile.authorizedIPRanges", n.as_set, default=[]),
        prop("api_server_authorized_ip_ranges",
             "properties.apiServerAccessProfile.authorizedIPRanges", n.as_set, default=[]),
        _pool_field("name", "name"),
        _pool_field("vm_size", "vmSize", n.lower),
        _pool_field("node_count", "count", n.to_int, autoscaled=UNKNOWN),
        _pool_field("auto_scaling_enabled", "enableAutoScaling", n.to_bool, default=False),
        _pool_field("enable_auto_scaling", "enableAutoScaling", n.to_bool, default=False),
        _pool_field("min_count", "minCount", n.to_int),
        _pool_field("max_count", "maxCount", n.to_int),
        _pool_field("max_pods", "maxPods", n.to_int),
        _pool_field("os_disk_size_gb", "osDiskSizeGB", n.to_int),
        _pool_field("os_sku", "osSKU"),
        _pool_field("orchestrator_version", "orchestratorVersion"),
        _pool_field("vnet_subnet_id", "vnetSubnetID", ids.normalise_id),
        _pool_field("zones", "availabilityZones", n.as_set),
        _net("network_plugin", "networkPlugin", n.lower),
        _net("network_plugin_mode", "networkPluginMode", n.lower),
        _net("network_policy", "networkPolicy", n.lower),
        _net("network_data_plane", "networkDataplane", n.lower, default="azure"),
        _net("service_cidr", "serviceCidr"),
        _net("dns_service_ip", "dnsServiceIP"),
        _net("pod_cidr", "podCidr"),
        _net("load_balancer_sku", "loadBalancerSku", n.lower),
        _net("outbound_type", "outboundType", n.lower),
    ),
    version_specific=frozenset({
        "automatic_upgrade_channel", "automatic_channel_upgrade",
        "node_os_upgrade_channel", "node_os_channel_upgrade",
        "api_server_access_profile.0.authorized_ip_ranges", "api_server_authorized_ip_ranges",
        "default_node_pool.0.auto_scaling_enabled", "default_node_pool.0.enable_auto_scaling",
        "network_profile.0.network_data_plane", "image_cleaner_enabled",
    }),
)


# -- container registry ----------------------------------------------------------------------


def _policy_on(name: str) -> Any:
    def extract(payload: Mapping[str, Any]) -> Any:
        policies = (payload.get("properties") or {}).get("policies") or {}
        status = (policies.get(name) or {}).get("status")
        return None if status is None else str(status).lower() == "enabled"

    return extract


def _retention_days(payload: Mapping[str, Any]) -> Any:
    policy = ((payload.get("properties") or {}).get("policies") or {}).get(
        "retentionPolicy") or {}
    if str(policy.get("status", "")).lower() != "enabled":
        return None  # the provider records 0 for "no retention policy"
    return policy.get("days")


def _retention_block(payload: Mapping[str, Any]) -> Any:
    policy = ((payload.get("properties") or {}).get("policies") or {}).get(
        "retentionPolicy") or {}
    return [{"days": policy.get("days", 7),
             "enabled": str(policy.get("status", "")).lower() == "enabled"}]


def _trust_block(payload: Mapping[str, Any]) -> Any:
    on = _policy_on("trustPolicy")(payload)
    return [{"enabled": bool(on)}]


def _ip_rules(value: Any) -> Any:
    if isinstance(value, Mapping):
        value = [{"default_action": value.get("defaultAction"),
                  "ip_rule": [{"action": r.get("action"), "ip_range": r.get("value")}
                              for r in value.get("ipRules") or []]}]
    if not isinstance(value, list):
        return value
    return [
        {"default_action": n.lower(block.get("default_action")),
         "ip_rule": n.as_set([{"action": n.lower(r.get("action")),
                               "ip_range": n.lower(r.get("ip_range"))}
                              for r in block.get("ip_rule") or []])}
        for block in value if isinstance(block, Mapping)
    ]


CONTAINER_REGISTRY = AzureSpec(
    type="azurerm_container_registry",
    arm_type="Microsoft.ContainerRegistry/registries",
    api_version=ACR_API,
    fields=(
        location(),
        tags(),
        identity(),
        listed("sku", "sku.name"),
        prop("admin_enabled", "properties.adminUserEnabled", n.to_bool, default=False),
        prop("public_network_access_enabled", "properties.publicNetworkAccess", enabled,
             default="Enabled"),
        prop("zone_redundancy_enabled", "properties.zoneRedundancy", enabled,
             default="Disabled"),
        prop("anonymous_pull_enabled", "properties.anonymousPullEnabled", n.to_bool,
             default=False),
        prop("data_endpoint_enabled", "properties.dataEndpointEnabled", n.to_bool,
             default=False),
        prop("network_rule_bypass_option", "properties.networkRuleBypassOptions",
             default="AzureServices"),
        prop("quarantine_policy_enabled", None, n.to_bool, extract=_policy_on("quarantinePolicy"),
             default=False),
        prop("export_policy_enabled", None, n.to_bool, extract=_policy_on("exportPolicy"),
             default=True),
        # 4.x
        prop("trust_policy_enabled", None, n.to_bool, extract=_policy_on("trustPolicy"),
             default=False),
        prop("retention_policy_in_days", None, n.to_int, zero_as_none, extract=_retention_days),
        # 3.x blocks of the same settings
        prop("retention_policy", None, records(("days", n.to_int), ("enabled", n.to_bool)),
             extract=_retention_block, from_state=nonempty_state("retention_policy")),
        prop("trust_policy", None, records(("enabled", n.to_bool)), extract=_trust_block,
             from_state=nonempty_state("trust_policy")),
        prop("network_rule_set", "properties.networkRuleSet", _ip_rules),
    ),
    version_specific=frozenset({
        "trust_policy_enabled", "retention_policy_in_days", "trust_policy", "retention_policy",
        "quarantine_policy_enabled", "export_policy_enabled", "data_endpoint_enabled",
        "anonymous_pull_enabled", "network_rule_bypass_option",
    }),
)

SPECS = (KUBERNETES_CLUSTER, CONTAINER_REGISTRY)
