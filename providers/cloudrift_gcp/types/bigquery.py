"""BigQuery datasets and tables. int64 values (expirations, ``maxTimeTravelHours``) arrive as
strings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, get_path, has_path
from cloudrift_gcp.fields import flag, label_map, number, sorted_set, text
from cloudrift_gcp.spec import GcpSpec
from cloudrift_gcp.types._ids import cloud_template, template

_ACCESS_KEYS = {
    # Terraform attribute -> BigQuery API field
    "role": "role",
    "user_by_email": "userByEmail",
    "group_by_email": "groupByEmail",
    "special_group": "specialGroup",
    "domain": "domain",
    "iam_member": "iamMember",
}


def _entry(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


def _state_access(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "access"):
        return UNKNOWN
    entries = []
    for entry in attributes.get("access") or []:
        values = {k: entry.get(k) for k in _ACCESS_KEYS}
        view = (entry.get("view") or [None])[0]
        if view:
            values["view"] = f"{view.get('project_id')}.{view.get('dataset_id')}." \
                             f"{view.get('table_id')}"
        entries.append(_entry(values))
    return entries


def _cloud_access(item: Mapping[str, Any]) -> Any:
    entries = []
    for entry in item.get("access") or []:
        values = {tf: entry.get(api) for tf, api in _ACCESS_KEYS.items()}
        view = entry.get("view")
        if view:
            values["view"] = f"{view.get('projectId')}.{view.get('datasetId')}." \
                             f"{view.get('tableId')}"
        entries.append(_entry(values))
    return entries


DATASET = GcpSpec(
    type="google_bigquery_dataset",
    asset_type="bigquery.googleapis.com/Dataset",
    import_id=template("projects/{project}/datasets/{dataset_id}"),
    cloud_id=cloud_template(
        "projects/{project}/datasets/{dataset_id}",
        project=lambda item: (item.get("datasetReference") or {}).get("projectId"),
        dataset_id=lambda item: (item.get("datasetReference") or {}).get("datasetId"),
    ),
    state_location=lambda attributes: attributes.get("location"),
    cloud_location=lambda item: item.get("location"),
    fields=(
        text("friendly_name", "friendlyName"),
        text("description", "description"),
        number("default_table_expiration_ms", "defaultTableExpirationMs", 0),
        number("default_partition_expiration_ms", "defaultPartitionExpirationMs", 0),
        label_map(),
        number("max_time_travel_hours", "maxTimeTravelHours"),
        text("storage_billing_model", "storageBillingModel"),
        flag("is_case_insensitive", "isCaseInsensitive"),
        text("default_collation", "defaultCollation"),
        text("default_encryption_configuration.0.kms_key_name",
             "defaultEncryptionConfiguration.kmsKeyName"),
        FieldSpec("access", extract=_cloud_access, from_state=_state_access,
                  normalise=(sorted_set,)),
    ),
    not_compared={
        "delete_contents_on_destroy": "acted on by Terraform only",
    },
)


# -- tables --------------------------------------------------------------------------------------

# the legacy SQL names the API answers, for the standard SQL names a schema may be written in
_TYPE_ALIASES = {"INT64": "INTEGER", "FLOAT64": "FLOAT", "BOOL": "BOOLEAN", "STRUCT": "RECORD"}


def _columns(fields: Any) -> Any:
    """A schema's top-level columns: name, type and mode (``NULLABLE`` when left out)."""
    if not isinstance(fields, list):
        return None
    columns = []
    for column in fields:
        if not isinstance(column, Mapping):
            continue
        kind = str(column.get("type", "")).upper()
        columns.append({"name": column.get("name"), "type": _TYPE_ALIASES.get(kind, kind),
                        "mode": str(column.get("mode") or "NULLABLE").upper()})
    return columns


def _state_columns(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "schema"):
        return UNKNOWN
    text_schema = attributes.get("schema")
    if not text_schema:
        return None
    try:
        return _columns(json.loads(text_schema))
    except (TypeError, ValueError):
        return UNKNOWN


def _table_project(item: Mapping[str, Any]) -> Any:
    return (item.get("tableReference") or {}).get("projectId")


TABLE = GcpSpec(
    type="google_bigquery_table",
    asset_type="bigquery.googleapis.com/Table",
    import_id=template("projects/{project}/datasets/{dataset_id}/tables/{table_id}"),
    cloud_id=cloud_template(
        "projects/{project}/datasets/{dataset_id}/tables/{table_id}",
        project=_table_project,
        dataset_id=lambda item: (item.get("tableReference") or {}).get("datasetId"),
        table_id=lambda item: (item.get("tableReference") or {}).get("tableId"),
    ),
    state_location=lambda attributes: attributes.get("location"),
    cloud_location=lambda item: item.get("location"),
    fields=(
        text("description", "description"),
        text("friendly_name", "friendlyName"),
        label_map(),
        # a dataset's default table expiration sets it too, and the state records what was set
        number("expiration_time", "expirationTime", 0),
        FieldSpec("schema", extract=lambda item: _columns(get_path(item, "schema.fields")),
                  from_state=_state_columns, normalise=(sorted_set,)),
        text("time_partitioning.0.type", "timePartitioning.type"),
        text("time_partitioning.0.field", "timePartitioning.field"),
        number("time_partitioning.0.expiration_ms", "timePartitioning.expirationMs", 0),
        FieldSpec("clustering", query="clustering.fields"),
        flag("require_partition_filter", "requirePartitionFilter"),
        text("view.0.query", "view.query"),
        flag("view.0.use_legacy_sql", "view.useLegacySql"),
        text("encryption_configuration.0.kms_key_name", "encryptionConfiguration.kmsKeyName"),
    ),
    not_compared={
        "schema.fields": "nested columns and descriptions are compared by a later version; "
                         "the top-level columns' names, types and modes are",
        "deletion_protection": "acted on by Terraform only",
        "external_data_configuration": "compared by a later version",
        "materialized_view": "compared by a later version",
        "range_partitioning": "compared by a later version",
    },
)

SPECS = (DATASET, TABLE)
