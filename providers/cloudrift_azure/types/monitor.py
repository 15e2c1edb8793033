"""Microsoft.OperationalInsights: Log Analytics workspaces."""

from __future__ import annotations

from cloudrift import normalise as n
from cloudrift_azure import ids
from cloudrift_azure.fields import enabled, identity, location, negated, prop, tags
from cloudrift_azure.spec import AzureSpec

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

SPECS = (LOG_ANALYTICS_WORKSPACE,)
