"""BigQuery datasets. int64 values (expirations, ``maxTimeTravelHours``) arrive as strings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.spec import UNKNOWN, FieldSpec, has_path
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
)

SPECS = (DATASET,)
