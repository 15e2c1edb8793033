"""SNS topics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, Resource
from cloudrift_aws.fields import attr_bool, attr_json, attr_policy
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types.bulk import TagCall, bulk_tags, memo_outcome, with_tags

_ID = "TopicArn"


def _topic_name(payload: Mapping[str, Any]) -> Any:
    arn = payload.get("TopicArn")
    return arn.rsplit(":", 1)[-1] if isinstance(arn, str) else None


def topic_listing(ctx: AwsContext, region: str) -> list[Item]:
    """Every topic of the region, listed once for the topic types (sns_extras too)."""
    return memo_outcome(ctx, f"sns:list_topics:{region}",
                        lambda: ctx.paginate("sns", region, "list_topics", "Topics"))


def _topics(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    topics = [dict(topic) for topic in topic_listing(ctx, region)]
    return with_tags(
        ctx, region, topics, managed,
        arn=lambda item: item.get("TopicArn"),
        id_query=_ID,
        call=TagCall("sns", "list_tags_for_resource",
                     lambda item: {"ResourceArn": item["TopicArn"]}, "Tags"),
    )


TOPIC = AwsSpec(
    type="aws_sns_topic",
    calls=("sns:ListTopics",),
    service="sns",
    enumerate=_topics,
    id_query=_ID,
    details=(
        Detail(
            "attributes",
            "get_topic_attributes",
            lambda item: {"TopicArn": item["TopicArn"]},
            result="Attributes",
        ),
    ),
    fields=(
        FieldSpec("name", extract=_topic_name),
        FieldSpec("display_name", query="attributes.DisplayName", detail="attributes"),
        attr_policy("policy", "attributes.Policy", detail="attributes"),
        # the user's document only: EffectiveDeliveryPolicy merges in AWS defaults
        attr_json("delivery_policy", "attributes.DeliveryPolicy", detail="attributes"),
        FieldSpec("kms_master_key_id", query="attributes.KmsMasterKeyId", detail="attributes"),
        attr_bool("fifo_topic", "attributes.FifoTopic", detail="attributes", default=False),
        attr_bool("content_based_deduplication", "attributes.ContentBasedDeduplication",
                  detail="attributes", default=False),
        bulk_tags(),
    ),
)

SPECS: tuple[AwsSpec, ...] = (TOPIC,)
