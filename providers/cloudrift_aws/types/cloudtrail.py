"""CloudTrail trails.

One ``DescribeTrails`` per region lists the trails whose home is that region (shadow copies of
multi-region trails left out: each trail is found once, in its home region). Tags come from
``ListTags``, twenty trails a call, for managed trails only (the tagging API's emulator does
not serve CloudTrail). Per managed trail, ``GetTrailStatus`` says whether it logs,
``GetEventSelectors`` and ``GetInsightSelectors`` what it records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types._children import batches
from cloudrift_aws.types._common import TAGS, flag, item_tags

_S = "cloudtrail"
_ID = "TrailARN"
# ListTags takes at most twenty trails a call
_TAG_BATCH = 20


def _trails(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    trails = [dict(t) for t in ctx.call(_S, region, "describe_trails",
                                        includeShadowTrails=False).get("trailList") or ()]
    wanted = {r.id for r in managed}
    mine = [str(t[_ID]) for t in trails if t.get(_ID) in wanted]
    found: dict[str, Any] = {}
    for batch in batches(mine, _TAG_BATCH):
        for entry in ctx.paginate(_S, region, "list_tags", "ResourceTagList",
                                  ResourceIdList=batch):
            found[str(entry.get("ResourceId"))] = n.tags(entry.get("TagsList") or [])
    for trail in trails:
        if trail.get(_ID) in mine:
            trail[TAGS] = found.get(str(trail[_ID]), {})
    return trails


def _event_selectors(value: Any) -> Any:
    """Event selectors, as the provider reads them: AWS's one default selector (all events,
    management events, no data resources) is no selector."""
    if not isinstance(value, list):
        return value
    shaped = []
    for s in value:
        if not isinstance(s, Mapping):
            continue
        resources = s.get("data_resource", s.get("DataResources")) or []
        shaped.append({
            "read_write_type": s.get("read_write_type", s.get("ReadWriteType")) or "All",
            "include_management_events": n.to_bool(s.get(
                "include_management_events", s.get("IncludeManagementEvents", True))),
            "exclude_management_event_sources": n.as_set(s.get(
                "exclude_management_event_sources", s.get("ExcludeManagementEventSources"))
                or []),
            "data_resource": [
                {"type": r.get("type", r.get("Type")), "values": list(
                    r.get("values", r.get("Values")) or [])}
                for r in resources if isinstance(r, Mapping)
            ],
        })
    if len(shaped) == 1 and shaped[0] == {
        "read_write_type": "All", "include_management_events": True,
        "exclude_management_event_sources": [], "data_resource": [],
    }:
        return []
    return shaped


_OPERATORS = (("equals", "Equals"), ("not_equals", "NotEquals"),
              ("starts_with", "StartsWith"), ("not_starts_with", "NotStartsWith"),
              ("ends_with", "EndsWith"), ("not_ends_with", "NotEndsWith"))


def _advanced_selectors(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return [{
        "name": s.get("name", s.get("Name")) or "",
        "field_selector": n.as_set([{
            "field": f.get("field", f.get("Field")),
            **{tf: n.as_set(f.get(tf, f.get(api)) or []) for tf, api in _OPERATORS},
        } for f in s.get("field_selector", s.get("FieldSelectors")) or []
            if isinstance(f, Mapping)]),
    } for s in value if isinstance(s, Mapping)]


def _insights(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return n.as_set([str(s.get("insight_type", s.get("InsightType")))
                     for s in value if isinstance(s, Mapping)])


def _arn(attributes: Mapping[str, Any]) -> str | None:
    value = attributes.get("arn")
    return str(value) if value else None


TRAIL = AwsSpec(
    type="aws_cloudtrail",
    service=_S,
    enumerate=_trails,
    id_query=_ID,
    # `terraform import` takes the trail's ARN (the provider's documented form)
    import_id=_arn,
    description="CloudTrail trail, found in its home region",
    calls=("cloudtrail:DescribeTrails", "cloudtrail:ListTags"),
    details=(
        Detail("status", "get_trail_status", lambda item: {"Name": item[_ID]}),
        Detail("selectors", "get_event_selectors", lambda item: {"TrailName": item[_ID]}),
        Detail("insights", "get_insight_selectors", lambda item: {"TrailName": item[_ID]},
               result="InsightSelectors", absent=("InsightNotEnabledException",)),
    ),
    fields=(
        FieldSpec("s3_bucket_name", query="S3BucketName"),
        FieldSpec("s3_key_prefix", query="S3KeyPrefix"),
        FieldSpec("sns_topic_name", query="SnsTopicName"),
        flag("include_global_service_events", "IncludeGlobalServiceEvents", default=True),
        flag("is_multi_region_trail", "IsMultiRegionTrail"),
        flag("is_organization_trail", "IsOrganizationTrail"),
        flag("enable_log_file_validation", "LogFileValidationEnabled"),
        FieldSpec("cloud_watch_logs_group_arn", query="CloudWatchLogsLogGroupArn"),
        FieldSpec("cloud_watch_logs_role_arn", query="CloudWatchLogsRoleArn"),
        FieldSpec("kms_key_id", query="KmsKeyId"),
        flag("enable_logging", "status.IsLogging", default=True, detail="status"),
        FieldSpec("event_selector", query="selectors.EventSelectors",
                  normalise=(_event_selectors,), detail="selectors"),
        FieldSpec("advanced_event_selector", query="selectors.AdvancedEventSelectors",
                  normalise=(_advanced_selectors,), detail="selectors"),
        FieldSpec("insight_selector", query="insights", normalise=(_insights,),
                  detail="insights"),
        item_tags(),
    ),
    not_compared={"name": "identity (part of the ARN, the import id)"},
)

SPECS: tuple[AwsSpec, ...] = (TRAIL,)
