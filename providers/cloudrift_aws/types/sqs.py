"""SQS queues."""

from __future__ import annotations

from collections.abc import Sequence

from cloudrift.model import Resource
from cloudrift.spec import FieldSpec
from cloudrift_aws.fields import attr_bool, attr_int, attr_json, attr_policy, tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item


def _queues(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    urls = ctx.paginate("sqs", region, "list_queues", "QueueUrls")
    return [{"QueueUrl": url} for url in urls]


QUEUE = AwsSpec(
    type="aws_sqs_queue",
    service="sqs",
    enumerate=_queues,
    id_query="QueueUrl",
    details=(
        Detail(
            "attributes",
            "get_queue_attributes",
            lambda item: {"QueueUrl": item["QueueUrl"], "AttributeNames": ["All"]},
            result="Attributes",
        ),
        Detail(
            "tags",
            "list_queue_tags",
            lambda item: {"QueueUrl": item["QueueUrl"]},
            result="Tags",
        ),
    ),
    fields=(
        attr_int("visibility_timeout_seconds", "attributes.VisibilityTimeout",
                 detail="attributes"),
        attr_int("message_retention_seconds", "attributes.MessageRetentionPeriod",
                 detail="attributes"),
        attr_int("max_message_size", "attributes.MaximumMessageSize", detail="attributes"),
        attr_int("delay_seconds", "attributes.DelaySeconds", detail="attributes"),
        attr_int("receive_wait_time_seconds", "attributes.ReceiveMessageWaitTimeSeconds",
                 detail="attributes"),
        attr_bool("fifo_queue", "attributes.FifoQueue", detail="attributes", default=False),
        attr_bool("content_based_deduplication", "attributes.ContentBasedDeduplication",
                  detail="attributes", default=False),
        attr_policy("policy", "attributes.Policy", detail="attributes"),
        attr_json("redrive_policy", "attributes.RedrivePolicy", detail="attributes"),
        FieldSpec("kms_master_key_id", query="attributes.KmsMasterKeyId", detail="attributes"),
        tags("tags", detail="tags"),
    ),
)

SPECS: tuple[AwsSpec, ...] = (QUEUE,)
