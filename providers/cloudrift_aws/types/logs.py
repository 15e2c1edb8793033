"""CloudWatch Logs log groups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift import normalise as n
from cloudrift.spec import FieldSpec
from cloudrift_aws.fields import tags
from cloudrift_aws.spec import AwsSpec, Call, Detail, Item


def _group_arn(item: Item) -> str:
    # `arn` ends in ":*" (the log streams); the tagging API wants the group's own ARN
    arn = item.get("logGroupArn") or str(item.get("arn", "")).removesuffix(":*")
    return str(arn)


def _retention(payload: Mapping[str, Any]) -> Any:
    # absent means "never expire", which the provider records as 0
    return payload.get("retentionInDays") or 0


LOG_GROUP = AwsSpec(
    type="aws_cloudwatch_log_group",
    service="logs",
    list=Call("describe_log_groups", "logGroups"),
    id_query="logGroupName",
    details=(
        Detail("tags", "list_tags_for_resource", lambda item: {"resourceArn": _group_arn(item)},
               result="tags"),
    ),
    fields=(
        FieldSpec("retention_in_days", extract=_retention, normalise=(n.to_int,)),
        FieldSpec("kms_key_id", query="kmsKeyId"),
        FieldSpec("log_group_class", query="logGroupClass"),
        tags("tags", detail="tags"),
    ),
)

SPECS: tuple[AwsSpec, ...] = (LOG_GROUP,)
