"""API Gateway (REST) cases: API, resource, method, stage, deployment."""

from __future__ import annotations

from typing import Any

import pytest

from tests.providers.aws.cases import Attrs, AwsCase

REGION = "us-east-1"


def make_api(clients: Any, name: str = "shop") -> tuple[str, str]:
    """A REST API as the provider creates it; its id and the id of its root resource."""
    api = clients("apigateway").create_rest_api(
        name=name, description="shop API", apiKeySource="HEADER",
        endpointConfiguration={"types": ["REGIONAL"]}, disableExecuteApiEndpoint=False,
        tags={"team": "core"},
    )
    return api["id"], api["rootResourceId"]


def _create_api(clients: Any) -> Attrs:
    api_id, root = make_api(clients)
    return {
        "id": api_id,
        "arn": f"arn:aws:apigateway:{REGION}::/restapis/{api_id}",
        "name": "shop",
        "description": "shop API",
        "api_key_source": "HEADER",
        "binary_media_types": [],
        "body": None,
        "disable_execute_api_endpoint": False,
        "endpoint_configuration": [{"types": ["REGIONAL"], "vpc_endpoint_ids": [],
                                    "ip_address_type": ""}],
        "minimum_compression_size": "",
        "policy": "",
        "root_resource_id": root,
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change_api(clients: Any, attrs: Attrs) -> None:
    clients("apigateway").update_rest_api(restApiId=attrs["id"], patchOperations=[
        {"op": "replace", "path": "/description", "value": "changed by hand"},
        {"op": "replace", "path": "/apiKeySource", "value": "AUTHORIZER"},
    ])


def _delete_api(clients: Any, attrs: Attrs) -> None:
    clients("apigateway").delete_rest_api(restApiId=attrs["id"])


def make_resource(clients: Any, api_id: str, root: str) -> str:
    return str(clients("apigateway").create_resource(
        restApiId=api_id, parentId=root, pathPart="orders")["id"])


def _create_resource(clients: Any) -> Attrs:
    api_id, root = make_api(clients)
    resource_id = make_resource(clients, api_id, root)
    return {"id": resource_id, "rest_api_id": api_id, "parent_id": root,
            "path_part": "orders", "path": "/orders"}


def _change_resource(clients: Any, attrs: Attrs) -> None:
    pytest.skip("moto lacks API Gateway UpdateResource")


def _delete_resource(clients: Any, attrs: Attrs) -> None:
    clients("apigateway").delete_resource(restApiId=attrs["rest_api_id"],
                                          resourceId=attrs["id"])


def put_method(clients: Any, api_id: str, resource_id: str, authorization: str = "NONE") -> None:
    clients("apigateway").put_method(
        restApiId=api_id, resourceId=resource_id, httpMethod="GET",
        authorizationType=authorization, apiKeyRequired=True, operationName="ListOrders",
        requestParameters={"method.request.querystring.page": False},
    )


def _create_method(clients: Any) -> Attrs:
    api_id, root = make_api(clients)
    resource_id = make_resource(clients, api_id, root)
    put_method(clients, api_id, resource_id)
    return {
        "id": f"agm-{api_id}-{resource_id}-GET",
        "rest_api_id": api_id,
        "resource_id": resource_id,
        "http_method": "GET",
        "authorization": "NONE",
        "authorizer_id": "",
        "authorization_scopes": [],
        "api_key_required": True,
        "operation_name": "ListOrders",
        "request_models": {},
        "request_parameters": {"method.request.querystring.page": False},
        "request_validator_id": "",
    }


def _change_method(clients: Any, attrs: Attrs) -> None:
    # moto lacks UpdateMethod; PutMethod over an existing method replaces it, as on AWS
    put_method(clients, attrs["rest_api_id"], attrs["resource_id"], authorization="AWS_IAM")


def _delete_method(clients: Any, attrs: Attrs) -> None:
    clients("apigateway").delete_method(restApiId=attrs["rest_api_id"],
                                        resourceId=attrs["resource_id"], httpMethod="GET")


def make_deployment(clients: Any, api_id: str, root: str) -> str:
    apigateway = clients("apigateway")
    # a deployment needs a method to deploy
    apigateway.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                          authorizationType="NONE")
    apigateway.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET",
                               type="MOCK")
    return str(apigateway.create_deployment(restApiId=api_id, description="release 1")["id"])


