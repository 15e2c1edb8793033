"""Lambda permissions, aliases and event source mappings.

A permission is one statement of a function's resource policy (``GetPolicy``) and an alias a
name of one of its versions (``ListAliases``): both are listed one function at a time, under the
functions the scan manages (see ``per_parent``). Event source mappings come from one paged
``ListEventSourceMappings`` per region.

Permissions cannot be updated: AWS only adds and removes statements. A statement whose content
differs from the state under the same id was removed and added again behind Terraform's back,
which Terraform reads as a changed permission: so does cloudrift.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import jmespath

from cloudrift.sdk import UNKNOWN, Extractor, FieldSpec, PartOf, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import tags
from cloudrift_aws.regions import region_from_arn
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types.per_parent import parents_to_search, per_parent

_GONE = ("ResourceNotFoundException",)
_IMPORT_ID = "cloudrift:ImportId"
# arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
_FUNCTION_ARN = re.compile(r"^arn:[\w-]+:lambda:[\w-]*:\d*:function:([^:]+)(?::([^:]+))?$")
_ROOT = re.compile(r"^arn:[\w-]+:iam::(\d{12}):root$")


def function_parts(value: Any) -> tuple[str, str]:
    """(name, qualifier) from a function name, a partial ``name:qualifier`` or an ARN."""
    text = str(value or "")
    match = _FUNCTION_ARN.match(text)
    if match:
        return match.group(1), match.group(2) or ""
    name, _, qualifier = text.partition(":")
    return name, qualifier


def _function_of(import_id: str) -> str | None:
    return function_parts(import_id.split("/", 1)[0])[0] or None


# -- aws_lambda_permission -------------------------------------------------------------------


def _statements(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    def policy(target: str) -> list[Item]:
        name, _, qualifier = target.partition(":")
        params = {"FunctionName": name, **({"Qualifier": qualifier} if qualifier else {})}
        document = json.loads(ctx.call("lambda", region, "get_policy", **params)["Policy"])
        statements = document.get("Statement") or []
        if isinstance(statements, Mapping):
            statements = [statements]
        items = []
        for statement in statements:
            # the statement's resource says which version or alias the policy is of
            function, on = function_parts(statement.get("Resource"))
            function = function or name
            target_id = f"{function}:{on}" if on else function
            items.append({**statement, "FunctionName": function,
                          _IMPORT_ID: f"{target_id}/{statement.get('Sid')}"})
        return items

    functions = parents_to_search(ctx, region, "aws_lambda_function", managed,
                                   lambda r: _function_of(r.id))
    # an alias's or version's policy is its own: asked for only where a managed permission is
    targets = set(functions) | {r.id.split("/", 1)[0] for r in managed if ":" in
                                r.id.split("/", 1)[0]}
    found = per_parent(sorted(targets), policy, _GONE)
    unique = {item[_IMPORT_ID]: item for item in found}
    return list(unique.values())


def _state_permission_id(attributes: Mapping[str, Any]) -> str | None:
    name, qualifier = function_parts(attributes.get("function_name"))
    qualifier = attributes.get("qualifier") or qualifier
    sid = attributes.get("statement_id") or attributes.get("id")
    if not name or not sid:
        return None
    return f"{name}:{qualifier}/{sid}" if qualifier else f"{name}/{sid}"


def _principal(payload: Mapping[str, Any]) -> Any:
    principal = payload.get("Principal")
    if isinstance(principal, Mapping):
        principal = principal.get("AWS") or principal.get("Service")
    return principal


def _account_root(value: Any) -> Any:
    """AWS stores an account principal as the account's root ARN."""
    if isinstance(value, str):
        match = _ROOT.match(value)
        return match.group(1) if match else value
    return value


def _condition(operator: str, key: str) -> Extractor:
    def extract(payload: Mapping[str, Any]) -> Any:
        block = (payload.get("Condition") or {}).get(operator) or {}
        # condition keys are case-insensitive
        lowered = {str(k).lower(): v for k, v in block.items()}
        return lowered.get(key.lower())

    return extract


