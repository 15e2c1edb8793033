"""EC2 launch templates, key pairs and volume attachments.

Launch templates: one ``DescribeLaunchTemplates`` listing; their arguments live in the latest
version (what the provider reads back), all of which one paged ``DescribeLaunchTemplateVersions``
for ``$Latest`` gives, made only when a template is managed. Volume attachments come from the
volume listing the EBS types already make (``ec2_common.volume_listing``): no call of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jmespath
from botocore.exceptions import BotoCoreError, ClientError

from cloudrift.sdk import UNKNOWN, Extractor, FieldSpec, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import attr_int, tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Call, Item
from cloudrift_aws.types.ec2_common import instance_listing, volume_listing

# -- aws_launch_template ---------------------------------------------------------------------

_LATEST = "cloudrift:LatestVersion"


def _templates(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    templates = [dict(t) for t in ctx.paginate("ec2", region, "describe_launch_templates",
                                               "LaunchTemplates")]
    if not managed or not templates:
        return templates
    # without a template id, $Latest means "the latest version of every template"
    latest = {
        v["LaunchTemplateId"]: v
        for v in ctx.paginate("ec2", region, "describe_launch_template_versions",
                              "LaunchTemplateVersions", Versions=["$Latest"])
    }
    for template in templates:
        # a template made between the two calls has no version yet: its arguments are unknown
        template[_LATEST] = latest.get(template["LaunchTemplateId"])
    return templates


def _data(query: str) -> Extractor:
    """A field of the latest version; unknown when that version was not seen."""
    compiled = jmespath.compile(query)

    def extract(payload: Mapping[str, Any]) -> Any:
        version = payload.get(_LATEST)
        if version is None:
            return UNKNOWN
        return compiled.search(version)

    return extract


def _flag(value: Any) -> Any:
    """The provider's nullable booleans ("true", "false", "") and the API's booleans alike."""
    flag = n.to_bool(value)
    return flag if isinstance(flag, bool) else None


def _pruned(value: Any) -> Any:
    """A block with its empty and zero entries dropped: the provider records 0 and "" for what
    the API leaves out."""
    if isinstance(value, Mapping):
        kept = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if not n.is_empty(v) and v != 0}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def _cloud_block_devices(payload: Mapping[str, Any]) -> Any:
    version = payload.get(_LATEST)
    if version is None:
        return UNKNOWN
    devices = []
    for mapping in (version.get("LaunchTemplateData") or {}).get("BlockDeviceMappings") or ():
        ebs = mapping.get("Ebs")
        devices.append({
            "device_name": mapping.get("DeviceName"),
            "no_device": mapping.get("NoDevice"),
            "virtual_name": mapping.get("VirtualName"),
            "ebs": None if ebs is None else {
                "delete_on_termination": _flag(ebs.get("DeleteOnTermination")),
                "encrypted": _flag(ebs.get("Encrypted")),
                "iops": ebs.get("Iops"),
                "kms_key_id": ebs.get("KmsKeyId"),
                "snapshot_id": ebs.get("SnapshotId"),
                "throughput": ebs.get("Throughput"),
                "volume_size": ebs.get("VolumeSize"),
                "volume_type": ebs.get("VolumeType"),
            },
        })
    return devices


def _state_block_devices(attributes: Mapping[str, Any]) -> Any:
    devices = []
    for mapping in attributes.get("block_device_mappings") or ():
        ebs = (mapping.get("ebs") or [None])[0]
        devices.append({
            "device_name": mapping.get("device_name"),
            "no_device": mapping.get("no_device"),
            "virtual_name": mapping.get("virtual_name"),
            "ebs": None if ebs is None else {
                **{k: ebs.get(k) for k in ("iops", "kms_key_id", "snapshot_id", "throughput",
                                           "volume_size", "volume_type")},
                "delete_on_termination": _flag(ebs.get("delete_on_termination")),
                "encrypted": _flag(ebs.get("encrypted")),
            },
        })
    return devices


_INTERFACE_KEYS = (
    ("device_index", "DeviceIndex"), ("network_card_index", "NetworkCardIndex"),
    ("network_interface_id", "NetworkInterfaceId"), ("subnet_id", "SubnetId"),
    ("description", "Description"), ("private_ip_address", "PrivateIpAddress"),
    ("interface_type", "InterfaceType"),
)


def _cloud_interfaces(payload: Mapping[str, Any]) -> Any:
    version = payload.get(_LATEST)
    if version is None:
        return UNKNOWN
    return [
        {
            **{key: interface.get(field) for key, field in _INTERFACE_KEYS},
            "security_groups": sorted(interface.get("Groups") or ()),
            "associate_public_ip_address": _flag(interface.get("AssociatePublicIpAddress")),
            "delete_on_termination": _flag(interface.get("DeleteOnTermination")),
        }
        for interface in (version.get("LaunchTemplateData") or {}).get("NetworkInterfaces") or ()
    ]


def _state_interfaces(attributes: Mapping[str, Any]) -> Any:
    return [
        {
            **{key: interface.get(key) for key, _ in _INTERFACE_KEYS},
            "security_groups": sorted(interface.get("security_groups") or ()),
            "associate_public_ip_address": _flag(interface.get("associate_public_ip_address")),
            "delete_on_termination": _flag(interface.get("delete_on_termination")),
        }
        for interface in attributes.get("network_interfaces") or ()
    ]


def _cloud_tag_specifications(payload: Mapping[str, Any]) -> Any:
    version = payload.get(_LATEST)
    if version is None:
        return UNKNOWN
    return [
        {"resource_type": spec.get("ResourceType"), "tags": n.tags(spec.get("Tags") or [])}
        for spec in (version.get("LaunchTemplateData") or {}).get("TagSpecifications") or ()
    ]


def _state_tag_specifications(attributes: Mapping[str, Any]) -> Any:
    return [
        {"resource_type": spec.get("resource_type"), "tags": n.tags(spec.get("tags") or {})}
        for spec in attributes.get("tag_specifications") or ()
    ]


def _latest(path: str, query: str, *normalise: n.Normaliser, default: Any = None) -> FieldSpec:
    extract = _data(f"LaunchTemplateData.{query}")
    if default is None:
        return FieldSpec(path, extract=extract, normalise=normalise)
    return FieldSpec(path, extract=extract, normalise=normalise, default=default)


_AS_SET = n.as_set
_BLOCKS = n.chain(_pruned, n.as_set)

LAUNCH_TEMPLATE = AwsSpec(
    type="aws_launch_template",
    service="ec2",
    enumerate=_templates,
    calls=("ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"),
    id_query="LaunchTemplateId",
    description="compares the latest version, as the provider reads it; versions of a template "
    "come from one DescribeLaunchTemplateVersions ($Latest) call per region, made only when a "
    "template is managed",
    fields=(
        FieldSpec("description", extract=_data("VersionDescription")),
        attr_int("default_version", "DefaultVersionNumber"),
        _latest("image_id", "ImageId"),
        _latest("instance_type", "InstanceType"),
        _latest("key_name", "KeyName"),
        _latest("user_data", "UserData"),
        _latest("vpc_security_group_ids", "SecurityGroupIds", _AS_SET),
        _latest("security_group_names", "SecurityGroups", _AS_SET),
        _latest("ebs_optimized", "EbsOptimized", _flag),
        _latest("disable_api_termination", "DisableApiTermination", _flag, default=False),
        _latest("disable_api_stop", "DisableApiStop", _flag, default=False),
        _latest("instance_initiated_shutdown_behavior", "InstanceInitiatedShutdownBehavior"),
        _latest("kernel_id", "KernelId"),
        _latest("ram_disk_id", "RamDiskId"),
        _latest("iam_instance_profile.0.name", "IamInstanceProfile.Name"),
        _latest("iam_instance_profile.0.arn", "IamInstanceProfile.Arn"),
        _latest("monitoring.0.enabled", "Monitoring.Enabled", _flag),
        _latest("metadata_options.0.http_endpoint", "MetadataOptions.HttpEndpoint"),
        _latest("metadata_options.0.http_tokens", "MetadataOptions.HttpTokens"),
        _latest("metadata_options.0.http_put_response_hop_limit",
                "MetadataOptions.HttpPutResponseHopLimit", n.to_int, lambda v: v or None),
        _latest("metadata_options.0.http_protocol_ipv6", "MetadataOptions.HttpProtocolIpv6"),
        _latest("metadata_options.0.instance_metadata_tags",
                "MetadataOptions.InstanceMetadataTags"),
        _latest("credit_specification.0.cpu_credits", "CreditSpecification.CpuCredits"),
        _latest("cpu_options.0.core_count", "CpuOptions.CoreCount", n.to_int),
        _latest("cpu_options.0.threads_per_core", "CpuOptions.ThreadsPerCore", n.to_int),
        _latest("placement.0.availability_zone", "Placement.AvailabilityZone"),
        _latest("placement.0.group_name", "Placement.GroupName"),
        _latest("placement.0.tenancy", "Placement.Tenancy"),
        _latest("enclave_options.0.enabled", "EnclaveOptions.Enabled", _flag),
        _latest("hibernation_options.0.configured", "HibernationOptions.Configured", _flag),
        _latest("maintenance_options.0.auto_recovery", "MaintenanceOptions.AutoRecovery"),
        _latest("instance_market_options.0.market_type", "InstanceMarketOptions.MarketType"),
        _latest("capacity_reservation_specification.0.capacity_reservation_preference",
                "CapacityReservationSpecification.CapacityReservationPreference"),
        FieldSpec("block_device_mappings", extract=_cloud_block_devices,
                  from_state=_state_block_devices, normalise=(_BLOCKS,)),
        FieldSpec("network_interfaces", extract=_cloud_interfaces,
                  from_state=_state_interfaces, normalise=(_BLOCKS,)),
        FieldSpec("tag_specifications", extract=_cloud_tag_specifications,
                  from_state=_state_tag_specifications, normalise=(_BLOCKS,)),
        tags(),
    ),
    not_compared={
        "name": "the template's identity: another name is another template",
        "name_prefix": "Terraform-only: how the name was generated",
        "update_default_version": "Terraform-only: how an update moves the default version",
        "instance_requirements": "attribute-based instance selection: a deep block of ranges, "
        "not compared",
        "license_specification": "not compared: License Manager configurations",
        "elastic_gpu_specifications": "retired EC2 feature",
        "elastic_inference_accelerator": "retired EC2 feature",
        "instance_market_options.0.spot_options": "not compared: spot request details",
        "capacity_reservation_specification.0.capacity_reservation_target":
            "not compared: a reservation or resource group target",
        "private_dns_name_options": "not compared",
        "placement.0.affinity": "dedicated-host placement details, not compared",
        "placement.0.host_id": "dedicated-host placement details, not compared",
        "placement.0.host_resource_group_arn": "dedicated-host placement details, not compared",
        "placement.0.partition_number": "dedicated-host placement details, not compared",
        "placement.0.spread_domain": "dedicated-host placement details, not compared",
        "cpu_options.0.amd_sev_snp": "not compared",
    },
)

# -- aws_key_pair ----------------------------------------------------------------------------


def _key_material(value: Any) -> Any:
    """An OpenSSH public key without its comment: AWS may keep or drop it."""
    if not isinstance(value, str):
        return value
    parts = value.split()
    return " ".join(parts[:2]) if len(parts) >= 2 else value.strip()


KEY_PAIR = AwsSpec(
    type="aws_key_pair",
    service="ec2",
    list=Call("describe_key_pairs", "KeyPairs", {"IncludePublicKey": True}),
    id_query="KeyName",
    description="public_key is compared without its comment; the provider itself never reads "
    "it back, so a key re-imported under the same name is drift only cloudrift reports",
    fields=(
        FieldSpec("public_key", query="PublicKey", normalise=(_key_material,)),
        tags(),
    ),
    not_compared={
        "key_name": "the key pair's identity (its import id)",
        "key_name_prefix": "Terraform-only: how the name was generated",
    },
)

# -- aws_volume_attachment -------------------------------------------------------------------

_LIVE = frozenset({"attaching", "attached"})
_AT_LAUNCH = "cloudrift:AttachedAtLaunch"
_ATTACHMENT_ID = "ImportId"


def _attachments(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    attachments = [
        dict(attachment)
        for volume in volume_listing(ctx, region)
        for attachment in volume.get("Attachments") or ()
        if attachment.get("State") in _LIVE
    ]
    if not attachments:
        return attachments
    # the root volume and the volumes the launch made (deleted with the instance) are parts of
    # the instance (root_block_device, ebs_block_device), not separate attachments
    try:
        instances = instance_listing(ctx, region)
    except (ClientError, BotoCoreError):
        instances = []  # aws_instance reports the failed listing; flags stay unknown
    launched: set[tuple[str, str]] = set()
    for instance in instances:
        root = instance.get("RootDeviceName")
        for mapping in instance.get("BlockDeviceMappings") or ():
            ebs = mapping.get("Ebs") or {}
            if mapping.get("DeviceName") == root or ebs.get("DeleteOnTermination"):
                launched.add((instance.get("InstanceId", ""), ebs.get("VolumeId", "")))
    for attachment in attachments:
        key = (attachment.get("InstanceId", ""), attachment.get("VolumeId", ""))
        attachment[_AT_LAUNCH] = key in launched or attachment.get("DeleteOnTermination") is True
        attachment[_ATTACHMENT_ID] = (f"{attachment.get('Device')}:{attachment.get('VolumeId')}:"
                                  f"{attachment.get('InstanceId')}")
    return attachments


def _attachment_import_id(attributes: Mapping[str, Any]) -> str | None:
    parts = [attributes.get(k) for k in ("device_name", "volume_id", "instance_id")]
    return ":".join(str(p) for p in parts) if all(parts) else None


VOLUME_ATTACHMENT = AwsSpec(
    type="aws_volume_attachment",
    service="ec2",
    enumerate=_attachments,
    calls=("ec2:DescribeVolumes", "ec2:DescribeInstances"),
    id_query=_ATTACHMENT_ID,
    import_id=_attachment_import_id,
    is_default=lambda item: bool(item.get(_AT_LAUNCH)),
    description="from the volume listing the EBS types share; an attachment made by the "
    "instance's launch (its root volume, volumes deleted with it) belongs to aws_instance",
    fields=(),
    not_compared={
        "device_name": "part of the attachment's identity (its import id)",
        "volume_id": "part of the attachment's identity (its import id)",
        "instance_id": "part of the attachment's identity (its import id)",
        "force_detach": "Terraform-only: how the attachment is destroyed",
        "skip_destroy": "Terraform-only: how the attachment is destroyed",
        "stop_instance_before_detaching": "Terraform-only: how the attachment is destroyed",
    },
)

SPECS: tuple[AwsSpec, ...] = (LAUNCH_TEMPLATE, KEY_PAIR, VOLUME_ATTACHMENT)