def _create_deployment(clients: Any) -> Attrs:
    api_id, root = make_api(clients)
    deployment_id = make_deployment(clients, api_id, root)
    return {"id": deployment_id, "rest_api_id": api_id, "description": "release 1",
            "stage_name": None, "stage_description": None, "variables": None,
            "canary_settings": [], "triggers": None,
            "created_date": "2026-12-06T00:00:00Z",
            "execution_arn": f"arn:aws:execute-api:{REGION}:123456789012:{api_id}/",
            "invoke_url": f"https://{api_id}.execute-api.{REGION}.amazonaws.com/"}


def _change_deployment(clients: Any, attrs: Attrs) -> None:
    pytest.skip("moto lacks API Gateway UpdateDeployment")


def _delete_deployment(clients: Any, attrs: Attrs) -> None:
    clients("apigateway").delete_deployment(restApiId=attrs["rest_api_id"],
                                            deploymentId=attrs["id"])


def _create_stage(clients: Any) -> Attrs:
    api_id, root = make_api(clients)
    deployment_id = make_deployment(clients, api_id, root)
    clients("apigateway").create_stage(
        restApiId=api_id, stageName="prod", deploymentId=deployment_id,
        description="production", variables={"backend": "blue"}, tracingEnabled=True,
        tags={"team": "core"},
    )
    return {
        "id": f"ags-{api_id}-prod",
        "arn": f"arn:aws:apigateway:{REGION}::/restapis/{api_id}/stages/prod",
        "rest_api_id": api_id,
        "stage_name": "prod",
        "deployment_id": deployment_id,
        "description": "production",
        "cache_cluster_enabled": False,
        "cache_cluster_size": "",
        "client_certificate_id": "",
        "documentation_version": "",
        "variables": {"backend": "blue"},
        "xray_tracing_enabled": True,
        "access_log_settings": [],
        "canary_settings": [],
        "tags": {"team": "core"},
        "tags_all": {"team": "core"},
    }


def _change_stage(clients: Any, attrs: Attrs) -> None:
    clients("apigateway").update_stage(
        restApiId=attrs["rest_api_id"], stageName="prod",
        patchOperations=[{"op": "replace", "path": "/description", "value": "by hand"},
                         {"op": "replace", "path": "/tracingEnabled", "value": "false"}],
    )


def _delete_stage(clients: Any, attrs: Attrs) -> None:
    clients("apigateway").delete_stage(restApiId=attrs["rest_api_id"], stageName="prod")


def _child_id(*names: str) -> Any:
    return lambda attrs: "/".join(str(attrs[name]) for name in names)


def _api_parent(attrs: Attrs) -> tuple[str, Attrs]:
    return "aws_api_gateway_rest_api", {"id": attrs["rest_api_id"], "name": "shop"}


# children are parts of their API. Resources and methods may be the API's OpenAPI body's: an
# API with neither a managed one nor code that says so keeps them (unmanaged resources and
# methods are tested with HCL in tests/providers/aws/test_edge_parts.py)
CASES = [
    AwsCase(
        type="aws_api_gateway_rest_api",
        create=_create_api,
        change=_change_api,
        changed_paths=frozenset({"description", "api_key_source"}),
        delete=_delete_api,
    ),
    AwsCase(
        type="aws_api_gateway_resource",
        create=_create_resource,
        change=_change_resource,
        changed_paths=frozenset({"path_part"}),
        delete=_delete_resource,
        import_id=_child_id("rest_api_id", "id"),
        unmanaged=False,
    ),
    AwsCase(
        type="aws_api_gateway_method",
        create=_create_method,
        change=_change_method,
        changed_paths=frozenset({"authorization"}),
        delete=_delete_method,
        import_id=_child_id("rest_api_id", "resource_id", "http_method"),
        unmanaged=False,
    ),
    AwsCase(
        type="aws_api_gateway_deployment",
        create=_create_deployment,
        change=_change_deployment,
        changed_paths=frozenset({"description"}),
        delete=_delete_deployment,
        import_id=_child_id("rest_api_id", "id"),
        parent=_api_parent,
    ),
    AwsCase(
        type="aws_api_gateway_stage",
        create=_create_stage,
        change=_change_stage,
        changed_paths=frozenset({"description", "xray_tracing_enabled"}),
        delete=_delete_stage,
        import_id=_child_id("rest_api_id", "stage_name"),
        parent=_api_parent,
    ),
]
