"""DHCP option set cases: a set, and its association with a VPC.

An association is a part of its VPC: one nobody declares is reported only when the VPC is
managed (tests/providers/aws/test_network_parts.py).
"""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _options(ec2: Any, domain: str, **extra: list[str]) -> str:
    configurations = [{"Key": "domain-name", "Values": [domain]},
                      {"Key": "domain-name-servers", "Values": ["10.0.0.2", "AmazonProvidedDNS"]}]
    configurations += [{"Key": key.replace("_", "-"), "Values": values}
                       for key, values in extra.items()]
    return str(ec2.create_dhcp_options(DhcpConfigurations=configurations,
                                       )["DhcpOptions"]["DhcpOptionsId"])


# -- aws_vpc_dhcp_options --------------------------------------------------------------------


def _options_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    options_id = _options(ec2, "corp.example", ntp_servers=["10.0.0.123"],
                          netbios_node_type=["2"])
    ec2.create_tags(Resources=[options_id], Tags=[{"Key": "env", "Value": "prod"}])
    return {
        "id": options_id,
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:dhcp-options/{options_id}",
        "owner_id": ACCOUNT,
        "domain_name": "corp.example",
        "domain_name_servers": ["10.0.0.2", "AmazonProvidedDNS"],
        "ntp_servers": ["10.0.0.123"],
        "netbios_name_servers": [],
        "netbios_node_type": "2",
        "ipv6_address_preferred_lease_time": "",
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
    }


def _options_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_dhcp_options(DhcpOptionsId=attrs["id"])


# -- aws_vpc_dhcp_options_association --------------------------------------------------------


def _association_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.120.0.0/16")["Vpc"]["VpcId"]
    options_id = _options(ec2, "corp.example")
    ec2.associate_dhcp_options(DhcpOptionsId=options_id, VpcId=vpc_id)
    return {"id": f"{options_id}-{vpc_id}", "vpc_id": vpc_id, "dhcp_options_id": options_id}


def _association_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    ec2.associate_dhcp_options(DhcpOptionsId=_options(ec2, "other.example"),
                               VpcId=attrs["vpc_id"])


def _association_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_vpc(VpcId=attrs["vpc_id"])


CASES = [
    AwsCase(
        type="aws_vpc_dhcp_options",
        create=_options_create,
        change=lambda clients, attrs: clients("ec2").create_tags(
            Resources=[attrs["id"]], Tags=[{"Key": "env", "Value": "dev"}]),
        changed_paths=frozenset({"tags.env"}),
        delete=_options_delete,
    ),
    AwsCase(
        type="aws_vpc_dhcp_options_association",
        create=_association_create,
        change=_association_change,
        changed_paths=frozenset({"dhcp_options_id"}),
        delete=_association_delete,
        import_id=lambda attrs: str(attrs["vpc_id"]),
        unmanaged=False,
    ),
]
