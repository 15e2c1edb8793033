"""Microsoft.Storage: storage accounts (management-plane settings; blob, queue and share
service properties live on the data plane and are not compared)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import normalise as n
from cloudrift_azure import ids
from cloudrift_azure.fields import (
    enabled,
    identity,
    listed,
    location,
    network_acls_block,
    nonempty_state,
    present_or_unknown,
    prop,
    sku_part,
    tags,
)
from cloudrift_azure.spec import AzureSpec

API = "2023-05-01"


def _bypass(value: Any) -> Any:
    # ARM: "AzureServices, Logging"; state: ["AzureServices", "Logging"]
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    if isinstance(value, list):
        return n.as_set([v for v in value if v and v != "None"])
    return value


def _network_rules(value: Any) -> Any:
    """``network_rules`` blocks or ARM ``networkAcls``, as ``[{...}]``."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = network_acls_block(value)
    if not isinstance(value, list):
        return value
    return [
        {
            "default_action": n.lower(block.get("default_action")),
            "bypass": _bypass(block.get("bypass") or []),
            "ip_rules": n.as_set(block.get("ip_rules") or []),
            "virtual_network_subnet_ids": n.as_set(
                ids.normalise_id(block.get("virtual_network_subnet_ids") or [])),
        }
        for block in value
        if isinstance(block, Mapping)
    ]


STORAGE_ACCOUNT = AzureSpec(
    type="azurerm_storage_account",
    arm_type="Microsoft.Storage/storageAccounts",
    api_version=API,
    fields=(
        location(),
        tags(),
        identity(),
        listed("account_kind", "kind"),
        listed("account_tier", "sku.name", extract=sku_part(0)),
        listed("account_replication_type", "sku.name", extract=sku_part(1)),
        listed("edge_zone", "extendedLocation.name"),
        prop("access_tier", "properties.accessTier"),
        prop("https_traffic_only_enabled", "properties.supportsHttpsTrafficOnly", n.to_bool,
             default=True),
        prop("enable_https_traffic_only", "properties.supportsHttpsTrafficOnly", n.to_bool,
             default=True),
        # the provider reads an absent minimumTlsVersion as the API's old default
        prop("min_tls_version", "properties.minimumTlsVersion", default="TLS1_0"),
        prop("allow_nested_items_to_be_public", "properties.allowBlobPublicAccess", n.to_bool,
             default=True),
        prop("shared_access_key_enabled", "properties.allowSharedKeyAccess", n.to_bool,
             default=True),
        prop("public_network_access_enabled", "properties.publicNetworkAccess", enabled,
             default="Enabled"),
        prop("default_to_oauth_authentication", "properties.defaultToOAuthAuthentication",
             n.to_bool, default=False),
        prop("is_hns_enabled", "properties.isHnsEnabled", n.to_bool, default=False),
        prop("nfsv3_enabled", "properties.isNfsV3Enabled", n.to_bool, default=False),
        prop("sftp_enabled", "properties.isSftpEnabled", n.to_bool, default=False),
        prop("local_user_enabled", "properties.isLocalUserEnabled", n.to_bool, default=True),
        prop("large_file_share_enabled", "properties.largeFileSharesState", enabled,
             default="Disabled"),
        prop("infrastructure_encryption_enabled",
             "properties.encryption.requireInfrastructureEncryption", n.to_bool, default=False),
        # ARM's default flipped for accounts made after 2023: absent tells nothing
        prop("cross_tenant_replication_enabled", None, n.to_bool,
             extract=present_or_unknown("properties.allowCrossTenantReplication")),
        prop("allowed_copy_scope", "properties.allowedCopyScope"),
        prop("dns_endpoint_type", "properties.dnsEndpointType", default="Standard"),
        prop("network_rules", "properties.networkAcls", _network_rules,
             from_state=nonempty_state("network_rules")),
    ),
    version_specific=frozenset({
        "https_traffic_only_enabled", "enable_https_traffic_only", "local_user_enabled",
        "sftp_enabled", "dns_endpoint_type", "allowed_copy_scope",
        "default_to_oauth_authentication", "cross_tenant_replication_enabled", "edge_zone",
    }),
)

SPECS = (STORAGE_ACCOUNT,)
