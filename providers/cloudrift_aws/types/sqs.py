"""SQS queues."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from cloudrift.sdk import FieldSpec, Resource
from cloudrift_aws.fields import attr_bool, attr_int, attr_json, attr_policy
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types.bulk import TagCall, bulk_tags, memo_outcome, with_tags

_ID = "QueueUrl"


def _queue_arn(partition: str, region: str, url: str) -> str | None:
    # a queue URL's path is "/<account>/<name>", whatever host it was served from
    parts = urlsplit(url).path.strip("/").split("/")
    if len(parts) != 2:
        return None
    account, name = parts
    return f"arn:{partition}:sqs:{region}:{account}:{name}"


def queue_urls(ctx: AwsContext, region: str) -> list[str]:
    """Every queue URL of the region, listed once for the queue types (sqs_extras too)."""
    return memo_outcome(ctx, f"sqs:list_queues:{region}",
                        # without MaxResults, ListQueues stops at 1,000 queues and gives no token
                        lambda: ctx.paginate("sqs", region, "list_queues", "QueueUrls",
                                             PaginationConfig={"PageSize": 1000}))


def _queues(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    urls = queue_urls(ctx, region)
    partition = ctx.partition_for(region)
    queues: list[Item] = [
        {"QueueUrl": url, "QueueArn": _queue_arn(partition, region, url)} for url in urls
    ]
    return with_tags(
        ctx, region, queues, managed,
        arn=lambda item: item.get("QueueArn"),
        id_query=_ID,
        call=TagCall("sqs", "list_queue_tags", lambda item: {"QueueUrl": item["QueueUrl"]},
                     "Tags"),
    )


QUEUE = AwsSpec(
    type="aws_sqs_queue",
    calls=("sqs:ListQueues",),
    service="sqs",
    enumerate=_queues,
    id_query=_ID,
    details=(
        Detail(
            "attributes",
            "get_queue_attributes",
            lambda item: {"QueueUrl": item["QueueUrl"], "AttributeNames": ["All"]},
            result="Attributes",
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
        bulk_tags(),
    ),
)

SPECS: tuple[AwsSpec, ...] = (QUEUE,)
