"""Kinesis stream case; the state shape is what hashicorp/aws 5.100 recorded against moto."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase


def _create(clients: Any) -> Attrs:
    kinesis = clients("kinesis")
    kinesis.create_stream(StreamName="events", ShardCount=1,
                          StreamModeDetails={"StreamMode": "PROVISIONED"})
    kinesis.increase_stream_retention_period(StreamName="events", RetentionPeriodHours=48)
    kinesis.enable_enhanced_monitoring(StreamName="events", ShardLevelMetrics=["IncomingBytes"])
    kinesis.add_tags_to_stream(StreamName="events", Tags={"env": "prod"})
    arn = kinesis.describe_stream_summary(StreamName="events")[
        "StreamDescriptionSummary"]["StreamARN"]
    return {
        "id": arn, "arn": arn, "name": "events", "shard_count": 1, "retention_period": 48,
        "encryption_type": "NONE", "kms_key_id": "", "shard_level_metrics": ["IncomingBytes"],
        "stream_mode_details": [{"stream_mode": "PROVISIONED"}],
        "enforce_consumer_deletion": False,
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"}, "timeouts": None,
    }


def _change(clients: Any, attrs: Attrs) -> None:
    kinesis = clients("kinesis")
    kinesis.increase_stream_retention_period(StreamName="events", RetentionPeriodHours=72)
    kinesis.add_tags_to_stream(StreamName="events", Tags={"env": "dev"})


CASES = [
    AwsCase(
        type="aws_kinesis_stream",
        create=_create,
        change=_change,
        changed_paths=frozenset({"retention_period", "tags.env"}),
        delete=lambda clients, attrs: clients("kinesis").delete_stream(StreamName="events"),
        import_id=lambda attrs: "events",
    ),
]
