"""SQS queue policies and redrive policies: parts of a queue.

``aws_sqs_queue_policy`` takes ``aws_sqs_queue.policy`` over, ``aws_sqs_queue_redrive_policy``
takes ``aws_sqs_queue.redrive_policy`` over. Both are read with one ``GetQueueAttributes`` per
queue (shared by the two types), for the managed queues and the queues a managed part names:
the queue listing holds no attributes. A queue with no policy has no policy part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from cloudrift.sdk import PartOf, Resource
from cloudrift_aws.fields import attr_json, attr_policy
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types._children import managed_ids
from cloudrift_aws.types.sqs import queue_urls

# sqs.<region>.amazonaws.com (and .com.cn), or the legacy <region>.queue.amazonaws.com
_HOST_REGION = re.compile(r"^(?:sqs\.)?([a-z]{2}(?:-[a-z]+)+-\d+)(?:\.queue)?\.amazonaws\.")


def queue_region(attributes: Mapping[str, Any]) -> str | None:
    """The region in a queue URL's host (an emulator's URL has none: the default region)."""
    host = urlsplit(str(attributes.get("queue_url") or "")).hostname or ""
    match = _HOST_REGION.match(host)
    return match.group(1) if match else None


def _attributes(ctx: AwsContext, region: str, url: str) -> Mapping[str, Any]:
    # the very request of aws_sqs_queue's detail read: a managed queue's attributes are asked
    # once for the queue, its policy and its redrive policy
    answer = ctx.shared_call("sqs", region, "get_queue_attributes", QueueUrl=url,
                             AttributeNames=["All"])
    return answer.get("Attributes") or {}


def _parts(attribute: str) -> Callable[[AwsContext, str, Sequence[Resource]], list[Item]]:
    def enumerate_(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
        wanted = managed_ids(ctx, "aws_sqs_queue", region) | {r.id for r in managed}
        if not wanted:
            return []  # no call at all without a managed queue
        existing = set(queue_urls(ctx, region))
        items: list[Item] = []
        for url in sorted(wanted & existing):
            value = _attributes(ctx, region, url).get(attribute)
            if value:
                items.append({"QueueUrl": url, attribute: value})
        return items

    return enumerate_


def _part(field: str) -> tuple[PartOf, ...]:
    return (PartOf("aws_sqs_queue", parent_id="queue_url", fields=(field,),
                   cloud_parent_id="QueueUrl"),)


QUEUE_POLICY = AwsSpec(
    type="aws_sqs_queue_policy",
    service="sqs",
    enumerate=_parts("Policy"),
    id_query="QueueUrl",
    import_id="queue_url",
    region_from_state=queue_region,
    per_parent=True,
    parent_read=True,
    part_of=_part("policy"),
    description="SQS queue policy (takes aws_sqs_queue.policy over); read from each managed "
    "queue's own GetQueueAttributes, one request for both",
    calls=("sqs:ListQueues", "sqs:GetQueueAttributes"),
    fields=(attr_policy("policy", "Policy"),),
)

REDRIVE_POLICY = AwsSpec(
    type="aws_sqs_queue_redrive_policy",
    service="sqs",
    enumerate=_parts("RedrivePolicy"),
    id_query="QueueUrl",
    import_id="queue_url",
    region_from_state=queue_region,
    per_parent=True,
    parent_read=True,
    part_of=_part("redrive_policy"),
    description="SQS queue redrive policy (takes aws_sqs_queue.redrive_policy over); the same "
    "GetQueueAttributes as the queue policy",
    calls=("sqs:ListQueues", "sqs:GetQueueAttributes"),
    fields=(attr_json("redrive_policy", "RedrivePolicy"),),
)

SPECS: tuple[AwsSpec, ...] = (QUEUE_POLICY, REDRIVE_POLICY)
