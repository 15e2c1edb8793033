"""A bucket's rule-shaped configuration resources (provider v4+): lifecycle, CORS, website,
access logging and event notifications.

Each is a part of its bucket and is enumerated as ``types.s3_config`` describes: one Get per
managed configuration, and one per managed bucket that no resource of the type names (a
configuration added behind Terraform's back to a managed bucket is reported unmanaged). None of
these exists unless someone sets it: there are no defaults.

The rules are compared as whole values after both sides are put in the provider's terms with
the unset leaves dropped: lists S3 keeps in no order (CORS rules, lifecycle rules, transitions,
notification targets) as sets, routing rules (first match wins) in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, get_path
from cloudrift.sdk import normalise as n
from cloudrift_aws.spec import AwsSpec
from cloudrift_aws.types.s3_config import (
    BucketCall,
    cloud_grants,
    compact,
    config,
    config_spec,
    first,
    state_grants,
)


def _declared(attributes: Mapping[str, Any], name: str) -> Any:
    """The state's value of ``name``, UNKNOWN when the state does not record it at all."""
    return attributes.get(name, UNKNOWN)


def _positive(value: Any) -> Any:
    """A count or size where 0 is how Terraform records "unset"."""
    number = n.to_int(value)
    return number if number else None


def _date(value: Any) -> Any:
    """A lifecycle date: RFC 3339 text in state, a datetime from botocore; midnight UTC."""
    if value is None or value == "":
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text[:10]


# -- aws_s3_bucket_lifecycle_configuration --------------------------------------------------


def _size_filter(prefix: Any, greater: Any, less: Any) -> dict[str, Any]:
    return {"prefix": prefix, "object_size_greater_than": _positive(greater),
            "object_size_less_than": _positive(less)}


def _transition(date: Any, days: Any, storage_class: Any) -> dict[str, Any]:
    # a transition on a date records days as 0 (or null): only a dateless one has days
    return {"date": _date(date), "days": None if date else n.to_int(days),
            "storage_class": storage_class}


def _noncurrent(days: Any, newer: Any, storage_class: Any = None) -> dict[str, Any]:
    return {"noncurrent_days": n.to_int(days), "newer_noncurrent_versions": _positive(newer),
            "storage_class": storage_class}


def _lifecycle_rule(rule: Mapping[str, Any]) -> Any:
    return compact(rule)


def _cloud_rule(rule: Mapping[str, Any]) -> Any:
    flt = rule.get("Filter") or {}
    both = flt.get("And") or {}
    expiration = rule.get("Expiration") or {}
    noncurrent = rule.get("NoncurrentVersionExpiration") or {}
    return _lifecycle_rule({
        "id": rule.get("ID"),
        "status": rule.get("Status"),
        "prefix": rule.get("Prefix"),
        "filter": {
            **_size_filter(flt.get("Prefix"), flt.get("ObjectSizeGreaterThan"),
                           flt.get("ObjectSizeLessThan")),
            "tag": {"key": get_path(flt, "Tag.Key"), "value": get_path(flt, "Tag.Value")},
            "and": {
                **_size_filter(both.get("Prefix"), both.get("ObjectSizeGreaterThan"),
                               both.get("ObjectSizeLessThan")),
                "tags": n.tags(both.get("Tags")),
            },
        },
        "expiration": {
            "date": _date(expiration.get("Date")),
            "days": _positive(expiration.get("Days")),
            "expired_object_delete_marker": expiration.get("ExpiredObjectDeleteMarker") or None,
        },
        "transition": n.as_set([compact(_transition(t.get("Date"), t.get("Days"),
                                                    t.get("StorageClass")))
                                for t in rule.get("Transitions") or ()]),
        "noncurrent_version_expiration": _noncurrent(noncurrent.get("NoncurrentDays"),
                                                     noncurrent.get("NewerNoncurrentVersions")),
        "noncurrent_version_transition": n.as_set([
            compact(_noncurrent(t.get("NoncurrentDays"), t.get("NewerNoncurrentVersions"),
                                t.get("StorageClass")))
            for t in rule.get("NoncurrentVersionTransitions") or ()]),
        "abort_incomplete_multipart_upload": {
            "days_after_initiation": get_path(rule, "AbortIncompleteMultipartUpload."
                                                    "DaysAfterInitiation")},
    })


