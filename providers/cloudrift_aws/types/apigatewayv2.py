"""API Gateway v2 (HTTP and WebSocket APIs): APIs, and their stages, routes and integrations.

One paged ``GetApis`` per region lists the APIs with their tags. Stages (tags included), routes
and integrations are listed per API, only under the managed APIs (and those a managed child
names), one paged call each: the children of an unmanaged API are covered by the API's own
unmanaged finding. What API Gateway made itself for a quick-created API
(``ApiGatewayManaged``) is a default part, never unmanaged unless ``--strict``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, PartOf, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types._children import first_segment, parents_to_list
from cloudrift_aws.types._common import (
    TAGS,
    flag,
    item_tags,
    number,
    records_of,
    string_map,
    string_set,
)
from cloudrift_aws.types.bulk import memo_outcome

_S = "apigatewayv2"
_API = "aws_apigatewayv2_api"


def _listed_apis(ctx: AwsContext, region: str) -> list[Item]:
    return memo_outcome(
        ctx, f"apigatewayv2:get_apis:{region}",
        lambda: [dict(a) for a in ctx.paginate(_S, region, "get_apis", "Items")],
    )


def _apis(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return [{**api, TAGS: n.tags(api.get("Tags") or {})} for api in _listed_apis(ctx, region)]


def _children(operation: str, key: str) -> Callable[[AwsContext, str, Sequence[Resource]],
                                                      list[Item]]:
    """An enumerator listing ``operation`` under every API a child is looked for under."""

    def enumerate_(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
        wanted = parents_to_list(ctx, region, _API, managed, first_segment("/"))
        if not wanted:
            return []  # no call at all without a managed API
        existing = {str(api["ApiId"]) for api in _listed_apis(ctx, region)}
        items: list[Item] = []
        for api_id in wanted:
            if api_id not in existing:  # a deleted API's children are missing
                continue
            for child in ctx.paginate(_S, region, operation, "Items", ApiId=api_id):
                items.append({**child, "ApiId": api_id, "Id": f"{api_id}/{child[key]}",
                              TAGS: n.tags(child.get("Tags") or {})})
        return items

    return enumerate_


def _import_id(child: str) -> Callable[[Mapping[str, Any]], str | None]:
    def import_id(attributes: Mapping[str, Any]) -> str | None:
        api, own = attributes.get("api_id"), attributes.get(child)
        return f"{api}/{own}" if api and own else None

    return import_id


def _part(fields: tuple[str, ...]) -> tuple[PartOf, ...]:
    return (PartOf(_API, parent_id="api_id", fields=fields, cloud_parent_id="ApiId"),)


def _made_by_api_gateway(item: Mapping[str, Any]) -> bool:
    return bool(item.get("ApiGatewayManaged"))


API = AwsSpec(
    type=_API,
    service=_S,
    enumerate=_apis,
    id_query="ApiId",
    description="API Gateway v2 API, HTTP or WebSocket (tags from the listing itself)",
    calls=("apigatewayv2:GetApis",),
    fields=(
        FieldSpec("name", query="Name"),
        FieldSpec("description", query="Description"),
        FieldSpec("protocol_type", query="ProtocolType"),
        FieldSpec("api_key_selection_expression", query="ApiKeySelectionExpression",
                  default="$request.header.x-api-key"),
        FieldSpec("route_selection_expression", query="RouteSelectionExpression",
                  default="$request.method $request.path"),
        flag("disable_execute_api_endpoint", "DisableExecuteApiEndpoint"),
        FieldSpec("ip_address_type", query="IpAddressType"),
        FieldSpec("version", query="Version"),
        flag("cors_configuration.0.allow_credentials", "CorsConfiguration.AllowCredentials"),
        string_set("cors_configuration.0.allow_headers", "CorsConfiguration.AllowHeaders"),
        string_set("cors_configuration.0.allow_methods", "CorsConfiguration.AllowMethods"),
        string_set("cors_configuration.0.allow_origins", "CorsConfiguration.AllowOrigins"),
        string_set("cors_configuration.0.expose_headers", "CorsConfiguration.ExposeHeaders"),
        number("cors_configuration.0.max_age", "CorsConfiguration.MaxAge", default=0),
        item_tags(),
    ),
    not_compared={
        "body": "the OpenAPI document is imported once; API Gateway does not return it",
        "fail_on_warnings": "Terraform-only: how the body is imported",
        "route_key": "quick create only: what it made is API Gateway's own route",
        "target": "quick create only: what it made is API Gateway's own integration",
        "credentials_arn": "quick create only",
    },
)


def _stage_deployment(attributes: Mapping[str, Any]) -> Any:
    # with auto_deploy every change of the API makes a new deployment: not drift
    if attributes.get("auto_deploy"):
        return UNKNOWN
    return attributes.get("deployment_id")


def _route_settings(value: Any) -> Any:
    if isinstance(value, Mapping):
        value = [{"route_key": key, **{
            "data_trace_enabled": s.get("DataTraceEnabled"),
            "detailed_metrics_enabled": s.get("DetailedMetricsEnabled"),
            "logging_level": s.get("LoggingLevel"),
            "throttling_burst_limit": s.get("ThrottlingBurstLimit"),
            "throttling_rate_limit": s.get("ThrottlingRateLimit"),
        }} for key, s in value.items() if isinstance(s, Mapping)]
    if not isinstance(value, list):
        return value
    shaped = [{
        "route_key": e.get("route_key"),
        "data_trace_enabled": bool(n.to_bool(e.get("data_trace_enabled"))),
        "detailed_metrics_enabled": bool(n.to_bool(e.get("detailed_metrics_enabled"))),
        "logging_level": e.get("logging_level") or "",
        "throttling_burst_limit": n.to_int(e.get("throttling_burst_limit")) or 0,
        "throttling_rate_limit": n.to_int(e.get("throttling_rate_limit")) or 0,
    } for e in value if isinstance(e, Mapping)]
    return n.as_set(shaped)


_DRS = "DefaultRouteSettings"

STAGE = AwsSpec(
    type="aws_apigatewayv2_stage",
    service=_S,
    enumerate=_children("get_stages", "StageName"),
    id_query="Id",
    import_id=_import_id("name"),
    is_default=_made_by_api_gateway,
    per_parent=True,
    part_of=_part(()),
    description="API Gateway v2 stage; one paged GetStages per managed API (tags included)",
    calls=("apigatewayv2:GetApis", "apigatewayv2:GetStages"),
    fields=(
        flag("auto_deploy", "AutoDeploy"),
        FieldSpec("deployment_id", query="DeploymentId", from_state=_stage_deployment),
        FieldSpec("description", query="Description"),
        FieldSpec("client_certificate_id", query="ClientCertificateId"),
        string_map("stage_variables", "StageVariables"),
        FieldSpec("access_log_settings.0.destination_arn",
                  query="AccessLogSettings.DestinationArn"),
        FieldSpec("access_log_settings.0.format", query="AccessLogSettings.Format"),
        flag("default_route_settings.0.data_trace_enabled", f"{_DRS}.DataTraceEnabled"),
        flag("default_route_settings.0.detailed_metrics_enabled",
             f"{_DRS}.DetailedMetricsEnabled"),
        FieldSpec("default_route_settings.0.logging_level", query=f"{_DRS}.LoggingLevel"),
        number("default_route_settings.0.throttling_burst_limit",
               f"{_DRS}.ThrottlingBurstLimit", default=0),
        number("default_route_settings.0.throttling_rate_limit",
               f"{_DRS}.ThrottlingRateLimit", default=0),
        FieldSpec("route_settings", query="RouteSettings", normalise=(_route_settings,)),
        item_tags(),
    ),
)


def _request_parameters(value: Any) -> Any:
    if isinstance(value, Mapping):
        value = [{"request_parameter_key": k, "required": (v or {}).get("Required")}
                 for k, v in value.items()]
    return records_of(value, ("request_parameter_key", "required"))


ROUTE = AwsSpec(
    type="aws_apigatewayv2_route",
    service=_S,
    enumerate=_children("get_routes", "RouteId"),
    id_query="Id",
    import_id=_import_id("id"),
    is_default=_made_by_api_gateway,
    per_parent=True,
    part_of=_part(("body",)),
    description="API Gateway v2 route; one paged GetRoutes per managed API",
    calls=("apigatewayv2:GetApis", "apigatewayv2:GetRoutes"),
    fields=(
        FieldSpec("route_key", query="RouteKey"),
        FieldSpec("target", query="Target"),
        FieldSpec("authorization_type", query="AuthorizationType", default="NONE"),
        FieldSpec("authorizer_id", query="AuthorizerId"),
        flag("api_key_required", "ApiKeyRequired"),
        FieldSpec("operation_name", query="OperationName"),
        string_set("authorization_scopes", "AuthorizationScopes"),
        FieldSpec("model_selection_expression", query="ModelSelectionExpression"),
        FieldSpec("route_response_selection_expression",
                  query="RouteResponseSelectionExpression"),
        string_map("request_models", "RequestModels"),
        FieldSpec("request_parameter", query="RequestParameters",
                  normalise=(_request_parameters,)),
    ),
)


def _response_parameters(value: Any) -> Any:
    if isinstance(value, Mapping):
        value = [{"status_code": k, "mappings": v} for k, v in value.items()]
    if not isinstance(value, list):
        return value
    return n.as_set([{"status_code": str(e.get("status_code")),
                      "mappings": n.tags(e.get("mappings") or {})}
                     for e in value if isinstance(e, Mapping)])


INTEGRATION = AwsSpec(
    type="aws_apigatewayv2_integration",
    service=_S,
    enumerate=_children("get_integrations", "IntegrationId"),
    id_query="Id",
    import_id=_import_id("id"),
    is_default=_made_by_api_gateway,
    per_parent=True,
    part_of=_part(("body",)),
    description="API Gateway v2 integration; one paged GetIntegrations per managed API",
    calls=("apigatewayv2:GetApis", "apigatewayv2:GetIntegrations"),
    fields=(
        FieldSpec("integration_type", query="IntegrationType"),
        FieldSpec("integration_method", query="IntegrationMethod"),
        FieldSpec("integration_uri", query="IntegrationUri"),
        FieldSpec("integration_subtype", query="IntegrationSubtype"),
        FieldSpec("connection_type", query="ConnectionType", default="INTERNET"),
        FieldSpec("connection_id", query="ConnectionId"),
        FieldSpec("credentials_arn", query="CredentialsArn"),
        FieldSpec("description", query="Description"),
        FieldSpec("payload_format_version", query="PayloadFormatVersion", default="1.0"),
        number("timeout_milliseconds", "TimeoutInMillis"),
        FieldSpec("passthrough_behavior", query="PassthroughBehavior"),
        FieldSpec("content_handling_strategy", query="ContentHandlingStrategy"),
        FieldSpec("template_selection_expression", query="TemplateSelectionExpression"),
        string_map("request_parameters", "RequestParameters"),
        string_map("request_templates", "RequestTemplates"),
        FieldSpec("response_parameters", query="ResponseParameters",
                  normalise=(_response_parameters,)),
        FieldSpec("tls_config.0.server_name_to_verify", query="TlsConfig.ServerNameToVerify"),
    ),
)

SPECS: tuple[AwsSpec, ...] = (API, STAGE, ROUTE, INTEGRATION)
