"""EC2 compute resource types: instances, EBS volumes, elastic IPs.

Every type is one bulk ``Describe*`` listing per region, shared through ``ctx.memo`` where
another type needs it too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import jmespath
from botocore.exceptions import BotoCoreError, ClientError

from cloudrift.sdk import UNKNOWN, Extractor, FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_bool, attr_int, present, tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Detail, Item
from cloudrift_aws.types.ec2_common import (
    IN_DEFAULT_VPC,
    by_ids,
    copies,
    default_vpc_ids,
    instance_listing,
    shared_listing,
    volume_listing,
)

# -- aws_instance ----------------------------------------------------------------------------

_LIVE_INSTANCE_STATES = frozenset({"pending", "running", "stopping", "stopped"})


def _root_mapping(instance: Mapping[str, Any]) -> Mapping[str, Any] | None:
    root = instance.get("RootDeviceName")
    for mapping in instance.get("BlockDeviceMappings") or ():
        if not isinstance(mapping, Mapping):
            continue
        if mapping.get("DeviceName") == root and mapping.get("Ebs"):
            return mapping
    return None


def _instances(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    # --unmanaged none: the managed instances by id, not every instance of the region
    found = (by_ids(ctx, region, "describe_instances", "Reservations[].Instances[]",
                    "instance-id", (r.id for r in managed))
             if ctx.managed_only else instance_listing(ctx, region))
    # terminated instances stay listed for about an hour; for Terraform they are gone
    live = [dict(instance) for instance in found
            if (instance.get("State") or {}).get("Name") in _LIVE_INSTANCE_STATES]
    if managed and live:
        _add_root_volumes(ctx, region, live)
        _add_default_vpc_flag(ctx, region, live)
    return live


def _add_root_volumes(ctx: AwsContext, region: str, instances: list[Item]) -> None:
    roots = [mapping["Ebs"].get("VolumeId") for instance in instances
             if (mapping := _root_mapping(instance)) is not None]
    if not roots:
        return
    try:
        listed = (by_ids(ctx, region, "describe_volumes", "Volumes", "volume-id",
                         (v for v in roots if v)) if ctx.managed_only
                  else volume_listing(ctx, region))
        volumes = {v["VolumeId"]: v for v in listed}
    except (ClientError, BotoCoreError):
        # root_block_device is then unknown; aws_ebs_volume reports the failed listing
        return
    for instance in instances:
        mapping = _root_mapping(instance)
        if mapping is None:
            continue
        volume = volumes.get(mapping["Ebs"].get("VolumeId"))
        if volume is not None:
            instance["RootVolume"] = {
                **volume, "DeleteOnTermination": mapping["Ebs"].get("DeleteOnTermination")
            }


def _add_default_vpc_flag(ctx: AwsContext, region: str, items: list[Item]) -> None:
    if not any(item.get("VpcId") for item in items):
        return
    try:
        defaults = default_vpc_ids(ctx, region)
    except (ClientError, BotoCoreError):
        return  # fields that depend on it are then unknown; aws_vpc reports the failure
    for item in items:
        if item.get("VpcId"):
            item[IN_DEFAULT_VPC] = item["VpcId"] in defaults


def _root_volume(query: str, default: Any = None) -> Extractor:
    """A root_block_device attribute, read from the instance's root EBS volume."""
    compiled = jmespath.compile(query)

    def extract(item: Mapping[str, Any]) -> Any:
        volume = item.get("RootVolume")
        if volume is None:
            # an instance-store root has no root_block_device; an EBS root we did not see
            # (volume listing denied or racing a launch) is unknown
            return UNKNOWN if _root_mapping(item) is not None else None
        value = compiled.search(volume)
        return default if value is None else value

    return extract


def _user_data_digest(encoded: Any) -> Any:
    """The provider's userDataHashSum: SHA-1 hex of the decoded user data."""
    if not isinstance(encoded, str) or not encoded:
        return None
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raw = encoded.encode()
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()


def _state_user_data(attributes: Mapping[str, Any]) -> Any:
    # state keeps the SHA-1 of user_data, or user_data_base64 as given; compare digests
    digest = attributes.get("user_data")
    if digest:
        return digest
    return _user_data_digest(attributes.get("user_data_base64"))


