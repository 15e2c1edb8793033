"""Classic load balancers (``aws_elb``): one paged ``DescribeLoadBalancers`` per region; for
managed ones their attributes (``DescribeLoadBalancerAttributes``) and their tags
(``DescribeTags``, twenty names a call)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from cloudrift.sdk import UNKNOWN, Extractor, FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import tags
from cloudrift_aws.session import AwsContext, error_code
from cloudrift_aws.spec import AwsSpec, Detail, Item

_DESCRIBE_TAGS = 20
_TAGS = "cloudrift:Tags"
_GONE = "LoadBalancerNotFound"


def _tags_of(ctx: AwsContext, region: str, names: list[str]) -> dict[str, Any]:
    try:
        described = ctx.call("elb", region, "describe_tags", LoadBalancerNames=names)
    except ClientError as exc:
        # one name deleted since the listing fails the whole call: ask the others one by one
        if error_code(exc) != _GONE or len(names) == 1:
            if error_code(exc) == _GONE:
                return {}
            raise
        found: dict[str, Any] = {}
        for name in names:
            found.update(_tags_of(ctx, region, [name]))
        return found
    return {d["LoadBalancerName"]: d.get("Tags") or [] for d in described["TagDescriptions"]}


def _balancers(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    balancers = [dict(lb) for lb in ctx.paginate("elb", region, "describe_load_balancers",
                                                 "LoadBalancerDescriptions")]
    wanted = {r.id for r in managed}
    mine = [lb["LoadBalancerName"] for lb in balancers if lb["LoadBalancerName"] in wanted]
    found: dict[str, Any] = {}
    for start in range(0, len(mine), _DESCRIBE_TAGS):
        found.update(_tags_of(ctx, region, mine[start:start + _DESCRIBE_TAGS]))
    for balancer in balancers:
        if balancer["LoadBalancerName"] in found:
            balancer[_TAGS] = found[balancer["LoadBalancerName"]]
    return balancers


def _listeners(value: Any) -> Any:
    if value is None:
        return None
    return n.as_set([{
        "instance_port": n.to_int(entry.get("instance_port")),
        "instance_protocol": str(entry.get("instance_protocol") or "").lower(),
        "lb_port": n.to_int(entry.get("lb_port")),
        "lb_protocol": str(entry.get("lb_protocol") or "").lower(),
        "ssl_certificate_id": entry.get("ssl_certificate_id") or "",
    } for entry in value])


def _cloud_listeners(payload: Mapping[str, Any]) -> Any:
    return [{
        "instance_port": d["Listener"].get("InstancePort"),
        "instance_protocol": d["Listener"].get("InstanceProtocol"),
        "lb_port": d["Listener"].get("LoadBalancerPort"),
        "lb_protocol": d["Listener"].get("Protocol"),
        "ssl_certificate_id": d["Listener"].get("SSLCertificateId"),
    } for d in payload.get("ListenerDescriptions") or ()]


_ATTRIBUTES = "attributes"


def _access_log(key: str) -> Extractor:
    def extract(payload: Mapping[str, Any]) -> Any:
        log = (payload.get(_ATTRIBUTES) or {}).get("AccessLog") or {}
        # logging that was never set up reads as off with no bucket: no access_logs block
        if not log.get("Enabled") and not log.get("S3BucketName"):
            return None
        return log.get(key)

    return extract


def _draining_timeout(payload: Mapping[str, Any]) -> Any:
    draining = (payload.get(_ATTRIBUTES) or {}).get("ConnectionDraining") or {}
    return draining.get("Timeout") if draining.get("Enabled") else UNKNOWN


def _state_draining_timeout(attributes: Mapping[str, Any]) -> Any:
    if not attributes.get("connection_draining"):
        return UNKNOWN
    return attributes.get("connection_draining_timeout")


def _desync(payload: Mapping[str, Any]) -> Any:
    for entry in (payload.get(_ATTRIBUTES) or {}).get("AdditionalAttributes") or ():
        if entry.get("Key") == "elb.http.desyncmitigationmode":
            return entry.get("Value")
    return UNKNOWN


def _internal(payload: Mapping[str, Any]) -> Any:
    scheme = payload.get("Scheme")
    return UNKNOWN if scheme is None else scheme == "internal"


_HEALTH = "HealthCheck"

CLASSIC_LOAD_BALANCER = AwsSpec(
    type="aws_elb",
    service="elb",
    enumerate=_balancers,
    calls=("elb:DescribeLoadBalancers", "elb:DescribeTags"),
    id_query="LoadBalancerName",
    details=(Detail(_ATTRIBUTES, "describe_load_balancer_attributes",
                    lambda item: {"LoadBalancerName": item["LoadBalancerName"]},
                    result="LoadBalancerAttributes"),),
    description="attributes and tags only for managed load balancers; registered instances "
    "are not compared (aws_elb_attachment manages them too)",
    fields=(
        FieldSpec("listener", extract=_cloud_listeners, normalise=(_listeners,)),
        FieldSpec("health_check.0.target", query=f"{_HEALTH}.Target"),
        FieldSpec("health_check.0.interval", query=f"{_HEALTH}.Interval", normalise=(n.to_int,)),
        FieldSpec("health_check.0.timeout", query=f"{_HEALTH}.Timeout", normalise=(n.to_int,)),
        FieldSpec("health_check.0.healthy_threshold", query=f"{_HEALTH}.HealthyThreshold",
                  normalise=(n.to_int,)),
        FieldSpec("health_check.0.unhealthy_threshold", query=f"{_HEALTH}.UnhealthyThreshold",
                  normalise=(n.to_int,)),
        FieldSpec("internal", extract=_internal, normalise=(n.to_bool,)),
        FieldSpec("security_groups", query="SecurityGroups", normalise=(n.as_set,)),
        FieldSpec("subnets", query="Subnets", normalise=(n.as_set,)),
        FieldSpec("cross_zone_load_balancing",
                  query=f"{_ATTRIBUTES}.CrossZoneLoadBalancing.Enabled", normalise=(n.to_bool,),
                  detail=_ATTRIBUTES),
        FieldSpec("idle_timeout", query=f"{_ATTRIBUTES}.ConnectionSettings.IdleTimeout",
                  normalise=(n.to_int,), detail=_ATTRIBUTES),
        FieldSpec("connection_draining", query=f"{_ATTRIBUTES}.ConnectionDraining.Enabled",
                  normalise=(n.to_bool,), detail=_ATTRIBUTES, default=False),
        FieldSpec("connection_draining_timeout", extract=_draining_timeout,
                  from_state=_state_draining_timeout, normalise=(n.to_int,),
                  detail=_ATTRIBUTES),
        FieldSpec("desync_mitigation_mode", extract=_desync, detail=_ATTRIBUTES),
        FieldSpec("access_logs.0.bucket", extract=_access_log("S3BucketName"),
                  detail=_ATTRIBUTES),
        FieldSpec("access_logs.0.bucket_prefix", extract=_access_log("S3BucketPrefix"),
                  detail=_ATTRIBUTES),
        FieldSpec("access_logs.0.enabled", extract=_access_log("Enabled"),
                  normalise=(n.to_bool,), detail=_ATTRIBUTES),
        FieldSpec("access_logs.0.interval", extract=_access_log("EmitInterval"),
                  normalise=(n.to_int,), detail=_ATTRIBUTES),
        tags(extract=lambda payload: payload.get(_TAGS, UNKNOWN)),
    ),
    not_compared={
        "name": "the load balancer's identity (its import id)",
        "name_prefix": "Terraform-only: how the name was generated",
        "instances": "also managed by aws_elb_attachment; not compared",
        "availability_zones": "follows from the subnets, which are compared",
    },
)

SPECS: tuple[AwsSpec, ...] = (CLASSIC_LOAD_BALANCER,)
