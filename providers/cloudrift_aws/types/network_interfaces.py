"""Network interfaces and elastic IP associations.

``aws_network_interface`` is one ``DescribeNetworkInterfaces`` per region. Interfaces other
services create for themselves (NAT gateways, VPC endpoints, load balancers, Lambda: marked
requester-managed or of their own interface type) and an instance's primary interface (it
comes and goes with the instance) are AWS's: defaults, never unmanaged unless ``--strict``.

``aws_eip_association`` reads the ``DescribeAddresses`` listing ``aws_eip`` makes; an
association is a part of its elastic IP (whose ``instance`` and ``network_interface`` say the
same thing inline). The association AWS makes for a NAT gateway's address belongs to the NAT
gateway (``allocation_id``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, PartOf, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types.ec2_common import copies, shared_listing
from cloudrift_aws.types.vpc_gateways import nat_gateway_listing

# -- aws_network_interface -------------------------------------------------------------------

# the interface types a user creates; every other type is created by a service for itself
_USER_TYPES = frozenset({"interface", "efa", "efa-only", "trunk", "branch"})


def _made_by_aws(item: Mapping[str, Any]) -> bool:
    if item.get("RequesterManaged"):
        return True
    if str(item.get("InterfaceType") or "interface") not in _USER_TYPES:
        return True
    attachment = item.get("Attachment") or {}
    # an instance's primary interface is the instance's (deleted with it, never detached)
    return attachment.get("DeleteOnTermination") is True or (
        bool(attachment.get("InstanceId")) and attachment.get("DeviceIndex") == 0)


def _private_ips(item: Mapping[str, Any]) -> list[Any]:
    return [a.get("PrivateIpAddress") for a in item.get("PrivateIpAddresses") or ()]


def _attachments(item: Mapping[str, Any]) -> Any:
    attachment = item.get("Attachment") or {}
    if not attachment.get("InstanceId") or attachment.get("Status") in ("detaching",
                                                                        "detached"):
        return []
    return [{"instance": attachment["InstanceId"], "device_index": attachment.get("DeviceIndex")}]


def attachment_set(value: Any) -> Any:
    """``attachment`` as a set of (instance, device_index); its id is AWS's."""
    if value is None:
        return None
    return n.as_set([{"instance": str(a.get("instance") or ""),
                      "device_index": n.to_int(a.get("device_index"))}
                     for a in value if isinstance(a, Mapping)])


NETWORK_INTERFACE = AwsSpec(
    type="aws_network_interface",
    description="An elastic network interface in a subnet.",
    service="ec2",
    enumerate=lambda ctx, region, managed: copies(shared_listing(
        ctx, region, "describe_network_interfaces", "NetworkInterfaces")),
    calls=("ec2:DescribeNetworkInterfaces",),
    id_query="NetworkInterfaceId",
    is_default=_made_by_aws,
    fields=(
        FieldSpec("subnet_id", query="SubnetId"),
        FieldSpec("description", query="Description"),
        FieldSpec("interface_type", query="InterfaceType"),
        FieldSpec("security_groups", query="Groups[].GroupId", normalise=(n.as_set,)),
        FieldSpec("source_dest_check", query="SourceDestCheck", normalise=(n.to_bool,),
                  default=True),
        FieldSpec("private_ip", query="PrivateIpAddress"),
        FieldSpec("private_ips", extract=_private_ips, normalise=(n.as_set,)),
        FieldSpec("private_ips_count", extract=lambda item: max(len(_private_ips(item)) - 1, 0),
                  normalise=(n.to_int,)),
        FieldSpec("ipv6_addresses", query="Ipv6Addresses[].Ipv6Address",
                  normalise=(n.as_set,)),
        FieldSpec("ipv6_address_count", extract=lambda item: len(item.get("Ipv6Addresses") or ()),
                  normalise=(n.to_int,)),
        FieldSpec("enable_primary_ipv6", extract=lambda item: any(
            a.get("IsPrimaryIpv6") for a in item.get("Ipv6Addresses") or ()),
                  normalise=(n.to_bool,)),
        FieldSpec("ipv4_prefixes", query="Ipv4Prefixes[].Ipv4Prefix", normalise=(n.as_set,)),
        FieldSpec("ipv4_prefix_count", extract=lambda item: len(item.get("Ipv4Prefixes") or ()),
                  normalise=(n.to_int,)),
        FieldSpec("ipv6_prefixes", query="Ipv6Prefixes[].Ipv6Prefix", normalise=(n.as_set,)),
        FieldSpec("ipv6_prefix_count", extract=lambda item: len(item.get("Ipv6Prefixes") or ()),
                  normalise=(n.to_int,)),
        FieldSpec("attachment", extract=_attachments, normalise=(attachment_set,)),
        tags("TagSet"),
    ),
    not_compared={
        "private_ip_list": "the ordered form of private_ips, which is compared",
        "ipv6_address_list": "the ordered form of ipv6_addresses, which is compared",
        "private_ip_list_enabled": "Terraform-only: which of the two forms the code uses",
        "ipv6_address_list_enabled": "Terraform-only: which of the two forms the code uses",
    },
)

# -- aws_eip_association ---------------------------------------------------------------------


def _eip_associations(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    addresses = shared_listing(ctx, region, "describe_addresses", "Addresses")
    associated = [a for a in addresses if a.get("AssociationId")]
    if not associated:
        return []
    # the NAT gateway listing is the only one that says which associations are a NAT's
    nat_owned = {address.get("AssociationId")
                 for nat in nat_gateway_listing(ctx, region)
                 for address in nat.get("NatGatewayAddresses") or ()
                 if address.get("AssociationId")}
    return copies(associated, lambda a: a.get("AssociationId") not in nat_owned)


EIP_ASSOCIATION = AwsSpec(
    type="aws_eip_association",
    description="An elastic IP's association with an instance or network interface.",
    service="ec2",
    enumerate=_eip_associations,
    calls=("ec2:DescribeAddresses", "ec2:DescribeNatGateways"),
    id_query="AssociationId",
    part_of=(PartOf(parent_type="aws_eip", parent_id="allocation_id",
                    fields=("instance", "network_interface"), cloud_parent_id="AllocationId"),),
    fields=(
        FieldSpec("allocation_id", query="AllocationId"),
        FieldSpec("public_ip", query="PublicIp"),
        FieldSpec("instance_id", query="InstanceId"),
        FieldSpec("network_interface_id", query="NetworkInterfaceId"),
        FieldSpec("private_ip_address", query="PrivateIpAddress"),
    ),
    not_compared={"allow_reassociation": "Terraform-only: how apply associates"},
)

SPECS: tuple[AwsSpec, ...] = (NETWORK_INTERFACE, EIP_ASSOCIATION)
