"""EventBridge cases: rule (on a custom bus), target."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"
_QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"


def _pattern(source: str) -> str:
    return json.dumps({"source": [source], "detail-type": ["Order Placed"]})


def make_rule(clients: Any, bus: str = "orders", name: str = "placed") -> str:
    events = clients("events")
    if bus != "default":
        events.create_event_bus(Name=bus)
    return str(events.put_rule(Name=name, EventBusName=bus, EventPattern=_pattern("shop"),
                               State="ENABLED", Description="orders placed",
                               Tags=[{"Key": "team", "Value": "core"}])["RuleArn"])


def _create_rule(clients: Any) -> Attrs:
    arn = make_rule(clients)
    return {
        "id": "orders/placed",
        "arn": arn,
        "name": "placed",
        "name_prefix": "",
        "event_bus_name": "orders",
        # as jsonencode() writes it: compact, keys sorted
        "event_pattern": json.dumps(json.loads(_pattern("shop")), separators=(",", ":"),
                                    sort_keys=True),
        "description": "orders placed",
        "schedule_expression": "",
        "role_arn": "",
        "state": "ENABLED",
        "is_enabled": True,
        "force_destroy": False,
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change_rule(clients: Any, attrs: Attrs) -> None:
    events = clients("events")
    events.put_rule(Name="placed", EventBusName="orders", EventPattern=_pattern("store"),
                    State="ENABLED", Description="orders placed")
    events.disable_rule(Name="placed", EventBusName="orders")


def _delete_rule(clients: Any, attrs: Attrs) -> None:
    clients("events").delete_rule(Name="placed", EventBusName="orders")


def put_target(clients: Any, attempts: int) -> None:
    clients("events").put_targets(Rule="nightly", EventBusName="default", Targets=[{
        "Id": "queue", "Arn": _QUEUE, "Input": json.dumps({"job": "report"}),
        "RetryPolicy": {"MaximumRetryAttempts": attempts, "MaximumEventAgeInSeconds": 3600},
        "DeadLetterConfig": {"Arn": f"{_QUEUE}-dlq"},
    }])


def _create_target(clients: Any) -> Attrs:
    clients("events").put_rule(Name="nightly", ScheduleExpression="rate(1 day)",
                               State="ENABLED")
    put_target(clients, 3)
    return {
        "id": "nightly-queue",
        "rule": "nightly",
        "target_id": "queue",
        "event_bus_name": "default",
        "arn": _QUEUE,
        "role_arn": "",
        "input": json.dumps({"job": "report"}),
        "input_path": "",
        "input_transformer": [],
        "retry_policy": [{"maximum_retry_attempts": 3, "maximum_event_age_in_seconds": 3600}],
        "dead_letter_config": [{"arn": f"{_QUEUE}-dlq"}],
        "sqs_target": [],
        "kinesis_target": [],
        "ecs_target": [],
        "batch_target": [],
        "http_target": [],
        "run_command_targets": [],
        "redshift_target": [],
        "sagemaker_pipeline_target": [],
        "appsync_target": [],
        "force_destroy": False,
    }


def _change_target(clients: Any, attrs: Attrs) -> None:
    put_target(clients, 0)


def _delete_target(clients: Any, attrs: Attrs) -> None:
    clients("events").remove_targets(Rule="nightly", EventBusName="default", Ids=["queue"])


CASES = [
    AwsCase(
        type="aws_cloudwatch_event_rule",
        create=_create_rule,
        change=_change_rule,
        changed_paths=frozenset({"event_pattern", "state"}),
        delete=_delete_rule,
    ),
    AwsCase(
        type="aws_cloudwatch_event_target",
        create=_create_target,
        change=_change_target,
        changed_paths=frozenset({"retry_policy.0.maximum_retry_attempts"}),
        delete=_delete_target,
        import_id=lambda attrs: "default/nightly/queue",
        # a target is a part of its rule: unmanaged only under a managed rule
        parent=lambda attrs: ("aws_cloudwatch_event_rule", {
            "id": "nightly", "name": "nightly", "event_bus_name": "default"}),
    ),
]
