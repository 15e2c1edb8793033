"""Lambda functions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_int
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types.bulk import TagCall, bulk_tags, with_tags

_ID = "FunctionName"


def _functions(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    # ListFunctions returns the whole configuration of $LATEST; tags come from the tagging API
    functions = [dict(f) for f in ctx.paginate("lambda", region, "list_functions", "Functions")]
    return with_tags(
        ctx, region, functions, managed,
        arn=lambda item: item.get("FunctionArn"),
        id_query=_ID,
        call=TagCall("lambda", "list_tags", lambda item: {"Resource": item["FunctionArn"]},
                     "Tags"),
    )


def _variables(payload: Mapping[str, Any]) -> Any:
    environment = payload.get("Environment") or {}
    # variables KMS could not decrypt come back as an error instead of values
    if environment.get("Error"):
        return UNKNOWN
    return environment.get("Variables")


def _layers(payload: Mapping[str, Any]) -> Any:
    # order is the merge order of the layers: a list, not a set
    return [layer.get("Arn") for layer in payload.get("Layers") or ()]


FUNCTION = AwsSpec(
    type="aws_lambda_function",
    calls=("lambda:ListFunctions",),
    service="lambda",
    enumerate=_functions,
    id_query=_ID,
    fields=(
        FieldSpec("role", query="Role"),
        FieldSpec("handler", query="Handler"),
        FieldSpec("runtime", query="Runtime"),
        FieldSpec("package_type", query="PackageType", default="Zip"),
        attr_int("memory_size", "MemorySize"),
        attr_int("timeout", "Timeout"),
        FieldSpec("description", query="Description"),
        FieldSpec("environment.0.variables", extract=_variables),
        FieldSpec("layers", extract=_layers),
        FieldSpec("architectures", query="Architectures", default=["x86_64"]),
        FieldSpec("kms_key_arn", query="KMSKeyArn"),
        FieldSpec("tracing_config.0.mode", query="TracingConfig.Mode", default="PassThrough"),
        FieldSpec("ephemeral_storage.0.size", query="EphemeralStorage.Size",
                  normalise=(n.to_int,), default=512),
        FieldSpec("dead_letter_config.0.target_arn", query="DeadLetterConfig.TargetArn"),
        FieldSpec("vpc_config.0.subnet_ids", query="VpcConfig.SubnetIds",
                  normalise=(n.as_set,)),
        FieldSpec("vpc_config.0.security_group_ids", query="VpcConfig.SecurityGroupIds",
                  normalise=(n.as_set,)),
        bulk_tags(),
    ),
)

SPECS: tuple[AwsSpec, ...] = (FUNCTION,)
