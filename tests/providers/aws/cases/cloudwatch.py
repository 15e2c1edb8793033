"""CloudWatch cases: metric alarm."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

_TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts"


def _put(clients: Any, threshold: float, actions: list[str]) -> None:
    clients("cloudwatch").put_metric_alarm(
        AlarmName="cpu-high", AlarmDescription="CPU above threshold",
        ComparisonOperator="GreaterThanThreshold", EvaluationPeriods=2, DatapointsToAlarm=2,
        MetricName="CPUUtilization", Namespace="AWS/EC2", Period=120, Statistic="Average",
        Threshold=threshold, TreatMissingData="missing", ActionsEnabled=True,
        AlarmActions=actions, OKActions=[], InsufficientDataActions=[],
        Dimensions=[{"Name": "InstanceId", "Value": "i-0123456789abcdef0"}],
        Tags=[{"Key": "team", "Value": "core"}],
    )


def _create(clients: Any) -> Attrs:
    _put(clients, 80.0, [_TOPIC])
    return {
        "id": "cpu-high",
        "arn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu-high",
        "alarm_name": "cpu-high",
        "alarm_description": "CPU above threshold",
        "comparison_operator": "GreaterThanThreshold",
        "evaluation_periods": 2,
        "datapoints_to_alarm": 2,
        "metric_name": "CPUUtilization",
        "namespace": "AWS/EC2",
        "period": 120,
        "statistic": "Average",
        "extended_statistic": "",
        "threshold": 80,
        "threshold_metric_id": "",
        "treat_missing_data": "missing",
        "evaluate_low_sample_count_percentiles": "",
        "unit": "",
        "dimensions": {"InstanceId": "i-0123456789abcdef0"},
        "actions_enabled": True,
        "alarm_actions": [_TOPIC],
        "ok_actions": [],
        "insufficient_data_actions": [],
        "metric_query": [],
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change(clients: Any, attrs: Attrs) -> None:
    _put(clients, 95.0, [])


def _delete(clients: Any, attrs: Attrs) -> None:
    clients("cloudwatch").delete_alarms(AlarmNames=[attrs["id"]])


CASES = [
    AwsCase(
        type="aws_cloudwatch_metric_alarm",
        create=_create,
        change=_change,
        changed_paths=frozenset({"threshold", "alarm_actions"}),
        delete=_delete,
    ),
]
