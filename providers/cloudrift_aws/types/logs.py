"""CloudWatch Logs log groups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types.bulk import TagCall, bulk_tags, with_tags

_ID = "logGroupName"


def _group_arn(item: Item) -> str:
    # `arn` ends in ":*" (the log streams); the tagging API wants the group's own ARN
    arn = item.get("logGroupArn") or str(item.get("arn", "")).removesuffix(":*")
    return str(arn)


def _log_groups(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    groups = [dict(g) for g in ctx.paginate("logs", region, "describe_log_groups", "logGroups")]
    return with_tags(
        ctx, region, groups, managed,
        arn=_group_arn,
        id_query=_ID,
        call=TagCall("logs", "list_tags_for_resource",
                     lambda item: {"resourceArn": _group_arn(item)}, "tags"),
    )


def _retention(payload: Mapping[str, Any]) -> Any:
    # absent means "never expire", which the provider records as 0
    return payload.get("retentionInDays") or 0


LOG_GROUP = AwsSpec(
    type="aws_cloudwatch_log_group",
    calls=("logs:DescribeLogGroups",),
    service="logs",
    enumerate=_log_groups,
    id_query=_ID,
    fields=(
        FieldSpec("retention_in_days", extract=_retention, normalise=(n.to_int,)),
        FieldSpec("kms_key_id", query="kmsKeyId"),
        FieldSpec("log_group_class", query="logGroupClass"),
        bulk_tags(),
    ),
)

SPECS: tuple[AwsSpec, ...] = (LOG_GROUP,)
