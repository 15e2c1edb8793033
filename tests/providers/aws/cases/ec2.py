"""EC2 and VPC cases.

Each ``create`` makes the calls the Terraform provider (5.100) makes for a small configuration
and returns what it records in state, as seen by applying the same configuration with real
terraform against moto. Values the provider computes (ids, ARNs) come from the responses;
the declared arguments are written out, so the in-sync test checks how the spec reads them.
"""

from __future__ import annotations

import base64
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"
REGION = "us-east-1"
ZONE = "us-east-1a"
# an AMI moto ships in every region
AMI = "ami-1e749f67"
USER_DATA = "#!/bin/sh\necho hello\n"
# sha1 of USER_DATA: the provider keeps only this digest in state
USER_DATA_SHA1 = "9db6f074fca0a903137b91c7c866b21d4e7205a7"


# what the provider writes into state for a subnet's settings nobody set
SUBNET_DEFAULTS: Attrs = {
    "assign_ipv6_address_on_creation": False,
    "customer_owned_ipv4_pool": "",
    "enable_dns64": False,
    "enable_lni_at_device_index": 0,
    "enable_resource_name_dns_a_record_on_launch": False,
    "enable_resource_name_dns_aaaa_record_on_launch": False,
    "ipv6_cidr_block": "",
    "ipv6_cidr_block_association_id": "",
    "ipv6_native": False,
    "map_customer_owned_ip_on_launch": False,
    "outpost_arn": "",
    "private_dns_hostname_type_on_launch": "ip-name",
}


def _tagged(resource_type: str, **tags: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type,
             "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def _arn(kind: str, resource_id: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:{kind}/{resource_id}"


def _vpc(ec2: Any, cidr: str = "10.10.0.0/16") -> str:
    return str(ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"])


def _default_vpc(ec2: Any) -> str:
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    return str(vpcs[0]["VpcId"])


# -- aws_vpc ---------------------------------------------------------------------------------


def _vpc_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc = ec2.create_vpc(
        CidrBlock="10.10.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "env", "Value": "prod"}]}],
    )["Vpc"]
    ec2.modify_vpc_attribute(VpcId=vpc["VpcId"], EnableDnsHostnames={"Value": True})
    return {
        "id": vpc["VpcId"],
        "arn": f"arn:aws:ec2:us-east-1:123456789012:vpc/{vpc['VpcId']}",
        "cidr_block": "10.10.0.0/16",
        "instance_tenancy": "default",
        "enable_dns_support": True,
        "enable_dns_hostnames": True,
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
    }


def _vpc_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    ec2.modify_vpc_attribute(VpcId=attrs["id"], EnableDnsHostnames={"Value": False})
    ec2.create_tags(Resources=[attrs["id"]], Tags=[{"Key": "env", "Value": "dev"}])


def _vpc_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_vpc(VpcId=attrs["id"])


# -- aws_subnet ------------------------------------------------------------------------------


def _subnet_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = _vpc(ec2, "10.20.0.0/16")
    subnet = ec2.create_subnet(
        VpcId=vpc_id, CidrBlock="10.20.1.0/24", AvailabilityZone=ZONE,
        TagSpecifications=_tagged("subnet", env="prod"),
    )["Subnet"]
    return {
        "id": subnet["SubnetId"],
        "arn": _arn("subnet", subnet["SubnetId"]),
        "owner_id": ACCOUNT,
        "vpc_id": vpc_id,
        "cidr_block": "10.20.1.0/24",
        "availability_zone": ZONE,
        "availability_zone_id": subnet["AvailabilityZoneId"],
        **SUBNET_DEFAULTS,
        "map_public_ip_on_launch": False,
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
        "timeouts": None,
    }


def _subnet_change(clients: Any, attrs: Attrs) -> None:
    clients("ec2").modify_subnet_attribute(
        SubnetId=attrs["id"], MapPublicIpOnLaunch={"Value": True}
    )


def _subnet_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_subnet(SubnetId=attrs["id"])


# -- aws_security_group ----------------------------------------------------------------------


def _rule(**values: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "cidr_blocks": [], "ipv6_cidr_blocks": [], "prefix_list_ids": [],
        "security_groups": [], "self": False, "description": "",
    }
    rule.update(values)
    return rule


def _security_group_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = _vpc(ec2, "10.30.0.0/16")
    default_sg = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                 {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    group_id = ec2.create_security_group(
        GroupName="web", Description="web servers", VpcId=vpc_id,
        TagSpecifications=_tagged("security-group", env="prod"),
    )["GroupId"]
    # the provider removes AWS's allow-all egress, then grants what the configuration says
    ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "https"},
                      {"CidrIp": "192.168.0.0/16", "Description": "https"}]},
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": "172.16.0.0/12", "Description": "https"}]},
        # configured as protocol = "6" with self = true
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "10.1.0.0/16"}],
         "UserIdGroupPairs": [{"GroupId": group_id}]},
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
         "UserIdGroupPairs": [{"GroupId": default_sg, "Description": "db"}]},
    ])
    ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    # state keeps the user's grouping, not AWS's (the provider's matchRules)
    return {
        "id": group_id,
        "arn": _arn("security-group", group_id),
        "owner_id": ACCOUNT,
        "name": "web",
        "name_prefix": "",
        "description": "web servers",
        "vpc_id": vpc_id,
        "revoke_rules_on_delete": False,
        "ingress": [
            _rule(cidr_blocks=["10.0.0.0/8", "192.168.0.0/16"], description="https",
                  from_port=443, to_port=443, protocol="tcp"),
            _rule(cidr_blocks=["10.1.0.0/16"], self=True, from_port=22, to_port=22,
                  protocol="tcp"),
            _rule(cidr_blocks=["172.16.0.0/12"], description="https", from_port=443,
                  to_port=443, protocol="tcp"),
            _rule(security_groups=[default_sg], description="db", from_port=5432,
                  to_port=5432, protocol="tcp"),
        ],
        "egress": [
            _rule(cidr_blocks=["0.0.0.0/0"], from_port=0, to_port=0, protocol="-1"),
        ],
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
        "timeouts": None,
    }


