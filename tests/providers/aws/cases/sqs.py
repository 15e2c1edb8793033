"""SQS cases."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase


def _create(clients: Any) -> Attrs:
    sqs = clients("sqs")
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                       "Resource": "*"}],
    }
    url = sqs.create_queue(
        QueueName="orders",
        # Terraform sends every argument with its default, as here
        Attributes={
            "VisibilityTimeout": "45",
            "MessageRetentionPeriod": "345600",
            "MaximumMessageSize": "262144",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "0",
            "Policy": json.dumps(policy),
        },
        tags={"team": "core"},
    )["QueueUrl"]
    return {
        "id": url,
        "url": url,
        "name": "orders",
        "arn": "arn:aws:sqs:us-east-1:123456789012:orders",
        "visibility_timeout_seconds": 45,
        "message_retention_seconds": 345600,
        "max_message_size": 262144,
        "delay_seconds": 0,
        "receive_wait_time_seconds": 0,
        "fifo_queue": False,
        "content_based_deduplication": False,
        # Terraform keeps the document as written; AWS may reorder and re-space it
        "policy": json.dumps(policy, indent=2),
        "redrive_policy": "",
        "kms_master_key_id": "",
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change(clients: Any, attrs: Attrs) -> None:
    # moto's SetQueueAttributes drops the queue policy unless it is sent again
    clients("sqs").set_queue_attributes(
        QueueUrl=attrs["id"], Attributes={"VisibilityTimeout": "90", "Policy": attrs["policy"]}
    )


def _delete(clients: Any, attrs: Attrs) -> None:
    clients("sqs").delete_queue(QueueUrl=attrs["id"])


CASES = [
    AwsCase(
        type="aws_sqs_queue",
        create=_create,
        change=_change,
        changed_paths=frozenset({"visibility_timeout_seconds"}),
        delete=_delete,
    ),
]
