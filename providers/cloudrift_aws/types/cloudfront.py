"""CloudFront distributions and origin access controls.

CloudFront is global: both types live in the scope ``global``, their calls go to the session's
region. ``ListDistributions`` returns almost the whole configuration of every distribution;
``GetDistributionConfig`` is made per managed distribution for the two things the summary
leaves out (the default root object, the logging configuration). Tags come from the tagging
API, which serves CloudFront in us-east-1.

The nested blocks are compared the way the provider reads them back (its flatten functions):
both sides are cut down to one canonical shape, sets sorted, absent and empty blocks alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, Resource, get_path
from cloudrift.sdk import normalise as n
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types._common import digest
from cloudrift_aws.types.bulk import TagCall, bulk_tags, with_tags

_ID = "Id"


def _distributions(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    listed = [dict(d) for d in ctx.paginate("cloudfront", region, "list_distributions",
                                            "DistributionList.Items")]
    return with_tags(
        ctx, region, listed, managed,
        arn=lambda item: item.get("ARN"),
        id_query=_ID,
        call=TagCall("cloudfront", "list_tags_for_resource",
                     lambda item: {"Resource": item["ARN"]}, "Tags.Items"),
    )


# -- canonical shapes: each takes an API structure or the state's block -------------------


def _items(value: Any) -> list[Any]:
    """``{"Quantity": n, "Items": [...]}`` or a state list, as a list."""
    if isinstance(value, Mapping):
        return list(value.get("Items") or ())
    return list(value) if isinstance(value, list) else []


def _first(value: Any) -> Mapping[str, Any]:
    """A state block (a list of one map) or an API structure, as a map (empty when absent)."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, Mapping) else {}


def _int(value: Any, default: int = 0) -> int:
    number = n.to_int(value)
    return number if isinstance(number, int) else default


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _pick(block: Mapping[str, Any], tf: str, api: str) -> Any:
    """The value of one argument from a state block (``tf``) or an API structure (``api``)."""
    return block[tf] if tf in block else block.get(api)


def _origin(o: Mapping[str, Any]) -> dict[str, Any]:
    custom = _first(_pick(o, "custom_origin_config", "CustomOriginConfig"))
    shield = _first(_pick(o, "origin_shield", "OriginShield"))
    s3 = _first(_pick(o, "s3_origin_config", "S3OriginConfig"))
    vpc = _first(_pick(o, "vpc_origin_config", "VpcOriginConfig"))
    headers = _items(_pick(o, "custom_header", "CustomHeaders"))
    return {
        "origin_id": _text(_pick(o, "origin_id", "Id")),
        "domain_name": _text(_pick(o, "domain_name", "DomainName")),
        "origin_path": _text(_pick(o, "origin_path", "OriginPath")),
        "connection_attempts": _int(_pick(o, "connection_attempts", "ConnectionAttempts"), 3),
        "connection_timeout": _int(_pick(o, "connection_timeout", "ConnectionTimeout"), 10),
        "origin_access_control_id": _text(
            _pick(o, "origin_access_control_id", "OriginAccessControlId")),
        # a custom header is often the origin's shared secret: compared by digest
        "custom_header": n.as_set([
            [_text(_pick(h, "name", "HeaderName")),
             digest(_text(_pick(h, "value", "HeaderValue")))]
            for h in headers if isinstance(h, Mapping)
        ]),
        "custom_origin_config": {
            "http_port": _int(_pick(custom, "http_port", "HTTPPort")),
            "https_port": _int(_pick(custom, "https_port", "HTTPSPort")),
            "origin_protocol_policy": _text(
                _pick(custom, "origin_protocol_policy", "OriginProtocolPolicy")),
            "origin_ssl_protocols": n.as_set(
                _items(_pick(custom, "origin_ssl_protocols", "OriginSslProtocols"))),
            "origin_keepalive_timeout": _int(
                _pick(custom, "origin_keepalive_timeout", "OriginKeepaliveTimeout"), 5),
            "origin_read_timeout": _int(
                _pick(custom, "origin_read_timeout", "OriginReadTimeout"), 30),
        } if custom else None,
        "s3_origin_access_identity": _text(
            _pick(s3, "origin_access_identity", "OriginAccessIdentity")),
        # a disabled origin shield is no origin shield
        "origin_shield_region": _text(_pick(shield, "origin_shield_region",
                                            "OriginShieldRegion"))
        if n.to_bool(_pick(shield, "enabled", "Enabled")) else None,
        "vpc_origin_id": _text(_pick(vpc, "vpc_origin_id", "VpcOriginId")) or None,
    }


