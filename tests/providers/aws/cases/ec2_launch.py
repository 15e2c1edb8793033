"""Launch template, key pair and volume attachment cases.

State shapes are what hashicorp/aws 5.100 recorded applying the same configuration against moto.
"""

from __future__ import annotations

import base64
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"
REGION = "us-east-1"
ZONE = "us-east-1a"
AMI = "ami-1e749f67"
PUBLIC_KEY = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQD3F6tyPEFEzV0LX3X8BsXdMsQz1x2cEikKDEY0aIj41qgxMCP/"
    "iteneqXSIFZBp5vizPvaoIR3Um9xK7PGoW8giupGn+EPuxIA4cDM4vzOqOkiMPhz5XK0whEjkVzTo4+S0puvDZuwIsd"
    "iW9mxhJc7tgBNL0cYlWSYVkz4G/fslNfRPW5mYAM49f4fhtxPb5ok4Q2Lg9dPKVHO/Bgeu5woMc7RY0p1ej6D4CKFE"
    "6lymSDJpW0YHX/wqE9+cfEauh7xZcG0q9t2ta6F6fmX0agvpFyZo8aFbXeUBr7osSCJNgvavWbM/06niWrOvYX2xwWd"
    "hXmXSrbX8ZbabVohBK41 email@example.com"
)
OTHER_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGvO3jKxNzcPgZsmXcWfSbwBMRk7m0yzO3h0HT8xVH5Q "
    "other@example.com"
)
USER_DATA = base64.b64encode(b"#!/bin/sh\necho hi\n").decode()


def _tags(resource_type: str, **values: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type,
             "Tags": [{"Key": k, "Value": v} for k, v in values.items()]}]


# -- aws_launch_template ---------------------------------------------------------------------


def _template_data(instance_type: str) -> dict[str, Any]:
    return {
        "ImageId": AMI,
        "InstanceType": instance_type,
        "KeyName": "deployer",
        "UserData": USER_DATA,
        "EbsOptimized": True,
        "BlockDeviceMappings": [{
            "DeviceName": "/dev/xvda",
            "Ebs": {"VolumeSize": 20, "VolumeType": "gp3", "Encrypted": True},
        }],
        "MetadataOptions": {"HttpTokens": "required"},
        "Monitoring": {"Enabled": True},
    }


def _template_create(clients: Any) -> Attrs:
    template = clients("ec2").create_launch_template(
        LaunchTemplateName="web", VersionDescription="web servers",
        LaunchTemplateData=_template_data("t3.micro"),
        TagSpecifications=_tags("launch-template", env="prod"),
    )["LaunchTemplate"]
    template_id = template["LaunchTemplateId"]
    return {
        "id": template_id,
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:launch-template/{template_id}",
        "name": "web", "name_prefix": "",
        "description": "web servers",
        "default_version": 1, "latest_version": 1, "update_default_version": None,
        "image_id": AMI, "instance_type": "t3.micro", "key_name": "deployer",
        "user_data": USER_DATA, "ebs_optimized": "true",
        "vpc_security_group_ids": None, "security_group_names": None,
        "disable_api_stop": False, "disable_api_termination": False,
        "instance_initiated_shutdown_behavior": "", "kernel_id": "", "ram_disk_id": "",
        "block_device_mappings": [{
            "device_name": "/dev/xvda", "no_device": "", "virtual_name": "",
            "ebs": [{"delete_on_termination": "", "encrypted": "true", "iops": 0,
                     "kms_key_id": "", "snapshot_id": "", "throughput": 0,
                     "volume_initialization_rate": 0, "volume_size": 20,
                     "volume_type": "gp3"}],
        }],
        "metadata_options": [{"http_endpoint": "", "http_protocol_ipv6": "",
                              "http_put_response_hop_limit": 0, "http_tokens": "required",
                              "instance_metadata_tags": ""}],
        "monitoring": [{"enabled": True}],
        "network_interfaces": [], "iam_instance_profile": [], "placement": [],
        "capacity_reservation_specification": [], "cpu_options": [],
        "credit_specification": [], "elastic_gpu_specifications": [],
        "elastic_inference_accelerator": [], "enclave_options": [], "hibernation_options": [],
        "instance_market_options": [], "instance_requirements": [], "license_specification": [],
        "maintenance_options": [], "private_dns_name_options": [],
        # moto copies the template's own tag specification into its data; the provider reads
        # back what is there
        "tag_specifications": [{"resource_type": "launch-template", "tags": {"env": "prod"}}],
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"},
    }


