"""Cloud SQL instances. Cloud Asset returns the Cloud SQL Admin ``DatabaseInstance`` resource."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, get_path, has_path
from cloudrift_gcp.fields import asset_project, flag, label_map, number, ref, sorted_set, text
from cloudrift_gcp.spec import GcpSpec
from cloudrift_gcp.types._ids import cloud_template, template


def _pairs(state_path: str, api_path: str, keys: tuple[str, ...]) -> tuple[Any, Any]:
    """A set of small blocks (database flags, authorised networks) read from both sides."""

    def from_state(attributes: Mapping[str, Any]) -> Any:
        if not has_path(attributes, "settings"):
            return UNKNOWN
        return [{k: e.get(k) for k in keys} for e in get_path(attributes, state_path) or []]

    def from_cloud(item: Mapping[str, Any]) -> Any:
        return [{k: e.get(k) for k in keys} for e in get_path(item, api_path) or []]

    return from_state, from_cloud


_FLAGS = _pairs("settings.0.database_flags", "settings.databaseFlags", ("name", "value"))
_NETWORKS = _pairs("settings.0.ip_configuration.0.authorized_networks",
                   "settings.ipConfiguration.authorizedNetworks", ("name", "value"))

DATABASE_INSTANCE = GcpSpec(
    type="google_sql_database_instance",
    asset_type="sqladmin.googleapis.com/Instance",
    import_id=template("projects/{project}/instances/{name}"),
    cloud_id=cloud_template("projects/{project}/instances/{name}",
                            project=lambda item: item.get("project") or asset_project(item)),
    state_location=lambda attributes: attributes.get("region"),
    cloud_location=lambda item: item.get("region"),
    fields=(
        text("database_version", "databaseVersion"),
        text("encryption_key_name", "diskEncryptionConfiguration.kmsKeyName"),
        text("settings.0.tier", "settings.tier"),
        text("settings.0.edition", "settings.edition"),
        text("settings.0.availability_type", "settings.availabilityType", "ZONAL"),
        number("settings.0.disk_size", "settings.dataDiskSizeGb"),
        text("settings.0.disk_type", "settings.dataDiskType", "PD_SSD"),
        flag("settings.0.disk_autoresize", "settings.storageAutoResize", default=True),
        number("settings.0.disk_autoresize_limit", "settings.storageAutoResizeLimit", 0),
        text("settings.0.activation_policy", "settings.activationPolicy", "ALWAYS"),
        text("settings.0.pricing_plan", "settings.pricingPlan", "PER_USE"),
        flag("settings.0.deletion_protection_enabled", "settings.deletionProtectionEnabled"),
        label_map("settings.0.user_labels", "settings.userLabels",
                  state_names=("settings.0.user_labels",)),
        flag("settings.0.backup_configuration.0.enabled", "settings.backupConfiguration.enabled"),
        text("settings.0.backup_configuration.0.start_time",
             "settings.backupConfiguration.startTime"),
        flag("settings.0.backup_configuration.0.point_in_time_recovery_enabled",
             "settings.backupConfiguration.pointInTimeRecoveryEnabled"),
        flag("settings.0.backup_configuration.0.binary_log_enabled",
             "settings.backupConfiguration.binaryLogEnabled"),
        flag("settings.0.ip_configuration.0.ipv4_enabled", "settings.ipConfiguration.ipv4Enabled",
             default=True),
        ref("settings.0.ip_configuration.0.private_network",
            "settings.ipConfiguration.privateNetwork"),
        text("settings.0.ip_configuration.0.ssl_mode", "settings.ipConfiguration.sslMode"),
        FieldSpec("settings.0.ip_configuration.0.authorized_networks", extract=_NETWORKS[1],
                  from_state=_NETWORKS[0], normalise=(sorted_set,)),
        FieldSpec("settings.0.database_flags", extract=_FLAGS[1], from_state=_FLAGS[0],
                  normalise=(sorted_set,)),
        text("settings.0.location_preference.0.zone", "settings.locationPreference.zone"),
        number("settings.0.maintenance_window.0.day", "settings.maintenanceWindow.day", 0),
        number("settings.0.maintenance_window.0.hour", "settings.maintenanceWindow.hour", 0),
        # the Admin API never returns the root password: declared so it is known to be secret
        FieldSpec("root_password", extract=lambda item: UNKNOWN, sensitive=True),
    ),
    not_compared={
        "deletion_protection": "acted on by Terraform only",
    },
)

SPECS = (DATABASE_INSTANCE,)
