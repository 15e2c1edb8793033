"""Microsoft.KeyVault: key vaults, with their access policies and network rules, and the
existence and metadata of their secrets (never a value).

A secret is a data-plane object (``https://<vault>.vault.azure.net/secrets/<name>/<version>``,
its import id); ARM mirrors its metadata as ``Microsoft.KeyVault/vaults/secrets``, without the
value and with the data-plane URIs (``secretUriWithVersion`` is the import id). Secrets are
listed below each vault that is managed or holds a managed secret."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN
from cloudrift.sdk import normalise as n
from cloudrift_azure import ids
from cloudrift_azure.fields import (
    enabled,
    epoch_to_utc,
    location,
    network_acls_block,
    prop,
    strip_host_mask,
    tags,
    write_only,
)
from cloudrift_azure.spec import AzureSpec, Source

API = "2023-07-01"

_PERMISSIONS = {
    "key_permissions": "keys",
    "secret_permissions": "secrets",
    "certificate_permissions": "certificates",
    "storage_permissions": "storage",
}


def _access_policies(value: Any) -> Any:
    """State ``access_policy`` blocks or ARM ``accessPolicies``, as a set. Permission names
    compare case-insensitively: ARM lower-cases what the provider title-cases."""
    if not isinstance(value, list):
        return value
    rows = []
    for policy in value:
        if not isinstance(policy, Mapping):
            continue
        if "permissions" in policy:
            permissions = policy.get("permissions") or {}
            policy = {
                "tenant_id": policy.get("tenantId"),
                "object_id": policy.get("objectId"),
                "application_id": policy.get("applicationId"),
                **{key: permissions.get(arm) for key, arm in _PERMISSIONS.items()},
            }
        row: dict[str, Any] = {
            key: n.lower(policy.get(key) or None)
            for key in ("tenant_id", "object_id", "application_id")
        }
        for key in _PERMISSIONS:
            row[key] = n.as_set([str(p).lower() for p in policy.get(key) or []])
        rows.append(row)
    return n.as_set(rows)


def _network_acls(value: Any) -> Any:
    if isinstance(value, Mapping):
        value = network_acls_block(value)
    if not isinstance(value, list):
        return value
    return [
        {
            "bypass": n.lower(block.get("bypass")),
            "default_action": n.lower(block.get("default_action")),
            "ip_rules": n.as_set([strip_host_mask(r) for r in block.get("ip_rules") or []]),
            "virtual_network_subnet_ids": n.as_set(
                ids.normalise_id(block.get("virtual_network_subnet_ids") or [])),
        }
        for block in value
        if isinstance(block, Mapping)
    ]


def _acls_or_unknown(payload: Mapping[str, Any]) -> Any:
    # a vault created without network rules has none in ARM, while the provider records its
    # reading of "none" in state: nothing to compare
    acls = (payload.get("properties") or {}).get("networkAcls")
    return acls if acls else UNKNOWN


KEY_VAULT = AzureSpec(
    type="azurerm_key_vault",
    arm_type="Microsoft.KeyVault/vaults",
    api_version=API,
    fields=(
        location(),
        tags(),
        prop("sku_name", "properties.sku.name", n.lower),
        prop("tenant_id", "properties.tenantId", n.lower),
        prop("enabled_for_deployment", "properties.enabledForDeployment", n.to_bool,
             default=False),
        prop("enabled_for_disk_encryption", "properties.enabledForDiskEncryption", n.to_bool,
             default=False),
        prop("enabled_for_template_deployment", "properties.enabledForTemplateDeployment",
             n.to_bool, default=False),
        # renamed in 4.x
        prop("enable_rbac_authorization", "properties.enableRbacAuthorization", n.to_bool,
             default=False),
        prop("rbac_authorization_enabled", "properties.enableRbacAuthorization", n.to_bool,
             default=False),
        prop("purge_protection_enabled", "properties.enablePurgeProtection", n.to_bool,
             default=False),
        prop("soft_delete_retention_days", "properties.softDeleteRetentionInDays", n.to_int,
             default=90),
        prop("public_network_access_enabled", "properties.publicNetworkAccess", enabled,
             default="Enabled"),
        prop("access_policy", "properties.accessPolicies", _access_policies, default=[]),
        prop("network_acls", None, _network_acls, extract=_acls_or_unknown),
    ),
    version_specific=frozenset({"enable_rbac_authorization", "rbac_authorization_enabled"}),
)



# -- secrets ---------------------------------------------------------------------------------


def _secret_arm_id(attributes: Mapping[str, Any]) -> str | None:
    """The ARM id of a secret in state: its vault's id and its name (both arguments, in every
    provider version; ``resource_versionless_id`` is the same, where recorded)."""
    vault, name = attributes.get("key_vault_id"), attributes.get("name")
    if vault and name:
        return f"{str(vault).rstrip('/')}/secrets/{name}"
    found = attributes.get("resource_versionless_id")
    return str(found) if found else None


def _secret_import_id(_arm_id: str, payload: Mapping[str, Any]) -> str | None:
    """The versioned data-plane URI ARM reports: what ``terraform import`` takes."""
    found = (payload.get("properties") or {}).get("secretUriWithVersion")
    return str(found) if found else None


# what Key Vault stores a certificate's key pair as: a secret of the certificate's name
_CERTIFICATE_CONTENT = frozenset({"application/x-pkcs12", "application/x-pem-file"})


def _backs_a_certificate(item: Mapping[str, Any]) -> bool:
    content = str((item.get("properties") or {}).get("contentType") or "").lower()
    return content in _CERTIFICATE_CONTENT


KEY_VAULT_SECRET = AzureSpec(
    type="azurerm_key_vault_secret",
    arm_type="Microsoft.KeyVault/vaults/secrets",
    api_version=API,
    source=Source.CHILDREN,
    parent="azurerm_key_vault",
    list_path="/secrets",
    state_arm_id=_secret_arm_id,
    cloud_import_id=_secret_import_id,
    is_default=_backs_a_certificate,
    description="existence and metadata only, from ARM's mirror of the secret (listed below "
    "each vault that is managed or holds a managed secret); the value is never read. A secret "
    "holding a certificate (PKCS#12 or PEM content) is the certificate's, not unmanaged",
    fields=(
        tags(),
        prop("content_type", "properties.contentType"),
        prop("not_before_date", "properties.attributes.nbf", epoch_to_utc),
        prop("expiration_date", "properties.attributes.exp", epoch_to_utc),
        write_only("value"),
    ),
    not_compared={
        "value": "never read: ARM does not return it, and cloudrift does not read the data "
        "plane",
        "version": "a new version written outside Terraform changes the value only; ARM's "
        "current version is not an argument",
    },
)

SPECS = (KEY_VAULT, KEY_VAULT_SECRET)
