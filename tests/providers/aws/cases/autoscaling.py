"""Auto Scaling group case; the state shape is what hashicorp/aws 5.100 recorded against moto."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"
AMI = "ami-1e749f67"


def _default_subnet(ec2: Any) -> str:
    subnets = ec2.describe_subnets(
        Filters=[{"Name": "default-for-az", "Values": ["true"]},
                 {"Name": "availability-zone", "Values": ["us-east-1a"]}])["Subnets"]
    return str(subnets[0]["SubnetId"])


def _create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    template = ec2.create_launch_template(
        LaunchTemplateName="web", LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.micro"}
    )["LaunchTemplate"]
    subnet = _default_subnet(ec2)
    autoscaling = clients("autoscaling")
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="web", MinSize=0, MaxSize=2, DesiredCapacity=0,
        VPCZoneIdentifier=subnet,
        LaunchTemplate={"LaunchTemplateId": template["LaunchTemplateId"], "Version": "$Latest"},
        Tags=[{"Key": "env", "Value": "prod", "PropagateAtLaunch": True}],
    )
    autoscaling.suspend_processes(AutoScalingGroupName="web", ScalingProcesses=["AZRebalance"])
    group = autoscaling.describe_auto_scaling_groups(
        AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]
    return {
        "id": "web", "name": "web", "name_prefix": "",
        "arn": group["AutoScalingGroupARN"],
        "min_size": 0, "max_size": 2, "desired_capacity": 0, "desired_capacity_type": "",
        "default_cooldown": 300, "default_instance_warmup": 0,
        "health_check_type": "EC2", "health_check_grace_period": 300,
        "max_instance_lifetime": 0, "capacity_rebalance": False,
        "protect_from_scale_in": False, "context": "", "placement_group": "",
        "service_linked_role_arn": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/"
        "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        "vpc_zone_identifier": [subnet], "availability_zones": ["us-east-1a"],
        "launch_configuration": "",
        "launch_template": [{"id": template["LaunchTemplateId"], "name": "web",
                             "version": "$Latest"}],
        "mixed_instances_policy": [],
        "termination_policies": None, "suspended_processes": ["AZRebalance"],
        "enabled_metrics": None, "metrics_granularity": "1Minute",
        "instance_maintenance_policy": [], "load_balancers": [], "target_group_arns": [],
        "traffic_source": [], "initial_lifecycle_hook": [], "instance_refresh": [],
        "warm_pool": [], "force_delete": False, "force_delete_warm_pool": False,
        "wait_for_capacity_timeout": "10m",
        "tag": [{"key": "env", "propagate_at_launch": True, "value": "prod"}],
        "timeouts": None,
    }


def _change(clients: Any, attrs: Attrs) -> None:
    autoscaling = clients("autoscaling")
    autoscaling.update_auto_scaling_group(AutoScalingGroupName=attrs["name"], MaxSize=5)
    autoscaling.create_or_update_tags(Tags=[{
        "ResourceId": attrs["name"], "ResourceType": "auto-scaling-group", "Key": "env",
        "Value": "dev", "PropagateAtLaunch": True}])


def _delete(clients: Any, attrs: Attrs) -> None:
    clients("autoscaling").delete_auto_scaling_group(AutoScalingGroupName=attrs["name"],
                                                     ForceDelete=True)


CASES = [
    AwsCase(
        type="aws_autoscaling_group",
        create=_create,
        change=_change,
        changed_paths=frozenset({"max_size", "tag"}),
        delete=_delete,
    ),
]
