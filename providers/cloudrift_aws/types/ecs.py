"""ECS clusters, services and task definitions.

Clusters: one paged ``ListClusters`` per region (shared with the service search), and
``DescribeClusters`` for the managed ones, a hundred at a time. Services: one paged
``ListServices`` per cluster searched (see ``per_parent``) and ``DescribeServices`` for the
managed ones, ten at a time. Task definitions: one paged ``ListTaskDefinitions`` of the ACTIVE
revisions, tags from the tagging API.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jmespath

from cloudrift.sdk import UNKNOWN, Extractor, FieldSpec, PartOf, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types.bulk import TagCall, bulk_tags, memo_outcome, with_tags
from cloudrift_aws.types.per_parent import parents_to_search, per_parent

_DESCRIBE_CLUSTERS = 100
_DESCRIBE_SERVICES = 10
_CLUSTER_GONE = ("ClusterNotFoundException",)
# set on an item once the Describe call of its type filled it in
_DESCRIBED = "cloudrift:Described"


def _last(arn: Any, separator: str = "/") -> str:
    return str(arn).rsplit(separator, 1)[-1] if arn else ""


def _batches(items: Sequence[Item], size: int) -> list[list[Item]]:
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def _merge(items: list[Item], managed: Sequence[Resource], id_of: Callable[[Item], str],
           describe: Callable[[list[Item]], list[Item]], size: int) -> None:
    """Describe the managed items ``size`` at a time and merge what comes back into them."""
    wanted = {r.id for r in managed}
    mine = [item for item in items if id_of(item) in wanted]
    for batch in _batches(mine, size):
        by_arn = {d.get("serviceArn") or d.get("clusterArn"): d for d in describe(batch)}
        for item in batch:
            described = by_arn.get(item.get("serviceArn") or item.get("clusterArn"))
            if described is not None:
                item.update(described)
                item[_DESCRIBED] = True


# -- aws_ecs_cluster -------------------------------------------------------------------------


def cluster_arns(ctx: AwsContext, region: str) -> list[str]:
    return memo_outcome(ctx, f"ecs:list_clusters:{region}",
                        lambda: ctx.paginate("ecs", region, "list_clusters", "clusterArns"))


def _clusters(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    clusters: list[Item] = [{"clusterArn": arn, "clusterName": _last(arn)}
                            for arn in cluster_arns(ctx, region)]

    def describe(batch: list[Item]) -> list[Item]:
        return list(ctx.call("ecs", region, "describe_clusters",
                             clusters=[c["clusterArn"] for c in batch],
                             include=["SETTINGS", "CONFIGURATIONS", "TAGS"])["clusters"])

    _merge(clusters, managed, lambda c: c["clusterName"], describe, _DESCRIBE_CLUSTERS)
    # a cluster deleted since the listing stays describable as INACTIVE for a while
    return [c for c in clusters if c.get("status") != "INACTIVE"]


def _described(query: str, *, always: bool = False) -> Extractor:
    """A field only DescribeClusters / DescribeServices gives: unknown where that call was not
    made. ``always``: AWS always returns it, so its absence means "not told"."""
    compiled = jmespath.compile(query)

    def extract(payload: Mapping[str, Any]) -> Any:
        if not payload.get(_DESCRIBED):
            return UNKNOWN
        value = compiled.search(payload)
        return UNKNOWN if value is None and always else value

    return extract


def _settings(value: Any) -> Any:
    # containerInsights "disabled" is what a cluster created without the setting reports
    if value is None:
        return None
    return n.as_set([
        {"name": s.get("name"), "value": s.get("value")} for s in value
        if isinstance(s, Mapping) and not (s.get("name") == "containerInsights"
                                           and s.get("value") == "disabled")
    ])


_EXEC = "configuration.executeCommandConfiguration"
_EXEC_LOG = f"{_EXEC}.logConfiguration"
_STATE_EXEC = "configuration.0.execute_command_configuration.0"

CLUSTER = AwsSpec(
    type="aws_ecs_cluster",
    service="ecs",
    enumerate=_clusters,
    calls=("ecs:ListClusters", "ecs:DescribeClusters"),
    id_query="clusterName",
    import_id="name",
    description="ListClusters for the search; DescribeClusters (settings, configuration, tags) "
    "only for managed clusters, a hundred a call",
    fields=(
        FieldSpec("setting", extract=_described("settings"), normalise=(_settings,)),
        FieldSpec(f"{_STATE_EXEC}.kms_key_id", extract=_described(f"{_EXEC}.kmsKeyId")),
        FieldSpec(f"{_STATE_EXEC}.logging", extract=_described(f"{_EXEC}.logging")),
        FieldSpec(f"{_STATE_EXEC}.log_configuration.0.cloud_watch_log_group_name",
                  extract=_described(f"{_EXEC_LOG}.cloudWatchLogGroupName")),
        FieldSpec(f"{_STATE_EXEC}.log_configuration.0.s3_bucket_name",
                  extract=_described(f"{_EXEC_LOG}.s3BucketName")),
        FieldSpec(f"{_STATE_EXEC}.log_configuration.0.s3_key_prefix",
                  extract=_described(f"{_EXEC_LOG}.s3KeyPrefix")),
        FieldSpec("configuration.0.managed_storage_configuration.0.kms_key_id",
                  extract=_described("configuration.managedStorageConfiguration.kmsKeyId")),
        FieldSpec("service_connect_defaults.0.namespace",
                  extract=_described("serviceConnectDefaults.namespace")),
        tags(extract=_described("tags")),
    ),
    not_compared={
        "name": "the cluster's identity (its import id)",
        f"{_STATE_EXEC}.log_configuration.0.cloud_watch_encryption_enabled":
            "not compared",
        f"{_STATE_EXEC}.log_configuration.0.s3_bucket_encryption_enabled": "not compared",
        "configuration.0.managed_storage_configuration.0.fargate_ephemeral_storage_kms_key_id":
            "not compared",
    },
)

# -- aws_ecs_service -------------------------------------------------------------------------

_SERVICE_ID = "cloudrift:ImportId"


def _service_parent(import_id: str) -> str | None:
    return import_id.split("/", 1)[0] or None


def _services(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    def listing(cluster: str) -> list[Item]:
        return [
            {"serviceArn": arn, "serviceName": _last(arn), "cluster": cluster,
             _SERVICE_ID: f"{cluster}/{_last(arn)}"}
            for arn in ctx.paginate("ecs", region, "list_services", "serviceArns",
                                    cluster=cluster)
        ]

    clusters = parents_to_search(ctx, region, "aws_ecs_cluster", managed,
                                 lambda r: _service_parent(r.id))
    services = per_parent(clusters, listing, _CLUSTER_GONE)
    by_cluster: dict[str, list[Item]] = {}
    for service in services:
        by_cluster.setdefault(service["cluster"], []).append(service)
    for cluster, items in by_cluster.items():
        def describe(batch: list[Item], cluster: str = cluster) -> list[Item]:
            return list(ctx.call("ecs", region, "describe_services", cluster=cluster,
                                 services=[s["serviceArn"] for s in batch],
                                 include=["TAGS"])["services"])

        _merge(items, managed, lambda s: s[_SERVICE_ID], describe, _DESCRIBE_SERVICES)
    # a deleted service stays describable as INACTIVE for a while: for Terraform it is gone
    return [s for s in services if s.get("status") != "INACTIVE"]


def _state_service_id(attributes: Mapping[str, Any]) -> str | None:
    cluster, name = attributes.get("cluster"), attributes.get("name")
    if not cluster or not name:
        return None
    return f"{_last(cluster)}/{name}"


def _task_definition(value: Any) -> Any:
    """``family:revision`` from either that or the revision's ARN (the provider keeps the form
    the configuration used)."""
    if isinstance(value, str) and value.startswith("arn:"):
        return value.split("task-definition/", 1)[-1]
    return value


def _none_is_unset(value: Any) -> Any:
    return None if value == "NONE" else value


def _state_desired_count(attributes: Mapping[str, Any]) -> Any:
    # a DAEMON service runs one task per instance: the count is not the user's
    if attributes.get("scheduling_strategy") == "DAEMON":
        return UNKNOWN
    return attributes.get("desired_count")


def _load_balancers(payload: Mapping[str, Any]) -> Any:
    if not payload.get(_DESCRIBED):
        return UNKNOWN
    return [
        {"container_name": lb.get("containerName"), "container_port": lb.get("containerPort"),
         "elb_name": lb.get("loadBalancerName") or "",
         "target_group_arn": lb.get("targetGroupArn") or ""}
        for lb in payload.get("loadBalancers") or ()
    ]


def _state_load_balancers(attributes: Mapping[str, Any]) -> Any:
    return [
        {"container_name": lb.get("container_name"),
         "container_port": n.to_int(lb.get("container_port")),
         "elb_name": lb.get("elb_name") or "", "target_group_arn": lb.get("target_group_arn") or ""}
        for lb in attributes.get("load_balancer") or ()
    ]


def _pairs(key: str, fields: tuple[tuple[str, str], ...], lower: tuple[str, ...] = ()
           ) -> tuple[Extractor, Extractor]:
    """A list of small blocks as sets of dicts, from the payload's ``key`` and from state."""
    api_key, state_key = key.split("|")

    def clean(entry: dict[str, Any]) -> dict[str, Any]:
        return {k: (str(v).lower() if k in lower and v else v) for k, v in entry.items()
                if not n.is_empty(v)}

    def cloud(payload: Mapping[str, Any]) -> Any:
        if not payload.get(_DESCRIBED):
            return UNKNOWN
        return [clean({tf: entry.get(api) for tf, api in fields})
                for entry in payload.get(api_key) or ()]

    def state(attributes: Mapping[str, Any]) -> Any:
        return [clean({tf: entry.get(tf) for tf, _ in fields})
                for entry in attributes.get(state_key) or ()]

    return cloud, state


