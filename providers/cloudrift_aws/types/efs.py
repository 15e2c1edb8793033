"""EFS file systems and mount targets.

File systems: one paged ``DescribeFileSystems`` per region (tags included); the lifecycle policy
(``DescribeLifecycleConfiguration``) only for managed ones. Mount targets: ``DescribeMountTargets``
takes a file system, so they are searched under managed file systems (see ``per_parent``); their
security groups (``DescribeMountTargetSecurityGroups``) only for managed mount targets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, PartOf, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_bool, present, tags
from cloudrift_aws.regions import region_from_arn, region_from_zone
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types.per_parent import parents_to_search, per_parent

# listed for a while once deletion started: gone for Terraform
_GOING = frozenset({"deleting", "deleted"})

# -- aws_efs_file_system ---------------------------------------------------------------------


def _file_systems(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    return [dict(fs) for fs in ctx.paginate("efs", region, "describe_file_systems",
                                            "FileSystems")
            if fs.get("LifeCycleState") not in _GOING]


_POLICY_KEYS = (("transition_to_ia", "TransitionToIA"),
                ("transition_to_archive", "TransitionToArchive"),
                ("transition_to_primary_storage_class", "TransitionToPrimaryStorageClass"))


def _cloud_lifecycle(payload: Mapping[str, Any]) -> Any:
    policies = payload.get("lifecycle")
    if policies is None:
        return None
    return [{key: policy.get(api) for key, api in _POLICY_KEYS} for policy in policies]


def _lifecycle(value: Any) -> Any:
    """One policy per transition, in no particular order; empty transitions dropped."""
    if value is None:
        return None
    return n.as_set([{k: v for k, v in policy.items() if not n.is_empty(v)}
                     for policy in value if isinstance(policy, Mapping)]) or None


def _replication_overwrite(payload: Mapping[str, Any]) -> Any:
    protection = payload.get("FileSystemProtection")
    return UNKNOWN if protection is None else protection.get("ReplicationOverwriteProtection")


def _provisioned(payload: Mapping[str, Any]) -> Any:
    # only a provisioned file system has a throughput of its own; the provider records 0
    if payload.get("ThroughputMode") != "provisioned":
        return 0
    return payload.get("ProvisionedThroughputInMibps")


FILE_SYSTEM = AwsSpec(
    type="aws_efs_file_system",
    service="efs",
    enumerate=_file_systems,
    calls=("efs:DescribeFileSystems",),
    id_query="FileSystemId",
    details=(Detail("lifecycle", "describe_lifecycle_configuration",
                    lambda item: {"FileSystemId": item["FileSystemId"]},
                    result="LifecyclePolicies"),),
    description="lifecycle policies (DescribeLifecycleConfiguration) only for managed file "
    "systems",
    fields=(
        FieldSpec("performance_mode", query="PerformanceMode"),
        attr_bool("encrypted", "Encrypted", default=False),
        FieldSpec("kms_key_id", extract=present("KmsKeyId")),
        FieldSpec("throughput_mode", query="ThroughputMode"),
        FieldSpec("provisioned_throughput_in_mibps", extract=_provisioned,
                  normalise=(n.to_int,)),
        FieldSpec("availability_zone_name", query="AvailabilityZoneName"),
        FieldSpec("lifecycle_policy", extract=_cloud_lifecycle, normalise=(_lifecycle,),
                  detail="lifecycle"),
        FieldSpec("protection.0.replication_overwrite", extract=_replication_overwrite),
        tags(),
    ),
    not_compared={
        "creation_token": "fixed at creation: another token is another file system",
    },
)

# -- aws_efs_mount_target --------------------------------------------------------------------


def _mount_targets(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    def listing(file_system: str) -> list[Item]:
        return [dict(target) for target in ctx.paginate(
            "efs", region, "describe_mount_targets", "MountTargets", FileSystemId=file_system)
            if target.get("LifeCycleState") not in _GOING]

    def parent(resource: Resource) -> str | None:
        found = resource.attributes.get("file_system_id")
        return found if isinstance(found, str) and found else None

    file_systems = parents_to_search(ctx, region, "aws_efs_file_system", managed, parent)
    return per_parent(file_systems, listing, ("FileSystemNotFound",))


def _mount_target_region(attributes: Mapping[str, Any]) -> str | None:
    return (region_from_arn(attributes.get("file_system_arn"))
            or region_from_zone(attributes.get("availability_zone_name")))


MOUNT_TARGET = AwsSpec(
    type="aws_efs_mount_target",
    service="efs",
    enumerate=_mount_targets,
    calls=("efs:DescribeMountTargets",),
    id_query="MountTargetId",
    region_from_state=_mount_target_region,
    per_parent=True,
    part_of=(PartOf("aws_efs_file_system", "file_system_id", (),
                    cloud_parent_id="FileSystemId"),),
    details=(Detail("groups", "describe_mount_target_security_groups",
                    lambda item: {"MountTargetId": item["MountTargetId"]},
                    result="SecurityGroups"),),
    description="DescribeMountTargets per managed file system (and the file system of each "
    "managed mount target): a mount target of an unmanaged file system is covered by its "
    "finding; security groups only for managed mount targets",
    fields=(
        FieldSpec("file_system_id", query="FileSystemId"),
        FieldSpec("subnet_id", query="SubnetId"),
        FieldSpec("ip_address", query="IpAddress"),
        FieldSpec("security_groups", extract=lambda p: UNKNOWN if p.get("groups") is None
                  else p["groups"], normalise=(n.as_set,), detail="groups"),
    ),
    not_compared={},
)

SPECS: tuple[AwsSpec, ...] = (FILE_SYSTEM, MOUNT_TARGET)