PERMISSION = AwsSpec(
    type="aws_lambda_permission",
    service="lambda",
    enumerate=_statements,
    calls=("lambda:GetPolicy",),
    id_query=f'"{_IMPORT_ID}"',
    import_id=_state_permission_id,
    # a permission's state has no ARN of its own; its function's may be one
    region_from_state=lambda attributes: region_from_arn(attributes.get("function_name")),
    per_parent=True,
    part_of=(PartOf("aws_lambda_function", lambda a: function_parts(
        a.get("function_name"))[0] or None, (), cloud_parent_id="FunctionName"),),
    description="a statement of a function's resource policy: GetPolicy per managed function "
    "(and the function, version or alias of each managed permission); a statement of an "
    "unmanaged function is covered by the function's finding",
    fields=(
        FieldSpec("action", query="Action"),
        FieldSpec("principal", extract=_principal, normalise=(_account_root,)),
        FieldSpec("source_arn", extract=_condition("ArnLike", "AWS:SourceArn")),
        FieldSpec("source_account", extract=_condition("StringEquals", "AWS:SourceAccount")),
        FieldSpec("event_source_token",
                  extract=_condition("StringEquals", "lambda:EventSourceToken")),
        FieldSpec("principal_org_id", extract=_condition("StringEquals", "aws:PrincipalOrgID")),
        FieldSpec("function_url_auth_type",
                  extract=_condition("StringEquals", "lambda:FunctionUrlAuthType")),
    ),
    not_compared={
        "function_name": "part of the statement's identity (its import id)",
        "qualifier": "part of the statement's identity (its import id)",
        "statement_id": "part of the statement's identity (its import id)",
        "statement_id_prefix": "Terraform-only: how the statement id was generated",
    },
)

# -- aws_lambda_alias ------------------------------------------------------------------------