_CAPACITY_CLOUD, _CAPACITY_STATE = _pairs(
    "capacityProviderStrategy|capacity_provider_strategy",
    (("capacity_provider", "capacityProvider"), ("weight", "weight"), ("base", "base")))
_CONSTRAINTS_CLOUD, _CONSTRAINTS_STATE = _pairs(
    "placementConstraints|placement_constraints",
    (("type", "type"), ("expression", "expression")))
# the provider lower-cases the field of cpu/memory strategies
_STRATEGY_CLOUD, _STRATEGY_STATE = _pairs(
    "placementStrategy|ordered_placement_strategy",
    (("type", "type"), ("field", "field")), lower=("field",))
_DEPLOYMENT = "deploymentConfiguration"
_AWSVPC = "networkConfiguration.awsvpcConfiguration"


def _assign_public_ip(payload: Mapping[str, Any]) -> Any:
    value = _described(f"{_AWSVPC}.assignPublicIp")(payload)
    return value == "ENABLED" if isinstance(value, str) else value


SERVICE = AwsSpec(
    type="aws_ecs_service",
    service="ecs",
    enumerate=_services,
    calls=("ecs:ListServices", "ecs:DescribeServices"),
    id_query=f'"{_SERVICE_ID}"',
    import_id=_state_service_id,
    per_parent=True,
    part_of=(PartOf("aws_ecs_cluster", lambda a: _last(a.get("cluster")) or None, (),
                    cloud_parent_id="cluster"),),
    description="ListServices per managed cluster (and the cluster of each managed service): "
    "a service of an unmanaged cluster is covered by the cluster's finding; DescribeServices "
    "only for managed services, ten a call",
    fields=(
        FieldSpec("task_definition", extract=_described("taskDefinition"),
                  normalise=(_task_definition,)),
        FieldSpec("desired_count", extract=_described("desiredCount"),
                  from_state=_state_desired_count, normalise=(n.to_int,)),
        FieldSpec("launch_type", extract=_described("launchType")),
        FieldSpec("platform_version", extract=_described("platformVersion")),
        FieldSpec("scheduling_strategy", extract=_described("schedulingStrategy")),
        FieldSpec("availability_zone_rebalancing",
                  extract=_described("availabilityZoneRebalancing")),
        FieldSpec("deployment_maximum_percent",
                  extract=_described(f"{_DEPLOYMENT}.maximumPercent", always=True),
                  normalise=(n.to_int,)),
        FieldSpec("deployment_minimum_healthy_percent",
                  extract=_described(f"{_DEPLOYMENT}.minimumHealthyPercent", always=True),
                  normalise=(n.to_int,)),
        FieldSpec("deployment_circuit_breaker.0.enable",
                  extract=_described(f"{_DEPLOYMENT}.deploymentCircuitBreaker.enable"),
                  normalise=(n.to_bool,)),
        FieldSpec("deployment_circuit_breaker.0.rollback",
                  extract=_described(f"{_DEPLOYMENT}.deploymentCircuitBreaker.rollback"),
                  normalise=(n.to_bool,)),
        FieldSpec("deployment_controller.0.type", extract=_described("deploymentController.type")),
        FieldSpec("health_check_grace_period_seconds",
                  extract=_described("healthCheckGracePeriodSeconds"), normalise=(n.to_int,),
                  default=0),
        FieldSpec("enable_ecs_managed_tags", extract=_described("enableECSManagedTags"),
                  normalise=(n.to_bool,), default=False),
        FieldSpec("enable_execute_command", extract=_described("enableExecuteCommand"),
                  normalise=(n.to_bool,), default=False),
        FieldSpec("propagate_tags", extract=_described("propagateTags"),
                  normalise=(_none_is_unset,)),
        FieldSpec("load_balancer", extract=_load_balancers, from_state=_state_load_balancers,
                  normalise=(n.as_set,)),
        FieldSpec("network_configuration.0.subnets", extract=_described(f"{_AWSVPC}.subnets"),
                  normalise=(n.as_set,)),
        FieldSpec("network_configuration.0.security_groups",
                  extract=_described(f"{_AWSVPC}.securityGroups"), normalise=(n.as_set,)),
        FieldSpec("network_configuration.0.assign_public_ip", extract=_assign_public_ip,
                  normalise=(n.to_bool,)),
        FieldSpec("capacity_provider_strategy", extract=_CAPACITY_CLOUD,
                  from_state=_CAPACITY_STATE, normalise=(n.as_set,)),
        FieldSpec("placement_constraints", extract=_CONSTRAINTS_CLOUD,
                  from_state=_CONSTRAINTS_STATE, normalise=(n.as_set,)),
        FieldSpec("ordered_placement_strategy", extract=_STRATEGY_CLOUD,
                  from_state=_STRATEGY_STATE),
        FieldSpec("service_registries.0.registry_arn",
                  extract=_described("serviceRegistries[0].registryArn")),
        tags(extract=_described("tags")),
    ),
    not_compared={
        "name": "part of the service's identity (its import id)",
        "cluster": "part of the service's identity (its import id)",
        "iam_role": "the provider keeps the form (name or ARN) the configuration used; a "
        "role cannot change without replacing the service",
        "alarms": "not compared",
        "service_connect_configuration": "read from the primary deployment; not compared",
        "volume_configuration": "read from the primary deployment; not compared",
        "vpc_lattice_configurations": "read from the primary deployment; not compared",
        "force_delete": "Terraform-only: how the service is destroyed",
        "force_new_deployment": "Terraform-only: how an update rolls out",
        "triggers": "Terraform-only: forces a new deployment",
        "wait_for_steady_state": "Terraform-only: how apply waits",
    },
)