def _origins(value: Any) -> Any:
    if value is None:
        return None
    return n.as_set([_origin(o) for o in _items(value) if isinstance(o, Mapping)])


def _methods(block: Mapping[str, Any], tf: str) -> list[Any]:
    if tf in block:
        return list(n.as_set(block.get(tf) or []))
    allowed = block.get("AllowedMethods") or {}
    source = allowed if tf == "allowed_methods" else allowed.get("CachedMethods") or {}
    return list(n.as_set(_items(source)))


def _behavior(b: Mapping[str, Any]) -> dict[str, Any]:
    policy = _text(_pick(b, "cache_policy_id", "CachePolicyId"))
    forwarded = _first(_pick(b, "forwarded_values", "ForwardedValues"))
    cookies = _first(_pick(forwarded, "cookies", "Cookies"))
    lambdas = _items(_pick(b, "lambda_function_association", "LambdaFunctionAssociations"))
    functions = _items(_pick(b, "function_association", "FunctionAssociations"))
    shaped: dict[str, Any] = {
        "target_origin_id": _text(_pick(b, "target_origin_id", "TargetOriginId")),
        "viewer_protocol_policy": _text(_pick(b, "viewer_protocol_policy",
                                              "ViewerProtocolPolicy")),
        "allowed_methods": _methods(b, "allowed_methods"),
        "cached_methods": _methods(b, "cached_methods"),
        "compress": bool(n.to_bool(_pick(b, "compress", "Compress"))),
        "smooth_streaming": bool(n.to_bool(_pick(b, "smooth_streaming", "SmoothStreaming"))),
        "cache_policy_id": policy,
        "origin_request_policy_id": _text(_pick(b, "origin_request_policy_id",
                                                "OriginRequestPolicyId")),
        "response_headers_policy_id": _text(_pick(b, "response_headers_policy_id",
                                                  "ResponseHeadersPolicyId")),
        "field_level_encryption_id": _text(_pick(b, "field_level_encryption_id",
                                                 "FieldLevelEncryptionId")),
        "realtime_log_config_arn": _text(_pick(b, "realtime_log_config_arn",
                                               "RealtimeLogConfigArn")),
        "trusted_key_groups": n.as_set(_items(_pick(b, "trusted_key_groups",
                                                    "TrustedKeyGroups"))),
        "trusted_signers": n.as_set(_items(_pick(b, "trusted_signers", "TrustedSigners"))),
        "function_association": n.as_set([
            [_text(_pick(f, "event_type", "EventType")),
             _text(_pick(f, "function_arn", "FunctionARN"))]
            for f in functions if isinstance(f, Mapping)
        ]),
        "lambda_function_association": n.as_set([
            [_text(_pick(f, "event_type", "EventType")),
             _text(_pick(f, "lambda_arn", "LambdaFunctionARN")),
             bool(n.to_bool(_pick(f, "include_body", "IncludeBody")))]
            for f in lambdas if isinstance(f, Mapping)
        ]),
    }
    if "path_pattern" in b or "PathPattern" in b:
        shaped["path_pattern"] = _text(_pick(b, "path_pattern", "PathPattern"))
    if not policy:
        # the legacy cache settings mean something only without a cache policy
        shaped["min_ttl"] = _int(_pick(b, "min_ttl", "MinTTL"))
        shaped["default_ttl"] = _int(_pick(b, "default_ttl", "DefaultTTL"))
        shaped["max_ttl"] = _int(_pick(b, "max_ttl", "MaxTTL"))
        shaped["forwarded_values"] = {
            "query_string": bool(n.to_bool(_pick(forwarded, "query_string", "QueryString"))),
            "query_string_cache_keys": list(_items(_pick(
                forwarded, "query_string_cache_keys", "QueryStringCacheKeys"))),
            "headers": n.as_set(_items(_pick(forwarded, "headers", "Headers"))),
            "cookies_forward": _text(_pick(cookies, "forward", "Forward")),
            "cookies_whitelisted_names": n.as_set(_items(_pick(
                cookies, "whitelisted_names", "WhitelistedNames"))),
        } if forwarded else None
    return shaped