def _security_group_change(clients: Any, attrs: Attrs) -> None:
    clients("ec2").authorize_security_group_ingress(GroupId=attrs["id"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])


def _security_group_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_security_group(GroupId=attrs["id"])


# -- aws_instance ----------------------------------------------------------------------------


def _root_volume(ec2: Any, instance_id: str) -> str:
    instance = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return str(instance["BlockDeviceMappings"][0]["Ebs"]["VolumeId"])


def _instance_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = _vpc(ec2, "10.40.0.0/16")
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.40.1.0/24",
                                  AvailabilityZone=ZONE)["Subnet"]["SubnetId"]
    group_id = ec2.create_security_group(GroupName="app", Description="app",
                                         VpcId=vpc_id)["GroupId"]
    instance = ec2.run_instances(
        ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
        SubnetId=subnet_id, SecurityGroupIds=[group_id],
        UserData=USER_DATA,  # boto3 base64-encodes it, as the provider does
        Monitoring={"Enabled": False}, DisableApiTermination=False, EbsOptimized=False,
        CreditSpecification={"CpuCredits": "unlimited"},
        Placement={"AvailabilityZone": ZONE},
        TagSpecifications=_tagged("instance", env="prod"),
    )["Instances"][0]
    instance_id = instance["InstanceId"]
    return {
        "id": instance_id,
        "arn": _arn("instance", instance_id),
        "ami": AMI,
        "instance_type": "t3.micro",
        "availability_zone": ZONE,
        "tenancy": "default",
        "placement_group": "",
        "subnet_id": subnet_id,
        "vpc_security_group_ids": [group_id],
        "security_groups": [],
        "key_name": "",
        "iam_instance_profile": "",
        "monitoring": False,
        "ebs_optimized": False,
        "source_dest_check": True,
        "metadata_options": [{
            "http_endpoint": "enabled", "http_protocol_ipv6": "disabled",
            "http_put_response_hop_limit": 1, "http_tokens": "optional",
            "instance_metadata_tags": "disabled",
        }],
        "root_block_device": [{
            "delete_on_termination": True, "device_name": "/dev/sda1", "encrypted": False,
            "iops": 0, "kms_key_id": "", "tags": {}, "tags_all": {}, "throughput": 0,
            "volume_id": _root_volume(ec2, instance_id), "volume_size": 8,
            "volume_type": "gp2",
        }],
        "user_data": USER_DATA_SHA1,
        "user_data_base64": None,
        "user_data_replace_on_change": False,
        "disable_api_termination": False,
        "disable_api_stop": False,
        "instance_initiated_shutdown_behavior": "stop",
        "hibernation": False,
        "instance_state": "running",
        "private_ip": instance["PrivateIpAddress"],
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
        "timeouts": None,
    }