def _group_ids(item: Mapping[str, Any]) -> Any:
    # the provider's readSecurityGroups: ids for an instance in a subnet, names for one in a
    # default VPC (or EC2-Classic), both for an instance in a default subnet
    if not item.get("SubnetId"):
        return None
    return [group.get("GroupId") for group in item.get("SecurityGroups") or ()]


def _group_names(item: Mapping[str, Any]) -> Any:
    if item.get("VpcId"):
        in_default_vpc = item.get(IN_DEFAULT_VPC)
        if in_default_vpc is None:
            return UNKNOWN
        if not in_default_vpc:
            return None
    elif item.get("SubnetId"):
        return None
    return [group.get("GroupName") for group in item.get("SecurityGroups") or ()]


def _instance_profile_name(item: Mapping[str, Any]) -> Any:
    arn = (item.get("IamInstanceProfile") or {}).get("Arn")
    return arn.rsplit("/", 1)[-1] if isinstance(arn, str) and arn else None


def _monitoring(item: Mapping[str, Any]) -> Any:
    state = (item.get("Monitoring") or {}).get("State")
    return UNKNOWN if not state else state in ("enabled", "pending")


def _instance_attribute(name: str, attribute: str, result: str) -> Detail:
    return Detail(name, "describe_instance_attribute",
                  lambda item: {"InstanceId": item["InstanceId"], "Attribute": attribute},
                  result=result)


INSTANCE = AwsSpec(
    type="aws_instance",
    calls=("ec2:DescribeInstances", "ec2:DescribeVolumes", "ec2:DescribeVpcs"),
    service="ec2",
    enumerate=_instances,
    id_query="InstanceId",
    details=(
        _instance_attribute("user_data", "userData", "UserData.Value"),
        _instance_attribute("api_termination", "disableApiTermination",
                            "DisableApiTermination.Value"),
        _instance_attribute("api_stop", "disableApiStop", "DisableApiStop.Value"),
        _instance_attribute("shutdown_behavior", "instanceInitiatedShutdownBehavior",
                            "InstanceInitiatedShutdownBehavior.Value"),
    ),
    fields=(
        FieldSpec("ami", query="ImageId"),
        FieldSpec("instance_type", query="InstanceType"),
        FieldSpec("availability_zone", query="Placement.AvailabilityZone"),
        FieldSpec("tenancy", query="Placement.Tenancy"),
        FieldSpec("placement_group", query="Placement.GroupName"),
        FieldSpec("subnet_id", query="SubnetId"),
        FieldSpec("vpc_security_group_ids", extract=_group_ids, normalise=(n.as_set,)),
        FieldSpec("security_groups", extract=_group_names, normalise=(n.as_set,)),
        FieldSpec("key_name", query="KeyName"),
        FieldSpec("iam_instance_profile", extract=_instance_profile_name),
        FieldSpec("monitoring", extract=_monitoring, normalise=(n.to_bool,)),
        attr_bool("ebs_optimized", "EbsOptimized", default=False),
        attr_bool("source_dest_check", "SourceDestCheck", default=True),
        FieldSpec("metadata_options.0.http_endpoint",
                  extract=present("MetadataOptions.HttpEndpoint")),
        FieldSpec("metadata_options.0.http_tokens",
                  extract=present("MetadataOptions.HttpTokens")),
        FieldSpec("metadata_options.0.http_put_response_hop_limit",
                  extract=present("MetadataOptions.HttpPutResponseHopLimit"),
                  normalise=(n.to_int,)),
        FieldSpec("metadata_options.0.http_protocol_ipv6",
                  extract=present("MetadataOptions.HttpProtocolIpv6")),
        FieldSpec("metadata_options.0.instance_metadata_tags",
                  extract=present("MetadataOptions.InstanceMetadataTags")),
        FieldSpec("root_block_device.0.volume_size", extract=_root_volume("Size"),
                  normalise=(n.to_int,)),
        FieldSpec("root_block_device.0.volume_type", extract=_root_volume("VolumeType")),
        FieldSpec("root_block_device.0.iops", extract=_root_volume("Iops", 0),
                  normalise=(n.to_int,)),
        FieldSpec("root_block_device.0.throughput", extract=_root_volume("Throughput", 0),
                  normalise=(n.to_int,)),
        FieldSpec("root_block_device.0.encrypted", extract=_root_volume("Encrypted", False),
                  normalise=(n.to_bool,)),
        FieldSpec("root_block_device.0.kms_key_id", extract=_root_volume("KmsKeyId")),
        FieldSpec("root_block_device.0.delete_on_termination",
                  extract=_root_volume("DeleteOnTermination"), normalise=(n.to_bool,)),
        FieldSpec("user_data", extract=lambda item: _user_data_digest(item.get("user_data")),
                  from_state=_state_user_data, detail="user_data"),
        attr_bool("disable_api_termination", "api_termination", detail="api_termination",
                  default=False),
        attr_bool("disable_api_stop", "api_stop", detail="api_stop", default=False),
        FieldSpec("instance_initiated_shutdown_behavior", query="shutdown_behavior",
                  detail="shutdown_behavior"),
        tags(),
    ),
)

