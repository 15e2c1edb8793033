"""Load balancing: forwarding rules (regional and global), backend services, health checks, URL
maps, target HTTP(S) proxies and SSL certificates.

What GKE's ingress and service controllers create (``k8s-``/``k8s1-``/``k8s2-`` names, forwarding
rules that describe the Kubernetes service they serve) is theirs, left out unless ``--strict``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, has_path
from cloudrift.sdk import normalise as n
from cloudrift_gcp.fields import (
    asset_project,
    flag,
    label_map,
    number,
    ref,
    ref_list,
    reference,
    reported,
    sorted_set,
    state_project,
    string_set,
    text,
)
from cloudrift_gcp.spec import GcpSpec
from cloudrift_gcp.types._ids import from_self_link, template

GKE_PREFIXES = ("k8s-", "k8s1-", "k8s2-", "gke-")


def _made_by_gke(item: Mapping[str, Any]) -> bool:
    return str(item.get("name", "")).startswith(GKE_PREFIXES) or \
        "kubernetes.io/service-name" in str(item.get("description", ""))


def port_range(value: Any) -> Any:
    """``"80"`` and ``"80-80"`` are one range (the API answers the second)."""
    if isinstance(value, str) and value and "-" not in value:
        return f"{value}-{value}"
    return value


def _forwarding_rule(kind: str, scope: str, regional: bool) -> GcpSpec:
    fields = [
        text("description", "description"),
        text("ip_address", "IPAddress"),
        FieldSpec("ip_protocol", query="IPProtocol", normalise=(n.lower,)),
        FieldSpec("port_range", query="portRange", normalise=(port_range,)),
        text("load_balancing_scheme", "loadBalancingScheme"),
        ref("target", "target"),
        ref("network", "network"),
        ref("subnetwork", "subnetwork"),
        text("network_tier", "networkTier"),
        text("ip_version", "ipVersion"),
        string_set("source_ip_ranges", "sourceIpRanges"),
        label_map(),
    ]
    if regional:
        fields += [
            string_set("ports", "ports"),
            ref("backend_service", "backendService"),
            flag("allow_global_access", "allowGlobalAccess"),
            flag("all_ports", "allPorts"),
            text("service_label", "serviceLabel"),
        ]
    return GcpSpec(
        type=kind,
        asset_type="compute.googleapis.com/ForwardingRule" if regional
        else "compute.googleapis.com/GlobalForwardingRule",
        import_id=template(f"projects/{{project}}/{scope}/forwardingRules/{{name}}"),
        cloud_id=from_self_link,
        is_default=_made_by_gke,
        fields=tuple(fields),
        not_compared={
            "service_directory_registrations": "only sent when the rule is created",
            "metadata_filters": "compared by a later version",
        } if not regional else {
            "service_directory_registrations": "only sent when the rule is created",
            "recreate_closed_psc": "acted on by Terraform only",
        },
    )


FORWARDING_RULE = _forwarding_rule("google_compute_forwarding_rule",
                                   "regions/{region}", regional=True)
GLOBAL_FORWARDING_RULE = _forwarding_rule("google_compute_global_forwarding_rule", "global",
                                          regional=False)


# -- backend services ----------------------------------------------------------------------------


def _state_backends(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "backend"):
        return UNKNOWN
    own = state_project(attributes)
    return [{"group": reference(b.get("group"), own),
             "balancing_mode": b.get("balancing_mode") or "UTILIZATION",
             "capacity_scaler": n.to_int(b.get("capacity_scaler", 1.0))}
            for b in attributes.get("backend") or []]


def _cloud_backends(item: Mapping[str, Any]) -> Any:
    own = asset_project(item)
    return [{"group": reference(b.get("group"), own),
             "balancing_mode": b.get("balancingMode") or "UTILIZATION",
             "capacity_scaler": n.to_int(b.get("capacityScaler", 1.0))}
            for b in item.get("backends") or []]


BACKEND_SERVICE = GcpSpec(
    type="google_compute_backend_service",
    asset_type="compute.googleapis.com/BackendService",
    import_id=template("projects/{project}/global/backendServices/{name}"),
    cloud_id=from_self_link,
    is_default=_made_by_gke,
    fields=(
        text("description", "description"),
        text("protocol", "protocol"),
        text("port_name", "portName"),
        number("timeout_sec", "timeoutSec"),
        text("load_balancing_scheme", "loadBalancingScheme"),
        text("session_affinity", "sessionAffinity", "NONE"),
        number("affinity_cookie_ttl_sec", "affinityCookieTtlSec", 0),
        flag("enable_cdn", "enableCDN"),
        number("connection_draining_timeout_sec", "connectionDraining.drainingTimeoutSec", 300),
        ref_list("health_checks", "healthChecks"),
        FieldSpec("backend", extract=_cloud_backends, from_state=_state_backends,
                  normalise=(sorted_set,)),
        ref("security_policy", "securityPolicy"),
        text("locality_lb_policy", "localityLbPolicy"),
        string_set("custom_request_headers", "customRequestHeaders"),
        string_set("custom_response_headers", "customResponseHeaders"),
        text("compression_mode", "compressionMode"),
        flag("log_config.0.enable", "logConfig.enable"),
        flag("iap.0.enabled", "iap.enabled"),
    ),
    not_compared={
        "cdn_policy": "compared by a later version",
        "iap.0.oauth2_client_secret": "the API never returns the secret",
        "backend.max_utilization": "of each backend only the group, balancing mode and "
                                   "capacity scaler are compared",
        "circuit_breakers": "compared by a later version",
        "consistent_hash": "compared by a later version",
        "outlier_detection": "compared by a later version",
    },
)


# -- health checks -------------------------------------------------------------------------------

_HTTP_LIKE = (("http_health_check", "httpHealthCheck"), ("https_health_check", "httpsHealthCheck"),
              ("http2_health_check", "http2HealthCheck"))
_TCP_LIKE = (("tcp_health_check", "tcpHealthCheck"), ("ssl_health_check", "sslHealthCheck"))


def _health_check_fields() -> tuple[FieldSpec, ...]:
    fields: list[FieldSpec] = []
    for block, api in _HTTP_LIKE:
        fields += [
            number(f"{block}.0.port", f"{api}.port"),
            text(f"{block}.0.request_path", f"{api}.requestPath"),
            text(f"{block}.0.host", f"{api}.host"),
            text(f"{block}.0.response", f"{api}.response"),
        ]
    for block, api in _TCP_LIKE:
        fields += [
            number(f"{block}.0.port", f"{api}.port"),
            text(f"{block}.0.request", f"{api}.request"),
            text(f"{block}.0.response", f"{api}.response"),
        ]
    fields += [
        number("grpc_health_check.0.port", "grpcHealthCheck.port"),
        text("grpc_health_check.0.grpc_service_name", "grpcHealthCheck.grpcServiceName"),
    ]
    return tuple(fields)


HEALTH_CHECK = GcpSpec(
    type="google_compute_health_check",
    asset_type="compute.googleapis.com/HealthCheck",
    import_id=template("projects/{project}/global/healthChecks/{name}"),
    cloud_id=from_self_link,
    is_default=_made_by_gke,
    fields=(
        text("description", "description"),
        number("check_interval_sec", "checkIntervalSec", 5),
        number("timeout_sec", "timeoutSec", 5),
        number("healthy_threshold", "healthyThreshold", 2),
        number("unhealthy_threshold", "unhealthyThreshold", 2),
        string_set("source_regions", "sourceRegions"),
        flag("log_config.0.enable", "logConfig.enable"),
        *_health_check_fields(),
    ),
    not_compared={
        "http_health_check.port_specification": "the API fills it in from the port when it "
                                                "is not set (so for every kind of check)",
        "http_health_check.proxy_header": "compared by a later version (also of the https, "
                                          "http2, tcp and ssl checks)",
    },
)


# -- URL maps ------------------------------------------------------------------------------------


def _state_host_rules(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "host_rule"):
        return UNKNOWN
    return [{"hosts": sorted(r.get("hosts") or []), "path_matcher": r.get("path_matcher")}
            for r in attributes.get("host_rule") or []]


def _cloud_host_rules(item: Mapping[str, Any]) -> Any:
    return [{"hosts": sorted(r.get("hosts") or []), "path_matcher": r.get("pathMatcher")}
            for r in item.get("hostRules") or []]


def _state_matchers(attributes: Mapping[str, Any]) -> Any:
    if not has_path(attributes, "path_matcher"):
        return UNKNOWN
    own = state_project(attributes)
    return [{
        "name": m.get("name"),
        "default_service": reference(m.get("default_service"), own) or None,
        "path_rule": sorted(
            ({"paths": sorted(r.get("paths") or []),
              "service": reference(r.get("service"), own) or None}
             for r in m.get("path_rule") or []), key=n.sort_key),
    } for m in attributes.get("path_matcher") or []]


def _cloud_matchers(item: Mapping[str, Any]) -> Any:
    own = asset_project(item)
    return [{
        "name": m.get("name"),
        "default_service": reference(m.get("defaultService"), own) or None,
        "path_rule": sorted(
            ({"paths": sorted(r.get("paths") or []),
              "service": reference(r.get("service"), own) or None}
             for r in m.get("pathRules") or []), key=n.sort_key),
    } for m in item.get("pathMatchers") or []]


URL_MAP = GcpSpec(
    type="google_compute_url_map",
    asset_type="compute.googleapis.com/UrlMap",
    import_id=template("projects/{project}/global/urlMaps/{name}"),
    cloud_id=from_self_link,
    is_default=_made_by_gke,
    fields=(
        text("description", "description"),
        ref("default_service", "defaultService"),
        FieldSpec("host_rule", extract=_cloud_host_rules, from_state=_state_host_rules,
                  normalise=(sorted_set,)),
        FieldSpec("path_matcher", extract=_cloud_matchers, from_state=_state_matchers,
                  normalise=(sorted_set,)),
        flag("default_url_redirect.0.https_redirect", "defaultUrlRedirect.httpsRedirect"),
        flag("default_url_redirect.0.strip_query", "defaultUrlRedirect.stripQuery"),
        text("default_url_redirect.0.redirect_response_code",
             "defaultUrlRedirect.redirectResponseCode"),
        text("default_url_redirect.0.host_redirect", "defaultUrlRedirect.hostRedirect"),
    ),
    not_compared={
        "path_matcher.route_rules": "route rules are compared by a later version",
        "default_route_action": "compared by a later version",
        "header_action": "compared by a later version",
        "test": "tests are checked by the API when the map is written, not kept as config",
    },
)


# -- target proxies and certificates -----------------------------------------------------------

TARGET_HTTPS_PROXY = GcpSpec(
    type="google_compute_target_https_proxy",
    asset_type="compute.googleapis.com/TargetHttpsProxy",
    import_id=template("projects/{project}/global/targetHttpsProxies/{name}"),
    cloud_id=from_self_link,
    is_default=_made_by_gke,
    fields=(
        text("description", "description"),
        ref("url_map", "urlMap"),
        # the first certificate is the primary one: the order is kept
        ref_list("ssl_certificates", "sslCertificates", ordered=True),
        ref("ssl_policy", "sslPolicy"),
        text("quic_override", "quicOverride", "NONE"),
        ref("certificate_map", "certificateMap"),
        number("http_keep_alive_timeout_sec", "httpKeepAliveTimeoutSec", 0),
        reported("tls_early_data", "tlsEarlyData"),
        ref("server_tls_policy", "serverTlsPolicy"),
        ref_list("certificate_manager_certificates", "certificateManagerCertificates"),
    ),
)

TARGET_HTTP_PROXY = GcpSpec(
    type="google_compute_target_http_proxy",
    asset_type="compute.googleapis.com/TargetHttpProxy",
    import_id=template("projects/{project}/global/targetHttpProxies/{name}"),
    cloud_id=from_self_link,
    is_default=_made_by_gke,
    fields=(
        text("description", "description"),
        ref("url_map", "urlMap"),
        number("http_keep_alive_timeout_sec", "httpKeepAliveTimeoutSec", 0),
        flag("proxy_bind", "proxyBind"),
    ),
)


def _pem(value: Any) -> Any:
    """A PEM block without the line endings and trailing blank lines an editor adds."""
    if not isinstance(value, str):
        return value
    return "\n".join(line.strip() for line in value.strip().splitlines() if line.strip())


SSL_CERTIFICATE = GcpSpec(
    type="google_compute_ssl_certificate",
    asset_type="compute.googleapis.com/SslCertificate",
    import_id=template("projects/{project}/global/sslCertificates/{name}"),
    cloud_id=from_self_link,
    # GKE ingress certificates of Kubernetes secrets
    is_default=_made_by_gke,
    fields=(
        text("description", "description"),
        # the provider marks the certificate sensitive: its value is never shown
        FieldSpec("certificate", query="certificate", normalise=(_pem,), sensitive=True),
        # the API never returns the private key
        FieldSpec("private_key", extract=lambda item: UNKNOWN, sensitive=True),
    ),
    not_compared={"name_prefix": "only used by Terraform to make up a name"},
)

SPECS = (FORWARDING_RULE, GLOBAL_FORWARDING_RULE, BACKEND_SERVICE, HEALTH_CHECK, URL_MAP,
         TARGET_HTTPS_PROXY, TARGET_HTTP_PROXY, SSL_CERTIFICATE)
