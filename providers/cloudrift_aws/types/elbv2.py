"""ELBv2 load balancers, target groups and target group attachments.

Load balancers and target groups: one paged ``Describe*`` listing per region each, tags from the
tagging API (``elasticloadbalancing``), and their attributes (``Describe*Attributes``) only for
managed ones. An attribute a load balancer's type does not have is not returned: unknown, never
reported. Attachments are targets of a target group (``DescribeTargetHealth``), searched under
managed target groups (see ``per_parent``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, Extractor, FieldSpec, PartOf, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.regions import region_from_arn
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types.bulk import TagCall, bulk_tags, memo_outcome, with_tags
from cloudrift_aws.types.per_parent import parents_to_search, per_parent

TAGGING_SERVICE = "elasticloadbalancing"
_ATTRIBUTES = "attributes"


def tag_call(arn_key: str) -> TagCall:
    """ELBv2's own tag call for one resource (the tagging API's fallback)."""
    return TagCall("elbv2", "describe_tags", lambda item: {"ResourceArns": [item[arn_key]]},
                   "TagDescriptions[0].Tags")


def attributes_detail(operation: str, key: str, arn_key: str) -> Detail:
    return Detail(_ATTRIBUTES, operation, lambda item: {key: item[arn_key]},
                  result="Attributes")


def attribute(name: str) -> Extractor:
    """One ``Key``/``Value`` attribute; an attribute the API did not return is unknown."""

    def extract(payload: Mapping[str, Any]) -> Any:
        for entry in payload.get(_ATTRIBUTES) or ():
            if entry.get("Key") == name:
                return entry.get("Value")
        return UNKNOWN

    return extract


def _flag(value: Any) -> Any:
    flag = n.to_bool(value)
    return flag if isinstance(flag, bool) else value


def _attr(path: str, name: str, *normalise: n.Normaliser) -> FieldSpec:
    return FieldSpec(path, extract=attribute(name), normalise=normalise, detail=_ATTRIBUTES)


# -- aws_lb ----------------------------------------------------------------------------------


def _load_balancers(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    balancers = [dict(lb) for lb in ctx.paginate("elbv2", region, "describe_load_balancers",
                                                 "LoadBalancers")]
    return with_tags(ctx, region, balancers, managed,
                     arn=lambda item: item.get("LoadBalancerArn"),
                     id_query="LoadBalancerArn", call=tag_call("LoadBalancerArn"))


def _internal(payload: Mapping[str, Any]) -> Any:
    scheme = payload.get("Scheme")
    return UNKNOWN if scheme is None else scheme == "internal"


def _cross_zone(payload: Mapping[str, Any]) -> Any:
    # always on for application load balancers, whatever the attribute says
    if payload.get("Type") == "application":
        return UNKNOWN
    return attribute("load_balancing.cross_zone.enabled")(payload)


LOAD_BALANCER = AwsSpec(
    type="aws_lb",
    service="elbv2",
    enumerate=_load_balancers,
    calls=("elbv2:DescribeLoadBalancers",),
    tagging_service=TAGGING_SERVICE,
    id_query="LoadBalancerArn",
    details=(attributes_detail("describe_load_balancer_attributes", "LoadBalancerArn",
                               "LoadBalancerArn"),),
    description="attributes (DescribeLoadBalancerAttributes) only for managed load balancers; "
    "an attribute the type does not have is not compared",
    fields=(
        FieldSpec("load_balancer_type", query="Type"),
        FieldSpec("internal", extract=_internal, normalise=(n.to_bool,)),
        FieldSpec("ip_address_type", query="IpAddressType"),
        FieldSpec("security_groups", query="SecurityGroups", normalise=(n.as_set,)),
        FieldSpec("subnets", query="AvailabilityZones[].SubnetId", normalise=(n.as_set,)),
        FieldSpec("customer_owned_ipv4_pool", query="CustomerOwnedIpv4Pool"),
        FieldSpec("enforce_security_group_inbound_rules_on_private_link_traffic",
                  query="EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"),
        _attr("enable_deletion_protection", "deletion_protection.enabled", _flag),
        _attr("idle_timeout", "idle_timeout.timeout_seconds", n.to_int),
        _attr("enable_http2", "routing.http2.enabled", _flag),
        _attr("drop_invalid_header_fields", "routing.http.drop_invalid_header_fields.enabled",
              _flag),
        _attr("desync_mitigation_mode", "routing.http.desync_mitigation_mode"),
        _attr("preserve_host_header", "routing.http.preserve_host_header.enabled", _flag),
        _attr("xff_header_processing_mode", "routing.http.xff_header_processing.mode"),
        _attr("enable_xff_client_port", "routing.http.xff_client_port.enabled", _flag),
        _attr("enable_tls_version_and_cipher_suite_headers",
              "routing.http.x_amzn_tls_version_and_cipher_suite.enabled", _flag),
        _attr("enable_waf_fail_open", "waf.fail_open.enabled", _flag),
        _attr("client_keep_alive", "client_keep_alive.seconds", n.to_int),
        _attr("enable_zonal_shift", "zonal_shift.config.enabled", _flag),
        _attr("dns_record_client_routing_policy", "dns_record.client_routing_policy"),
        FieldSpec("enable_cross_zone_load_balancing", extract=_cross_zone,
                  normalise=(_flag,), detail=_ATTRIBUTES),
        _attr("access_logs.0.bucket", "access_logs.s3.bucket"),
        _attr("access_logs.0.prefix", "access_logs.s3.prefix"),
        _attr("access_logs.0.enabled", "access_logs.s3.enabled", _flag),
        _attr("connection_logs.0.bucket", "connection_logs.s3.bucket"),
        _attr("connection_logs.0.prefix", "connection_logs.s3.prefix"),
        _attr("connection_logs.0.enabled", "connection_logs.s3.enabled", _flag),
        bulk_tags(),
    ),
    not_compared={
        "name": "part of the load balancer's identity: a new name is a new load balancer",
        "name_prefix": "Terraform-only: how the name was generated",
        "subnet_mapping": "the subnets are compared; an NLB mapping's addresses are not",
        "ipam_pools": "not compared",
        "minimum_load_balancer_capacity": "needs DescribeCapacityReservation per load "
        "balancer; not compared",
    },
)

# -- aws_lb_target_group ---------------------------------------------------------------------


def target_group_listing(ctx: AwsContext, region: str) -> list[Item]:
    return memo_outcome(ctx, f"elbv2:describe_target_groups:{region}", lambda: ctx.paginate(
        "elbv2", region, "describe_target_groups", "TargetGroups"))


def _target_groups(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    groups = [dict(group) for group in target_group_listing(ctx, region)]
    return with_tags(ctx, region, groups, managed,
                     arn=lambda item: item.get("TargetGroupArn"),
                     id_query="TargetGroupArn", call=tag_call("TargetGroupArn"))


def _matcher(payload: Mapping[str, Any]) -> Any:
    matcher = payload.get("Matcher") or {}
    return matcher.get("HttpCode") or matcher.get("GrpcCode")


TARGET_GROUP = AwsSpec(
    type="aws_lb_target_group",
    service="elbv2",
    enumerate=_target_groups,
    calls=("elbv2:DescribeTargetGroups",),
    tagging_service=TAGGING_SERVICE,
    id_query="TargetGroupArn",
    details=(attributes_detail("describe_target_group_attributes", "TargetGroupArn",
                               "TargetGroupArn"),),
    description="attributes (DescribeTargetGroupAttributes) only for managed target groups; "
    "an attribute the target type does not have is not compared",
    fields=(
        FieldSpec("port", query="Port", normalise=(n.to_int,)),
        FieldSpec("protocol", query="Protocol"),
        FieldSpec("protocol_version", query="ProtocolVersion"),
        FieldSpec("vpc_id", query="VpcId"),
        FieldSpec("target_type", query="TargetType"),
        FieldSpec("ip_address_type", query="IpAddressType"),
        FieldSpec("health_check.0.enabled", query="HealthCheckEnabled", normalise=(_flag,)),
        FieldSpec("health_check.0.healthy_threshold", query="HealthyThresholdCount",
                  normalise=(n.to_int,)),
        FieldSpec("health_check.0.unhealthy_threshold", query="UnhealthyThresholdCount",
                  normalise=(n.to_int,)),
        FieldSpec("health_check.0.interval", query="HealthCheckIntervalSeconds",
                  normalise=(n.to_int,)),
        FieldSpec("health_check.0.timeout", query="HealthCheckTimeoutSeconds",
                  normalise=(n.to_int,)),
        FieldSpec("health_check.0.path", query="HealthCheckPath"),
        FieldSpec("health_check.0.port", query="HealthCheckPort"),
        FieldSpec("health_check.0.protocol", query="HealthCheckProtocol"),
        FieldSpec("health_check.0.matcher", extract=_matcher),
        _attr("deregistration_delay", "deregistration_delay.timeout_seconds", n.to_int),
        _attr("slow_start", "slow_start.duration_seconds", n.to_int),
        _attr("load_balancing_algorithm_type", "load_balancing.algorithm.type"),
        _attr("load_balancing_anomaly_mitigation", "load_balancing.algorithm.anomaly_mitigation"),
        _attr("load_balancing_cross_zone_enabled", "load_balancing.cross_zone.enabled"),
        _attr("proxy_protocol_v2", "proxy_protocol_v2.enabled", _flag),
        _attr("preserve_client_ip", "preserve_client_ip.enabled", _flag),
        _attr("connection_termination", "deregistration_delay.connection_termination.enabled",
              _flag),
        _attr("lambda_multi_value_headers_enabled", "lambda.multi_value_headers.enabled", _flag),
        _attr("stickiness.0.enabled", "stickiness.enabled", _flag),
        _attr("stickiness.0.type", "stickiness.type"),
        _attr("stickiness.0.cookie_duration", "stickiness.lb_cookie.duration_seconds", n.to_int),
        _attr("stickiness.0.cookie_name", "stickiness.app_cookie.cookie_name"),
        bulk_tags(),
    ),
    not_compared={
        "name": "part of the target group's identity: a new name is a new target group",
        "name_prefix": "Terraform-only: how the name was generated",
        "target_failover": "GWLB failover attributes: not compared",
        "target_group_health": "DNS failover and unhealthy routing thresholds: not compared",
        "target_health_state": "NLB unhealthy connection termination: not compared",
    },
)

# -- aws_lb_target_group_attachment ----------------------------------------------------------

_ATTACHMENT_ID = "cloudrift:ImportId"
# the provider's read ignores targets on their way out and targets never registered
_LEAVING = frozenset({"Target.DeregistrationInProgress", "Target.NotRegistered"})


def _attachment_id(target_group: str, target: str, port: Any) -> str:
    return f"{target_group},{target},{port}" if port else f"{target_group},{target}"


def _attachments(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    wanted = {r.id for r in managed}

    def listing(target_group: str) -> list[Item]:
        described = ctx.call("elbv2", region, "describe_target_health",
                             TargetGroupArn=target_group)["TargetHealthDescriptions"]
        return [{**d["Target"], "TargetGroupArn": target_group} for d in described
                if (d.get("TargetHealth") or {}).get("Reason") not in _LEAVING]

    groups = parents_to_search(ctx, region, "aws_lb_target_group", managed,
                               lambda r: r.id.split(",", 1)[0] or None)
    targets = per_parent(groups, listing, ("TargetGroupNotFound",))
    ports: dict[str, Any] = {}
    if targets:
        ports = {g["TargetGroupArn"]: g.get("Port") for g in target_group_listing(ctx, region)}
    for target in targets:
        group, target_id, port = target["TargetGroupArn"], str(target.get("Id")), target.get("Port")
        exact = _attachment_id(group, target_id, port)
        portless = _attachment_id(group, target_id, None)
        # AWS reports the group's own port for a target registered without one
        if exact in wanted:
            target[_ATTACHMENT_ID] = exact
        elif portless in wanted or port is None or port == ports.get(group):
            target[_ATTACHMENT_ID] = portless
        else:
            target[_ATTACHMENT_ID] = exact
    return targets


def _state_attachment_id(attributes: Mapping[str, Any]) -> str | None:
    group, target = attributes.get("target_group_arn"), attributes.get("target_id")
    if not group or not target:
        return None
    return _attachment_id(str(group), str(target), attributes.get("port") or None)


def _state_zone(attributes: Mapping[str, Any]) -> Any:
    return attributes.get("availability_zone") or UNKNOWN


TARGET_GROUP_ATTACHMENT = AwsSpec(
    type="aws_lb_target_group_attachment",
    service="elbv2",
    enumerate=_attachments,
    calls=("elbv2:DescribeTargetHealth", "elbv2:DescribeTargetGroups"),
    id_query=f'"{_ATTACHMENT_ID}"',
    import_id=_state_attachment_id,
    region_from_state=lambda attributes: region_from_arn(attributes.get("target_group_arn")),
    per_parent=True,
    part_of=(PartOf("aws_lb_target_group", "target_group_arn", (),
                    cloud_parent_id="TargetGroupArn"),),
    description="a registered target: DescribeTargetHealth per managed target group (and the "
    "group of each managed attachment). hashicorp/aws 5.100 cannot import attachments; the "
    "finding's id is TARGET_GROUP_ARN,TARGET_ID[,PORT] (the port left out when it is the "
    "group's), the identity provider 6 imports by",
    fields=(FieldSpec("availability_zone", query="AvailabilityZone", from_state=_state_zone),),
    not_compared={
        "target_group_arn": "part of the attachment's identity",
        "target_id": "part of the attachment's identity",
        "port": "part of the attachment's identity",
    },
)

SPECS: tuple[AwsSpec, ...] = (LOAD_BALANCER, TARGET_GROUP, TARGET_GROUP_ATTACHMENT)
