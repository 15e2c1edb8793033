"""Network interface and elastic IP association cases."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"
REGION = "us-east-1"
# an AMI moto ships in every region
AMI = "ami-1e749f67"


def _subnet(ec2: Any, cidr: str) -> tuple[str, str]:
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr.replace(".0.0/16", ".1.0/24"),
                                  AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    return str(vpc_id), str(subnet_id)


# -- aws_network_interface -------------------------------------------------------------------


def _eni_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id, subnet_id = _subnet(ec2, "10.130.0.0/16")
    group_id = ec2.create_security_group(GroupName="nic", Description="nic",
                                         VpcId=vpc_id)["GroupId"]
    eni = ec2.create_network_interface(
        SubnetId=subnet_id, Description="appliance", Groups=[group_id],
        PrivateIpAddresses=[{"PrivateIpAddress": "10.130.1.10", "Primary": True},
                            {"PrivateIpAddress": "10.130.1.11", "Primary": False}],
        TagSpecifications=[{"ResourceType": "network-interface",
                            "Tags": [{"Key": "env", "Value": "prod"}]}],
    )["NetworkInterface"]
    eni_id = eni["NetworkInterfaceId"]
    return {
        "id": eni_id,
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:network-interface/{eni_id}",
        "owner_id": ACCOUNT,
        "subnet_id": subnet_id,
        "description": "appliance",
        "interface_type": "interface",
        "mac_address": eni["MacAddress"],
        "outpost_arn": "",
        "private_dns_name": eni.get("PrivateDnsName", ""),
        "security_groups": [group_id],
        "source_dest_check": True,
        "private_ip": "10.130.1.10",
        "private_ips": ["10.130.1.10", "10.130.1.11"],
        "private_ip_list": ["10.130.1.10", "10.130.1.11"],
        "private_ip_list_enabled": False,
        "private_ips_count": 1,
        "ipv6_addresses": [],
        "ipv6_address_count": 0,
        "ipv6_address_list": [],
        "ipv6_address_list_enabled": False,
        "enable_primary_ipv6": False,
        "ipv4_prefixes": [],
        "ipv4_prefix_count": 0,
        "ipv6_prefixes": [],
        "ipv6_prefix_count": 0,
        "attachment": [],
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
    }


def _eni_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    ec2.modify_network_interface_attribute(NetworkInterfaceId=attrs["id"],
                                           SourceDestCheck={"Value": False})
    ec2.modify_network_interface_attribute(NetworkInterfaceId=attrs["id"],
                                           Description={"Value": "changed by hand"})


def _eni_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_network_interface(NetworkInterfaceId=attrs["id"])


# -- aws_eip_association ---------------------------------------------------------------------


def _association_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    _, subnet_id = _subnet(ec2, "10.131.0.0/16")
    instance = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                 SubnetId=subnet_id)["Instances"][0]
    address = ec2.allocate_address(Domain="vpc")
    association_id = ec2.associate_address(AllocationId=address["AllocationId"],
                                           InstanceId=instance["InstanceId"])["AssociationId"]
    return {
        "id": association_id,
        "allocation_id": address["AllocationId"],
        "allow_reassociation": None,
        "instance_id": instance["InstanceId"],
        "network_interface_id": instance["NetworkInterfaces"][0]["NetworkInterfaceId"],
        "private_ip_address": instance["PrivateIpAddress"],
        "public_ip": address["PublicIp"],
    }


def _association_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").disassociate_address(AssociationId=attrs["id"])


CASES = [
    AwsCase(
        type="aws_network_interface",
        create=_eni_create,
        change=_eni_change,
        changed_paths=frozenset({"source_dest_check", "description"}),
        delete=_eni_delete,
    ),
    AwsCase(
        type="aws_eip_association",
        create=_association_create,
        change=lambda clients, attrs: None,
        # every argument is part of the association: another one is another association
        changed_paths=frozenset(),
        delete=_association_delete,
        unmanaged=False,
    ),
]
