"""API Gateway (v1, REST): APIs, and their resources, methods, stages and deployments.

One paged ``GetRestApis`` per region lists the APIs with their tags. The rest lives under an
API and is listed per API, only under the managed APIs (and those a managed child names): the
children of an unmanaged API are covered by the API's own unmanaged finding. Per such API, one
paged ``GetResources`` with the methods embedded serves both resources and methods, one
``GetStages`` the stages (with their tags) and one paged ``GetDeployments`` the deployments.

An API defined by an OpenAPI ``body`` holds its resources and methods inline: resources and
methods are parts of the API's ``body``, so with HCL saying the API declares a body, its
resources and methods are not unmanaged ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, PartOf, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types._children import first_segment, parents_to_list
from cloudrift_aws.types._common import TAGS, flag, item_tags, string_map, string_set
from cloudrift_aws.types.bulk import memo_outcome

_S = "apigateway"


def _apis(ctx: AwsContext, region: str) -> list[Item]:
    return memo_outcome(
        ctx, f"apigateway:get_rest_apis:{region}",
        lambda: [dict(a) for a in ctx.paginate(_S, region, "get_rest_apis", "items",
                                               PaginationConfig={"PageSize": 500})],
    )


def _rest_apis(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return [{**api, TAGS: n.tags(api.get("tags") or {})} for api in _apis(ctx, region)]


def _under_apis(
    ctx: AwsContext, region: str, managed: Sequence[Resource],
    listing: Callable[[str], list[Item]],
) -> list[Item]:
    """``listing(api_id)`` for every API a child of this type is looked for under."""
    wanted = parents_to_list(ctx, region, "aws_api_gateway_rest_api", managed,
                             first_segment("/"))
    if not wanted:
        return []  # no call at all without a managed API
    existing = {str(api["id"]) for api in _apis(ctx, region)}
    items: list[Item] = []
    for api_id in wanted:
        if api_id in existing:  # a deleted API's children are missing, not unlisted
            items.extend(listing(api_id))
    return items


def _resources_of(ctx: AwsContext, region: str, api_id: str) -> list[Item]:
    # the methods come embedded: one listing serves resources and methods
    return memo_outcome(
        ctx, f"apigateway:get_resources:{region}:{api_id}",
        lambda: [dict(r) for r in ctx.paginate(_S, region, "get_resources", "items",
                                               restApiId=api_id, embed=["methods"],
                                               PaginationConfig={"PageSize": 500})],
    )


def _resources(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return _under_apis(ctx, region, managed, lambda api: [
        {**r, "restApiId": api, "Id": f"{api}/{r['id']}"}
        for r in _resources_of(ctx, region, api)
    ])


def _methods(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return _under_apis(ctx, region, managed, lambda api: [
        {**method, "restApiId": api, "resourceId": r["id"],
         "Id": f"{api}/{r['id']}/{verb}"}
        for r in _resources_of(ctx, region, api)
        for verb, method in sorted((r.get("resourceMethods") or {}).items())
    ])


def _stages(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return _under_apis(ctx, region, managed, lambda api: [
        {**s, "restApiId": api, "Id": f"{api}/{s['stageName']}",
         TAGS: n.tags(s.get("tags") or {})}
        for s in ctx.call(_S, region, "get_stages", restApiId=api).get("item") or ()
    ])


def _deployments(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return _under_apis(ctx, region, managed, lambda api: [
        {**d, "restApiId": api, "Id": f"{api}/{d['id']}"}
        for d in ctx.paginate(_S, region, "get_deployments", "items", restApiId=api,
                              PaginationConfig={"PageSize": 500})
    ])


def _api_policy(value: Any) -> Any:
    """API Gateway returns a policy as an escaped JSON string (``{\\"Version\\":...``)."""
    if isinstance(value, str) and value.startswith('{\\"'):
        try:
            value = json.loads(f'"{value}"')
        except ValueError:
            return value
    return n.policy(value)


def _compression(value: Any) -> Any:
    # unset, "" and -1 all mean "compression off"
    text = n.to_str(value)
    return None if text in (None, "", "-1") else text


def _bool_map(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    return {str(k): n.to_bool(v) for k, v in sorted(value.items())}


def _ids(*names: str) -> Callable[[Mapping[str, Any]], str | None]:
    def import_id(attributes: Mapping[str, Any]) -> str | None:
        values = [attributes.get(name) for name in names]
        return "/".join(str(v) for v in values) if all(values) else None

    return import_id


# every child type lists under managed APIs only (AwsSpec.per_parent)
def _api_part(fields: tuple[str, ...]) -> tuple[PartOf, ...]:
    return (PartOf("aws_api_gateway_rest_api", parent_id="rest_api_id", fields=fields,
                   cloud_parent_id="restApiId"),)


REST_API = AwsSpec(
    type="aws_api_gateway_rest_api",
    service=_S,
    enumerate=_rest_apis,
    id_query="id",
    description="API Gateway REST API (tags from the listing itself)",
    calls=("apigateway:GetRestApis",),
    fields=(
        FieldSpec("name", query="name"),
        FieldSpec("description", query="description"),
        FieldSpec("api_key_source", query="apiKeySource", default="HEADER"),
        string_set("binary_media_types", "binaryMediaTypes"),
        FieldSpec("minimum_compression_size", query="minimumCompressionSize",
                  normalise=(_compression,)),
        flag("disable_execute_api_endpoint", "disableExecuteApiEndpoint"),
        FieldSpec("endpoint_configuration.0.types", query="endpointConfiguration.types"),
        string_set("endpoint_configuration.0.vpc_endpoint_ids",
                   "endpointConfiguration.vpcEndpointIds"),
        FieldSpec("endpoint_configuration.0.ip_address_type",
                  query="endpointConfiguration.ipAddressType"),
        FieldSpec("policy", query="policy", normalise=(_api_policy,)),
        item_tags(),
    ),
    not_compared={
        "body": "the OpenAPI document is imported once; API Gateway does not return it "
        "(what it defined is compared through the API's resources and methods)",
        "put_rest_api_mode": "Terraform-only: how the body is imported",
        "fail_on_warnings": "Terraform-only: how the body is imported",
        "parameters": "Terraform-only: how the body is imported",
    },
)

RESOURCE = AwsSpec(
    type="aws_api_gateway_resource",
    service=_S,
    enumerate=_resources,
    id_query="Id",
    import_id=_ids("rest_api_id", "id"),
    # the root resource "/" comes with every API
    is_default=lambda item: not item.get("parentId"),
    per_parent=True,
    part_of=_api_part(("body",)),
    description="API Gateway REST API resource (path); listed per managed API",
    calls=("apigateway:GetRestApis", "apigateway:GetResources"),
    fields=(
        FieldSpec("parent_id", query="parentId"),
        FieldSpec("path_part", query="pathPart"),
    ),
)

METHOD = AwsSpec(
    type="aws_api_gateway_method",
    service=_S,
    enumerate=_methods,
    id_query="Id",
    import_id=_ids("rest_api_id", "resource_id", "http_method"),
    per_parent=True,
    part_of=_api_part(("body",)),
    description="API Gateway REST API method; from the resources listing, methods embedded",
    calls=("apigateway:GetRestApis", "apigateway:GetResources"),
    fields=(
        FieldSpec("authorization", query="authorizationType"),
        FieldSpec("authorizer_id", query="authorizerId"),
        flag("api_key_required", "apiKeyRequired"),
        FieldSpec("operation_name", query="operationName"),
        FieldSpec("request_validator_id", query="requestValidatorId"),
        string_map("request_models", "requestModels"),
        FieldSpec("request_parameters", query="requestParameters", normalise=(_bool_map,)),
        string_set("authorization_scopes", "authorizationScopes"),
    ),
)

STAGE = AwsSpec(
    type="aws_api_gateway_stage",
    service=_S,
    enumerate=_stages,
    id_query="Id",
    import_id=_ids("rest_api_id", "stage_name"),
    per_parent=True,
    part_of=_api_part(()),
    description="API Gateway REST API stage; one GetStages per managed API (tags included)",
    calls=("apigateway:GetRestApis", "apigateway:GetStages"),
    fields=(
        FieldSpec("deployment_id", query="deploymentId"),
        FieldSpec("description", query="description"),
        flag("cache_cluster_enabled", "cacheClusterEnabled"),
        FieldSpec("cache_cluster_size", query="cacheClusterSize"),
        FieldSpec("client_certificate_id", query="clientCertificateId"),
        FieldSpec("documentation_version", query="documentationVersion"),
        string_map("variables", "variables"),
        flag("xray_tracing_enabled", "tracingEnabled"),
        FieldSpec("access_log_settings.0.destination_arn",
                  query="accessLogSettings.destinationArn", normalise=(n.strip_suffix(":*"),)),
        FieldSpec("access_log_settings.0.format", query="accessLogSettings.format"),
        FieldSpec("canary_settings.0.deployment_id", query="canarySettings.deploymentId"),
        FieldSpec("canary_settings.0.percent_traffic", query="canarySettings.percentTraffic",
                  normalise=(n.to_int,)),
        string_map("canary_settings.0.stage_variable_overrides",
                   "canarySettings.stageVariableOverrides"),
        FieldSpec("canary_settings.0.use_stage_cache", query="canarySettings.useStageCache",
                  normalise=(n.to_bool,)),
        item_tags(),
    ),
)

DEPLOYMENT = AwsSpec(
    type="aws_api_gateway_deployment",
    service=_S,
    enumerate=_deployments,
    id_query="Id",
    import_id=_ids("rest_api_id", "id"),
    per_parent=True,
    part_of=_api_part(()),
    description="API Gateway REST API deployment; one paged GetDeployments per managed API",
    calls=("apigateway:GetRestApis", "apigateway:GetDeployments"),
    fields=(FieldSpec("description", query="description"),),
    not_compared={
        "stage_name": "used once, when the deployment is made (the stage is its own resource)",
        "stage_description": "used once, when the deployment is made",
        "variables": "used once, when the deployment is made",
        "canary_settings": "used once, when the deployment is made",
        "triggers": "Terraform-only, no API field",
    },
)

SPECS: tuple[AwsSpec, ...] = (REST_API, RESOURCE, METHOD, STAGE, DEPLOYMENT)
