"""CloudWatch Logs cases."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

_NAME = "/app/worker"


def _create(clients: Any) -> Attrs:
    logs = clients("logs")
    logs.create_log_group(logGroupName=_NAME, tags={"team": "core"})
    # retention is a second call after CreateLogGroup, as in the provider
    logs.put_retention_policy(logGroupName=_NAME, retentionInDays=14)
    return {
        "id": _NAME,
        "name": _NAME,
        "name_prefix": "",
        "arn": f"arn:aws:logs:us-east-1:123456789012:log-group:{_NAME}",
        "retention_in_days": 14,
        "kms_key_id": "",
        "log_group_class": "",
        "skip_destroy": False,
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change(clients: Any, attrs: Attrs) -> None:
    logs = clients("logs")
    logs.delete_retention_policy(logGroupName=attrs["id"])
    logs.tag_resource(resourceArn=attrs["arn"], tags={"owner": "ops"})


def _delete(clients: Any, attrs: Attrs) -> None:
    clients("logs").delete_log_group(logGroupName=attrs["id"])


CASES = [
    AwsCase(
        type="aws_cloudwatch_log_group",
        create=_create,
        change=_change,
        changed_paths=frozenset({"retention_in_days", "tags.owner"}),
        delete=_delete,
    ),
]