# -- aws_ecs_task_definition -----------------------------------------------------------------


def _task_definitions(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    definitions: list[Item] = [
        {"taskDefinitionArn": arn}
        for arn in ctx.paginate("ecs", region, "list_task_definitions", "taskDefinitionArns",
                                status="ACTIVE")
    ]
    return with_tags(
        ctx, region, definitions, managed,
        arn=lambda item: item.get("taskDefinitionArn"),
        id_query="taskDefinitionArn",
        call=TagCall("ecs", "list_tags_for_resource",
                     lambda item: {"resourceArn": item["taskDefinitionArn"]}, "tags"),
    )


TASK_DEFINITION = AwsSpec(
    type="aws_ecs_task_definition",
    service="ecs",
    enumerate=_task_definitions,
    calls=("ecs:ListTaskDefinitions",),
    id_query="taskDefinitionArn",
    import_id="arn",
    description="a revision is immutable: it drifts only in its tags, or by being deregistered "
    "(missing); every ACTIVE revision no state holds is unmanaged, revisions a deployment "
    "pipeline registered included. With track_latest the provider follows the family's newest "
    "revision, which then shows as unmanaged next to the state's",
    fields=(bulk_tags(),),
    not_compared={
        "container_definitions": "part of an immutable revision: a change is a new revision",
        "family": "part of an immutable revision: a change is a new revision",
        "cpu": "part of an immutable revision: a change is a new revision",
        "memory": "part of an immutable revision: a change is a new revision",
        "network_mode": "part of an immutable revision: a change is a new revision",
        "execution_role_arn": "part of an immutable revision: a change is a new revision",
        "task_role_arn": "part of an immutable revision: a change is a new revision",
        "requires_compatibilities": "part of an immutable revision: a change is a new revision",
        "volume": "part of an immutable revision: a change is a new revision",
        "skip_destroy": "Terraform-only: whether destroy deregisters the revision",
        "track_latest": "Terraform-only: which revision the provider reads",
    },
)

SPECS: tuple[AwsSpec, ...] = (CLUSTER, SERVICE, TASK_DEFINITION)
