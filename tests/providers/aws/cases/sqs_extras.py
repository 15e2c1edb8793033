"""SQS part cases: queue policy, queue redrive policy."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"


def make_queue(clients: Any, name: str) -> tuple[str, str]:
    sqs = clients("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"


def queue_policy(arn: str, principal: str = "sns.amazonaws.com") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Deliver", "Effect": "Allow", "Principal": {"Service": principal},
                       "Action": "sqs:SendMessage", "Resource": arn}],
    }


def _create_policy(clients: Any) -> Attrs:
    url, arn = make_queue(clients, "orders")
    clients("sqs").set_queue_attributes(QueueUrl=url,
                                        Attributes={"Policy": json.dumps(queue_policy(arn))})
    return {"id": url, "queue_url": url,
            "policy": json.dumps(queue_policy(arn), separators=(",", ":"), sort_keys=True)}


def _change_policy(clients: Any, attrs: Attrs) -> None:
    arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"
    clients("sqs").set_queue_attributes(
        QueueUrl=attrs["id"],
        Attributes={"Policy": json.dumps(queue_policy(arn, "events.amazonaws.com"))})


def _delete_policy(clients: Any, attrs: Attrs) -> None:
    clients("sqs").set_queue_attributes(QueueUrl=attrs["id"], Attributes={"Policy": ""})


def redrive(dead_letter_arn: str, count: int) -> str:
    return json.dumps({"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": count})


def _create_redrive(clients: Any) -> Attrs:
    _, dead_letter = make_queue(clients, "orders-dlq")
    url, _ = make_queue(clients, "orders")
    clients("sqs").set_queue_attributes(QueueUrl=url,
                                        Attributes={"RedrivePolicy": redrive(dead_letter, 4)})
    return {"id": url, "queue_url": url, "redrive_policy": redrive(dead_letter, 4)}


def _change_redrive(clients: Any, attrs: Attrs) -> None:
    dead_letter = f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders-dlq"
    clients("sqs").set_queue_attributes(QueueUrl=attrs["id"],
                                        Attributes={"RedrivePolicy": redrive(dead_letter, 10)})


def _delete_redrive(clients: Any, attrs: Attrs) -> None:
    clients("sqs").set_queue_attributes(QueueUrl=attrs["id"], Attributes={"RedrivePolicy": ""})


# parts that take a queue's own policy and redrive policy over: without code saying the queue
# leaves them to resources, an extra one is the queue's change, not an unmanaged part
CASES = [
    AwsCase(
        type="aws_sqs_queue_policy",
        create=_create_policy,
        change=_change_policy,
        changed_paths=frozenset({"policy"}),
        delete=_delete_policy,
        unmanaged=False,
    ),
    AwsCase(
        type="aws_sqs_queue_redrive_policy",
        create=_create_redrive,
        change=_change_redrive,
        # a flat document is compared key by key
        changed_paths=frozenset({"redrive_policy.maxReceiveCount"}),
        delete=_delete_redrive,
        unmanaged=False,
    ),
]
