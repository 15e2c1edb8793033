"""ELBv2 listeners and listener rules.

Neither has a region-wide listing: ``DescribeListeners`` takes a load balancer and
``DescribeRules`` a listener, so listeners are searched under managed load balancers and rules
under managed listeners (see ``per_parent``). A listener's default rule is its
``default_action``, not a rule of its own. Tags come from ``DescribeTags``, twenty managed
resources a call: the tagging API only lists tagged listeners and rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, PartOf, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types.per_parent import parents_to_search, per_parent

_DESCRIBE_TAGS = 20
# where a managed item's tags are kept (not the tagging API's: see the module's docstring)
_TAGS = "cloudrift:Tags"


def _parent_arn(arn: str, kind: str, parent_kind: str) -> str | None:
    """``…:listener/app/x/LB/L`` → ``…:loadbalancer/app/x/LB``; a rule's listener likewise."""
    marker = f":{kind}/"
    if marker not in arn:
        return None
    return arn.replace(marker, f":{parent_kind}/", 1).rsplit("/", 1)[0]


def _add_tags(ctx: AwsContext, region: str, items: list[Item], arn_key: str,
              managed: Sequence[Resource]) -> None:
    wanted = {r.id for r in managed}
    mine = [item for item in items if item[arn_key] in wanted]
    for start in range(0, len(mine), _DESCRIBE_TAGS):
        batch = mine[start:start + _DESCRIBE_TAGS]
        described = ctx.call("elbv2", region, "describe_tags",
                             ResourceArns=[item[arn_key] for item in batch])
        by_arn = {d["ResourceArn"]: d.get("Tags") or [] for d in described["TagDescriptions"]}
        for item in batch:
            item[_TAGS] = n.tags(by_arn.get(item[arn_key], []))


# -- actions and conditions, in one form for both sides --------------------------------------


def _clean(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if not n.is_empty(v)}


def _cloud_action(action: Mapping[str, Any]) -> dict[str, Any]:
    forward = action.get("ForwardConfig") or {}
    groups = {g.get("TargetGroupArn"): g.get("Weight") for g in forward.get("TargetGroups") or ()}
    if action.get("TargetGroupArn"):
        groups.setdefault(action["TargetGroupArn"], None)
    stickiness = forward.get("TargetGroupStickinessConfig") or {}
    redirect = action.get("RedirectConfig") or {}
    fixed = action.get("FixedResponseConfig") or {}
    cognito = action.get("AuthenticateCognitoConfig") or {}
    oidc = action.get("AuthenticateOidcConfig") or {}
    return _action(
        action.get("Type"), action.get("Order"), groups,
        stickiness.get("Enabled"), stickiness.get("DurationSeconds"),
        {"host": redirect.get("Host"), "path": redirect.get("Path"),
         "port": redirect.get("Port"), "protocol": redirect.get("Protocol"),
         "query": redirect.get("Query"), "status_code": redirect.get("StatusCode")},
        {"content_type": fixed.get("ContentType"), "message_body": fixed.get("MessageBody"),
         "status_code": fixed.get("StatusCode")},
        {"user_pool_arn": cognito.get("UserPoolArn"),
         "user_pool_client_id": cognito.get("UserPoolClientId"),
         "user_pool_domain": cognito.get("UserPoolDomain")},
        {"issuer": oidc.get("Issuer"), "client_id": oidc.get("ClientId"),
         "authorization_endpoint": oidc.get("AuthorizationEndpoint"),
         "token_endpoint": oidc.get("TokenEndpoint"),
         "user_info_endpoint": oidc.get("UserInfoEndpoint")},
    )


def _state_action(action: Mapping[str, Any]) -> dict[str, Any]:
    def first(name: str) -> Mapping[str, Any]:
        blocks = action.get(name) or [None]
        return blocks[0] or {}

    forward = first("forward")
    groups = {g.get("arn"): g.get("weight") for g in forward.get("target_group") or ()}
    if action.get("target_group_arn"):
        groups.setdefault(action["target_group_arn"], None)
    stickiness = (forward.get("stickiness") or [None])[0] or {}
    cognito, oidc = first("authenticate_cognito"), first("authenticate_oidc")
    return _action(
        action.get("type"), action.get("order"), groups,
        stickiness.get("enabled"), stickiness.get("duration"),
        dict(first("redirect")), dict(first("fixed_response")),
        {k: cognito.get(k) for k in ("user_pool_arn", "user_pool_client_id", "user_pool_domain")},
        # client_secret is never returned by the API: not compared
        {k: oidc.get(k) for k in ("issuer", "client_id", "authorization_endpoint",
                                  "token_endpoint", "user_info_endpoint")},
    )


