"""SNS topics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.spec import FieldSpec
from cloudrift_aws.fields import attr_bool, attr_json, attr_policy, tags
from cloudrift_aws.spec import AwsSpec, Call, Detail


def _topic_name(payload: Mapping[str, Any]) -> Any:
    arn = payload.get("TopicArn")
    return arn.rsplit(":", 1)[-1] if isinstance(arn, str) else None


TOPIC = AwsSpec(
    type="aws_sns_topic",
    service="sns",
    list=Call("list_topics", "Topics"),
    id_query="TopicArn",
    details=(
        Detail(
            "attributes",
            "get_topic_attributes",
            lambda item: {"TopicArn": item["TopicArn"]},
            result="Attributes",
        ),
        Detail(
            "tags",
            "list_tags_for_resource",
            lambda item: {"ResourceArn": item["TopicArn"]},
            result="Tags",
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
        tags("tags", detail="tags"),
    ),
)

SPECS: tuple[AwsSpec, ...] = (TOPIC,)