# -- aws_ebs_volume --------------------------------------------------------------------------


def _volumes(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    volumes = [dict(volume) for volume in volume_listing(ctx, region)]
    if not any("DeleteOnTermination" not in attachment
               for volume in volumes for attachment in volume.get("Attachments") or ()):
        return volumes
    # Some endpoints (moto among them) leave DeleteOnTermination out of the attachment; the
    # instance's block device mapping always carries it.
    flags: dict[tuple[str, str], Any] = {}
    for instance in instance_listing(ctx, region):
        for mapping in instance.get("BlockDeviceMappings") or ():
            ebs = mapping.get("Ebs") or {}
            if ebs.get("VolumeId"):
                flags[(instance["InstanceId"], ebs["VolumeId"])] = ebs.get("DeleteOnTermination")
    for volume in volumes:
        volume["Attachments"] = [
            attachment if "DeleteOnTermination" in attachment else {
                **attachment,
                "DeleteOnTermination": flags.get(
                    (attachment.get("InstanceId", ""), attachment.get("VolumeId", ""))),
            }
            for attachment in volume.get("Attachments") or ()
        ]
    return volumes


def _launched_with_instance(item: Mapping[str, Any]) -> bool:
    """A volume deleted with its instance came from the launch: it is part of that instance."""
    return any(attachment.get("DeleteOnTermination") is True
               for attachment in item.get("Attachments") or ())


EBS_VOLUME = AwsSpec(
    type="aws_ebs_volume",
    calls=("ec2:DescribeVolumes", "ec2:DescribeInstances"),
    service="ec2",
    enumerate=_volumes,
    id_query="VolumeId",
    is_default=_launched_with_instance,
    fields=(
        FieldSpec("availability_zone", query="AvailabilityZone"),
        attr_int("size", "Size"),
        FieldSpec("type", query="VolumeType"),
        FieldSpec("iops", query="Iops", normalise=(n.to_int,), default=0),
        FieldSpec("throughput", query="Throughput", normalise=(n.to_int,), default=0),
        attr_bool("encrypted", "Encrypted", default=False),
        FieldSpec("kms_key_id", query="KmsKeyId"),
        FieldSpec("snapshot_id", query="SnapshotId"),
        attr_bool("multi_attach_enabled", "MultiAttachEnabled", default=False),
        FieldSpec("outpost_arn", query="OutpostArn"),
        tags(),
    ),
)

# -- aws_eip ---------------------------------------------------------------------------------

EIP = AwsSpec(
    type="aws_eip",
    service="ec2",
    # shared with aws_eip_association (types/network_interfaces.py)
    enumerate=lambda ctx, region, managed: copies(
        shared_listing(ctx, region, "describe_addresses", "Addresses")),
    calls=("ec2:DescribeAddresses",),
    id_query="AllocationId",
    fields=(
        FieldSpec("domain", query="Domain"),
        FieldSpec("instance", query="InstanceId"),
        FieldSpec("network_interface", query="NetworkInterfaceId"),
        FieldSpec("public_ipv4_pool", query="PublicIpv4Pool"),
        FieldSpec("customer_owned_ipv4_pool", query="CustomerOwnedIpv4Pool"),
        FieldSpec("network_border_group", query="NetworkBorderGroup"),
        tags(),
    ),
)

SPECS: tuple[AwsSpec, ...] = (INSTANCE, EBS_VOLUME, EIP)
