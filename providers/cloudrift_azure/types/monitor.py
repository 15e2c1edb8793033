"""Microsoft.OperationalInsights and Microsoft.Insights: Log Analytics workspaces, and diagnostic
settings (extension resources, listed below each resource they may extend)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import normalise as n
from cloudrift_azure import ids
from cloudrift_azure.fields import (
    arm_records,
    enabled,
    identity,
    location,
    negated,
    prop,
    tags,
)
from cloudrift_azure.spec import AzureSpec, Source

API = "2023-09-01"

LOG_ANALYTICS_WORKSPACE = AzureSpec(
    type="azurerm_log_analytics_workspace",
    arm_type="Microsoft.OperationalInsights/workspaces",
    api_version=API,
    fields=(
        location(),
        tags(),
        identity(),
        # ARM answers "pergb2018" or "PerGB2018" depending on how the workspace was made
        prop("sku", "properties.sku.name", n.lower),
        prop("reservation_capacity_in_gb_per_day", "properties.sku.capacityReservationLevel",
             n.to_int),
        prop("retention_in_days", "properties.retentionInDays", n.to_int),
        prop("daily_quota_gb", "properties.workspaceCapping.dailyQuotaGb", n.to_int, default=-1),
        prop("internet_ingestion_enabled", "properties.publicNetworkAccessForIngestion", enabled,
             default="Enabled"),
        prop("internet_query_enabled", "properties.publicNetworkAccessForQuery", enabled,
             default="Enabled"),
        # 3.x and early 4.x, then its inverse in later 4.x
        prop("local_authentication_disabled", "properties.features.disableLocalAuth", n.to_bool,
             default=False),
        prop("local_authentication_enabled", None, n.to_bool,
             extract=negated("properties.features.disableLocalAuth", False)),
        prop("allow_resource_only_permissions",
             "properties.features.enableLogAccessUsingOnlyResourcePermissions", n.to_bool,
             default=True),
        prop("cmk_for_query_forced", "properties.forceCmkForQuery", n.to_bool, default=False),
        prop("immediate_data_purge_on_30_days_enabled",
             "properties.features.immediatePurgeDataOn30Days", n.to_bool, default=False),
        prop("data_collection_rule_id", "properties.defaultDataCollectionRuleResourceId",
             ids.normalise_id),
    ),
    version_specific=frozenset({
        "local_authentication_disabled", "local_authentication_enabled",
        "immediate_data_purge_on_30_days_enabled", "data_collection_rule_id",
    }),
)



# -- diagnostic settings ---------------------------------------------------------------------

DIAGNOSTICS_API = "2021-05-01-preview"
_SETTINGS = "/providers/Microsoft.Insights/diagnosticSettings"
# resources whose diagnostic settings are searched for unmanaged ones (one list call each per
# managed resource): the supported types Azure Monitor collects resource logs or metrics for
DIAGNOSTIC_TARGETS = frozenset({
    "azurerm_key_vault", "azurerm_storage_account", "azurerm_network_security_group",
    "azurerm_public_ip", "azurerm_virtual_network", "azurerm_kubernetes_cluster",
    "azurerm_container_registry", "azurerm_log_analytics_workspace", "azurerm_lb",
    "azurerm_application_gateway", "azurerm_mssql_database", "azurerm_cosmosdb_account",
    "azurerm_postgresql_flexible_server", "azurerm_linux_web_app",
    "azurerm_linux_function_app",
})


def _setting_arm_id(attributes: Mapping[str, Any]) -> str | None:
    """``<target>/providers/Microsoft.Insights/diagnosticSettings/<name>`` from the state's
    target and name (its id is ``<target>|<name>``, the provider's own)."""
    target, name = attributes.get("target_resource_id"), attributes.get("name")
    if not (target and name):
        target, _, name = str(attributes.get("id") or "").partition("|")
    return f"{str(target).rstrip('/')}{_SETTINGS}/{name}" if target and name else None


def _setting_import_id(arm_id: str, payload: Mapping[str, Any]) -> str | None:
    target = ids.scope_of(arm_id)
    parsed = ids.parse(arm_id)
    return f"{target}|{parsed.name}" if target and parsed else None


def _enabled(kind: str, *keys: str) -> Any:
    """The enabled log (or metric) categories, as the provider's blocks."""

    def extract(payload: Mapping[str, Any]) -> Any:
        found = (payload.get("properties") or {}).get(kind) or []
        return [{key: entry.get(arm) for key, arm in zip(keys, ("category", "categoryGroup"),
                                                        strict=False)}
                for entry in found if entry.get("enabled")]

    return extract


MONITOR_DIAGNOSTIC_SETTING = AzureSpec(
    type="azurerm_monitor_diagnostic_setting",
    arm_type="Microsoft.Insights/diagnosticSettings",
    api_version=DIAGNOSTICS_API,
    source=Source.EXTENSION,
    list_path=_SETTINGS,
    targets=DIAGNOSTIC_TARGETS,
    state_arm_id=_setting_arm_id,
    cloud_import_id=_setting_import_id,
    description="listed below every resource a managed setting targets and below every "
    "managed resource of the types Azure Monitor collects from (one list per resource); "
    "settings on resources of other types, or on unmanaged ones, are not searched",
    fields=(
        prop("log_analytics_workspace_id", "properties.workspaceId", ids.normalise_id),
        prop("log_analytics_destination_type", "properties.logAnalyticsDestinationType"),
        prop("storage_account_id", "properties.storageAccountId", ids.normalise_id),
        prop("eventhub_name", "properties.eventHubName"),
        prop("eventhub_authorization_rule_id", "properties.eventHubAuthorizationRuleId",
             ids.normalise_id),
        prop("partner_solution_id", "properties.marketplacePartnerId", ids.normalise_id),
        prop("enabled_log", None, arm_records({"category": ("category", None),
                                               "category_group": ("category_group", None)}),
             extract=_enabled("logs", "category", "category_group")),
        prop("enabled_metric", None, arm_records({"category": ("category", None)}),
             extract=_enabled("metrics", "category")),
    ),
    not_compared={
        "metric": "the same metrics as enabled_metric (its deprecated 4.x form)",
    },
    version_specific=frozenset({"enabled_metric"}),
)

SPECS = (LOG_ANALYTICS_WORKSPACE, MONITOR_DIAGNOSTIC_SETTING)