def _instance_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    # the instance type can only change while the instance is stopped
    ec2.stop_instances(InstanceIds=[attrs["id"]])
    ec2.modify_instance_attribute(InstanceId=attrs["id"], InstanceType={"Value": "t3.small"})
    ec2.modify_instance_attribute(InstanceId=attrs["id"],
                                  DisableApiTermination={"Value": True})
    ec2.create_tags(Resources=[attrs["id"]], Tags=[{"Key": "env", "Value": "dev"}])


def _classic_instance_create(clients: Any) -> Attrs:
    """An instance in the default VPC, declared by group name and with user_data_base64."""
    ec2 = clients("ec2")
    instance = ec2.run_instances(
        ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
        SecurityGroups=["default"],
        UserData=USER_DATA.encode(),  # the provider sends user_data_base64 as is
        Monitoring={"Enabled": True},
        TagSpecifications=_tagged("instance", env="prod"),
    )["Instances"][0]
    instance_id = instance["InstanceId"]
    default_group = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [instance["VpcId"]]},
                 {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    return {
        "id": instance_id,
        "arn": _arn("instance", instance_id),
        "ami": AMI,
        "instance_type": "t3.micro",
        "availability_zone": instance["Placement"]["AvailabilityZone"],
        "tenancy": "default",
        "placement_group": "",
        "subnet_id": instance["SubnetId"],
        # in a default subnet the provider records the groups both ways
        "vpc_security_group_ids": [default_group],
        "security_groups": ["default"],
        "key_name": "",
        "iam_instance_profile": "",
        "monitoring": True,
        "ebs_optimized": False,
        "source_dest_check": True,
        "metadata_options": [{
            "http_endpoint": "enabled", "http_protocol_ipv6": "disabled",
            "http_put_response_hop_limit": 1, "http_tokens": "optional",
            "instance_metadata_tags": "disabled",
        }],
        "root_block_device": [{
            "delete_on_termination": True, "device_name": "/dev/sda1", "encrypted": False,
            "iops": 0, "kms_key_id": "", "tags": {}, "tags_all": {}, "throughput": 0,
            "volume_id": _root_volume(ec2, instance_id), "volume_size": 8,
            "volume_type": "gp2",
        }],
        "user_data": None,
        "user_data_base64": base64.b64encode(USER_DATA.encode()).decode(),
        "disable_api_termination": False,
        "disable_api_stop": False,
        "instance_initiated_shutdown_behavior": "stop",
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
        "timeouts": None,
    }


def _classic_instance_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    vpc_id = ec2.describe_instances(
        InstanceIds=[attrs["id"]])["Reservations"][0]["Instances"][0]["VpcId"]
    other = ec2.create_security_group(GroupName="ops", Description="ops", VpcId=vpc_id)
    ec2.stop_instances(InstanceIds=[attrs["id"]])
    # the attribute blob is itself base64 text, which botocore encodes once more on the wire
    ec2.modify_instance_attribute(
        InstanceId=attrs["id"], UserData={"Value": base64.b64encode(b"#!/bin/sh\nexit 1\n")}
    )
    ec2.modify_instance_attribute(InstanceId=attrs["id"], Groups=[other["GroupId"]])


def _instance_delete(clients: Any, attrs: Attrs) -> None:
    # terminated instances stay listed for a while: the spec must treat them as gone
    clients("ec2").terminate_instances(InstanceIds=[attrs["id"]])


# -- aws_ebs_volume --------------------------------------------------------------------------


def _volume_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    # an instance's own root volume (deleted with it) must not count as an unmanaged volume
    ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1)
    volume = ec2.create_volume(
        AvailabilityZone=ZONE, Size=8, VolumeType="gp3",
        TagSpecifications=_tagged("volume", env="prod"),
    )
    return {
        "id": volume["VolumeId"],
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:volume/{volume['VolumeId']}",
        "availability_zone": ZONE,
        "size": 8,
        "type": "gp3",
        # moto reports gp3's baseline IOPS but no throughput; the provider records both as read
        "iops": 3000,
        "throughput": 0,
        "encrypted": False,
        "kms_key_id": "",
        "snapshot_id": "",
        "multi_attach_enabled": False,
        "outpost_arn": "",
        "final_snapshot": False,
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
        "timeouts": None,
    }


