"""SNS cases."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

_ARN = "arn:aws:sns:us-east-1:123456789012:alerts"


def _policy() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Publish",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": _ARN,
            }
        ],
    }


def _delivery_policy() -> dict[str, Any]:
    return {
        "http": {
            "defaultHealthyRetryPolicy": {
                "minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3,
                "numMaxDelayRetries": 0, "numNoDelayRetries": 0, "numMinDelayRetries": 0,
                "backoffFunction": "linear",
            },
            "disableSubscriptionOverrides": False,
        }
    }


def _create(clients: Any) -> Attrs:
    sns = clients("sns")
    arn = sns.create_topic(
        Name="alerts",
        Attributes={"DisplayName": "Alerts"},
        Tags=[{"Key": "team", "Value": "core"}],
    )["TopicArn"]
    # the provider sets the remaining attributes one call each after CreateTopic
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy",
                             AttributeValue=json.dumps(_policy()))
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DeliveryPolicy",
                             AttributeValue=json.dumps(_delivery_policy()))
    return {
        "id": arn,
        "arn": arn,
        "name": "alerts",
        "name_prefix": "",
        "display_name": "Alerts",
        "owner": "123456789012",
        # as jsonencode() writes them: compact, keys sorted
        "policy": json.dumps(_policy(), separators=(",", ":"), sort_keys=True),
        "delivery_policy": json.dumps(_delivery_policy(), separators=(",", ":"), sort_keys=True),
        "kms_master_key_id": "",
        "fifo_topic": False,
        "content_based_deduplication": False,
        "signature_version": 0,
        "tracing_config": "",
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change(clients: Any, attrs: Attrs) -> None:
    sns = clients("sns")
    sns.set_topic_attributes(TopicArn=attrs["id"], AttributeName="DisplayName",
                             AttributeValue="Pager")
    sns.tag_resource(ResourceArn=attrs["id"], Tags=[{"Key": "team", "Value": "ops"}])


def _delete(clients: Any, attrs: Attrs) -> None:
    clients("sns").delete_topic(TopicArn=attrs["id"])


CASES = [
    AwsCase(
        type="aws_sns_topic",
        create=_create,
        change=_change,
        changed_paths=frozenset({"display_name", "tags.team"}),
        delete=_delete,
    ),
]