def _action(kind: Any, order: Any, groups: Mapping[Any, Any], sticky: Any, duration: Any,
            redirect: Mapping[str, Any], fixed: Mapping[str, Any], cognito: Mapping[str, Any],
            oidc: Mapping[str, Any]) -> dict[str, Any]:
    # one target group takes all the traffic whatever its weight
    single = len(groups) == 1
    sticky_on = n.to_bool(sticky) is True
    return _clean({
        "type": kind,
        "order": n.to_int(order),
        "target_groups": sorted([arn, None if single else n.to_int(weight)]
                                for arn, weight in groups.items() if arn),
        "stickiness": {"enabled": True, "duration": n.to_int(duration)} if sticky_on else None,
        "redirect": _clean(redirect) or None,
        "fixed_response": _clean(fixed) or None,
        "authenticate_cognito": _clean(cognito) or None,
        "authenticate_oidc": _clean(oidc) or None,
    })


def actions(value: Any) -> Any:
    """Actions in the order they run; ``order`` itself only sorts them."""
    if value is None:
        return None
    ordered = sorted(value, key=lambda a: (a.get("order") is None, a.get("order") or 0))
    return [{k: v for k, v in action.items() if k != "order"} for action in ordered]


def _cloud_actions(key: str) -> Any:
    def extract(payload: Mapping[str, Any]) -> Any:
        found = payload.get(key)
        return UNKNOWN if found is None else [_cloud_action(a) for a in found]

    return extract


def _state_actions(key: str) -> Any:
    def read(attributes: Mapping[str, Any]) -> Any:
        return [_state_action(a) for a in attributes.get(key) or ()]

    return read


_CONDITION_FIELDS = {
    "host-header": ("host_header", "HostHeaderConfig"),
    "path-pattern": ("path_pattern", "PathPatternConfig"),
    "http-request-method": ("http_request_method", "HttpRequestMethodConfig"),
    "source-ip": ("source_ip", "SourceIpConfig"),
    "http-header": ("http_header", "HttpHeaderConfig"),
    "query-string": ("query_string", "QueryStringConfig"),
}


def _cloud_conditions(payload: Mapping[str, Any]) -> Any:
    found = payload.get("Conditions")
    if found is None:
        return UNKNOWN
    conditions = []
    for condition in found:
        field = condition.get("Field")
        name, config_key = _CONDITION_FIELDS.get(field, (field, ""))
        config = condition.get(config_key) or {}
        if field == "query-string":
            values = [[v.get("Key") or "", v.get("Value")] for v in config.get("Values") or ()]
        else:
            values = list(config.get("Values") or condition.get("Values") or ())
        conditions.append({"field": name, "header": config.get("HttpHeaderName"),
                           "values": sorted(values)})
    return conditions


def _state_conditions(attributes: Mapping[str, Any]) -> Any:
    conditions = []
    for condition in attributes.get("condition") or ():
        for name, _ in _CONDITION_FIELDS.values():
            blocks = condition.get(name) or ()
            if not blocks:
                continue
            if name == "query_string":
                values = [[b.get("key") or "", b.get("value")] for b in blocks]
                conditions.append({"field": name, "header": None, "values": sorted(values)})
            else:
                block = blocks[0] or {}
                conditions.append({"field": name, "header": block.get("http_header_name"),
                                   "values": sorted(block.get("values") or ())})
    return conditions


# -- aws_lb_listener -------------------------------------------------------------------------