def _volume_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    ec2.modify_volume(VolumeId=attrs["id"], Size=16)
    ec2.create_tags(Resources=[attrs["id"]], Tags=[{"Key": "env", "Value": "dev"}])


def _volume_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_volume(VolumeId=attrs["id"])


# -- aws_eip ---------------------------------------------------------------------------------


def _eip_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    address = ec2.allocate_address(
        Domain="vpc", TagSpecifications=_tagged("elastic-ip", env="prod")
    )
    allocation_id = address["AllocationId"]
    return {
        "id": allocation_id,
        "allocation_id": allocation_id,
        "arn": _arn("elastic-ip", allocation_id),
        "domain": "vpc",
        "vpc": True,
        "address": None,
        "associate_with_private_ip": None,
        "association_id": "",
        "instance": "",
        "network_interface": "",
        "customer_owned_ipv4_pool": "",
        "network_border_group": "",
        "public_ipv4_pool": "",
        "public_ip": address["PublicIp"],
        "private_ip": "",
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
        "timeouts": None,
    }


def _eip_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    subnet_id = ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [_default_vpc(ec2)]}]
    )["Subnets"][0]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    ec2.associate_address(AllocationId=attrs["id"],
                          NetworkInterfaceId=eni["NetworkInterfaceId"])
    ec2.create_tags(Resources=[attrs["id"]], Tags=[{"Key": "env", "Value": "dev"}])


def _eip_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").release_address(AllocationId=attrs["id"])


# -- aws_internet_gateway --------------------------------------------------------------------


def _ensure_default_vpc_gateway(ec2: Any) -> None:
    """Real accounts have an internet gateway on each default VPC; moto does not create it."""
    default_vpc = _default_vpc(ec2)
    attached = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [default_vpc]}]
    )["InternetGateways"]
    if not attached:
        gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=default_vpc)


def _igw_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    _ensure_default_vpc_gateway(ec2)
    vpc_id = _vpc(ec2, "10.50.0.0/16")
    gateway_id = ec2.create_internet_gateway(
        TagSpecifications=_tagged("internet-gateway", env="prod")
    )["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    return {
        "id": gateway_id,
        "arn": _arn("internet-gateway", gateway_id),
        "owner_id": ACCOUNT,
        "vpc_id": vpc_id,
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
        "timeouts": None,
    }