def _state_rule(rule: Mapping[str, Any]) -> Any:
    flt = first(rule.get("filter")) or {}
    both = first(flt.get("and")) or {}
    tag = first(flt.get("tag")) or {}
    expiration = first(rule.get("expiration")) or {}
    noncurrent = first(rule.get("noncurrent_version_expiration")) or {}
    abort = first(rule.get("abort_incomplete_multipart_upload")) or {}
    return _lifecycle_rule({
        "id": rule.get("id"),
        "status": rule.get("status"),
        "prefix": rule.get("prefix"),
        "filter": {
            **_size_filter(flt.get("prefix"), flt.get("object_size_greater_than"),
                           flt.get("object_size_less_than")),
            "tag": {"key": tag.get("key"), "value": tag.get("value")},
            "and": {
                **_size_filter(both.get("prefix"), both.get("object_size_greater_than"),
                               both.get("object_size_less_than")),
                "tags": n.tags(both.get("tags")),
            },
        },
        "expiration": {
            "date": _date(expiration.get("date")),
            "days": _positive(expiration.get("days")),
            "expired_object_delete_marker": expiration.get("expired_object_delete_marker")
            or None,
        },
        "transition": n.as_set([compact(_transition(t.get("date"), t.get("days"),
                                                    t.get("storage_class")))
                                for t in rule.get("transition") or ()]),
        "noncurrent_version_expiration": _noncurrent(noncurrent.get("noncurrent_days"),
                                                     noncurrent.get("newer_noncurrent_versions")),
        "noncurrent_version_transition": n.as_set([
            compact(_noncurrent(t.get("noncurrent_days"), t.get("newer_noncurrent_versions"),
                                t.get("storage_class")))
            for t in rule.get("noncurrent_version_transition") or ()]),
        "abort_incomplete_multipart_upload": {
            "days_after_initiation": abort.get("days_after_initiation")},
    })


def _lifecycle_cloud(item: Mapping[str, Any]) -> Any:
    return n.as_set([_cloud_rule(rule) for rule in config(item, "Rules") or ()])


def _lifecycle_state(attributes: Mapping[str, Any]) -> Any:
    rules = _declared(attributes, "rule")
    if rules is UNKNOWN:
        return UNKNOWN
    return n.as_set([_state_rule(rule) for rule in rules or ()])


def _minimum_size_cloud(item: Mapping[str, Any]) -> Any:
    # only answered by AWS since September 2024 (and not by every emulator): absent is unknown
    value = config(item, "TransitionDefaultMinimumObjectSize")
    return UNKNOWN if value is None else value


def _minimum_size_state(attributes: Mapping[str, Any]) -> Any:
    return attributes.get("transition_default_minimum_object_size") or UNKNOWN


LIFECYCLE = config_spec(
    "aws_s3_bucket_lifecycle_configuration",
    BucketCall("get_bucket_lifecycle_configuration",
               absent=("NoSuchLifecycleConfiguration",)),
    description="S3 bucket lifecycle rules (part of its bucket; searched on every managed "
    "bucket: one GetBucketLifecycleConfiguration each)",
    fields=(
        FieldSpec("rule", extract=_lifecycle_cloud, from_state=_lifecycle_state),
        FieldSpec("transition_default_minimum_object_size", extract=_minimum_size_cloud,
                  from_state=_minimum_size_state),
    ),
    not_compared={"timeouts": "Terraform-only"},
)


# -- aws_s3_bucket_cors_configuration -------------------------------------------------------