def _default_behavior(key: str) -> tuple[Callable[[Mapping[str, Any]], Any],
                                          Callable[[Mapping[str, Any]], Any]]:
    def cloud(payload: Mapping[str, Any]) -> Any:
        block = payload.get("DefaultCacheBehavior")
        return _behavior(block).get(key) if isinstance(block, Mapping) else UNKNOWN

    def state(attributes: Mapping[str, Any]) -> Any:
        block = _first(attributes.get("default_cache_behavior"))
        return _behavior(block).get(key) if block else UNKNOWN

    return cloud, state


def _behavior_field(key: str) -> FieldSpec:
    cloud, state = _default_behavior(key)
    return FieldSpec(f"default_cache_behavior.0.{key}", extract=cloud, from_state=state)


def _ordered(value: Any) -> Any:
    if value is None:
        return None
    return [_behavior(b) for b in _items(value) if isinstance(b, Mapping)]


def _error_responses(value: Any) -> Any:
    if value is None:
        return None
    return n.as_set([
        {"error_code": _int(_pick(e, "error_code", "ErrorCode")),
         "response_code": _int(_pick(e, "response_code", "ResponseCode")),
         "response_page_path": _text(_pick(e, "response_page_path", "ResponsePagePath")),
         "error_caching_min_ttl": _int(_pick(e, "error_caching_min_ttl", "ErrorCachingMinTTL"))}
        for e in _items(value) if isinstance(e, Mapping)
    ])


def _origin_groups(value: Any) -> Any:
    if value is None:
        return None
    groups = []
    for g in _items(value):
        if not isinstance(g, Mapping):
            continue
        criteria = _first(_pick(g, "failover_criteria", "FailoverCriteria"))
        members = _items(_pick(g, "member", "Members"))
        groups.append({
            "origin_id": _text(_pick(g, "origin_id", "Id")),
            "status_codes": n.as_set([_int(c) for c in _items(
                _pick(criteria, "status_codes", "StatusCodes"))]),
            # the order of the members is the failover order
            "members": [_text(_pick(m, "origin_id", "OriginId")) for m in members
                        if isinstance(m, Mapping)],
        })
    return n.as_set(groups)


def _viewer_certificate(value: Any) -> dict[str, Any]:
    v = _first(value)
    acm = _text(_pick(v, "acm_certificate_arn", "ACMCertificateArn"))
    iam = _text(_pick(v, "iam_certificate_id", "IAMCertificateId"))
    return {
        "acm_certificate_arn": acm,
        "iam_certificate_id": iam,
        "cloudfront_default_certificate": bool(n.to_bool(_pick(
            v, "cloudfront_default_certificate", "CloudFrontDefaultCertificate"))),
        "minimum_protocol_version": _text(_pick(v, "minimum_protocol_version",
                                                "MinimumProtocolVersion")),
        # the provider keeps the support method only with a certificate of one's own
        "ssl_support_method": _text(_pick(v, "ssl_support_method", "SSLSupportMethod"))
        if acm or iam else "",
    }


def _certificate_field(key: str) -> FieldSpec:
    def cloud(payload: Mapping[str, Any]) -> Any:
        return _viewer_certificate(payload.get("ViewerCertificate"))[key]

    def state(attributes: Mapping[str, Any]) -> Any:
        return _viewer_certificate(attributes.get("viewer_certificate"))[key]

    return FieldSpec(f"viewer_certificate.0.{key}", extract=cloud, from_state=state)


def _geo(key: str) -> tuple[Callable[[Mapping[str, Any]], Any],
                             Callable[[Mapping[str, Any]], Any]]:
    def shaped(geo: Mapping[str, Any]) -> Any:
        if key == "restriction_type":
            return _text(_pick(geo, "restriction_type", "RestrictionType"))
        return n.as_set(_items(_pick(geo, "locations", "Items")))

    def cloud(payload: Mapping[str, Any]) -> Any:
        return shaped(get_path(payload, "Restrictions.GeoRestriction") or {})

    def state(attributes: Mapping[str, Any]) -> Any:
        restriction = _first(attributes.get("restrictions"))
        return shaped(_first(restriction.get("geo_restriction")))

    return cloud, state


def _logging(api: str) -> Callable[[Mapping[str, Any]], Any]:
    def cloud(payload: Mapping[str, Any]) -> Any:
        logging = get_path(payload, "config.Logging") or {}
        # the provider records no logging block for a disabled logging configuration
        return logging.get(api) if logging.get("Enabled") else None

    return cloud