def _template_change(clients: Any, attrs: Attrs) -> None:
    # a new version made outside Terraform: the provider reads the latest one
    clients("ec2").create_launch_template_version(
        LaunchTemplateId=attrs["id"], VersionDescription="web servers",
        LaunchTemplateData={**_template_data("t3.large"),
                            "TagSpecifications": _tags("launch-template", env="prod")},
    )


def _template_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_launch_template(LaunchTemplateId=attrs["id"])


# -- aws_key_pair ----------------------------------------------------------------------------


def _key_create(clients: Any) -> Attrs:
    key = clients("ec2").import_key_pair(
        KeyName="deployer", PublicKeyMaterial=PUBLIC_KEY.encode(),
        TagSpecifications=_tags("key-pair", env="prod"),
    )
    return {
        "id": "deployer", "key_name": "deployer", "key_name_prefix": "",
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:key-pair/deployer",
        "fingerprint": key["KeyFingerprint"], "key_pair_id": key["KeyPairId"], "key_type": "rsa",
        "public_key": PUBLIC_KEY,
        "tags": {"env": "prod"}, "tags_all": {"env": "prod"},
    }


def _key_change(clients: Any, attrs: Attrs) -> None:
    # the same name, another key: Terraform never notices, cloudrift must
    ec2 = clients("ec2")
    ec2.delete_key_pair(KeyName=attrs["key_name"])
    ec2.import_key_pair(KeyName=attrs["key_name"], PublicKeyMaterial=OTHER_KEY.encode(),
                        TagSpecifications=_tags("key-pair", env="prod"))


def _key_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_key_pair(KeyName=attrs["key_name"])


# -- aws_volume_attachment -------------------------------------------------------------------


def _attachment_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    # the instance's root volume is attached too: it belongs to aws_instance
    instance_id = ec2.run_instances(
        ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
        Placement={"AvailabilityZone": ZONE},
    )["Instances"][0]["InstanceId"]
    volume_id = ec2.create_volume(AvailabilityZone=ZONE, Size=8)["VolumeId"]
    ec2.attach_volume(Device="/dev/sdh", VolumeId=volume_id, InstanceId=instance_id)
    return {
        "id": "vai-4230560374",
        "device_name": "/dev/sdh", "volume_id": volume_id, "instance_id": instance_id,
        "force_detach": None, "skip_destroy": None, "stop_instance_before_detaching": None,
        "timeouts": None,
    }


def _attachment_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").detach_volume(VolumeId=attrs["volume_id"], InstanceId=attrs["instance_id"],
                                 Device=attrs["device_name"])


def _attachment_id(attrs: Attrs) -> str:
    return f"{attrs['device_name']}:{attrs['volume_id']}:{attrs['instance_id']}"


CASES = [
    AwsCase(
        type="aws_launch_template",
        create=_template_create,
        change=_template_change,
        changed_paths=frozenset({"instance_type"}),
        delete=_template_delete,
    ),
    AwsCase(
        type="aws_key_pair",
        create=_key_create,
        change=_key_change,
        changed_paths=frozenset({"public_key"}),
        delete=_key_delete,
    ),
    AwsCase(
        type="aws_volume_attachment",
        create=_attachment_create,
        change=lambda clients, attrs: None,
        changed_paths=frozenset(),
        delete=_attachment_delete,
        import_id=_attachment_id,
    ),
]
