"""Route 53 hosted zones, their records, and health checks.

Route 53 is global: every type lives in the scope ``global``, its calls go to the session's
region. One paged ``ListHostedZones`` serves zones and records; tags come from
``ListTagsForResources``, ten resources a call, for managed resources only (the tagging API's
emulator does not serve Route 53, so nothing could prove the bulk path for it).

Records are listed per hosted zone, and only in the zones the scan manages (and those a managed
record names): the records of an unmanaged zone are covered by the zone's own unmanaged finding,
and the records a managed zone holds that no resource declares are the interesting unmanaged
ones. That is one paged ``ListResourceRecordSets`` per managed zone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, PartOf, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types._children import batches, parents_to_list
from cloudrift_aws.types._common import (
    TAGS,
    flag,
    ip_address,
    item_tags,
    number,
    records_of,
    string_set,
)
from cloudrift_aws.types.bulk import memo_outcome

# ListTagsForResources takes at most ten ids a call
_TAG_BATCH = 10
_ESCAPE = re.compile(r"\\([0-7]{3})")


def clean_zone_id(value: Any) -> str:
    return str(value or "").removeprefix("/hostedzone/")


def domain(value: Any) -> Any:
    """A domain name as one spelling: lower case, no trailing dot, Route 53's octal escapes
    (``\\052`` for ``*``) decoded."""
    if not isinstance(value, str):
        return value
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), value)
    return text.lower().removesuffix(".") if text != "." else text


def _tags_of(ctx: AwsContext, region: str, kind: str, ids: Sequence[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for batch in batches(ids, _TAG_BATCH):
        response = ctx.call("route53", region, "list_tags_for_resources",
                            ResourceType=kind, ResourceIds=batch)
        for entry in response.get("ResourceTagSets") or ():
            found[str(entry.get("ResourceId"))] = n.tags(entry.get("Tags") or [])
    # a resource the answer leaves out has no tags
    return {i: found.get(i, {}) for i in ids}


def _with_tags(ctx: AwsContext, region: str, kind: str, items: list[Item],
               managed: Sequence[Resource]) -> list[Item]:
    wanted = {r.id for r in managed}
    mine = [str(item["Id"]) for item in items if item["Id"] in wanted]
    if mine:
        tags = _tags_of(ctx, region, kind, mine)
        for item in items:
            if item["Id"] in tags:
                item[TAGS] = tags[item["Id"]]
    return items


# -- aws_route53_zone -------------------------------------------------------------------------


def _listed_zones(ctx: AwsContext, region: str) -> list[Item]:
    return memo_outcome(
        ctx, "route53:list_hosted_zones",
        lambda: [
            {**zone, "Id": clean_zone_id(zone["Id"])}
            for zone in ctx.paginate("route53", region, "list_hosted_zones", "HostedZones")
        ],
    )


def _zones(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    zones = [dict(zone) for zone in _listed_zones(ctx, region)]
    return _with_tags(ctx, region, "hostedzone", zones, managed)


def _zone_vpcs(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return n.as_set([
        {"vpc_id": entry.get("vpc_id", entry.get("VPCId")),
         "vpc_region": entry.get("vpc_region", entry.get("VPCRegion"))}
        for entry in value if isinstance(entry, Mapping)
    ])


def _delegation_set(value: Any) -> Any:
    return str(value).removeprefix("/delegationset/") if value else value


ZONE = AwsSpec(
    type="aws_route53_zone",
    service="route53",
    enumerate=_zones,
    id_query="Id",
    global_service=True,
    description="Route 53 hosted zone (public or private)",
    calls=("route53:ListHostedZones", "route53:ListTagsForResources"),
    details=(
        # the VPCs of a private zone and the delegation set are only in GetHostedZone
        Detail("zone", "get_hosted_zone", lambda item: {"Id": item["Id"]}),
    ),
    fields=(
        FieldSpec("comment", query="Config.Comment"),
        FieldSpec("delegation_set_id", query="zone.DelegationSet.Id",
                  normalise=(_delegation_set,), detail="zone"),
        FieldSpec("vpc", query="zone.VPCs", normalise=(_zone_vpcs,), detail="zone"),
        item_tags(),
    ),
    not_compared={
        "name": "identity: a zone's name never changes (another name is another zone)",
        "force_destroy": "Terraform-only, no API field",
    },
)

# -- aws_route53_health_check ---------------------------------------------------------------


def _health_checks(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    checks = [dict(c) for c in ctx.paginate("route53", region, "list_health_checks",
                                            "HealthChecks")]
    return _with_tags(ctx, region, "healthcheck", checks, managed)


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


_HC = "HealthCheckConfig"

HEALTH_CHECK = AwsSpec(
    type="aws_route53_health_check",
    service="route53",
    enumerate=_health_checks,
    id_query="Id",
    global_service=True,
    description="Route 53 health check",
    calls=("route53:ListHealthChecks", "route53:ListTagsForResources"),
    # the provider writes 0 for every number AWS leaves out
    fields=(
        FieldSpec("type", query=f"{_HC}.Type", normalise=(_upper,)),
        FieldSpec("fqdn", query=f"{_HC}.FullyQualifiedDomainName"),
        FieldSpec("ip_address", query=f"{_HC}.IPAddress", normalise=(ip_address,)),
        number("port", f"{_HC}.Port", default=0),
        FieldSpec("resource_path", query=f"{_HC}.ResourcePath"),
        FieldSpec("search_string", query=f"{_HC}.SearchString"),
        number("request_interval", f"{_HC}.RequestInterval", default=0),
        number("failure_threshold", f"{_HC}.FailureThreshold", default=0),
        flag("measure_latency", f"{_HC}.MeasureLatency"),
        flag("invert_healthcheck", f"{_HC}.Inverted"),
        flag("disabled", f"{_HC}.Disabled"),
        flag("enable_sni", f"{_HC}.EnableSNI"),
        number("child_health_threshold", f"{_HC}.HealthThreshold", default=0),
        string_set("child_healthchecks", f"{_HC}.ChildHealthChecks"),
        string_set("regions", f"{_HC}.Regions"),
        FieldSpec("cloudwatch_alarm_name", query=f"{_HC}.AlarmIdentifier.Name"),
        FieldSpec("cloudwatch_alarm_region", query=f"{_HC}.AlarmIdentifier.Region"),
        FieldSpec("insufficient_data_health_status",
                  query=f"{_HC}.InsufficientDataHealthStatus"),
        FieldSpec("routing_control_arn", query=f"{_HC}.RoutingControlArn"),
        item_tags(),
    ),
    not_compared={
        "reference_name": "kept only as the prefix of the CallerReference, fixed at creation",
        "triggers": "Terraform-only, no API field",
    },
)

# -- aws_route53_record -----------------------------------------------------------------------


def record_id(zone_id: str, name: str, type_: str, set_identifier: str | None) -> str:
    """``ZONEID_name_TYPE[_SETID]``, the id ``terraform import`` takes."""
    parts = [clean_zone_id(zone_id), str(domain(name)), type_.upper()]
    if set_identifier:
        parts.append(set_identifier)
    return "_".join(parts)


def _record_state_id(attributes: Mapping[str, Any]) -> str | None:
    zone, type_ = attributes.get("zone_id"), attributes.get("type")
    # fqdn is the name expanded with the zone's (``www`` -> ``www.example.com``); the id keeps
    # the name as the configuration spelt it
    name = attributes.get("fqdn") or attributes.get("name")
    if not zone or not type_ or name is None:
        return None
    return record_id(str(zone), str(name), str(type_), attributes.get("set_identifier"))


def _zone_of_record(import_id: str) -> str | None:
    head, found, _ = import_id.partition("_")
    return head if found and head else None


def _records(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    wanted = parents_to_list(ctx, None, "aws_route53_zone", managed, _zone_of_record)
    if not wanted:
        return []  # no call at all without a managed zone
    zones = {z["Id"]: z for z in _listed_zones(ctx, region)}
    items: list[Item] = []
    for zone_id in wanted:
        zone = zones.get(zone_id)
        if zone is None:
            continue  # the zone is gone: its managed records are missing
        apex = domain(zone.get("Name"))
        for record in ctx.paginate("route53", region, "list_resource_record_sets",
                                   "ResourceRecordSets", HostedZoneId=zone_id):
            name = domain(record.get("Name"))
            items.append({
                **record,
                "ZoneId": zone_id,
                "RecordId": record_id(zone_id, str(name), str(record.get("Type")),
                                      record.get("SetIdentifier")),
                "Apex": name == apex,
            })
    return items


def _txt_unquoted(record: Mapping[str, Any]) -> Any:
    values = [r.get("Value") for r in record.get("ResourceRecords") or ()]
    if record.get("Type") in ("TXT", "SPF"):
        # the provider strips the quotes around each TXT string (its expandTxtEntry)
        values = [v[1:-1] if isinstance(v, str) and len(v) > 1 and v[0] == v[-1] == '"'
                  else v for v in values]
    return values


def _is_default_record(item: Mapping[str, Any]) -> bool:
    # Route 53 writes the apex SOA and NS records of every zone itself
    return bool(item.get("Apex")) and item.get("Type") in ("SOA", "NS")


def _coordinates(value: Any) -> Any:
    if isinstance(value, Mapping):
        value = [value]
    return records_of(
        [{"latitude": e.get("latitude", e.get("Latitude")),
          "longitude": e.get("longitude", e.get("Longitude"))}
         for e in value or () if isinstance(e, Mapping)],
        ("latitude", "longitude"),
    ) if isinstance(value, list) else value


RECORD = AwsSpec(
    type="aws_route53_record",
    service="route53",
    enumerate=_records,
    id_query="RecordId",
    import_id=_record_state_id,
    global_service=True,
    per_parent=True,
    is_default=_is_default_record,
    part_of=(PartOf("aws_route53_zone", parent_id=lambda a: clean_zone_id(a.get("zone_id")),
                    fields=(), cloud_parent_id="ZoneId"),),
    description="Route 53 record set; listed with one paged ListResourceRecordSets per "
    "managed hosted zone (records of unmanaged zones are covered by the zone's finding)",
    calls=("route53:ListHostedZones", "route53:ListResourceRecordSets"),
    fields=(
        FieldSpec("records", extract=_txt_unquoted, normalise=(n.as_set,)),
        # the provider writes 0 for the TTL an alias record has none of
        number("ttl", "TTL", default=0),
        FieldSpec("alias.0.name", query="AliasTarget.DNSName", normalise=(domain,)),
        FieldSpec("alias.0.zone_id", query="AliasTarget.HostedZoneId"),
        FieldSpec("alias.0.evaluate_target_health", query="AliasTarget.EvaluateTargetHealth",
                  normalise=(n.to_bool,)),
        FieldSpec("health_check_id", query="HealthCheckId"),
        number("weighted_routing_policy.0.weight", "Weight"),
        FieldSpec("failover_routing_policy.0.type", query="Failover"),
        FieldSpec("latency_routing_policy.0.region", query="Region"),
        FieldSpec("geolocation_routing_policy.0.continent", query="GeoLocation.ContinentCode"),
        FieldSpec("geolocation_routing_policy.0.country", query="GeoLocation.CountryCode"),
        FieldSpec("geolocation_routing_policy.0.subdivision",
                  query="GeoLocation.SubdivisionCode"),
        FieldSpec("geoproximity_routing_policy.0.aws_region",
                  query="GeoProximityLocation.AWSRegion"),
        number("geoproximity_routing_policy.0.bias", "GeoProximityLocation.Bias"),
        FieldSpec("geoproximity_routing_policy.0.local_zone_group",
                  query="GeoProximityLocation.LocalZoneGroup"),
        FieldSpec("geoproximity_routing_policy.0.coordinates",
                  query="GeoProximityLocation.Coordinates", normalise=(_coordinates,)),
        FieldSpec("cidr_routing_policy.0.collection_id", query="CidrRoutingConfig.CollectionId"),
        FieldSpec("cidr_routing_policy.0.location_name", query="CidrRoutingConfig.LocationName"),
        flag("multivalue_answer_routing_policy", "MultiValueAnswer"),
    ),
    not_compared={
        "zone_id": "identity (part of the import id)",
        "name": "identity (part of the import id)",
        "type": "identity (part of the import id)",
        "set_identifier": "identity (part of the import id)",
        "allow_overwrite": "Terraform-only, no API field",
    },
)

SPECS: tuple[AwsSpec, ...] = (ZONE, HEALTH_CHECK, RECORD)