def _aliases(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    def listing(function: str) -> list[Item]:
        return [{**alias, "FunctionName": function, _IMPORT_ID: f"{function}/{alias['Name']}"}
                for alias in ctx.paginate("lambda", region, "list_aliases", "Aliases",
                                          FunctionName=function)]

    functions = parents_to_search(ctx, region, "aws_lambda_function", managed,
                                   lambda r: _function_of(r.id))
    return per_parent(functions, listing, _GONE)


def _state_alias_id(attributes: Mapping[str, Any]) -> str | None:
    name = function_parts(attributes.get("function_name"))[0]
    alias = attributes.get("name")
    return f"{name}/{alias}" if name and alias else None


def _weights(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    return {str(k): float(v) for k, v in value.items()}


ALIAS = AwsSpec(
    type="aws_lambda_alias",
    service="lambda",
    enumerate=_aliases,
    calls=("lambda:ListAliases",),
    id_query=f'"{_IMPORT_ID}"',
    import_id=_state_alias_id,
    per_parent=True,
    part_of=(PartOf("aws_lambda_function", lambda a: function_parts(
        a.get("function_name"))[0] or None, (), cloud_parent_id="FunctionName"),),
    description="ListAliases per managed function (and the function of each managed alias); "
    "an alias of an unmanaged function is covered by the function's finding",
    fields=(
        FieldSpec("description", query="Description"),
        FieldSpec("function_version", query="FunctionVersion"),
        FieldSpec("routing_config.0.additional_version_weights",
                  query="RoutingConfig.AdditionalVersionWeights", normalise=(_weights,)),
    ),
    not_compared={
        "function_name": "part of the alias's identity (its import id)",
        "name": "part of the alias's identity (its import id)",
    },
)

# -- aws_lambda_event_source_mapping ---------------------------------------------------------

# a mapping being created, updated or deleted is neither on nor off yet
_ENABLED = {"Enabled": True, "Enabling": True, "Disabled": False, "Disabling": False}


def _enabled(payload: Mapping[str, Any]) -> Any:
    return _ENABLED.get(str(payload.get("State")), UNKNOWN)


def _function(value: Any) -> Any:
    """The function as name[:qualifier], whether state holds a name or an ARN."""
    if value is None:
        return None
    name, qualifier = function_parts(value)
    return f"{name}:{qualifier}" if qualifier else name


def _set_when(query: str) -> Extractor:
    """An optional+computed value that only some event sources have: absent means unknown."""
    compiled = jmespath.compile(query)

    def extract(payload: Mapping[str, Any]) -> Any:
        value = compiled.search(payload)
        return UNKNOWN if value is None else value

    return extract


def _filters(value: Any) -> Any:
    if value is None:
        return None
    return n.as_set([n.json_document(entry.get("Pattern") or entry.get("pattern"))
                     for entry in value if isinstance(entry, Mapping)])


def _state_filters(attributes: Mapping[str, Any]) -> Any:
    criteria = (attributes.get("filter_criteria") or [None])[0] or {}
    return criteria.get("filter")


EVENT_SOURCE_MAPPING = AwsSpec(
    type="aws_lambda_event_source_mapping",
    service="lambda",
    enumerate=lambda ctx, region, managed: [dict(m) for m in ctx.paginate(
        "lambda", region, "list_event_source_mappings", "EventSourceMappings")],
    calls=("lambda:ListEventSourceMappings",),
    id_query="UUID",
    details=(Detail("tags", "list_tags", lambda item: {"Resource": item["EventSourceMappingArn"]},
                    result="Tags"),),
    description="one ListEventSourceMappings per region; tags by ListTags for managed mappings",
    fields=(
        FieldSpec("function_name", query="FunctionArn", normalise=(_function,)),
        FieldSpec("event_source_arn", query="EventSourceArn"),
        FieldSpec("enabled", extract=_enabled, normalise=(n.to_bool,)),
        FieldSpec("batch_size", query="BatchSize", normalise=(n.to_int,)),
        FieldSpec("starting_position", query="StartingPosition"),
        FieldSpec("maximum_batching_window_in_seconds", query="MaximumBatchingWindowInSeconds",
                  normalise=(n.to_int,), default=0),
        FieldSpec("maximum_retry_attempts", extract=_set_when("MaximumRetryAttempts"),
                  normalise=(n.to_int,)),
        FieldSpec("maximum_record_age_in_seconds",
                  extract=_set_when("MaximumRecordAgeInSeconds"), normalise=(n.to_int,)),
        FieldSpec("parallelization_factor", extract=_set_when("ParallelizationFactor"),
                  normalise=(n.to_int,)),
        FieldSpec("bisect_batch_on_function_error", query="BisectBatchOnFunctionError",
                  normalise=(n.to_bool,), default=False),
        FieldSpec("tumbling_window_in_seconds", query="TumblingWindowInSeconds",
                  normalise=(n.to_int,), default=0),
        FieldSpec("function_response_types", query="FunctionResponseTypes",
                  normalise=(n.as_set,)),
        FieldSpec("destination_config.0.on_failure.0.destination_arn",
                  query="DestinationConfig.OnFailure.Destination"),
        FieldSpec("filter_criteria.0.filter", query="FilterCriteria.Filters",
                  from_state=_state_filters, normalise=(_filters,)),
        FieldSpec("scaling_config.0.maximum_concurrency",
                  query="ScalingConfig.MaximumConcurrency", normalise=(n.to_int,)),
        FieldSpec("queues", query="Queues"),
        FieldSpec("topics", query="Topics", normalise=(n.as_set,)),
        FieldSpec("kms_key_arn", query="KMSKeyArn"),
        FieldSpec("metrics_config.0.metrics", query="MetricsConfig.Metrics",
                  normalise=(n.as_set,)),
        tags("tags", detail="tags"),
    ),
    not_compared={
        "starting_position_timestamp": "Terraform-only once created: where reading began",
        "self_managed_event_source": "self-managed Kafka endpoints: not compared",
        "source_access_configuration": "credentials' locations for Kafka and MQ sources: not "
        "compared",
        "amazon_managed_kafka_event_source_config": "not compared",
        "self_managed_kafka_event_source_config": "not compared",
        "document_db_event_source_config": "not compared",
        "provisioned_poller_config": "not compared",
    },
)

SPECS: tuple[AwsSpec, ...] = (PERMISSION, ALIAS, EVENT_SOURCE_MAPPING)