def _cors_rule(rule: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    headers, methods, origins, expose, rule_id, max_age = (rule.get(name) for name in names)
    return compact({
        "allowed_headers": n.as_set(headers or []),
        "allowed_methods": n.as_set(methods or []),
        "allowed_origins": n.as_set(origins or []),
        "expose_headers": n.as_set(expose or []),
        "id": rule_id,
        "max_age_seconds": _positive(max_age),
    })


_CLOUD_CORS = ("AllowedHeaders", "AllowedMethods", "AllowedOrigins", "ExposeHeaders", "ID",
               "MaxAgeSeconds")
_STATE_CORS = ("allowed_headers", "allowed_methods", "allowed_origins", "expose_headers", "id",
               "max_age_seconds")


def _cors_cloud(item: Mapping[str, Any]) -> Any:
    return n.as_set([_cors_rule(r, _CLOUD_CORS) for r in config(item, "CORSRules") or ()])


def _cors_state(attributes: Mapping[str, Any]) -> Any:
    rules = _declared(attributes, "cors_rule")
    if rules is UNKNOWN:
        return UNKNOWN
    return n.as_set([_cors_rule(r, _STATE_CORS) for r in rules or ()])


CORS = config_spec(
    "aws_s3_bucket_cors_configuration",
    BucketCall("get_bucket_cors", absent=("NoSuchCORSConfiguration",)),
    description="S3 bucket CORS rules (part of its bucket; searched on every managed bucket: "
    "one GetBucketCors each)",
    fields=(FieldSpec("cors_rule", extract=_cors_cloud, from_state=_cors_state),),
)


# -- aws_s3_bucket_website_configuration ----------------------------------------------------


def _redirect_cloud(item: Mapping[str, Any]) -> Any:
    redirect = config(item, "RedirectAllRequestsTo") or {}
    return compact({"host_name": redirect.get("HostName"), "protocol": redirect.get("Protocol")})


def _redirect_state(attributes: Mapping[str, Any]) -> Any:
    if "redirect_all_requests_to" not in attributes:
        return UNKNOWN
    redirect = first(attributes.get("redirect_all_requests_to")) or {}
    return compact({"host_name": redirect.get("host_name"), "protocol": redirect.get("protocol")})


def _routing_cloud(item: Mapping[str, Any]) -> Any:
    return compact([
        {
            "condition": {
                "http_error_code_returned_equals":
                    get_path(rule, "Condition.HttpErrorCodeReturnedEquals"),
                "key_prefix_equals": get_path(rule, "Condition.KeyPrefixEquals"),
            },
            "redirect": {
                "host_name": get_path(rule, "Redirect.HostName"),
                "http_redirect_code": get_path(rule, "Redirect.HttpRedirectCode"),
                "protocol": get_path(rule, "Redirect.Protocol"),
                "replace_key_prefix_with": get_path(rule, "Redirect.ReplaceKeyPrefixWith"),
                "replace_key_with": get_path(rule, "Redirect.ReplaceKeyWith"),
            },
        }
        for rule in config(item, "RoutingRules") or ()
    ])


def _routing_state(attributes: Mapping[str, Any]) -> Any:
    rules = _declared(attributes, "routing_rule")
    if rules is UNKNOWN:
        return UNKNOWN
    return compact([
        {"condition": first(rule.get("condition")) or {},
         "redirect": first(rule.get("redirect")) or {}}
        for rule in rules or ()
    ])


WEBSITE = config_spec(
    "aws_s3_bucket_website_configuration",
    BucketCall("get_bucket_website", absent=("NoSuchWebsiteConfiguration",)),
    description="S3 static website hosting of a bucket (part of its bucket; searched on every "
    "managed bucket: one GetBucketWebsite each)",
    fields=(
        FieldSpec("index_document.0.suffix", query="Config.IndexDocument.Suffix"),
        FieldSpec("error_document.0.key", query="Config.ErrorDocument.Key"),
        FieldSpec("redirect_all_requests_to", extract=_redirect_cloud,
                  from_state=_redirect_state),
        FieldSpec("routing_rule", extract=_routing_cloud, from_state=_routing_state),
    ),
    not_compared={"routing_rules": "the same rules as routing_rule, as JSON text: compared "
                  "once, as routing_rule"},
)


# -- aws_s3_bucket_logging ------------------------------------------------------------------


def _key_format(partitioned: Any, simple: Any) -> Any:
    if partitioned:
        return {"partitioned": partitioned}
    return "simple" if simple is not None else None


def _key_format_cloud(item: Mapping[str, Any]) -> Any:
    found = config(item, "LoggingEnabled.TargetObjectKeyFormat") or {}
    return _key_format(get_path(found, "PartitionedPrefix.PartitionDateSource"),
                       found.get("SimplePrefix"))


def _key_format_state(attributes: Mapping[str, Any]) -> Any:
    if "target_object_key_format" not in attributes:
        return UNKNOWN
    found = first(attributes.get("target_object_key_format")) or {}
    partitioned = first(found.get("partitioned_prefix")) or {}
    # simple_prefix is a block with no arguments: present as [{}]
    simple = found.get("simple_prefix")
    return _key_format(partitioned.get("partition_date_source"), {} if simple else None)


LOGGING = config_spec(
    "aws_s3_bucket_logging",
    BucketCall("get_bucket_logging",
               present=lambda response: bool(response.get("LoggingEnabled"))),
    description="S3 server access logging of a bucket (part of its bucket; searched on every "
    "managed bucket: one GetBucketLogging each)",
    fields=(
        FieldSpec("target_bucket", query="Config.LoggingEnabled.TargetBucket"),
        FieldSpec("target_prefix", query="Config.LoggingEnabled.TargetPrefix"),
        FieldSpec("target_grant",
                  extract=lambda item: cloud_grants(config(item, "LoggingEnabled.TargetGrants")),
                  from_state=lambda attrs: state_grants(attrs.get("target_grant"))),
        FieldSpec("target_object_key_format", extract=_key_format_cloud,
                  from_state=_key_format_state),
    ),
)


# -- aws_s3_bucket_notification -------------------------------------------------------------

# (Terraform block, S3 configuration list, the ARN's key in each)
_TARGETS = (
    ("topic", "TopicConfigurations", "TopicArn", "topic_arn"),
    ("queue", "QueueConfigurations", "QueueArn", "queue_arn"),
    ("lambda_function", "LambdaFunctionConfigurations", "LambdaFunctionArn",
     "lambda_function_arn"),
)


def _filter_value(entry: Mapping[str, Any], name: str) -> Any:
    for rule in get_path(entry, "Filter.Key.FilterRules") or ():
        if str(rule.get("Name", "")).lower() == name:
            return rule.get("Value")
    return None


def _target(arn_key: str, target_id: Any, arn: Any, events: Any, prefix: Any, suffix: Any
            ) -> Any:
    return compact({"id": target_id, arn_key: arn, "events": n.as_set(events or []),
                    "filter_prefix": prefix, "filter_suffix": suffix})


def _notification_field(block: str, listing: str, cloud_arn: str, state_arn: str
                        ) -> FieldSpec:
    def cloud(item: Mapping[str, Any]) -> Any:
        return n.as_set([
            _target(state_arn, entry.get("Id"), entry.get(cloud_arn), entry.get("Events"),
                    _filter_value(entry, "prefix"), _filter_value(entry, "suffix"))
            for entry in config(item, listing) or ()
        ])

    def state(attributes: Mapping[str, Any]) -> Any:
        entries = _declared(attributes, block)
        if entries is UNKNOWN:
            return UNKNOWN
        return n.as_set([
            _target(state_arn, e.get("id"), e.get(state_arn), e.get("events"),
                    e.get("filter_prefix"), e.get("filter_suffix"))
            for e in entries or ()
        ])

    return FieldSpec(block, extract=cloud, from_state=state)


def _notifies(response: Mapping[str, Any]) -> bool:
    # S3 answers with an empty document for a bucket that notifies nothing
    return any(response.get(listing) for _, listing, _, _ in _TARGETS) or (
        "EventBridgeConfiguration" in response)


NOTIFICATION = config_spec(
    "aws_s3_bucket_notification",
    BucketCall("get_bucket_notification_configuration", present=_notifies),
    description="S3 bucket event notifications (part of its bucket; searched on every managed "
    "bucket: one GetBucketNotificationConfiguration each)",
    import_id="bucket",
    owner_guard=False,
    fields=(
        *(_notification_field(*target) for target in _TARGETS),
        FieldSpec("eventbridge",
                  extract=lambda item: "EventBridgeConfiguration" in (item.get("Config") or {}),
                  normalise=(n.to_bool,), default=False),
    ),
)

SPECS: tuple[AwsSpec, ...] = (LIFECYCLE, CORS, WEBSITE, LOGGING, NOTIFICATION)
