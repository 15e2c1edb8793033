"""EventBridge (CloudWatch Events) rules and their targets.

Rules live on event buses: one ``ListEventBuses`` and one paged ``ListRules`` per bus and region
(buses are few, at most a hundred an account), tags from the tagging API (``events``). Rules
another service created (``ManagedBy``) are default. Targets are parts of a rule, listed with
one paged ``ListTargetsByRule`` per managed rule (and per rule a managed target names): the
targets of an unmanaged rule are covered by the rule's own unmanaged finding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, PartOf, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types._children import parents_to_list
from cloudrift_aws.types._common import digest_map, flag, number, string_map, string_set
from cloudrift_aws.types.bulk import TagCall, bulk_tags, memo_outcome, with_tags

_S = "events"
_DEFAULT_BUS = "default"


def _bus_name(value: Any) -> str:
    """A bus named by name or by ARN (``arn:...:event-bus/orders``), as its name."""
    text = str(value or "") or _DEFAULT_BUS
    return text.rsplit("/", 1)[-1] if text.startswith("arn:") else text


def rule_id(bus: Any, name: Any) -> str:
    """The rule's import id: its name on the default bus, ``bus/name`` on another."""
    bus_name = _bus_name(bus)
    return str(name) if bus_name == _DEFAULT_BUS else f"{bus_name}/{name}"


def _buses(ctx: AwsContext, region: str) -> list[str]:
    # ListEventBuses has no paginator in botocore: follow NextToken by hand
    names: list[str] = []
    token: str | None = None
    while True:
        page = ctx.call(_S, region, "list_event_buses", **({"NextToken": token} if token else {}))
        names.extend(str(bus["Name"]) for bus in page.get("EventBuses") or ())
        token = page.get("NextToken")
        if not token:
            return names


def _listed_rules(ctx: AwsContext, region: str) -> list[Item]:
    def listing() -> list[Item]:
        rules: list[Item] = []
        for bus in _buses(ctx, region):
            for rule in ctx.paginate(_S, region, "list_rules", "Rules", EventBusName=bus):
                bus_name = _bus_name(rule.get("EventBusName") or bus)
                rules.append({**rule, "EventBusName": bus_name,
                              "RuleId": rule_id(bus_name, rule["Name"])})
        return rules

    return memo_outcome(ctx, f"events:list_rules:{region}", listing)


