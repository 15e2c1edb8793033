"""DynamoDB tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, Extractor, FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_bool
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types.bulk import TagCall, bulk_tags, with_tags

_ID = "TableName"

_ON_DEMAND = "PAY_PER_REQUEST"
# a transition in progress already reflects the user's choice
_ON = frozenset({"ENABLED", "ENABLING", "UPDATING"})


def _tables(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    names = ctx.paginate("dynamodb", region, "list_tables", "TableNames")
    # tags are looked up by ARN; build it rather than make tags depend on DescribeTable
    partition = ctx.partition_for(region)
    account = ctx.account_id(region)
    tables: list[Item] = [
        {"TableName": name, "TableArn": f"arn:{partition}:dynamodb:{region}:{account}:table/{name}"}
        for name in names
    ]
    return with_tags(
        ctx, region, tables, managed,
        arn=lambda item: item.get("TableArn"),
        id_query=_ID,
        call=TagCall("dynamodb", "list_tags_of_resource",
                     lambda item: {"ResourceArn": item["TableArn"]}, "Tags"),
    )


def _table(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    return payload.get("table") or {}


def _billing_mode(payload: Mapping[str, Any]) -> Any:
    # tables created before on-demand existed carry no summary: they are provisioned
    return (_table(payload).get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED"


def _key(kind: str) -> Extractor:
    def extract(payload: Mapping[str, Any]) -> Any:
        for element in _table(payload).get("KeySchema") or ():
            if element.get("KeyType") == kind:
                return element.get("AttributeName")
        return None

    return extract


def _attributes(payload: Mapping[str, Any]) -> Any:
    return [
        {"name": a.get("AttributeName"), "type": a.get("AttributeType")}
        for a in _table(payload).get("AttributeDefinitions") or ()
    ]


def _state_attributes(attributes: Mapping[str, Any]) -> Any:
    return [{"name": a.get("name"), "type": a.get("type")}
            for a in attributes.get("attribute") or ()]


def _capacity(name: str) -> Extractor:
    def extract(payload: Mapping[str, Any]) -> Any:
        if _billing_mode(payload) == _ON_DEMAND:
            return UNKNOWN
        return (_table(payload).get("ProvisionedThroughput") or {}).get(name)

    return extract


def _state_capacity(path: str) -> Extractor:
    def from_state(attributes: Mapping[str, Any]) -> Any:
        # on demand, the capacity arguments mean nothing (Terraform records 0)
        if attributes.get("billing_mode") == _ON_DEMAND:
            return UNKNOWN
        return attributes.get(path)

    return from_state


def _stream(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    return _table(payload).get("StreamSpecification") or {}


def _stream_view_type(payload: Mapping[str, Any]) -> Any:
    # AWS forgets the view type once the stream is off; Terraform may still hold it
    stream = _stream(payload)
    return stream.get("StreamViewType") if stream.get("StreamEnabled") else UNKNOWN


def _state_stream_view_type(attributes: Mapping[str, Any]) -> Any:
    return attributes.get("stream_view_type") if attributes.get("stream_enabled") else UNKNOWN


def _first_block(attributes: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    blocks = attributes.get(name) or [{}]
    return blocks[0] or {}


def _ttl_attribute(payload: Mapping[str, Any]) -> Any:
    # DescribeTimeToLive drops the attribute name once TTL is off
    ttl = payload.get("ttl") or {}
    return ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") in _ON else UNKNOWN


def _state_ttl_attribute(attributes: Mapping[str, Any]) -> Any:
    ttl = _first_block(attributes, "ttl")
    return ttl.get("attribute_name") if ttl.get("enabled") else UNKNOWN


def _status_on(value: Any) -> Any:
    if value is None:
        return None
    return value in _ON if isinstance(value, str) else bool(value)


def _pitr_period(payload: Mapping[str, Any]) -> Any:
    description = ((payload.get("backups") or {}).get("PointInTimeRecoveryDescription") or {})
    if description.get("PointInTimeRecoveryStatus") not in _ON:
        return UNKNOWN
    return description.get("RecoveryPeriodInDays", UNKNOWN)


def _state_pitr_period(attributes: Mapping[str, Any]) -> Any:
    pitr = _first_block(attributes, "point_in_time_recovery")
    # the provider records 0 when recovery is off; it means "no window", not a drifted window
    if not pitr.get("enabled") or not pitr.get("recovery_period_in_days"):
        return UNKNOWN
    return pitr.get("recovery_period_in_days")


def _sse_enabled(payload: Mapping[str, Any]) -> Any:
    # no description means the AWS-owned key, which is what `enabled = false` asks for
    return (_table(payload).get("SSEDescription") or {}).get("Status") in _ON


def _sse_key(payload: Mapping[str, Any]) -> Any:
    if not _sse_enabled(payload):
        return UNKNOWN
    return (_table(payload).get("SSEDescription") or {}).get("KMSMasterKeyArn")


def _as_flag(value: Any) -> Any:
    return bool(n.to_bool(value))


TABLE = AwsSpec(
    type="aws_dynamodb_table",
    calls=("dynamodb:ListTables",),
    service="dynamodb",
    enumerate=_tables,
    id_query=_ID,
    details=(
        Detail("table", "describe_table", lambda item: {"TableName": item["TableName"]},
               result="Table"),
        Detail("ttl", "describe_time_to_live", lambda item: {"TableName": item["TableName"]},
               result="TimeToLiveDescription"),
        Detail("backups", "describe_continuous_backups",
               lambda item: {"TableName": item["TableName"]},
               result="ContinuousBackupsDescription"),
    ),
    fields=(
        FieldSpec("billing_mode", extract=_billing_mode, detail="table"),
        FieldSpec("hash_key", extract=_key("HASH"), detail="table"),
        FieldSpec("range_key", extract=_key("RANGE"), detail="table"),
        FieldSpec("attribute", extract=_attributes, from_state=_state_attributes,
                  normalise=(n.as_set,), detail="table"),
        FieldSpec("read_capacity", extract=_capacity("ReadCapacityUnits"),
                  from_state=_state_capacity("read_capacity"), normalise=(n.to_int,),
                  detail="table"),
        FieldSpec("write_capacity", extract=_capacity("WriteCapacityUnits"),
                  from_state=_state_capacity("write_capacity"), normalise=(n.to_int,),
                  detail="table"),
        attr_bool("stream_enabled", "table.StreamSpecification.StreamEnabled", detail="table",
                  default=False),
        FieldSpec("stream_view_type", extract=_stream_view_type,
                  from_state=_state_stream_view_type, detail="table"),
        FieldSpec("table_class", query="table.TableClassSummary.TableClass", detail="table",
                  default="STANDARD"),
        attr_bool("deletion_protection_enabled", "table.DeletionProtectionEnabled",
                  detail="table", default=False),
        FieldSpec("server_side_encryption.0.enabled", extract=_sse_enabled,
                  normalise=(_as_flag,), detail="table"),
        FieldSpec("server_side_encryption.0.kms_key_arn", extract=_sse_key, detail="table"),
        FieldSpec("ttl.0.enabled", query="ttl.TimeToLiveStatus", normalise=(_status_on, _as_flag),
                  detail="ttl"),
        FieldSpec("ttl.0.attribute_name", extract=_ttl_attribute,
                  from_state=_state_ttl_attribute, detail="ttl"),
        FieldSpec("point_in_time_recovery.0.enabled",
                  query="backups.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus",
                  normalise=(_status_on, _as_flag), detail="backups"),
        FieldSpec("point_in_time_recovery.0.recovery_period_in_days", extract=_pitr_period,
                  from_state=_state_pitr_period, normalise=(n.to_int,), detail="backups"),
        bulk_tags(),
    ),
)

SPECS: tuple[AwsSpec, ...] = (TABLE,)