def _igw_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    ec2.detach_internet_gateway(InternetGatewayId=attrs["id"], VpcId=attrs["vpc_id"])
    ec2.create_tags(Resources=[attrs["id"]], Tags=[{"Key": "env", "Value": "dev"}])


def _igw_delete(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    ec2.detach_internet_gateway(InternetGatewayId=attrs["id"], VpcId=attrs["vpc_id"])
    ec2.delete_internet_gateway(InternetGatewayId=attrs["id"])


# -- aws_route_table -------------------------------------------------------------------------


def _route(**values: str) -> dict[str, str]:
    route = dict.fromkeys((
        "carrier_gateway_id", "cidr_block", "core_network_arn", "destination_prefix_list_id",
        "egress_only_gateway_id", "gateway_id", "ipv6_cidr_block", "local_gateway_id",
        "nat_gateway_id", "network_interface_id", "transit_gateway_id", "vpc_endpoint_id",
        "vpc_peering_connection_id",
    ), "")
    route.update(values)
    return route


def _route_table_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = _vpc(ec2, "10.60.0.0/16")
    gateway_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    table_id = ec2.create_route_table(
        VpcId=vpc_id, TagSpecifications=_tagged("route-table", env="prod")
    )["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0",
                     GatewayId=gateway_id)
    return {
        "id": table_id,
        "arn": _arn("route-table", table_id),
        "owner_id": ACCOUNT,
        "vpc_id": vpc_id,
        "propagating_vgws": [],
        "route": [_route(cidr_block="0.0.0.0/0", gateway_id=gateway_id)],
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
        "timeouts": None,
    }


def _route_table_change(clients: Any, attrs: Attrs) -> None:
    gateway_id = attrs["route"][0]["gateway_id"]
    clients("ec2").create_route(RouteTableId=attrs["id"], DestinationCidrBlock="192.168.0.0/16",
                                GatewayId=gateway_id)


def _route_table_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_route_table(RouteTableId=attrs["id"])


CASES = [
    AwsCase(
        type="aws_vpc",
        create=_vpc_create,
        change=_vpc_change,
        changed_paths=frozenset({"enable_dns_hostnames", "tags.env"}),
        delete=_vpc_delete,
    ),
    AwsCase(
        type="aws_subnet",
        create=_subnet_create,
        change=_subnet_change,
        changed_paths=frozenset({"map_public_ip_on_launch"}),
        delete=_subnet_delete,
    ),
    AwsCase(
        type="aws_security_group",
        create=_security_group_create,
        change=_security_group_change,
        changed_paths=frozenset({"ingress"}),
        delete=_security_group_delete,
    ),
    AwsCase(
        type="aws_instance",
        create=_instance_create,
        change=_instance_change,
        changed_paths=frozenset({"instance_type", "disable_api_termination", "tags.env"}),
        delete=_instance_delete,
    ),
    AwsCase(
        type="aws_instance",
        name="aws_instance-default-vpc",
        create=_classic_instance_create,
        change=_classic_instance_change,
        changed_paths=frozenset({"user_data", "vpc_security_group_ids", "security_groups"}),
        delete=_instance_delete,
    ),
    AwsCase(
        type="aws_ebs_volume",
        create=_volume_create,
        change=_volume_change,
        changed_paths=frozenset({"size", "tags.env"}),
        delete=_volume_delete,
    ),
    AwsCase(
        type="aws_eip",
        create=_eip_create,
        change=_eip_change,
        changed_paths=frozenset({"network_interface", "tags.env"}),
        delete=_eip_delete,
    ),
    AwsCase(
        type="aws_internet_gateway",
        create=_igw_create,
        change=_igw_change,
        changed_paths=frozenset({"vpc_id", "tags.env"}),
        delete=_igw_delete,
    ),
    AwsCase(
        type="aws_route_table",
        create=_route_table_create,
        change=_route_table_change,
        changed_paths=frozenset({"route"}),
        delete=_route_table_delete,
    ),
]