def _rules(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return with_tags(
        ctx, region, [dict(r) for r in _listed_rules(ctx, region)], managed,
        arn=lambda item: item.get("Arn"),
        id_query="RuleId",
        call=TagCall(_S, "list_tags_for_resource", lambda item: {"ResourceARN": item["Arn"]},
                     "Tags"),
    )


def _rule_state(attributes: Mapping[str, Any]) -> Any:
    # a configuration written for the deprecated is_enabled leaves state empty
    state = attributes.get("state")
    if state:
        return state
    return "DISABLED" if attributes.get("is_enabled") is False else "ENABLED"


def _rule_state_id(attributes: Mapping[str, Any]) -> str | None:
    name = attributes.get("name")
    return rule_id(attributes.get("event_bus_name"), name) if name else None


RULE = AwsSpec(
    type="aws_cloudwatch_event_rule",
    service=_S,
    enumerate=_rules,
    id_query="RuleId",
    import_id=_rule_state_id,
    tagging_service="events",
    is_default=lambda item: bool(item.get("ManagedBy")),
    description="EventBridge rule, on any event bus; one ListRules per bus",
    calls=("events:ListEventBuses", "events:ListRules", "events:ListTagsForResource"),
    fields=(
        FieldSpec("description", query="Description"),
        FieldSpec("event_pattern", query="EventPattern", normalise=(n.json_document,)),
        FieldSpec("schedule_expression", query="ScheduleExpression"),
        FieldSpec("role_arn", query="RoleArn"),
        FieldSpec("state", query="State", from_state=_rule_state),
        bulk_tags(),
    ),
    not_compared={
        "name": "identity (part of the import id)",
        "name_prefix": "identity: only makes the name",
        "event_bus_name": "identity (part of the import id)",
        "is_enabled": "deprecated twin of state, which is compared",
        "force_destroy": "Terraform-only, no API field",
    },
)

# -- aws_cloudwatch_event_target ---------------------------------------------------------------


def _rule_of_target(import_id: str) -> str | None:
    """``bus/rule/target`` -> the rule's import id."""
    parts = import_id.split("/")
    return rule_id(parts[0], parts[1]) if len(parts) == 3 else None


def _targets(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    parents = parents_to_list(ctx, region, "aws_cloudwatch_event_rule", managed,
                              _rule_of_target)
    if not parents:
        return []  # no call at all without a managed rule
    rules = {str(r["RuleId"]): r for r in _listed_rules(ctx, region)}
    items: list[Item] = []
    for wanted in parents:
        rule = rules.get(wanted)
        if rule is None:
            continue  # the rule is gone: its managed targets are missing
        bus, name = rule["EventBusName"], rule["Name"]
        for target in ctx.paginate(_S, region, "list_targets_by_rule", "Targets", Rule=name,
                                   EventBusName=bus):
            items.append({**target, "RuleId": wanted,
                          "TargetKey": f"{bus}/{name}/{target['Id']}"})
    return items


def _target_state_id(attributes: Mapping[str, Any]) -> str | None:
    rule, target = attributes.get("rule"), attributes.get("target_id")
    if not rule or not target:
        return None
    return f"{_bus_name(attributes.get('event_bus_name'))}/{rule}/{target}"


def _target_rule(attributes: Mapping[str, Any]) -> str | None:
    rule = attributes.get("rule")
    return rule_id(attributes.get("event_bus_name"), rule) if rule else None


def _run_command(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return n.as_set([[str(e.get("key", e.get("Key"))),
                      list(e.get("values", e.get("Values")) or [])]
                     for e in value if isinstance(e, Mapping)])


_ECS = "EcsParameters"
_NET = f"{_ECS}.NetworkConfiguration.awsvpcConfiguration"

TARGET = AwsSpec(
    type="aws_cloudwatch_event_target",
    service=_S,
    enumerate=_targets,
    id_query="TargetKey",
    import_id=_target_state_id,
    per_parent=True,
    part_of=(PartOf("aws_cloudwatch_event_rule", parent_id=_target_rule, fields=(),
                    cloud_parent_id="RuleId"),),
    description="EventBridge rule target; one paged ListTargetsByRule per managed rule",
    calls=("events:ListEventBuses", "events:ListRules", "events:ListTargetsByRule"),
    fields=(
        FieldSpec("arn", query="Arn"),
        FieldSpec("role_arn", query="RoleArn"),
        FieldSpec("input", query="Input", normalise=(n.json_document,)),
        FieldSpec("input_path", query="InputPath"),
        string_map("input_transformer.0.input_paths", "InputTransformer.InputPathsMap"),
        FieldSpec("input_transformer.0.input_template",
                  query="InputTransformer.InputTemplate"),
        number("retry_policy.0.maximum_event_age_in_seconds",
               "RetryPolicy.MaximumEventAgeInSeconds"),
        number("retry_policy.0.maximum_retry_attempts", "RetryPolicy.MaximumRetryAttempts"),
        FieldSpec("dead_letter_config.0.arn", query="DeadLetterConfig.Arn"),
        FieldSpec("sqs_target.0.message_group_id", query="SqsParameters.MessageGroupId"),
        FieldSpec("kinesis_target.0.partition_key_path",
                  query="KinesisParameters.PartitionKeyPath"),
        FieldSpec("ecs_target.0.task_definition_arn", query=f"{_ECS}.TaskDefinitionArn"),
        number("ecs_target.0.task_count", f"{_ECS}.TaskCount"),
        FieldSpec("ecs_target.0.launch_type", query=f"{_ECS}.LaunchType"),
        FieldSpec("ecs_target.0.platform_version", query=f"{_ECS}.PlatformVersion"),
        FieldSpec("ecs_target.0.group", query=f"{_ECS}.Group"),
        FieldSpec("ecs_target.0.propagate_tags", query=f"{_ECS}.PropagateTags"),
        flag("ecs_target.0.enable_ecs_managed_tags", f"{_ECS}.EnableECSManagedTags"),
        flag("ecs_target.0.enable_execute_command", f"{_ECS}.EnableExecuteCommand"),
        string_set("ecs_target.0.network_configuration.0.subnets", f"{_NET}.Subnets"),
        string_set("ecs_target.0.network_configuration.0.security_groups",
                   f"{_NET}.SecurityGroups"),
        FieldSpec("ecs_target.0.network_configuration.0.assign_public_ip",
                  query=f"{_NET}.AssignPublicIp",
                  # the provider's bool for the API's ENABLED / DISABLED
                  normalise=(n.to_bool,)),
        FieldSpec("batch_target.0.job_definition", query="BatchParameters.JobDefinition"),
        FieldSpec("batch_target.0.job_name", query="BatchParameters.JobName"),
        number("batch_target.0.array_size", "BatchParameters.ArrayProperties.Size"),
        number("batch_target.0.job_attempts", "BatchParameters.RetryStrategy.Attempts"),
        # headers often carry an API key: compared by digest, never printed
        FieldSpec("http_target.0.header_parameters", query="HttpParameters.HeaderParameters",
                  normalise=(digest_map,)),
        string_map("http_target.0.query_string_parameters",
                   "HttpParameters.QueryStringParameters"),
        FieldSpec("http_target.0.path_parameter_values",
                  query="HttpParameters.PathParameterValues"),
        FieldSpec("run_command_targets", query="RunCommandParameters.RunCommandTargets",
                  normalise=(_run_command,)),
    ),
    not_compared={
        "rule": "identity (part of the import id)",
        "target_id": "identity (part of the import id)",
        "event_bus_name": "identity (part of the import id)",
        "force_destroy": "Terraform-only, no API field",
        "ecs_target.capacity_provider_strategy": "not compared yet",
        "ecs_target.ordered_placement_strategy": "not compared yet",
        "ecs_target.placement_constraint": "not compared yet",
        "ecs_target.tags": "not compared yet",
        "redshift_target": "not compared yet",
        "sagemaker_pipeline_target": "not compared yet",
        "appsync_target": "not compared yet",
    },
)

SPECS: tuple[AwsSpec, ...] = (RULE, TARGET)
