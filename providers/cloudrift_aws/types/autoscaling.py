"""Auto Scaling groups: one paged ``DescribeAutoScalingGroups`` gives every argument compared,
tags included."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_bool, attr_int
from cloudrift_aws.spec import AwsSpec, Call

# EKS managed node groups make their own groups, tagged with the node group's name
_EKS_NODEGROUP_TAG = "eks:nodegroup-name"


def _subnets(value: Any) -> Any:
    """VPCZoneIdentifier is one comma-separated string; state has a set."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    return n.as_set(value)


def _state_zones(attributes: Mapping[str, Any]) -> Any:
    # with subnets, the zones follow from them: a subnet change would be reported twice
    if attributes.get("vpc_zone_identifier"):
        return UNKNOWN
    return attributes.get("availability_zones")


def _termination_policies(value: Any) -> Any:
    # AWS reports ["Default"] for a group created without any
    if isinstance(value, list) and value == ["Default"]:
        return None
    return value


def _cloud_tags(payload: Mapping[str, Any]) -> Any:
    return [
        {"key": tag.get("Key"), "value": tag.get("Value") or "",
         "propagate_at_launch": bool(tag.get("PropagateAtLaunch"))}
        for tag in payload.get("Tags") or ()
        if not str(tag.get("Key", "")).startswith("aws:")
    ]


def _state_tags(attributes: Mapping[str, Any]) -> Any:
    return [
        {"key": tag.get("key"), "value": tag.get("value") or "",
         "propagate_at_launch": n.to_bool(tag.get("propagate_at_launch")) is True}
        for tag in attributes.get("tag") or ()
    ]


def _granularity(payload: Mapping[str, Any]) -> Any:
    metrics = payload.get("EnabledMetrics") or ()
    return metrics[0].get("Granularity") if metrics else UNKNOWN


def _state_granularity(attributes: Mapping[str, Any]) -> Any:
    return attributes.get("metrics_granularity") if attributes.get("enabled_metrics") else UNKNOWN


def _eks_owned(item: Mapping[str, Any]) -> bool:
    return any(tag.get("Key") == _EKS_NODEGROUP_TAG for tag in item.get("Tags") or ())


AUTOSCALING_GROUP = AwsSpec(
    type="aws_autoscaling_group",
    service="autoscaling",
    list=Call("describe_auto_scaling_groups", "AutoScalingGroups"),
    id_query="AutoScalingGroupName",
    is_default=_eks_owned,
    description="groups an EKS managed node group made for itself are the node group's; "
    "desired_capacity is not compared (scaling moves it)",
    fields=(
        attr_int("min_size", "MinSize"),
        attr_int("max_size", "MaxSize"),
        attr_int("default_cooldown", "DefaultCooldown"),
        FieldSpec("default_instance_warmup", query="DefaultInstanceWarmup",
                  normalise=(n.to_int,), default=0),
        FieldSpec("health_check_type", query="HealthCheckType"),
        attr_int("health_check_grace_period", "HealthCheckGracePeriod"),
        FieldSpec("max_instance_lifetime", query="MaxInstanceLifetime", normalise=(n.to_int,),
                  default=0),
        attr_bool("capacity_rebalance", "CapacityRebalance", default=False),
        attr_bool("protect_from_scale_in", "NewInstancesProtectedFromScaleIn", default=False),
        FieldSpec("desired_capacity_type", query="DesiredCapacityType"),
        FieldSpec("service_linked_role_arn", query="ServiceLinkedRoleARN"),
        FieldSpec("placement_group", query="PlacementGroup"),
        FieldSpec("context", query="Context"),
        FieldSpec("vpc_zone_identifier", query="VPCZoneIdentifier", normalise=(_subnets,)),
        FieldSpec("availability_zones", query="AvailabilityZones", from_state=_state_zones,
                  normalise=(n.as_set,)),
        FieldSpec("launch_configuration", query="LaunchConfigurationName"),
        FieldSpec("launch_template.0.id", query="LaunchTemplate.LaunchTemplateId"),
        FieldSpec("launch_template.0.name", query="LaunchTemplate.LaunchTemplateName"),
        FieldSpec("launch_template.0.version", query="LaunchTemplate.Version"),
        FieldSpec("termination_policies", query="TerminationPolicies",
                  normalise=(_termination_policies,)),
        FieldSpec("suspended_processes", query="SuspendedProcesses[].ProcessName",
                  normalise=(n.as_set,)),
        FieldSpec("enabled_metrics", query="EnabledMetrics[].Metric", normalise=(n.as_set,)),
        FieldSpec("metrics_granularity", extract=_granularity, from_state=_state_granularity),
        FieldSpec("instance_maintenance_policy.0.min_healthy_percentage",
                  query="InstanceMaintenancePolicy.MinHealthyPercentage", normalise=(n.to_int,)),
        FieldSpec("instance_maintenance_policy.0.max_healthy_percentage",
                  query="InstanceMaintenancePolicy.MaxHealthyPercentage", normalise=(n.to_int,)),
        FieldSpec("tag", extract=_cloud_tags, from_state=_state_tags, normalise=(n.as_set,)),
    ),
    not_compared={
        "desired_capacity": "scaling policies and schedules move it, and the provider adopts "
        "the cloud's value when the configuration leaves it out",
        "name": "the group's identity (its import id)",
        "name_prefix": "Terraform-only: how the name was generated",
        "load_balancers": "also managed by aws_autoscaling_attachment; not compared",
        "target_group_arns": "also managed by aws_autoscaling_attachment; not compared",
        "traffic_source": "also managed by aws_autoscaling_traffic_source_attachment; not "
        "compared",
        "mixed_instances_policy": "a deep block of overrides and distributions, not compared",
        "warm_pool": "needs DescribeWarmPool per group; not compared",
        "initial_lifecycle_hook": "Terraform-only: applied once at creation",
        "instance_refresh": "Terraform-only: how an update rolls out",
        "availability_zone_distribution": "not compared",
        "capacity_reservation_specification": "not compared",
        "force_delete": "Terraform-only: how the group is destroyed",
        "force_delete_warm_pool": "Terraform-only: how the group is destroyed",
        "ignore_failed_scaling_activities": "Terraform-only: how apply waits",
        "wait_for_capacity_timeout": "Terraform-only: how apply waits",
        "wait_for_elb_capacity": "Terraform-only: how apply waits",
        "min_elb_capacity": "Terraform-only: how apply waits",
    },
)

SPECS: tuple[AwsSpec, ...] = (AUTOSCALING_GROUP,)