def _listeners(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    def listing(balancer: str) -> list[Item]:
        return [dict(listener) for listener in ctx.paginate(
            "elbv2", region, "describe_listeners", "Listeners", LoadBalancerArn=balancer)]

    balancers = parents_to_search(ctx, region, "aws_lb", managed,
                                  lambda r: _parent_arn(r.id, "listener", "loadbalancer"))
    listeners = per_parent(balancers, listing, ("LoadBalancerNotFound",))
    _add_tags(ctx, region, listeners, "ListenerArn", managed)
    return listeners


def _certificate(payload: Mapping[str, Any]) -> Any:
    certificates = payload.get("Certificates") or ()
    defaults = [c for c in certificates if c.get("IsDefault") is not False]
    return (defaults or [{}])[0].get("CertificateArn")


def _off_is_unset(value: Any) -> Any:
    return None if value == "off" else value


def _alpn(payload: Mapping[str, Any]) -> Any:
    policies = payload.get("AlpnPolicy") or ()
    return policies[0] if policies else None


# set with ModifyListenerAttributes: reading them takes a DescribeListenerAttributes per listener
_LISTENER_ATTRIBUTE = "a listener attribute (one DescribeListenerAttributes per listener): not " \
    "compared"
_LISTENER_ATTRIBUTES = ("tcp_idle_timeout_seconds", *(
    f"routing_http_request_x_amzn_{name}" for name in (
        "mtls_clientcert_header_name", "mtls_clientcert_issuer_header_name",
        "mtls_clientcert_leaf_header_name", "mtls_clientcert_serial_number_header_name",
        "mtls_clientcert_subject_header_name", "mtls_clientcert_validity_header_name",
        "tls_cipher_suite_header_name", "tls_version_header_name")), *(
    f"routing_http_response_{name}" for name in (
        "access_control_allow_credentials_header_value",
        "access_control_allow_headers_header_value", "access_control_allow_methods_header_value",
        "access_control_allow_origin_header_value", "access_control_expose_headers_header_value",
        "access_control_max_age_header_value", "content_security_policy_header_value",
        "server_enabled", "strict_transport_security_header_value",
        "x_content_type_options_header_value", "x_frame_options_header_value")))

LISTENER = AwsSpec(
    type="aws_lb_listener",
    service="elbv2",
    enumerate=_listeners,
    calls=("elbv2:DescribeListeners", "elbv2:DescribeTags"),
    id_query="ListenerArn",
    per_parent=True,
    part_of=(PartOf("aws_lb", "load_balancer_arn", (), cloud_parent_id="LoadBalancerArn"),),
    description="DescribeListeners per managed load balancer (and the load balancer of each "
    "managed listener): a listener of an unmanaged load balancer is covered by its finding; "
    "tags by DescribeTags for managed listeners, twenty a call",
    fields=(
        FieldSpec("port", query="Port", normalise=(n.to_int,)),
        FieldSpec("protocol", query="Protocol"),
        FieldSpec("ssl_policy", query="SslPolicy"),
        FieldSpec("certificate_arn", extract=_certificate),
        FieldSpec("alpn_policy", extract=_alpn),
        FieldSpec("default_action", extract=_cloud_actions("DefaultActions"),
                  from_state=_state_actions("default_action"), normalise=(actions,)),
        # AWS reports mode "off" for a listener configured without mutual authentication
        FieldSpec("mutual_authentication.0.mode", query="MutualAuthentication.Mode",
                  normalise=(_off_is_unset,)),
        FieldSpec("mutual_authentication.0.trust_store_arn",
                  query="MutualAuthentication.TrustStoreArn"),
        tags(extract=lambda payload: payload.get(_TAGS, UNKNOWN)),
    ),
    not_compared={
        "load_balancer_arn": "the listener's load balancer: another one is another listener",
        "default_action.0.authenticate_oidc.0.client_secret":
            "secret: never returned by the API",
        "default_action.0.authenticate_oidc.0.authentication_request_extra_params":
            "not compared",
        "default_action.0.authenticate_cognito.0.authentication_request_extra_params":
            "not compared",
        **{name: _LISTENER_ATTRIBUTE for name in _LISTENER_ATTRIBUTES},
        "mutual_authentication.0.ignore_client_certificate_expiry": "not compared",
        "mutual_authentication.0.advertise_trust_store_ca_names": "not compared",
    },
)

# -- aws_lb_listener_rule --------------------------------------------------------------------


def _rules(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    def listing(listener: str) -> list[Item]:
        return [{**rule, "ListenerArn": listener} for rule in ctx.paginate(
            "elbv2", region, "describe_rules", "Rules", ListenerArn=listener)
            if not rule.get("IsDefault")]

    listeners = parents_to_search(ctx, region, "aws_lb_listener", managed,
                                  lambda r: _parent_arn(r.id, "listener-rule", "listener"))
    rules = per_parent(listeners, listing, ("ListenerNotFound",))
    _add_tags(ctx, region, rules, "RuleArn", managed)
    return rules


LISTENER_RULE = AwsSpec(
    type="aws_lb_listener_rule",
    service="elbv2",
    enumerate=_rules,
    calls=("elbv2:DescribeRules", "elbv2:DescribeTags"),
    id_query="RuleArn",
    per_parent=True,
    part_of=(PartOf("aws_lb_listener", "listener_arn", (), cloud_parent_id="ListenerArn"),),
    description="DescribeRules per managed listener (and the listener of each managed rule); "
    "the listener's default rule is its default_action; tags by DescribeTags for managed "
    "rules, twenty a call",
    fields=(
        FieldSpec("priority", query="Priority", normalise=(n.to_int,)),
        FieldSpec("action", extract=_cloud_actions("Actions"), from_state=_state_actions("action"),
                  normalise=(actions,)),
        FieldSpec("condition", extract=_cloud_conditions, from_state=_state_conditions,
                  normalise=(n.as_set,)),
        tags(extract=lambda payload: payload.get(_TAGS, UNKNOWN)),
    ),
    not_compared={
        "listener_arn": "the rule's listener: another one is another rule",
        "action.0.authenticate_oidc.0.client_secret": "secret: never returned by the API",
        "action.0.authenticate_oidc.0.authentication_request_extra_params": "not compared",
        "action.0.authenticate_cognito.0.authentication_request_extra_params": "not compared",
    },
)

SPECS: tuple[AwsSpec, ...] = (LISTENER, LISTENER_RULE)
