"""Kinesis data streams: one paged ``ListStreams`` per region; ``DescribeStreamSummary`` and
``ListTagsForStream`` only for managed streams (the tagging API's Kinesis entries could not be
checked against the emulator, so tags keep their own call)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item

_SUMMARY = "summary"
# ListTagsForStream returns ten tags unless asked for more; a stream has at most fifty
_TAG_LIMIT = 50


def _streams(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return [dict(s) for s in ctx.paginate("kinesis", region, "list_streams", "StreamSummaries")
            if s.get("StreamStatus") != "DELETING"]


def _on_demand(payload: Mapping[str, Any]) -> bool:
    return ((payload.get(_SUMMARY) or {}).get("StreamModeDetails") or {}).get(
        "StreamMode") == "ON_DEMAND"


def _shard_count(payload: Mapping[str, Any]) -> Any:
    # on demand, AWS sizes the stream itself: the count is not the user's
    if _on_demand(payload):
        return UNKNOWN
    return (payload.get(_SUMMARY) or {}).get("OpenShardCount")


def _state_shard_count(attributes: Mapping[str, Any]) -> Any:
    modes = attributes.get("stream_mode_details") or [{}]
    if (modes[0] or {}).get("stream_mode") == "ON_DEMAND":
        return UNKNOWN
    return attributes.get("shard_count")


def _metrics(payload: Mapping[str, Any]) -> Any:
    return [metric for entry in (payload.get(_SUMMARY) or {}).get("EnhancedMonitoring") or ()
            for metric in entry.get("ShardLevelMetrics") or ()]


STREAM = AwsSpec(
    type="aws_kinesis_stream",
    service="kinesis",
    enumerate=_streams,
    calls=("kinesis:ListStreams",),
    id_query="StreamName",
    import_id="name",
    details=(
        Detail(_SUMMARY, "describe_stream_summary",
               lambda item: {"StreamName": item["StreamName"]},
               result="StreamDescriptionSummary"),
        Detail("tags", "list_tags_for_stream",
               lambda item: {"StreamName": item["StreamName"], "Limit": _TAG_LIMIT},
               result="Tags"),
    ),
    description="DescribeStreamSummary and ListTagsForStream only for managed streams",
    fields=(
        FieldSpec("shard_count", extract=_shard_count, from_state=_state_shard_count,
                  normalise=(n.to_int,), detail=_SUMMARY),
        FieldSpec("retention_period", query=f"{_SUMMARY}.RetentionPeriodHours",
                  normalise=(n.to_int,), detail=_SUMMARY),
        FieldSpec("encryption_type", query=f"{_SUMMARY}.EncryptionType", detail=_SUMMARY,
                  default="NONE"),
        FieldSpec("kms_key_id", query=f"{_SUMMARY}.KeyId", detail=_SUMMARY),
        FieldSpec("shard_level_metrics", extract=_metrics, normalise=(n.as_set,),
                  detail=_SUMMARY),
        FieldSpec("stream_mode_details.0.stream_mode",
                  query=f"{_SUMMARY}.StreamModeDetails.StreamMode", detail=_SUMMARY),
        tags("tags", detail="tags"),
    ),
    not_compared={
        "name": "the stream's identity (its import id)",
        "enforce_consumer_deletion": "Terraform-only: how the stream is destroyed",
    },
)

SPECS: tuple[AwsSpec, ...] = (STREAM,)
