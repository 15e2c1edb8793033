"""Step Functions state machines.

One paged ``ListStateMachines`` per region, tags from the tagging API (``states``), and one
``DescribeStateMachine`` per managed state machine for its definition and configuration (the
listing has names and types only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types._common import flag, number
from cloudrift_aws.types.bulk import TagCall, bulk_tags, with_tags

_S = "stepfunctions"
_ID = "stateMachineArn"
_D = "machine"


def _machines(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    machines = [dict(m) for m in ctx.paginate(_S, region, "list_state_machines",
                                              "stateMachines")]
    return with_tags(
        ctx, region, machines, managed,
        arn=lambda item: item.get(_ID),
        id_query=_ID,
        call=TagCall(_S, "list_tags_for_resource", lambda item: {"resourceArn": item[_ID]},
                     "tags"),
    )


def _log_destination(payload: Mapping[str, Any]) -> Any:
    destinations = (((payload.get(_D) or {}).get("loggingConfiguration") or {})
                    .get("destinations") or [])
    for destination in destinations:
        return ((destination or {}).get("cloudWatchLogsLogGroup") or {}).get("logGroupArn")
    return None


def _encryption_type(value: Any) -> Any:
    # a key AWS owns is what a state machine without the block gets
    return None if value == "AWS_OWNED_KEY" else value


MACHINE = AwsSpec(
    type="aws_sfn_state_machine",
    service=_S,
    enumerate=_machines,
    id_query=_ID,
    tagging_service="states",
    description="Step Functions state machine",
    calls=("stepfunctions:ListStateMachines", "stepfunctions:ListTagsForResource"),
    details=(
        Detail(_D, "describe_state_machine", lambda item: {_ID: item[_ID]}),
    ),
    fields=(
        # the provider too compares the definition as JSON
        FieldSpec("definition", query=f"{_D}.definition", normalise=(n.json_document,),
                  detail=_D),
        FieldSpec("role_arn", query=f"{_D}.roleArn", detail=_D),
        FieldSpec("type", query="type", default="STANDARD"),
        FieldSpec("logging_configuration.0.level", query=f"{_D}.loggingConfiguration.level",
                  detail=_D),
        flag("logging_configuration.0.include_execution_data",
             f"{_D}.loggingConfiguration.includeExecutionData", detail=_D),
        FieldSpec("logging_configuration.0.log_destination", extract=_log_destination,
                  detail=_D),
        flag("tracing_configuration.0.enabled", f"{_D}.tracingConfiguration.enabled",
             detail=_D),
        FieldSpec("encryption_configuration.0.type", query=f"{_D}.encryptionConfiguration.type",
                  normalise=(_encryption_type,), detail=_D),
        FieldSpec("encryption_configuration.0.kms_key_id",
                  query=f"{_D}.encryptionConfiguration.kmsKeyId", detail=_D),
        number("encryption_configuration.0.kms_data_key_reuse_period_seconds",
               f"{_D}.encryptionConfiguration.kmsDataKeyReusePeriodSeconds", detail=_D),
        bulk_tags(),
    ),
    not_compared={
        "name": "identity (part of the ARN, the import id)",
        "name_prefix": "identity: only makes the name",
        "publish": "Terraform-only: whether an update publishes a version",
    },
)

SPECS: tuple[AwsSpec, ...] = (MACHINE,)
