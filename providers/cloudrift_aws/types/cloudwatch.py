"""CloudWatch metric alarms.

One paged ``DescribeAlarms`` per region (metric alarms only; composite alarms are another
Terraform type) gives every argument; tags come from the tagging API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types._common import flag, number, string_set
from cloudrift_aws.types.bulk import TagCall, bulk_tags, with_tags

_ID = "AlarmName"


def _alarms(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    alarms = [dict(a) for a in ctx.paginate("cloudwatch", region, "describe_alarms",
                                            "MetricAlarms", AlarmTypes=["MetricAlarm"])]
    return with_tags(
        ctx, region, alarms, managed,
        arn=lambda item: item.get("AlarmArn"),
        id_query=_ID,
        call=TagCall("cloudwatch", "list_tags_for_resource",
                     lambda item: {"ResourceARN": item["AlarmArn"]}, "Tags"),
    )


def _dimensions(value: Any) -> Any:
    """``[{Name, Value}]`` or the state's map, as a map."""
    if isinstance(value, list):
        value = {d.get("Name"): d.get("Value") for d in value if isinstance(d, Mapping)}
    return n.tags(value)


def _metric_queries(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    queries = []
    for q in value:
        if not isinstance(q, Mapping):
            continue
        if "id" in q:  # the state's block
            metric = (q.get("metric") or [{}])[0] or {}
            shaped_metric = {
                "metric_name": metric.get("metric_name"), "namespace": metric.get("namespace"),
                "period": metric.get("period"), "stat": metric.get("stat"),
                "unit": metric.get("unit"), "dimensions": metric.get("dimensions"),
            } if metric else None
            query = {"id": q.get("id"), "expression": q.get("expression"),
                     "label": q.get("label"), "period": q.get("period"),
                     "return_data": q.get("return_data"), "account_id": q.get("account_id")}
        else:  # the API's MetricDataQuery
            stat = q.get("MetricStat") or {}
            metric = stat.get("Metric") or {}
            shaped_metric = {
                "metric_name": metric.get("MetricName"), "namespace": metric.get("Namespace"),
                "period": stat.get("Period"), "stat": stat.get("Stat"), "unit": stat.get("Unit"),
                "dimensions": metric.get("Dimensions"),
            } if stat else None
            query = {"id": q.get("Id"), "expression": q.get("Expression"),
                     "label": q.get("Label"), "period": q.get("Period"),
                     "return_data": q.get("ReturnData"), "account_id": q.get("AccountId")}
        queries.append({
            "id": query["id"] or "",
            "expression": query["expression"] or "",
            "label": query["label"] or "",
            "period": n.to_int(query["period"]) or 0,
            "return_data": bool(n.to_bool(query["return_data"])),
            "account_id": query["account_id"] or "",
            "metric": None if not shaped_metric else {
                **{k: (shaped_metric[k] or "") for k in ("metric_name", "namespace", "stat",
                                                        "unit")},
                "period": n.to_int(shaped_metric["period"]) or 0,
                "dimensions": _dimensions(shaped_metric["dimensions"]) or {},
            },
        })
    return n.as_set(queries)


ALARM = AwsSpec(
    type="aws_cloudwatch_metric_alarm",
    service="cloudwatch",
    enumerate=_alarms,
    id_query=_ID,
    import_id="alarm_name",
    description="CloudWatch metric alarm",
    calls=("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
    fields=(
        FieldSpec("alarm_description", query="AlarmDescription"),
        FieldSpec("comparison_operator", query="ComparisonOperator"),
        number("evaluation_periods", "EvaluationPeriods"),
        number("datapoints_to_alarm", "DatapointsToAlarm", default=0),
        FieldSpec("metric_name", query="MetricName"),
        FieldSpec("namespace", query="Namespace"),
        number("period", "Period", default=0),
        FieldSpec("statistic", query="Statistic"),
        FieldSpec("extended_statistic", query="ExtendedStatistic"),
        number("threshold", "Threshold", default=0),
        FieldSpec("threshold_metric_id", query="ThresholdMetricId"),
        FieldSpec("treat_missing_data", query="TreatMissingData", default="missing"),
        FieldSpec("evaluate_low_sample_count_percentiles",
                  query="EvaluateLowSampleCountPercentile"),
        FieldSpec("unit", query="Unit"),
        FieldSpec("dimensions", query="Dimensions", normalise=(_dimensions,)),
        flag("actions_enabled", "ActionsEnabled", default=True),
        string_set("alarm_actions", "AlarmActions"),
        string_set("ok_actions", "OKActions"),
        string_set("insufficient_data_actions", "InsufficientDataActions"),
        FieldSpec("metric_query", query="Metrics", normalise=(_metric_queries,)),
        bulk_tags(),
    ),
    not_compared={"alarm_name": "identity (the import id)"},
)

SPECS: tuple[AwsSpec, ...] = (ALARM,)
