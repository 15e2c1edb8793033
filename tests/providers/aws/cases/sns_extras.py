"""SNS part cases: topic subscription, topic policy."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"


def make_topic(clients: Any, name: str = "events") -> str:
    return str(clients("sns").create_topic(Name=name)["TopicArn"])


def make_queue(clients: Any, name: str = "inbox") -> str:
    sqs = clients("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return str(sqs.get_queue_attributes(QueueUrl=url,
                                        AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def subscribe(clients: Any, topic: str, queue_arn: str) -> str:
    return str(clients("sns").subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, ReturnSubscriptionArn=True,
        Attributes={"FilterPolicy": json.dumps({"kind": ["order"]})},
    )["SubscriptionArn"])


def subscription_state(arn: str, topic: str, queue_arn: str) -> Attrs:
    return {
        "id": arn,
        "arn": arn,
        "topic_arn": topic,
        "protocol": "sqs",
        "endpoint": queue_arn,
        "owner_id": ACCOUNT,
        "filter_policy": json.dumps({"kind": ["order"]}),
        "filter_policy_scope": "MessageAttributes",
        "raw_message_delivery": False,
        "delivery_policy": "",
        "redrive_policy": "",
        "replay_policy": "",
        "subscription_role_arn": "",
        "confirmation_timeout_in_minutes": 1,
        "endpoint_auto_confirms": False,
        "pending_confirmation": False,
        "confirmation_was_authenticated": True,
    }


def _create_subscription(clients: Any) -> Attrs:
    topic = make_topic(clients)
    queue_arn = make_queue(clients)
    return subscription_state(subscribe(clients, topic, queue_arn), topic, queue_arn)


def _change_subscription(clients: Any, attrs: Attrs) -> None:
    sns = clients("sns")
    sns.set_subscription_attributes(SubscriptionArn=attrs["id"],
                                    AttributeName="RawMessageDelivery", AttributeValue="true")
    sns.set_subscription_attributes(SubscriptionArn=attrs["id"], AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps({"kind": ["refund"]}))


def _delete_subscription(clients: Any, attrs: Attrs) -> None:
    clients("sns").unsubscribe(SubscriptionArn=attrs["id"])


def topic_policy(topic: str, principal: str = "events.amazonaws.com") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Publish", "Effect": "Allow", "Principal": {"Service": principal},
                       "Action": "sns:Publish", "Resource": topic}],
    }


def set_topic_policy(clients: Any, topic: str, policy: dict[str, Any]) -> None:
    clients("sns").set_topic_attributes(TopicArn=topic, AttributeName="Policy",
                                        AttributeValue=json.dumps(policy))


def _create_policy(clients: Any) -> Attrs:
    topic = make_topic(clients)
    set_topic_policy(clients, topic, topic_policy(topic))
    return {"id": topic, "arn": topic, "owner": ACCOUNT,
            "policy": json.dumps(topic_policy(topic), separators=(",", ":"), sort_keys=True)}


def _change_policy(clients: Any, attrs: Attrs) -> None:
    set_topic_policy(clients, attrs["arn"], topic_policy(attrs["arn"], "s3.amazonaws.com"))


def _delete_policy(clients: Any, attrs: Attrs) -> None:
    # a topic always has a policy (SNS writes a default one): it goes with its topic
    clients("sns").delete_topic(TopicArn=attrs["arn"])


def _topic(attrs: Attrs) -> tuple[str, Attrs]:
    return "aws_sns_topic", {"id": attrs["topic_arn"], "arn": attrs["topic_arn"],
                             "name": "events"}


# parts of a topic. A topic policy takes the topic's own policy over: without code saying the
# topic leaves it to a resource, an extra one is the topic's change (tests/providers/aws/
# test_edge_parts.py tests it with HCL)
CASES = [
    AwsCase(
        type="aws_sns_topic_subscription",
        create=_create_subscription,
        change=_change_subscription,
        changed_paths=frozenset({"raw_message_delivery", "filter_policy"}),
        delete=_delete_subscription,
        parent=_topic,
    ),
    AwsCase(
        type="aws_sns_topic_policy",
        create=_create_policy,
        change=_change_policy,
        changed_paths=frozenset({"policy"}),
        delete=_delete_policy,
        unmanaged=False,
    ),
]
