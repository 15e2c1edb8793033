"""Pub/Sub topics and subscriptions. Durations arrive as ``"600s"``, counts as Struct floats.

Eventarc makes the subscription (and, for events of other sources, the topic) of each trigger,
named ``eventarc-<region>-<trigger>-...``, and 1st gen Cloud Functions the subscription of each
Pub/Sub-triggered function (``gcf-<function>-<region>-<topic>``): they are those triggers' and
functions', never unmanaged on their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, has_path
from cloudrift_gcp.fields import (
    duration,
    flag,
    label_map,
    number,
    opt,
    short_name,
    state_project,
    string_set,
    text,
)
from cloudrift_gcp.spec import GcpSpec
from cloudrift_gcp.types._ids import template

# topics Google creates when Container Analysis or Container Registry is enabled
GOOGLE_TOPICS = frozenset({
    "container-analysis-notes-v1", "container-analysis-notes-v1beta1",
    "container-analysis-occurrences-v1", "container-analysis-occurrences-v1beta1", "gcr",
})

def _made_for_a_trigger(item: Mapping[str, Any]) -> str | None:
    name = str(short_name(item.get("name")) or "")
    if name.startswith("eventarc-"):
        return "Eventarc"
    if name.startswith("gcf-"):
        return "Cloud Functions"
    return None


TOPIC = GcpSpec(
    type="google_pubsub_topic",
    asset_type="pubsub.googleapis.com/Topic",
    import_id=template("projects/{project}/topics/{name}"),
    cloud_id=lambda item: item.get("name"),
    is_default=lambda item: short_name(item.get("name")) in GOOGLE_TOPICS,
    created_by=lambda item: "Eventarc" if str(short_name(item.get("name")) or "").startswith(
        "eventarc-") else None,
    fields=(
        label_map(),
        text("kms_key_name", "kmsKeyName"),
        FieldSpec("message_retention_duration", query="messageRetentionDuration",
                  normalise=(duration,)),
        string_set("message_storage_policy.0.allowed_persistence_regions",
                   "messageStoragePolicy.allowedPersistenceRegions"),
        text("schema_settings.0.schema", "schemaSettings.schema"),
    ),
)


def _state_topic(attributes: Mapping[str, Any]) -> Any:
    """The subscription's topic as a relative name; the provider also accepts a bare name
    (meaning a topic of the subscription's own project)."""
    if not has_path(attributes, "topic"):
        return UNKNOWN
    topic = attributes.get("topic")
    if isinstance(topic, str) and topic and "/" not in topic:
        return f"projects/{state_project(attributes)}/topics/{topic}"
    return topic


SUBSCRIPTION = GcpSpec(
    type="google_pubsub_subscription",
    asset_type="pubsub.googleapis.com/Subscription",
    import_id=template("projects/{project}/subscriptions/{name}"),
    cloud_id=lambda item: item.get("name"),
    created_by=_made_for_a_trigger,
    fields=(
        FieldSpec("topic", query="topic", from_state=_state_topic),
        number("ack_deadline_seconds", "ackDeadlineSeconds", 10),
        opt("message_retention_duration", "messageRetentionDuration", "604800s", duration),
        flag("retain_acked_messages", "retainAckedMessages"),
        flag("enable_message_ordering", "enableMessageOrdering"),
        flag("enable_exactly_once_delivery", "enableExactlyOnceDelivery"),
        text("filter", "filter"),
        label_map(),
        FieldSpec("expiration_policy.0.ttl", query="expirationPolicy.ttl", normalise=(duration,)),
        text("push_config.0.push_endpoint", "pushConfig.pushEndpoint"),
        text("dead_letter_policy.0.dead_letter_topic", "deadLetterPolicy.deadLetterTopic"),
        number("dead_letter_policy.0.max_delivery_attempts",
               "deadLetterPolicy.maxDeliveryAttempts"),
        FieldSpec("retry_policy.0.minimum_backoff", query="retryPolicy.minimumBackoff",
                  normalise=(duration,)),
        FieldSpec("retry_policy.0.maximum_backoff", query="retryPolicy.maximumBackoff",
                  normalise=(duration,)),
    ),
)

SPECS = (TOPIC, SUBSCRIPTION)
