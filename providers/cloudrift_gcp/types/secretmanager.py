"""Secret Manager secrets: their metadata only. The listing holds no secret version and no
payload, and none is ever asked for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, get_path, has_path
from cloudrift_gcp.fields import label_map, labels, seconds, short_name, sorted_set
from cloudrift_gcp.spec import GcpSpec
from cloudrift_gcp.types._ids import cloud_template, template


def _state_replication(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "replication"):
        return UNKNOWN
    auto = get_path(attributes, "replication.0.auto")
    if auto:
        return {"auto": True, "kms_key_name": get_path(
            auto[0], "customer_managed_encryption.0.kms_key_name") or None}
    replicas = get_path(attributes, "replication.0.user_managed.0.replicas") or []
    return {"auto": False, "replicas": sorted_set([
        {"location": r.get("location"),
         "kms_key_name": get_path(r, "customer_managed_encryption.0.kms_key_name") or None}
        for r in replicas])}


def _cloud_replication(item: Mapping[str, Any]) -> Any:
    replication = item.get("replication") or {}
    if "automatic" in replication:
        return {"auto": True, "kms_key_name": get_path(
            replication, "automatic.customerManagedEncryption.kmsKeyName") or None}
    replicas = get_path(replication, "userManaged.replicas") or []
    return {"auto": False, "replicas": sorted_set([
        {"location": r.get("location"),
         "kms_key_name": get_path(r, "customerManagedEncryption.kmsKeyName") or None}
        for r in replicas])}


def _state_topics(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "topics"):
        return UNKNOWN
    return [t.get("name") for t in attributes.get("topics") or []]


SECRET = GcpSpec(
    type="google_secret_manager_secret",
    asset_type="secretmanager.googleapis.com/Secret",
    import_id=template("projects/{project}/secrets/{secret_id}"),
    # Secret Manager names the project by number: the asset's project is its id
    cloud_id=cloud_template("projects/{project}/secrets/{secret_id}",
                            secret_id=lambda item: short_name(item.get("name"))),
    fields=(
        label_map(),
        label_map("annotations", "annotations",
                  state_names=("effective_annotations", "annotations")),
        FieldSpec("replication", extract=_cloud_replication, from_state=_state_replication),
        FieldSpec("topics", extract=lambda item: [t.get("name") for t in item.get("topics")
                                                  or []],
                  from_state=_state_topics, normalise=(sorted_set,)),
        seconds("rotation.0.rotation_period", "rotation.rotationPeriod"),
        FieldSpec("version_aliases", query="versionAliases", normalise=(labels,), default={}),
        seconds("version_destroy_ttl", "versionDestroyTtl"),
    ),
    not_compared={
        "ttl": "only sent when the secret is written; the API keeps the expire time it sets",
        "expire_time": "moves with ttl",
        "rotation.next_rotation_time": "advances at every rotation",
        "deletion_protection": "acted on by Terraform only",
        "tags": "resource manager tags are only sent when the secret is created",
    },
)

SPECS = (SECRET,)
