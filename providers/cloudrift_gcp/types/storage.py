"""Cloud Storage buckets. Cloud Asset returns the JSON API bucket resource."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, has_path
from cloudrift.sdk import normalise as n
from cloudrift_gcp.fields import flag, label_map, number, sorted_set, text
from cloudrift_gcp.spec import GcpSpec

# Buckets Google services create in a project for themselves: Cloud Build, Cloud Functions,
# App Engine, Container/Artifact Registry, Dataproc, Vertex AI, Cloud Run source deploys.
GOOGLE_BUCKETS = re.compile(
    r"^(?:"
    r".+_cloudbuild"
    r"|gcf-(?:v2-)?(?:sources|uploads)-\d+-[a-z0-9-]+"
    r"|(?:[a-z0-9-]+\.)?artifacts\..+\.appspot\.com"
    r"|staging\..+\.appspot\.com"
    r"|[a-z0-9-]+\.appspot\.com"
    r"|dataproc-(?:staging|temp)-[a-z0-9-]+"
    r"|cloud-ai-platform-[a-z0-9-]+"
    r"|run-sources-[a-z0-9-]+"
    r")$"
)

_CONDITIONS = {
    # Terraform attribute -> JSON API field; a zero or empty condition is unset in both
    "age": "age",
    "created_before": "createdBefore",
    "custom_time_before": "customTimeBefore",
    "days_since_custom_time": "daysSinceCustomTime",
    "days_since_noncurrent_time": "daysSinceNoncurrentTime",
    "noncurrent_time_before": "noncurrentTimeBefore",
    "num_newer_versions": "numNewerVersions",
    "matches_prefix": "matchesPrefix",
    "matches_suffix": "matchesSuffix",
    "matches_storage_class": "matchesStorageClass",
}


def _condition(values: Mapping[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, list):
            value = sorted(str(v) for v in value)
        elif key in ("age", "days_since_custom_time", "days_since_noncurrent_time",
                     "num_newer_versions"):
            value = n.to_int(value)
        if not n.is_empty(value) and value != 0:
            kept[key] = value
    return kept


def _state_lifecycle(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "lifecycle_rule"):
        return UNKNOWN
    rules = []
    for rule in attributes.get("lifecycle_rule") or []:
        action = (rule.get("action") or [{}])[0]
        condition = dict((rule.get("condition") or [{}])[0])
        values = {k: condition.get(k) for k in _CONDITIONS}
        # the provider writes 0 for an unset age unless send_age_if_zero says 0 was meant
        if condition.get("send_age_if_zero") and n.to_int(condition.get("age")) == 0:
            values["age"] = "0!"
        rules.append({
            "action": {"type": action.get("type"), "storage_class": action.get("storage_class")
                       or None},
            "condition": {**_condition(values),
                          "with_state": condition.get("with_state") or "ANY"},
        })
    return rules


def _cloud_lifecycle(item: Mapping[str, Any]) -> Any:
    rules = []
    for rule in (item.get("lifecycle") or {}).get("rule") or []:
        action = rule.get("action") or {}
        condition = rule.get("condition") or {}
        values = {tf: condition.get(api) for tf, api in _CONDITIONS.items()}
        if "age" in condition and n.to_int(condition["age"]) == 0:
            values["age"] = "0!"
        live = condition.get("isLive")
        rules.append({
            "action": {"type": action.get("type"), "storage_class": action.get("storageClass")
                       or None},
            "condition": {**_condition(values),
                          "with_state": "ANY" if live is None else
                          ("LIVE" if live else "ARCHIVED")},
        })
    return rules


def _state_cors(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "cors"):
        return UNKNOWN
    return [
        {"origin": c.get("origin") or [], "method": c.get("method") or [],
         "response_header": c.get("response_header") or [],
         "max_age_seconds": n.to_int(c.get("max_age_seconds")) or 0}
        for c in attributes.get("cors") or []
    ]


def _cloud_cors(item: Mapping[str, Any]) -> Any:
    return [
        {"origin": c.get("origin") or [], "method": c.get("method") or [],
         "response_header": c.get("responseHeader") or [],
         "max_age_seconds": n.to_int(c.get("maxAgeSeconds")) or 0}
        for c in item.get("cors") or []
    ]


BUCKET = GcpSpec(
    type="google_storage_bucket",
    asset_type="storage.googleapis.com/Bucket",
    # `terraform import` takes `{{project_id}}/{{bucket}}` or `{{bucket}}`: bucket names are
    # global, and the bare name needs no project lookup on either side
    import_id="name",
    cloud_id=lambda item: item.get("name"),
    state_location=lambda attributes: attributes.get("location"),
    cloud_location=lambda item: item.get("location"),
    is_default=lambda item: bool(GOOGLE_BUCKETS.match(str(item.get("name", "")))),
    fields=(
        text("storage_class", "storageClass", "STANDARD"),
        label_map(),
        flag("versioning.0.enabled", "versioning.enabled"),
        flag("uniform_bucket_level_access", "iamConfiguration.uniformBucketLevelAccess.enabled"),
        text("public_access_prevention", "iamConfiguration.publicAccessPrevention", "inherited"),
        flag("requester_pays", "billing.requesterPays"),
        flag("default_event_based_hold", "defaultEventBasedHold"),
        number("retention_policy.0.retention_period", "retentionPolicy.retentionPeriod"),
        flag("retention_policy.0.is_locked", "retentionPolicy.isLocked"),
        text("website.0.main_page_suffix", "website.mainPageSuffix"),
        text("website.0.not_found_page", "website.notFoundPage"),
        text("logging.0.log_bucket", "logging.logBucket"),
        text("encryption.0.default_kms_key_name", "encryption.defaultKmsKeyName"),
        number("soft_delete_policy.0.retention_duration_seconds",
               "softDeletePolicy.retentionDurationSeconds"),
        FieldSpec("lifecycle_rule", extract=_cloud_lifecycle, from_state=_state_lifecycle,
                  normalise=(sorted_set,)),
        FieldSpec("cors", extract=_cloud_cors, from_state=_state_cors),
    ),
    not_compared={
        "force_destroy": "acted on by Terraform only",
    },
)

SPECS = (BUCKET,)
