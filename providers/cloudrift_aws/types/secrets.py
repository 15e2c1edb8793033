"""Secrets Manager secrets and SSM parameters: metadata only, never a secret value.

No call of a scan returns secret material: no ``GetSecretValue`` / ``BatchGetSecretValue``, no
``GetParameter(s)`` (with or without ``WithDecryption``), no ``GetParameterHistory``, which
would hand back values. ``tests/providers/aws/test_secret_types.py`` holds a scan to that.

- ``aws_secretsmanager_secret``: one paged ``ListSecrets`` per region (tags included; secrets
  scheduled for deletion are left out, as the provider treats them as gone), plus, per managed
  secret, ``DescribeSecret`` for its replicas and ``GetResourcePolicy`` for its policy. The
  secret's value lives in ``aws_secretsmanager_secret_version``, never in this type.
- ``aws_ssm_parameter``: one paged ``DescribeParameters`` per region, tags from the tagging
  API. Its value (``value``, ``insecure_value`` or the write-only ``value_wo``) is never read:
  the parameter's version stands in for it. Every put bumps the version, and Terraform records
  the version it left, so a newer one in AWS means someone put the parameter behind Terraform's
  back; that is reported as a change of ``value``, shown as ``(sensitive)`` on both sides. A
  put that rewrote the very same value counts too (AWS cannot tell the difference without the
  value).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_policy, tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Call, Detail, Item
from cloudrift_aws.types.bulk import TagCall, bulk_tags, with_tags

# -- aws_secretsmanager_secret --------------------------------------------------------------


def _replicas_cloud(item: Mapping[str, Any]) -> Any:
    described = item.get("described")
    if not isinstance(described, Mapping):
        return UNKNOWN
    return n.as_set([{"region": r.get("Region"), "kms_key_id": r.get("KmsKeyId") or None}
                     for r in described.get("ReplicationStatus") or ()])


def _replicas_state(attributes: Mapping[str, Any]) -> Any:
    if "replica" not in attributes:
        return UNKNOWN
    return n.as_set([{"region": r.get("region"), "kms_key_id": r.get("kms_key_id") or None}
                     for r in attributes.get("replica") or ()])


SECRET = AwsSpec(
    type="aws_secretsmanager_secret",
    service="secretsmanager",
    list=Call("list_secrets", "SecretList"),
    id_query="ARN",
    details=(
        Detail("described", "describe_secret", lambda item: {"SecretId": item["ARN"]}),
        Detail("policy", "get_resource_policy", lambda item: {"SecretId": item["ARN"]},
               result="ResourcePolicy"),
    ),
    description="Secrets Manager secret, metadata only (one ListSecrets a region; "
    "DescribeSecret and GetResourcePolicy per managed secret; its value is never read)",
    fields=(
        FieldSpec("description", query="Description"),
        FieldSpec("kms_key_id", query="KmsKeyId"),
        attr_policy("policy", "policy", detail="policy"),
        FieldSpec("replica", extract=_replicas_cloud, from_state=_replicas_state,
                  detail="described"),
        tags("Tags"),
    ),
    not_compared={
        "name": "identity: the ARN (the import id) holds it",
        "name_prefix": "Terraform-only: how the name was made",
        "recovery_window_in_days": "Terraform-only: what destroy does",
        "force_overwrite_replica_secret": "Terraform-only: how a replica is made",
    },
)


# -- aws_ssm_parameter ----------------------------------------------------------------------

# DescribeParameters' most items a page
_PARAMETER_PAGE = 50


def _parameter_arn(partition: str, region: str, account: str, name: str) -> str:
    # a name with a leading slash keeps it inside the ARN's "parameter" part only once
    return f"arn:{partition}:ssm:{region}:{account}:parameter/{name.lstrip('/')}"


def _parameters(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    listed = ctx.paginate("ssm", region, "describe_parameters", "Parameters",
                          PaginationConfig={"PageSize": _PARAMETER_PAGE})
    partition = ctx.partition_for(region)
    account = ctx.account_id(region)
    items: list[Item] = [
        {**parameter,
         "ARN": parameter.get("ARN") or _parameter_arn(partition, region, account,
                                                         str(parameter["Name"]))}
        for parameter in listed
    ]
    return with_tags(
        ctx, region, items, managed,
        arn=lambda item: item.get("ARN"),
        id_query="Name",
        call=TagCall("ssm", "list_tags_for_resource",
                     lambda item: {"ResourceType": "Parameter", "ResourceId": item["Name"]},
                     "TagList"),
    )


def _version_state(attributes: Mapping[str, Any]) -> Any:
    version = attributes.get("version")
    return UNKNOWN if version in (None, "", 0) else version


def _tier_state(attributes: Mapping[str, Any]) -> Any:
    tier = attributes.get("tier")
    # AWS answers with the tier it chose (Standard or Advanced), never Intelligent-Tiering
    return UNKNOWN if tier == "Intelligent-Tiering" else tier


PARAMETER = AwsSpec(
    type="aws_ssm_parameter",
    service="ssm",
    enumerate=_parameters,
    calls=("ssm:DescribeParameters",),
    id_query="Name",
    import_id="name",
    description="SSM parameter, metadata only (one DescribeParameters a region, bulk tags); "
    "its value is never read: a put behind Terraform's back shows as value (sensitive), from "
    "the parameter's version",
    fields=(
        FieldSpec("type", query="Type"),
        FieldSpec("description", query="Description"),
        FieldSpec("allowed_pattern", query="AllowedPattern"),
        FieldSpec("tier", query="Tier", from_state=_tier_state, default="Standard"),
        FieldSpec("data_type", query="DataType", default="text"),
        FieldSpec("key_id", query="KeyId"),
        # the version Terraform left against AWS's: never the value itself
        FieldSpec("value", query="Version", from_state=_version_state, normalise=(n.to_int,),
                  sensitive=True),
        bulk_tags(),
    ),
    not_compared={
        "name": "identity: the import id",
        "insecure_value": "never read: a put shows as value (sensitive), from the version",
        "value_wo": "write-only, never read: a put shows as value (sensitive), from the "
        "version",
        "value_wo_version": "Terraform-only: when to send value_wo again",
        "overwrite": "Terraform-only: how the value is written",
        "arn": "identity: derived from the name",
    },
)

SPECS: tuple[AwsSpec, ...] = (SECRET, PARAMETER)
