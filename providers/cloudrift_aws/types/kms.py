"""KMS keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jmespath
from botocore.exceptions import ClientError

from cloudrift.sdk import UNKNOWN, FieldSpec, Normaliser, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_policy
from cloudrift_aws.session import AwsContext, error_code
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types.bulk import TagCall, bulk_tags, memo_outcome, with_tags

# A key scheduled for deletion can no longer be used and disappears on its own: `terraform
# destroy` leaves keys in this state for 7-30 days, and the provider treats one as deleted.
_GONE_STATES = frozenset({"PendingDeletion", "PendingReplicaDeletion"})
_AWS_ALIAS_PREFIX = "alias/aws/"
_ID = "KeyId"


def aliases(ctx: AwsContext, region: str) -> list[Item]:
    """Every alias of the region, listed once per scan for the key and alias types."""
    return memo_outcome(ctx, f"kms:list_aliases:{region}",
                        lambda: ctx.paginate("kms", region, "list_aliases", "Aliases"))


def _aws_managed_key_ids(ctx: AwsContext, region: str) -> set[str]:
    return {
        str(alias["TargetKeyId"])
        for alias in aliases(ctx, region)
        if alias.get("TargetKeyId")
        and str(alias.get("AliasName", "")).startswith(_AWS_ALIAS_PREFIX)
    }


def _keys(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    wanted = {r.id for r in managed}
    aws_managed = _aws_managed_key_ids(ctx, region)
    items: list[Item] = []
    for entry in ctx.paginate("kms", region, "list_keys", "Keys"):
        key_id = str(entry["KeyId"])
        item: Item = {"KeyId": key_id, "KeyArn": entry.get("KeyArn"),
                      "AwsAlias": key_id in aws_managed}
        # AWS-managed keys are never Terraform's and never deleted, so they need no DescribeKey.
        # Every other key does: only its KeyState tells a live key from one `terraform destroy`
        # scheduled for deletion, which would otherwise show as unmanaged for up to 30 days.
        if key_id in wanted or not item["AwsAlias"]:
            try:
                metadata = ctx.call("kms", region, "describe_key", KeyId=key_id)["KeyMetadata"]
            except ClientError as exc:
                if error_code(exc) == "NotFoundException":
                    continue
                # a key policy may deny this principal: the key exists, its settings are unknown
                metadata = None
            if metadata is not None:
                if metadata.get("KeyState") in _GONE_STATES:
                    continue
                item["KeyMetadata"] = metadata
        items.append(item)
    return with_tags(
        ctx, region, items, managed,
        arn=lambda item: item.get("KeyArn"),
        id_query=_ID,
        call=TagCall("kms", "list_resource_tags", lambda item: {"KeyId": item["KeyId"]}, "Tags"),
    )


def _is_aws_managed(item: Mapping[str, Any]) -> bool:
    metadata = item.get("KeyMetadata") or {}
    return bool(item.get("AwsAlias")) or metadata.get("KeyManager") == "AWS"


def _metadata(path: str, query: str, *normalise: Normaliser, default: Any = None) -> FieldSpec:
    """A DescribeKey field; unknown, not empty, when DescribeKey was refused for the key."""
    compiled = jmespath.compile(query)

    def extract(payload: Mapping[str, Any]) -> Any:
        metadata = payload.get("KeyMetadata")
        if metadata is None:
            return UNKNOWN
        value = compiled.search(metadata)
        return default if value is None else value

    return FieldSpec(path, extract=extract, normalise=normalise)


def _rotation_period(payload: Mapping[str, Any]) -> Any:
    rotation = payload.get("rotation") or {}
    # only returned while rotation is on (and not by every emulator): absent is not "0 days"
    period = rotation.get("RotationPeriodInDays")
    return UNKNOWN if period is None else period


def _state_rotation_period(attributes: Mapping[str, Any]) -> Any:
    period = attributes.get("rotation_period_in_days")
    if not period or not attributes.get("enable_key_rotation"):
        return UNKNOWN
    return period


KEY = AwsSpec(
    type="aws_kms_key",
    calls=("kms:ListKeys", "kms:ListAliases", "kms:DescribeKey"),
    service="kms",
    enumerate=_keys,
    id_query=_ID,
    is_default=_is_aws_managed,
    details=(
        Detail(
            "policy",
            "get_key_policy",
            lambda item: {"KeyId": item["KeyId"], "PolicyName": "default"},
            result="Policy",
        ),
        Detail(
            "rotation",
            "get_key_rotation_status",
            lambda item: {"KeyId": item["KeyId"]},
            # asymmetric, HMAC and custom-key-store keys cannot rotate automatically
            absent=("UnsupportedOperationException",),
        ),
    ),
    fields=(
        _metadata("description", "Description"),
        _metadata("key_usage", "KeyUsage"),
        _metadata("customer_master_key_spec", "KeySpec || CustomerMasterKeySpec"),
        _metadata("is_enabled", "Enabled", n.to_bool),
        _metadata("multi_region", "MultiRegion", n.to_bool, default=False),
        _metadata("custom_key_store_id", "CustomKeyStoreId"),
        _metadata("xks_key_id", "XksKeyConfiguration.Id"),
        FieldSpec("enable_key_rotation", query="rotation.KeyRotationEnabled",
                  normalise=(n.to_bool,), detail="rotation", default=False),
        FieldSpec("rotation_period_in_days", extract=_rotation_period,
                  from_state=_state_rotation_period, normalise=(n.to_int,), detail="rotation"),
        attr_policy("policy", "policy", detail="policy"),
        bulk_tags(),
    ),
)

SPECS: tuple[AwsSpec, ...] = (KEY,)
