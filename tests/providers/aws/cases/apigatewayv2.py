"""API Gateway v2 cases: API, stage, route, integration."""

from __future__ import annotations

from typing import Any

import pytest

from tests.providers.aws.cases import Attrs, AwsCase

REGION = "us-east-1"


def make_api(clients: Any, name: str = "chat") -> str:
    return str(clients("apigatewayv2").create_api(
        Name=name, ProtocolType="HTTP", Description="chat API",
        RouteSelectionExpression="$request.method $request.path",
        CorsConfiguration={"AllowOrigins": ["https://example.com"],
                           "AllowMethods": ["GET", "POST"], "MaxAge": 300},
        Tags={"team": "core"},
    )["ApiId"])


def _create_api(clients: Any) -> Attrs:
    api_id = make_api(clients)
    return {
        "id": api_id,
        "arn": f"arn:aws:apigateway:{REGION}::/apis/{api_id}",
        "api_endpoint": f"https://{api_id}.execute-api.{REGION}.amazonaws.com",
        "execution_arn": f"arn:aws:execute-api:{REGION}:123456789012:{api_id}",
        "name": "chat",
        "description": "chat API",
        "protocol_type": "HTTP",
        "api_key_selection_expression": "$request.header.x-api-key",
        "route_selection_expression": "$request.method $request.path",
        "disable_execute_api_endpoint": False,
        "ip_address_type": "",
        "version": "",
        "body": None,
        "fail_on_warnings": None,
        "route_key": None,
        "target": None,
        "credentials_arn": None,
        "cors_configuration": [{
            "allow_credentials": False, "allow_headers": [], "allow_methods": ["GET", "POST"],
            "allow_origins": ["https://example.com"], "expose_headers": [], "max_age": 300}],
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change_api(clients: Any, attrs: Attrs) -> None:
    clients("apigatewayv2").update_api(ApiId=attrs["id"], Description="changed by hand",
                                       CorsConfiguration={"AllowOrigins": ["*"]})


def _delete_api(clients: Any, attrs: Attrs) -> None:
    clients("apigatewayv2").delete_api(ApiId=attrs["id"])


def make_integration(clients: Any, api_id: str) -> str:
    return str(clients("apigatewayv2").create_integration(
        ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationUri="https://backend.example.com",
        IntegrationMethod="GET", PayloadFormatVersion="1.0", TimeoutInMillis=29000,
        ConnectionType="INTERNET", Description="backend",
    )["IntegrationId"])


def _create_integration(clients: Any) -> Attrs:
    api_id = make_api(clients)
    integration_id = make_integration(clients, api_id)
    return {
        "id": integration_id, "api_id": api_id, "integration_type": "HTTP_PROXY",
        "integration_method": "GET", "integration_uri": "https://backend.example.com",
        "integration_subtype": "", "connection_type": "INTERNET", "connection_id": "",
        "credentials_arn": "", "description": "backend", "payload_format_version": "1.0",
        "timeout_milliseconds": 29000, "passthrough_behavior": "",
        "content_handling_strategy": "", "template_selection_expression": "",
        "request_parameters": {}, "request_templates": {}, "response_parameters": [],
        "tls_config": [], "integration_response_selection_expression": "",
    }


def _change_integration(clients: Any, attrs: Attrs) -> None:
    clients("apigatewayv2").update_integration(ApiId=attrs["api_id"],
                                               IntegrationId=attrs["id"],
                                               TimeoutInMillis=5000)


def _delete_integration(clients: Any, attrs: Attrs) -> None:
    clients("apigatewayv2").delete_integration(ApiId=attrs["api_id"],
                                               IntegrationId=attrs["id"])


def _create_route(clients: Any) -> Attrs:
    api_id = make_api(clients)
    integration_id = make_integration(clients, api_id)
    route_id = clients("apigatewayv2").create_route(
        ApiId=api_id, RouteKey="GET /orders", Target=f"integrations/{integration_id}",
        AuthorizationType="NONE", ApiKeyRequired=False, OperationName="ListOrders",
    )["RouteId"]
    return {
        "id": route_id, "api_id": api_id, "route_key": "GET /orders",
        "target": f"integrations/{integration_id}", "authorization_type": "NONE",
        "authorizer_id": "", "api_key_required": False, "operation_name": "ListOrders",
        "authorization_scopes": [], "model_selection_expression": "",
        "route_response_selection_expression": "", "request_models": {},
        "request_parameter": [],
    }


def _change_route(clients: Any, attrs: Attrs) -> None:
    clients("apigatewayv2").update_route(ApiId=attrs["api_id"], RouteId=attrs["id"],
                                         OperationName="Orders", ApiKeyRequired=True)


def _delete_route(clients: Any, attrs: Attrs) -> None:
    clients("apigatewayv2").delete_route(ApiId=attrs["api_id"], RouteId=attrs["id"])


def _create_stage(clients: Any) -> Attrs:
    api_id = make_api(clients)
    clients("apigatewayv2").create_stage(
        ApiId=api_id, StageName="prod", AutoDeploy=True, Description="production",
        StageVariables={"backend": "blue"}, Tags={"team": "core"},
        DefaultRouteSettings={"DetailedMetricsEnabled": True, "ThrottlingBurstLimit": 10,
                              "ThrottlingRateLimit": 5.0},
    )
    return {
        "id": "prod", "api_id": api_id, "name": "prod",
        "arn": f"arn:aws:apigateway:{REGION}::/apis/{api_id}/stages/prod",
        "auto_deploy": True, "deployment_id": "", "description": "production",
        "client_certificate_id": "", "stage_variables": {"backend": "blue"},
        "access_log_settings": [],
        "default_route_settings": [{
            "data_trace_enabled": False, "detailed_metrics_enabled": True,
            "logging_level": "", "throttling_burst_limit": 10, "throttling_rate_limit": 5}],
        "route_settings": [],
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change_stage(clients: Any, attrs: Attrs) -> None:
    pytest.skip("moto lacks API Gateway v2 UpdateStage")


def _delete_stage(clients: Any, attrs: Attrs) -> None:
    clients("apigatewayv2").delete_stage(ApiId=attrs["api_id"], StageName="prod")


def _child_id(attrs: Attrs) -> str:
    return f"{attrs['api_id']}/{attrs['id']}"


# children are parts of their API. Routes and integrations may be the API's OpenAPI body's: an
# API with neither a managed one nor code that says so keeps them (unmanaged ones are tested
# in tests/providers/aws/test_edge_parts.py)
CASES = [
    AwsCase(
        type="aws_apigatewayv2_api",
        create=_create_api,
        change=_change_api,
        changed_paths=frozenset({"description", "cors_configuration.0.allow_origins",
                                 "cors_configuration.0.allow_methods",
                                 "cors_configuration.0.max_age"}),
        delete=_delete_api,
    ),
    AwsCase(
        type="aws_apigatewayv2_integration",
        create=_create_integration,
        change=_change_integration,
        changed_paths=frozenset({"timeout_milliseconds"}),
        delete=_delete_integration,
        import_id=_child_id,
        unmanaged=False,
    ),
    AwsCase(
        type="aws_apigatewayv2_route",
        create=_create_route,
        change=_change_route,
        changed_paths=frozenset({"operation_name", "api_key_required"}),
        delete=_delete_route,
        import_id=_child_id,
        unmanaged=False,
    ),
    AwsCase(
        type="aws_apigatewayv2_stage",
        create=_create_stage,
        change=_change_stage,
        changed_paths=frozenset({"description"}),
        delete=_delete_stage,
        import_id=lambda attrs: f"{attrs['api_id']}/prod",
        parent=lambda attrs: ("aws_apigatewayv2_api", {"id": attrs["api_id"], "name": "chat"}),
    ),
]
