"""Route cases: routes, route table associations and the adopted main route table.

Routes and associations are parts of their table: one nobody declares is reported only when
its table is managed (tests/providers/aws/test_network_parts.py), so these cases, whose tables
are not in the state, have no unmanaged test of their own.
"""

from __future__ import annotations

from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _vpc_with_gateway(ec2: Any, cidr: str) -> tuple[str, str]:
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    gateway_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    return str(vpc_id), str(gateway_id)


def _main_table(ec2: Any, vpc_id: str) -> str:
    return str(ec2.describe_route_tables(Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]},
    ])["RouteTables"][0]["RouteTableId"])


# -- aws_route -------------------------------------------------------------------------------


def _route_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id, gateway_id = _vpc_with_gateway(ec2, "10.80.0.0/16")
    table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0",
                     GatewayId=gateway_id)
    # only the arguments given are recorded; the others are ""
    return {
        "id": f"r-{table_id}1080289494",
        "route_table_id": table_id,
        "destination_cidr_block": "0.0.0.0/0",
        "destination_ipv6_cidr_block": "",
        "destination_prefix_list_id": "",
        "gateway_id": gateway_id,
        "carrier_gateway_id": "",
        "core_network_arn": "",
        "egress_only_gateway_id": "",
        "instance_id": "",
        "instance_owner_id": "",
        "local_gateway_id": "",
        "nat_gateway_id": "",
        "network_interface_id": "",
        "transit_gateway_id": "",
        "vpc_endpoint_id": "",
        "vpc_peering_connection_id": "",
        "origin": "CreateRoute",
        "state": "active",
        "timeouts": None,
    }


def _route_import_id(attrs: Attrs) -> str:
    return f"{attrs['route_table_id']}_0.0.0.0/0"


def _route_change(clients: Any, attrs: Attrs) -> None:
    ec2 = clients("ec2")
    vpc_id = ec2.describe_route_tables(
        RouteTableIds=[attrs["route_table_id"]])["RouteTables"][0]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.80.1.0/24")["Subnet"]["SubnetId"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(SubnetId=subnet_id,
                                    AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    ec2.replace_route(RouteTableId=attrs["route_table_id"], DestinationCidrBlock="0.0.0.0/0",
                      NatGatewayId=nat_id)


def _route_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").delete_route(RouteTableId=attrs["route_table_id"],
                                DestinationCidrBlock="0.0.0.0/0")


# -- aws_route_table_association -------------------------------------------------------------


def _association_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.81.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.81.1.0/24")["Subnet"]["SubnetId"]
    table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    association_id = ec2.associate_route_table(RouteTableId=table_id,
                                               SubnetId=subnet_id)["AssociationId"]
    return {
        "id": association_id,
        "route_table_id": table_id,
        "subnet_id": subnet_id,
        "gateway_id": "",
        "timeouts": None,
    }


def _association_import_id(attrs: Attrs) -> str:
    return f"{attrs['subnet_id']}/{attrs['route_table_id']}"


def _association_delete(clients: Any, attrs: Attrs) -> None:
    clients("ec2").disassociate_route_table(AssociationId=attrs["id"])


# -- aws_default_route_table -----------------------------------------------------------------


def _route(**values: str) -> dict[str, str]:
    route = dict.fromkeys((
        "cidr_block", "core_network_arn", "destination_prefix_list_id", "egress_only_gateway_id",
        "gateway_id", "instance_id", "ipv6_cidr_block", "nat_gateway_id", "network_interface_id",
        "transit_gateway_id", "vpc_endpoint_id", "vpc_peering_connection_id",
    ), "")
    route.update(values)
    return route


def _default_table_create(clients: Any) -> Attrs:
    ec2 = clients("ec2")
    vpc_id, gateway_id = _vpc_with_gateway(ec2, "10.82.0.0/16")
    table_id = _main_table(ec2, vpc_id)
    ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0",
                     GatewayId=gateway_id)
    ec2.create_tags(Resources=[table_id], Tags=[{"Key": "Name", "Value": "main"}])
    return {
        "id": table_id,
        "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:route-table/{table_id}",
        "owner_id": ACCOUNT,
        "default_route_table_id": table_id,
        "vpc_id": vpc_id,
        "propagating_vgws": [],
        "route": [_route(cidr_block="0.0.0.0/0", gateway_id=gateway_id)],
        "tags": {"Name": "main"},
        "tags_all": {"Name": "main"},
        "timeouts": None,
    }


def _default_table_change(clients: Any, attrs: Attrs) -> None:
    gateway_id = attrs["route"][0]["gateway_id"]
    ec2 = clients("ec2")
    ec2.create_route(RouteTableId=attrs["id"], DestinationCidrBlock="192.168.0.0/16",
                     GatewayId=gateway_id)
    ec2.create_tags(Resources=[attrs["id"]], Tags=[{"Key": "Name", "Value": "changed"}])


def _default_table_delete(clients: Any, attrs: Attrs) -> None:
    # the main table goes with its VPC only
    ec2 = clients("ec2")
    gateway_id = attrs["route"][0]["gateway_id"]
    ec2.detach_internet_gateway(InternetGatewayId=gateway_id, VpcId=attrs["vpc_id"])
    ec2.delete_vpc(VpcId=attrs["vpc_id"])


CASES = [
    AwsCase(
        type="aws_route",
        create=_route_create,
        change=_route_change,
        changed_paths=frozenset({"gateway_id", "nat_gateway_id"}),
        delete=_route_delete,
        import_id=_route_import_id,
        unmanaged=False,
    ),
    AwsCase(
        type="aws_route_table_association",
        create=_association_create,
        change=lambda clients, attrs: None,
        changed_paths=frozenset(),
        delete=_association_delete,
        import_id=_association_import_id,
        unmanaged=False,
    ),
    AwsCase(
        type="aws_default_route_table",
        create=_default_table_create,
        change=_default_table_change,
        changed_paths=frozenset({"route", "tags.Name"}),
        delete=_default_table_delete,
        import_id=lambda attrs: str(attrs["vpc_id"]),
        unmanaged=False,
    ),
]
