"""EFS cases; state shapes are what hashicorp/aws 5.100 recorded against moto."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

REGION = "us-east-1"
ACCOUNT = "123456789012"


def _file_system(clients: Any) -> str:
    efs = clients("efs")
    file_system = efs.create_file_system(
        CreationToken="data", Encrypted=True, PerformanceMode="generalPurpose",
        ThroughputMode="bursting", Tags=[{"Key": "env", "Value": "prod"}])["FileSystemId"]
    efs.put_lifecycle_configuration(FileSystemId=file_system,
                                    LifecyclePolicies=[{"TransitionToIA": "AFTER_30_DAYS"}])
    return str(file_system)


def _arn(file_system: str) -> str:
    return f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/{file_system}"


def _file_system_create(clients: Any) -> Attrs:
    file_system = _file_system(clients)
    return {
        "id": file_system, "arn": _arn(file_system), "creation_token": "data",
        "performance_mode": "generalPurpose", "encrypted": True, "kms_key_id": "",
        "throughput_mode": "bursting", "provisioned_throughput_in_mibps": 0,
        "availability_zone_id": "", "availability_zone_name": "",
        "lifecycle_policy": [{"transition_to_archive": "", "transition_to_ia": "AFTER_30_DAYS",
                              "transition_to_primary_storage_class": ""}],
        "protection": [], "name": "", "owner_id": ACCOUNT,
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"},
    }


def _file_system_change(clients: Any, attrs: Attrs) -> None:
    efs = clients("efs")
    efs.put_lifecycle_configuration(FileSystemId=attrs["id"],
                                    LifecyclePolicies=[{"TransitionToIA": "AFTER_60_DAYS"}])
    efs.tag_resource(ResourceId=attrs["id"], Tags=[{"Key": "env", "Value": "dev"}])


def _mount_target_create(clients: Any) -> Attrs:
    file_system = _file_system(clients)
    ec2 = clients("ec2")
    subnet = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]},
                                           {"Name": "availability-zone",
                                            "Values": [f"{REGION}a"]}])["Subnets"][0]
    target = clients("efs").create_mount_target(FileSystemId=file_system,
                                                SubnetId=subnet["SubnetId"])
    return {
        "id": target["MountTargetId"], "file_system_id": file_system,
        "file_system_arn": _arn(file_system), "subnet_id": subnet["SubnetId"],
        "ip_address": target["IpAddress"], "security_groups": [],
        "availability_zone_id": target.get("AvailabilityZoneId", ""),
        "availability_zone_name": f"{REGION}a",
        "network_interface_id": target["NetworkInterfaceId"], "owner_id": ACCOUNT,
        "timeouts": None,
    }


def _mount_target_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    vpc = ec2.describe_subnets(SubnetIds=[attrs["subnet_id"]])["Subnets"][0]["VpcId"]
    group = ec2.create_security_group(GroupName="nfs", Description="nfs", VpcId=vpc)["GroupId"]
    clients("efs").modify_mount_target_security_groups(MountTargetId=attrs["id"],
                                                       SecurityGroups=[group])


CASES = [
    AwsCase(
        type="aws_efs_file_system",
        create=_file_system_create,
        change=_file_system_change,
        changed_paths=frozenset({"lifecycle_policy", "tags.env"}),
        delete=lambda clients, attrs: clients("efs").delete_file_system(
            FileSystemId=attrs["id"]),
    ),
    AwsCase(
        type="aws_efs_mount_target",
        create=_mount_target_create,
        change=_mount_target_change,
        changed_paths=frozenset({"security_groups"}),
        delete=lambda clients, attrs: clients("efs").delete_mount_target(
            MountTargetId=attrs["id"]),
        parent=lambda attrs: ("aws_efs_file_system", {
            "id": attrs["file_system_id"], "arn": attrs["file_system_arn"]}),
    ),
]