def _geo_field(key: str) -> FieldSpec:
    cloud, state = _geo(key)
    return FieldSpec(f"restrictions.0.geo_restriction.0.{key}", extract=cloud,
                     from_state=state)


DISTRIBUTION = AwsSpec(
    type="aws_cloudfront_distribution",
    service="cloudfront",
    enumerate=_distributions,
    id_query=_ID,
    global_service=True,
    description="CloudFront distribution (origins, cache behaviours, certificate, "
    "restrictions, logging)",
    calls=("cloudfront:ListDistributions", "cloudfront:ListTagsForResource"),
    details=(
        Detail("config", "get_distribution_config", lambda item: {"Id": item[_ID]},
               result="DistributionConfig"),
    ),
    fields=(
        FieldSpec("enabled", query="Enabled", normalise=(n.to_bool,)),
        FieldSpec("comment", query="Comment"),
        FieldSpec("default_root_object", query="config.DefaultRootObject", detail="config"),
        FieldSpec("http_version", query="HttpVersion"),
        FieldSpec("is_ipv6_enabled", query="IsIPV6Enabled", normalise=(n.to_bool,),
                  default=False),
        FieldSpec("price_class", query="PriceClass"),
        FieldSpec("web_acl_id", query="WebACLId"),
        FieldSpec("staging", query="Staging", normalise=(n.to_bool,), default=False),
        FieldSpec("continuous_deployment_policy_id",
                  query="config.ContinuousDeploymentPolicyId", detail="config"),
        FieldSpec("aliases", query="Aliases.Items", normalise=(n.as_set,)),
        FieldSpec("origin", query="Origins", normalise=(_origins,)),
        FieldSpec("origin_group", query="OriginGroups", normalise=(_origin_groups,)),
        *(_behavior_field(key) for key in (
            "target_origin_id", "viewer_protocol_policy", "allowed_methods", "cached_methods",
            "compress", "smooth_streaming", "cache_policy_id", "origin_request_policy_id",
            "response_headers_policy_id", "field_level_encryption_id",
            "realtime_log_config_arn", "trusted_key_groups", "trusted_signers",
            "function_association", "lambda_function_association", "min_ttl", "default_ttl",
            "max_ttl", "forwarded_values")),
        FieldSpec("ordered_cache_behavior", query="CacheBehaviors", normalise=(_ordered,)),
        FieldSpec("custom_error_response", query="CustomErrorResponses",
                  normalise=(_error_responses,)),
        *(_certificate_field(key) for key in (
            "acm_certificate_arn", "iam_certificate_id", "cloudfront_default_certificate",
            "minimum_protocol_version", "ssl_support_method")),
        _geo_field("restriction_type"),
        _geo_field("locations"),
        FieldSpec("logging_config.0.bucket", extract=_logging("Bucket"),
                  detail="config"),
        FieldSpec("logging_config.0.prefix", extract=_logging("Prefix"),
                  detail="config"),
        FieldSpec("logging_config.0.include_cookies",
                  extract=_logging("IncludeCookies"),
                  normalise=(n.to_bool,), detail="config"),
        bulk_tags(),
    ),
    not_compared={
        "retain_on_delete": "Terraform-only, no API field",
        "default_cache_behavior.grpc_config": "not compared yet",
        "ordered_cache_behavior.grpc_config": "not compared yet",
        "wait_for_deployment": "Terraform-only, no API field",
    },
)


OAC = AwsSpec(
    type="aws_cloudfront_origin_access_control",
    service="cloudfront",
    enumerate=lambda ctx, region, managed: [
        dict(o) for o in ctx.paginate("cloudfront", region, "list_origin_access_controls",
                                      "OriginAccessControlList.Items")
    ],
    id_query="Id",
    global_service=True,
    description="CloudFront origin access control",
    calls=("cloudfront:ListOriginAccessControls",),
    fields=(
        FieldSpec("name", query="Name"),
        FieldSpec("description", query="Description"),
        FieldSpec("origin_access_control_origin_type", query="OriginAccessControlOriginType"),
        FieldSpec("signing_behavior", query="SigningBehavior"),
        FieldSpec("signing_protocol", query="SigningProtocol"),
    ),
)

SPECS: tuple[AwsSpec, ...] = (DISTRIBUTION, OAC)
