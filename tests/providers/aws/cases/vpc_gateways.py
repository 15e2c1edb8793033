"""Gateway cases: NAT, egress-only internet, customer and VPN gateways, VPC peering."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _tagged(resource_type: str, **tags: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type,
             "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def _retag(clients: Any, resource_id: str, key: str, value: str) -> None:
    clients("ec2").create_tags(Resources=[resource_id], Tags=[{"Key": key, "Value": value}])


# -- aws_nat_gateway -------------------------------------------------------------------------


def _nat_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.100.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.100.1.0/24")["Subnet"]["SubnetId"]
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation_id,
                                 TagSpecifications=_tagged("natgateway", env="prod"),
                                 )["NatGateway"]
    address = ec2.describe_nat_gateways(
        NatGatewayIds=[nat["NatGatewayId"]])["NatGateways"][0]["NatGatewayAddresses"][0]
    return {
        "id": nat["NatGatewayId"],
        "subnet_id": subnet_id,
        "connectivity_type": "public",
        "allocation_id": allocation_id,
        "association_id": address.get("AssociationId", ""),
        "network_interface_id": address["NetworkInterfaceId"],
        "private_ip": address["PrivateIp"],
        "public_ip": address["PublicIp"],
        "secondary_allocation_ids": [],
        "secondary_private_ip_address_count": 0,
        "secondary_private_ip_addresses": [],
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
        "timeouts": None,
    }


def _nat_delete(clients: Any, attrs: Attrs) -> None:
    # a deleted NAT gateway stays listed as "deleted" for a while
    clients("ec2").delete_nat_gateway(NatGatewayId=attrs["id"])


# -- aws_egress_only_internet_gateway --------------------------------------------------------


def _eigw_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.101.0.0/16")["Vpc"]["VpcId"]
    gateway = ec2.create_egress_only_internet_gateway(
        VpcId=vpc_id, TagSpecifications=_tagged("egress-only-internet-gateway", env="prod"),
    )["EgressOnlyInternetGateway"]
    return {
        "id": gateway["EgressOnlyInternetGatewayId"],
        "vpc_id": vpc_id,
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
    }


def _eigw_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=attrs["id"])


# -- aws_customer_gateway --------------------------------------------------------------------


def _cgw_create(clients: Any) -> Attrs:
    gateway = clients("ec2").create_customer_gateway(
        Type="ipsec.1", PublicIp="198.51.100.7", BgpAsn=65000, DeviceName="edge-1",
        TagSpecifications=_tagged("customer-gateway", env="prod"),
    )["CustomerGateway"]
    gateway_id = gateway["CustomerGatewayId"]
    return {
        "id": gateway_id,
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:customer-gateway/{gateway_id}",
        "type": "ipsec.1",
        "ip_address": "198.51.100.7",
        "bgp_asn": "65000",
        "bgp_asn_extended": "",
        "certificate_arn": "",
        "device_name": "edge-1",
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
    }


def _cgw_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_customer_gateway(CustomerGatewayId=attrs["id"])


# -- aws_vpn_gateway -------------------------------------------------------------------------


def _vgw_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.102.0.0/16")["Vpc"]["VpcId"]
    gateway_id = ec2.create_vpn_gateway(
        Type="ipsec.1", AmazonSideAsn=64512, TagSpecifications=_tagged("vpn-gateway", env="prod"),
    )["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpnGatewayId=gateway_id, VpcId=vpc_id)
    return {
        "id": gateway_id,
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpn-gateway/{gateway_id}",
        "vpc_id": vpc_id,
        "amazon_side_asn": "64512",
        "availability_zone": "",
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
    }


def _vgw_change(clients: Any, attrs: Attrs) -> None:
    clients("ec2").detach_vpn_gateway(VpnGatewayId=attrs["id"], VpcId=attrs["vpc_id"])
    _retag(clients, attrs["id"], "env", "dev")


def _vgw_delete(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    ec2.detach_vpn_gateway(VpnGatewayId=attrs["id"], VpcId=attrs["vpc_id"])
    ec2.delete_vpn_gateway(VpnGatewayId=attrs["id"])


# -- aws_vpc_peering_connection --------------------------------------------------------------


def _pcx_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.103.0.0/16")["Vpc"]["VpcId"]
    peer_id = ec2.create_vpc(CidrBlock="10.104.0.0/16")["Vpc"]["VpcId"]
    connection_id = ec2.create_vpc_peering_connection(
        VpcId=vpc_id, PeerVpcId=peer_id, TagSpecifications=_tagged("vpc-peering-connection",
                                                                   env="prod"),
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    # auto_accept = true: the provider accepts it, same account and region
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=connection_id)
    return {
        "id": connection_id,
        "vpc_id": vpc_id,
        "peer_vpc_id": peer_id,
        "peer_owner_id": ACCOUNT,
        "peer_region": REGION,
        "auto_accept": True,
        "accept_status": "active",
        "accepter": [{"allow_remote_vpc_dns_resolution": False}],
        "requester": [{"allow_remote_vpc_dns_resolution": False}],
        "tags": {"env": "prod"},
        "tags_all": {"env": "prod"},
        "timeouts": None,
    }


def _pcx_change(clients: Any, attrs: Attrs) -> None:
    clients("ec2").modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=attrs["id"],
        RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True})
    _retag(clients, attrs["id"], "env", "dev")


def _pcx_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_vpc_peering_connection(VpcPeeringConnectionId=attrs["id"])


CASES = [
    AwsCase(
        type="aws_nat_gateway",
        create=_nat_create,
        change=lambda clients, attrs: _retag(clients, attrs["id"], "env", "dev"),
        changed_paths=frozenset({"tags.env"}),
        delete=_nat_delete,
    ),
    AwsCase(
        type="aws_egress_only_internet_gateway",
        create=_eigw_create,
        change=lambda clients, attrs: _retag(clients, attrs["id"], "env", "dev"),
        changed_paths=frozenset({"tags.env"}),
        delete=_eigw_delete,
    ),
    AwsCase(
        type="aws_customer_gateway",
        create=_cgw_create,
        change=lambda clients, attrs: _retag(clients, attrs["id"], "env", "dev"),
        changed_paths=frozenset({"tags.env"}),
        delete=_cgw_delete,
    ),
    AwsCase(
        type="aws_vpn_gateway",
        create=_vgw_create,
        change=_vgw_change,
        changed_paths=frozenset({"vpc_id", "tags.env"}),
        delete=_vgw_delete,
    ),
    AwsCase(
        type="aws_vpc_peering_connection",
        create=_pcx_create,
        change=_pcx_change,
        changed_paths=frozenset({"requester.0.allow_remote_vpc_dns_resolution", "tags.env"}),
        delete=_pcx_delete,
    ),
]
