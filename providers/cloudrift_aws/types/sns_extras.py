"""SNS topic subscriptions and topic policies: parts of a topic.

Subscriptions come from one paged ``ListSubscriptions`` per region, with one
``GetSubscriptionAttributes`` per managed subscription for its policies and switches. A
subscription of an unmanaged topic is covered by the topic's own unmanaged finding.

A topic policy is a topic's ``policy`` as a resource of its own (``aws_sns_topic_policy``
takes the field over from ``aws_sns_topic``). Every topic has a policy: SNS writes a default one
(``__default_policy_ID``), a default part never reported unmanaged. The policies are read with
one ``GetTopicAttributes`` per managed topic and per topic a managed policy names (the topics
listing holds no attributes): the same answer the topic's own comparison reads, asked once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, PartOf, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_json, attr_policy
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types._children import managed_ids
from cloudrift_aws.types._common import flag
from cloudrift_aws.types.sns import topic_listing

# a subscription not yet confirmed has no ARN: it cannot be imported, or compared
_PENDING = ("PendingConfirmation", "pending confirmation", "Deleted")


def _subscriptions(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return [
        dict(s) for s in ctx.paginate("sns", region, "list_subscriptions", "Subscriptions")
        if str(s.get("SubscriptionArn", "")).startswith("arn:")
        and s.get("SubscriptionArn") not in _PENDING
    ]


def _filter_scope_state(attributes: Mapping[str, Any]) -> Any:
    # the scope means something only with a filter policy (SNS leaves it out otherwise)
    if not attributes.get("filter_policy"):
        return UNKNOWN
    return attributes.get("filter_policy_scope") or "MessageAttributes"


def _filter_scope_cloud(payload: Mapping[str, Any]) -> Any:
    attributes = payload.get("attributes") or {}
    if not attributes.get("FilterPolicy"):
        return UNKNOWN
    return attributes.get("FilterPolicyScope") or "MessageAttributes"


_A = "attributes"

SUBSCRIPTION = AwsSpec(
    type="aws_sns_topic_subscription",
    service="sns",
    enumerate=_subscriptions,
    id_query="SubscriptionArn",
    part_of=(PartOf("aws_sns_topic", parent_id="topic_arn", fields=(),
                    cloud_parent_id="TopicArn"),),
    description="SNS topic subscription (confirmed ones: a pending subscription has no ARN)",
    calls=("sns:ListSubscriptions",),
    details=(
        Detail(_A, "get_subscription_attributes",
               lambda item: {"SubscriptionArn": item["SubscriptionArn"]}, result="Attributes"),
    ),
    fields=(
        FieldSpec("topic_arn", query="TopicArn"),
        FieldSpec("protocol", query="Protocol"),
        FieldSpec("endpoint", query="Endpoint"),
        attr_json("filter_policy", f"{_A}.FilterPolicy", detail=_A),
        FieldSpec("filter_policy_scope", extract=_filter_scope_cloud,
                  from_state=_filter_scope_state, detail=_A),
        flag("raw_message_delivery", f"{_A}.RawMessageDelivery", detail=_A),
        attr_json("delivery_policy", f"{_A}.DeliveryPolicy", detail=_A),
        attr_json("redrive_policy", f"{_A}.RedrivePolicy", detail=_A),
        attr_json("replay_policy", f"{_A}.ReplayPolicy", detail=_A),
        FieldSpec("subscription_role_arn", query=f"{_A}.SubscriptionRoleArn", detail=_A),
    ),
    not_compared={
        "confirmation_timeout_in_minutes": "Terraform-only: how long the provider waits",
        "endpoint_auto_confirms": "Terraform-only: whether the provider waits",
    },
)


def _policy_topics(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    wanted = managed_ids(ctx, "aws_sns_topic", region) | {r.id for r in managed}
    if not wanted:
        return []  # no call at all without a managed topic
    existing = {str(t["TopicArn"]) for t in topic_listing(ctx, region)}
    items: list[Item] = []
    for arn in sorted(wanted & existing):
        # the topic's own detail read, shared
        attributes = ctx.shared_call("sns", region, "get_topic_attributes", TopicArn=arn)
        policy = (attributes.get("Attributes") or {}).get("Policy")
        if policy:
            items.append({"TopicArn": arn, "Policy": policy})
    return items


def _is_default_policy(item: Mapping[str, Any]) -> bool:
    document = n.json_document(item.get("Policy"))
    if not isinstance(document, Mapping):
        return False
    statements = document.get("Statement") or []
    return document.get("Id") == "__default_policy_ID" and all(
        isinstance(s, Mapping) and s.get("Sid") == "__default_statement_ID"
        for s in statements
    )


TOPIC_POLICY = AwsSpec(
    type="aws_sns_topic_policy",
    service="sns",
    enumerate=_policy_topics,
    id_query="TopicArn",
    import_id="arn",
    is_default=_is_default_policy,
    per_parent=True,
    parent_read=True,
    part_of=(PartOf("aws_sns_topic", parent_id="arn", fields=("policy",),
                    cloud_parent_id="TopicArn"),),
    description="SNS topic policy (takes aws_sns_topic.policy over); read from each managed "
    "topic's own GetTopicAttributes, one request for both",
    calls=("sns:ListTopics", "sns:GetTopicAttributes"),
    fields=(attr_policy("policy", "Policy"),),
)

SPECS: tuple[AwsSpec, ...] = (SUBSCRIPTION, TOPIC_POLICY)
