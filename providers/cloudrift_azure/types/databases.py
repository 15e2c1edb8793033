"""Databases: Azure SQL servers and their databases (child resources, listed below each
server), PostgreSQL flexible servers and Cosmos DB accounts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN
from cloudrift.sdk import normalise as n
from cloudrift_azure import ids
from cloudrift_azure.fields import (
    arm_records,
    enabled,
    identity,
    listed,
    location,
    negated,
    none_word,
    prop,
    ref_name,
    tags,
    write_only,
)
from cloudrift_azure.spec import AzureSpec, Source, SubResource

SQL_API = "2023-08-01"
POSTGRES_API = "2024-08-01"
COSMOS_API = "2024-08-15"

# -- SQL server ------------------------------------------------------------------------------

_CONNECTION = "connection_policy"


def _tls(value: Any) -> Any:
    # the provider records a server without a minimum as "Disabled"; ARM says "None" or nothing
    if value is None or (isinstance(value, str) and value.lower() == "none"):
        return "Disabled"
    return value


def _sql_admin(payload: Mapping[str, Any]) -> Any:
    admin = (payload.get("properties") or {}).get("administrators")
    if not admin:
        return []
    return [{"login_username": admin.get("login"), "object_id": admin.get("sid"),
             "tenant_id": admin.get("tenantId"),
             "azuread_authentication_only": admin.get("azureADOnlyAuthentication")}]


_ADMIN = arm_records({
    "login_username": ("login_username", None),
    "object_id": ("object_id", n.lower),
    "tenant_id": ("tenant_id", n.lower),
    "azuread_authentication_only": ("azuread_authentication_only", n.to_bool),
})

MSSQL_SERVER = AzureSpec(
    type="azurerm_mssql_server",
    arm_type="Microsoft.Sql/servers",
    api_version=SQL_API,
    description="the connection policy is read from connectionPolicies/default",
    sub_resources=(SubResource(_CONNECTION, "/connectionPolicies/default"),),
    fields=(
        location(),
        tags(),
        identity(),
        prop("version", "properties.version"),
        prop("administrator_login", "properties.administratorLogin"),
        prop("minimum_tls_version", "properties.minimalTlsVersion", _tls, default="Disabled"),
        prop("public_network_access_enabled", "properties.publicNetworkAccess", enabled,
             default="Enabled"),
        prop("outbound_network_restriction_enabled", "properties.restrictOutboundNetworkAccess",
             enabled, default="Disabled"),
        prop("primary_user_assigned_identity_id", "properties.primaryUserAssignedIdentityId",
             ids.normalise_id),
        prop("azuread_administrator", None, _ADMIN, extract=_sql_admin),
        prop("connection_policy", f"{_CONNECTION}.properties.connectionType",
             default="Default", detail=_CONNECTION),
        write_only("administrator_login_password"),
    ),
    not_compared={
        "transparent_data_encryption_key_vault_key_id": "the encryption protector is a "
        "sub-resource of its own (not read)",
        "express_vulnerability_assessment_enabled": "a sub-resource of its own (not read)",
    },
    version_specific=frozenset({"outbound_network_restriction_enabled"}),
)


# -- SQL database ----------------------------------------------------------------------------


def _max_size_gb(payload: Mapping[str, Any]) -> Any:
    size = (payload.get("properties") or {}).get("maxSizeBytes")
    if not isinstance(size, int):
        return UNKNOWN
    # below 1 GB the service takes 100 MB or 500 MB only, which the provider writes as such
    return {104857600: 0.1, 524288000: 0.5}.get(size, size // 1073741824)


def _maintenance(value: Any) -> Any:
    return ref_name(value) if value else "SQL_Default"


def _is_system(item: Mapping[str, Any]) -> bool:
    """The master database every server has."""
    return str(item.get("name", "")).lower() == "master" or "system" in str(
        item.get("kind", "")).lower()


MSSQL_DATABASE = AzureSpec(
    type="azurerm_mssql_database",
    arm_type="Microsoft.Sql/servers/databases",
    api_version=SQL_API,
    source=Source.CHILDREN,
    parent="azurerm_mssql_server",
    list_path="/databases",
    is_default=_is_system,
    description="listed below each server that is managed or holds a managed database (one "
    "list per server); the master database is the server's own",
    fields=(
        tags(),
        identity(),
        prop("sku_name", "properties.currentServiceObjectiveName"),
        prop("max_size_gb", None, n.to_int, extract=_max_size_gb),
        prop("collation", "properties.collation"),
        prop("zone_redundant", "properties.zoneRedundant", n.to_bool, default=False),
        prop("read_scale", "properties.readScale", enabled, default="Disabled"),
        prop("read_replica_count", "properties.highAvailabilityReplicaCount", n.to_int,
             default=0),
        prop("license_type", "properties.licenseType"),
        prop("auto_pause_delay_in_minutes", "properties.autoPauseDelay", n.to_int, default=0),
        prop("min_capacity", "properties.minCapacity", n.to_int, default=0),
        prop("elastic_pool_id", "properties.elasticPoolId", ids.normalise_id),
        prop("storage_account_type", "properties.requestedBackupStorageRedundancy"),
        prop("ledger_enabled", "properties.isLedgerOn", n.to_bool, default=False),
        prop("maintenance_configuration_name", "properties.maintenanceConfigurationId",
             _maintenance),
        prop("enclave_type", "properties.preferredEnclaveType", none_word),
        prop("secondary_type", "properties.secondaryType"),
    ),
    not_compared={
        "short_term_retention_policy": "backup policies are sub-resources of their own",
        "long_term_retention_policy": "backup policies are sub-resources of their own",
        "threat_detection_policy": "a sub-resource of its own (not read)",
        "geo_backup_enabled": "a sub-resource of its own (not read)",
        "transparent_data_encryption_enabled": "a sub-resource of its own (not read)",
        "create_mode": "how the database was made, not what it is",
        "import": "how the database was made, not what it is",
    },
    version_specific=frozenset({"enclave_type", "secondary_type"}),
)


# -- PostgreSQL flexible server --------------------------------------------------------------

_TIERS = {"burstable": "B", "generalpurpose": "GP", "memoryoptimized": "MO"}


def _pg_sku(payload: Mapping[str, Any]) -> Any:
    """``{name: Standard_D2s_v3, tier: GeneralPurpose}`` as the provider's
    ``GP_Standard_D2s_v3``."""
    sku = payload.get("sku") or {}
    tier = _TIERS.get(str(sku.get("tier", "")).lower())
    return f"{tier}_{sku.get('name')}" if tier and sku.get("name") else UNKNOWN


def _storage_mb(payload: Mapping[str, Any]) -> Any:
    size = ((payload.get("properties") or {}).get("storage") or {}).get("storageSizeGB")
    return size * 1024 if isinstance(size, int) else UNKNOWN


def _high_availability(payload: Mapping[str, Any]) -> Any:
    ha = (payload.get("properties") or {}).get("highAvailability") or {}
    mode = ha.get("mode")
    if not mode or str(mode).lower() == "disabled":
        return []
    return [{"mode": mode, "standby_availability_zone": ha.get("standbyAvailabilityZone")}]


def _maintenance_window(payload: Mapping[str, Any]) -> Any:
    window = (payload.get("properties") or {}).get("maintenanceWindow") or {}
    if str(window.get("customWindow", "")).lower() != "enabled":
        return []
    return [{"day_of_week": window.get("dayOfWeek"), "start_hour": window.get("startHour"),
             "start_minute": window.get("startMinute")}]


def _authentication(payload: Mapping[str, Any]) -> Any:
    auth = (payload.get("properties") or {}).get("authConfig")
    if not auth:
        return UNKNOWN
    return [{"active_directory_auth_enabled": auth.get("activeDirectoryAuth"),
             "password_auth_enabled": auth.get("passwordAuth"),
             "tenant_id": auth.get("tenantId")}]


POSTGRESQL_FLEXIBLE_SERVER = AzureSpec(
    type="azurerm_postgresql_flexible_server",
    arm_type="Microsoft.DBforPostgreSQL/flexibleServers",
    api_version=POSTGRES_API,
    fields=(
        location(),
        tags(),
        identity(),
        listed("sku_name", None, extract=_pg_sku),
        prop("version", "properties.version"),
        prop("administrator_login", "properties.administratorLogin"),
        prop("zone", "properties.availabilityZone"),
        prop("storage_mb", None, n.to_int, extract=_storage_mb),
        prop("storage_tier", "properties.storage.tier"),
        prop("auto_grow_enabled", "properties.storage.autoGrow", enabled, default="Disabled"),
        prop("backup_retention_days", "properties.backup.backupRetentionDays", n.to_int),
        prop("geo_redundant_backup_enabled", "properties.backup.geoRedundantBackup", enabled,
             default="Disabled"),
        prop("delegated_subnet_id", "properties.network.delegatedSubnetResourceId",
             ids.normalise_id),
        prop("private_dns_zone_id", "properties.network.privateDnsZoneArmResourceId",
             ids.normalise_id),
        prop("public_network_access_enabled", "properties.network.publicNetworkAccess",
             enabled, default="Disabled"),
        prop("high_availability", None, arm_records({
            "mode": ("mode", n.lower), "standby_availability_zone": ("standby_availability_zone",
                                                                      None)}),
             extract=_high_availability),
        prop("maintenance_window", None, arm_records({
            "day_of_week": ("day_of_week", n.to_int), "start_hour": ("start_hour", n.to_int),
            "start_minute": ("start_minute", n.to_int)}), extract=_maintenance_window),
        prop("authentication", None, arm_records({
            "active_directory_auth_enabled": ("active_directory_auth_enabled", enabled),
            "password_auth_enabled": ("password_auth_enabled", enabled),
            "tenant_id": ("tenant_id", n.lower)}), extract=_authentication),
        write_only("administrator_password"),
    ),
    not_compared={
        "create_mode": "how the server was made, not what it is",
        "source_server_id": "how the server was made, not what it is",
        "point_in_time_restore_time_in_utc": "how the server was made, not what it is",
        "customer_managed_key": "not compared yet",
    },
    version_specific=frozenset({"public_network_access_enabled", "storage_tier"}),
)


# -- Cosmos DB account -----------------------------------------------------------------------


def _geo_locations(payload: Mapping[str, Any]) -> Any:
    """``failoverPolicies`` (the provider's source), with zone redundancy from ``locations``."""
    props = payload.get("properties") or {}
    zoned = {str(loc.get("id", "")).lower(): loc.get("isZoneRedundant")
             for loc in props.get("locations") or []}
    return [{"location": p.get("locationName"), "failover_priority": p.get("failoverPriority"),
             "zone_redundant": zoned.get(str(p.get("id", "")).lower(), False)}
            for p in props.get("failoverPolicies") or []]


def _network_rules(payload: Mapping[str, Any]) -> Any:
    rules = (payload.get("properties") or {}).get("virtualNetworkRules") or []
    return [{"id": r.get("id"),
             "ignore_missing_vnet_service_endpoint": r.get("ignoreMissingVNetServiceEndpoint")}
            for r in rules]


def _consistency(payload: Mapping[str, Any]) -> Any:
    policy = (payload.get("properties") or {}).get("consistencyPolicy") or {}
    level = str(policy.get("defaultConsistencyLevel", ""))
    bounded = level.lower() == "boundedstaleness"
    return [{"consistency_level": level,
             # ARM returns its defaults for these; they mean something for bounded staleness only
             "max_interval_in_seconds": policy.get("maxIntervalInSeconds") if bounded else None,
             "max_staleness_prefix": policy.get("maxStalenessPrefix") if bounded else None}]


def _consistency_blocks(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    rows = []
    for block in value:
        if not isinstance(block, Mapping):
            continue
        bounded = str(block.get("consistency_level", "")).lower() == "boundedstaleness"
        rows.append({
            "consistency_level": n.lower(block.get("consistency_level")),
            "max_interval_in_seconds": n.to_int(block.get("max_interval_in_seconds"))
            if bounded else None,
            "max_staleness_prefix": n.to_int(block.get("max_staleness_prefix"))
            if bounded else None,
        })
    return rows


COSMOSDB_ACCOUNT = AzureSpec(
    type="azurerm_cosmosdb_account",
    arm_type="Microsoft.DocumentDB/databaseAccounts",
    api_version=COSMOS_API,
    fields=(
        location(),
        tags(),
        identity(),
        listed("kind", "kind", default="GlobalDocumentDB"),
        prop("offer_type", "properties.databaseAccountOfferType"),
        prop("consistency_policy", None, _consistency_blocks, extract=_consistency),
        prop("geo_location", None, arm_records({
            "location": ("location", ids.location),
            "failover_priority": ("failover_priority", n.to_int),
            "zone_redundant": ("zone_redundant", n.to_bool)}), extract=_geo_locations),
        prop("ip_range_filter", "properties.ipRules[].ipAddressOrRange", n.as_set, default=[]),
        prop("free_tier_enabled", "properties.enableFreeTier", n.to_bool, default=False),
        prop("analytical_storage_enabled", "properties.enableAnalyticalStorage", n.to_bool,
             default=False),
        prop("automatic_failover_enabled", "properties.enableAutomaticFailover", n.to_bool,
             default=False),
        prop("multiple_write_locations_enabled", "properties.enableMultipleWriteLocations",
             n.to_bool, default=False),
        prop("public_network_access_enabled", "properties.publicNetworkAccess", enabled,
             default="Enabled"),
        prop("is_virtual_network_filter_enabled", "properties.isVirtualNetworkFilterEnabled",
             n.to_bool, default=False),
        prop("local_authentication_enabled", None, n.to_bool,
             extract=negated("properties.disableLocalAuth", False)),
        prop("access_key_metadata_writes_enabled", None, n.to_bool,
             extract=negated("properties.disableKeyBasedMetadataWriteAccess", False)),
        prop("minimal_tls_version", "properties.minimalTlsVersion"),
        prop("capabilities", "properties.capabilities", arm_records(
            {"name": ("name", None)}), default=[]),
        prop("virtual_network_rule", None, arm_records({
            "id": ("id", ids.normalise_id),
            "ignore_missing_vnet_service_endpoint": ("ignore_missing_vnet_service_endpoint",
                                                     n.to_bool)}), extract=_network_rules),
    ),
    not_compared={
        "backup": "not compared yet",
        "cors_rule": "not compared yet",
        "key_vault_key_id": "not compared yet",
    },
    version_specific=frozenset({"local_authentication_enabled", "minimal_tls_version"}),
)

SPECS = (MSSQL_SERVER, MSSQL_DATABASE, POSTGRESQL_FLEXIBLE_SERVER, COSMOSDB_ACCOUNT)
