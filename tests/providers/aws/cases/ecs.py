"""ECS cases. Cluster and task definition state shapes are what hashicorp/aws 5.100 recorded
against moto; the provider crashes creating a service against moto (it reads a deployment
configuration moto leaves out), so the service's state follows the provider's read function."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

CONTAINERS = [{"name": "web", "image": "nginx", "cpu": 10, "memory": 128, "essential": True,
               "portMappings": [{"containerPort": 80}]}]


def _ecs_tags(**values: str) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in values.items()]


def _retag(clients: Any, arn: str) -> None:
    clients("ecs").tag_resource(resourceArn=arn, tags=_ecs_tags(env="dev"))


# -- aws_ecs_cluster -------------------------------------------------------------------------


def _cluster(clients: Any, name: str = "apps") -> dict[str, Any]:
    cluster: dict[str, Any] = clients("ecs").create_cluster(
        clusterName=name, settings=[{"name": "containerInsights", "value": "enabled"}],
        tags=_ecs_tags(env="prod"),
    )["cluster"]
    return cluster


def _cluster_create(clients: Any) -> Attrs:
    arn = _cluster(clients)["clusterArn"]
    return {
        "id": arn, "arn": arn, "name": "apps",
        "setting": [{"name": "containerInsights", "value": "enabled"}],
        "configuration": [], "service_connect_defaults": [],
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"},
    }


def _cluster_change(clients: Any, attrs: Attrs) -> None:
    clients("ecs").update_cluster(
        cluster=attrs["name"], settings=[{"name": "containerInsights", "value": "disabled"}])
    _retag(clients, attrs["arn"])


def _cluster_delete(clients: Any, attrs: Attrs) -> None:
    clients("ecs").delete_cluster(cluster=attrs["name"])


# -- aws_ecs_task_definition -----------------------------------------------------------------


def _register(clients: Any) -> dict[str, Any]:
    definition: dict[str, Any] = clients("ecs").register_task_definition(
        family="web", containerDefinitions=CONTAINERS, tags=_ecs_tags(env="prod"),
    )["taskDefinition"]
    return definition


def _definition_create(clients: Any) -> Attrs:
    # an older revision no state holds any more was deregistered by the apply that replaced it
    clients("ecs").deregister_task_definition(taskDefinition=_register(clients)[
        "taskDefinitionArn"])
    definition = _register(clients)
    arn = definition["taskDefinitionArn"]
    return {
        "id": "web", "arn": arn, "arn_without_revision": arn.rsplit(":", 1)[0],
        "family": "web", "revision": definition["revision"],
        "container_definitions": json.dumps(CONTAINERS),
        "cpu": "", "memory": "", "network_mode": "bridge", "ipc_mode": "", "pid_mode": "",
        "execution_role_arn": "", "task_role_arn": "", "requires_compatibilities": [],
        "enable_fault_injection": False, "ephemeral_storage": [], "inference_accelerator": [],
        "placement_constraints": [], "proxy_configuration": [], "runtime_platform": [],
        "volume": [], "skip_destroy": False, "track_latest": False,
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"},
    }


def _definition_delete(clients: Any, attrs: Attrs) -> None:
    clients("ecs").deregister_task_definition(taskDefinition=attrs["arn"])


# -- aws_ecs_service -------------------------------------------------------------------------


def _service_create(clients: Any) -> Attrs:
    cluster = _cluster(clients)
    definition = _register(clients)
    service = clients("ecs").create_service(
        cluster="apps", serviceName="web", taskDefinition=definition["taskDefinitionArn"],
        desiredCount=1, launchType="EC2", schedulingStrategy="REPLICA",
        deploymentConfiguration={"maximumPercent": 200, "minimumHealthyPercent": 100},
        enableECSManagedTags=False, enableExecuteCommand=False, propagateTags="NONE",
        tags=_ecs_tags(env="prod"),
    )["service"]
    return {
        "id": service["serviceArn"], "name": "web", "cluster": cluster["clusterArn"],
        "task_definition": definition["taskDefinitionArn"], "desired_count": 1,
        "launch_type": "EC2", "platform_version": "", "scheduling_strategy": "REPLICA",
        "availability_zone_rebalancing": "",
        "deployment_maximum_percent": 200, "deployment_minimum_healthy_percent": 100,
        "deployment_circuit_breaker": [], "deployment_controller": [{"type": "ECS"}],
        "health_check_grace_period_seconds": 0, "enable_ecs_managed_tags": False,
        "enable_execute_command": False, "propagate_tags": "NONE", "iam_role": "",
        "load_balancer": [], "network_configuration": [], "capacity_provider_strategy": [],
        "placement_constraints": [], "ordered_placement_strategy": [],
        "service_registries": [], "service_connect_configuration": [],
        "volume_configuration": [], "vpc_lattice_configurations": [], "alarms": [],
        "force_delete": None, "force_new_deployment": None, "triggers": {},
        "wait_for_steady_state": False,
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"},
    }


def _service_change(clients: Any, attrs: Attrs) -> None:
    clients("ecs").update_service(cluster="apps", service="web", desiredCount=3)
    _retag(clients, attrs["id"])


def _service_delete(clients: Any, attrs: Attrs) -> None:
    clients("ecs").delete_service(cluster="apps", service="web", force=True)


def _service_parent(attrs: Attrs) -> tuple[str, Attrs]:
    return ("aws_ecs_cluster", {"id": attrs["cluster"], "arn": attrs["cluster"], "name": "apps"})


CASES = [
    AwsCase(
        type="aws_ecs_cluster",
        create=_cluster_create,
        change=_cluster_change,
        changed_paths=frozenset({"setting", "tags.env"}),
        delete=_cluster_delete,
        import_id=lambda attrs: str(attrs["name"]),
    ),
    AwsCase(
        type="aws_ecs_task_definition",
        create=_definition_create,
        change=lambda clients, attrs: _retag(clients, attrs["arn"]),
        changed_paths=frozenset({"tags.env"}),
        delete=_definition_delete,
        import_id=lambda attrs: str(attrs["arn"]),
    ),
    AwsCase(
        type="aws_ecs_service",
        create=_service_create,
        change=_service_change,
        changed_paths=frozenset({"desired_count", "tags.env"}),
        delete=_service_delete,
        import_id=lambda attrs: "apps/web",
        parent=_service_parent,
    ),
]
