"""DHCP option sets and their association with VPCs.

The option sets are one ``DescribeDhcpOptions`` per region; the associations are read from the
VPC listing ``aws_vpc`` makes (each VPC names its set), and are parts of their VPC. AWS makes
one set per region (domain ``ec2.internal`` or ``<region>.compute.internal``, Amazon's DNS) and
gives it to the default VPC and to every new VPC: that set and its associations are AWS's
defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.sdk import FieldSpec, PartOf, Resource
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import tags
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import AwsSpec, Item
from cloudrift_aws.types.ec2_common import copies, shared_listing, vpc_listing

# set on items: AWS made this set (or the association is with it)
_DEFAULT = "cloudrift:Default"


def dhcp_options_listing(ctx: AwsContext, region: str) -> list[Item]:
    return shared_listing(ctx, region, "describe_dhcp_options", "DhcpOptions")


def _values(item: Mapping[str, Any], key: str) -> list[str]:
    for configuration in item.get("DhcpConfigurations") or ():
        if configuration.get("Key") == key:
            return [str(v.get("Value")) for v in configuration.get("Values") or ()]
    return []


def _looks_like_aws_default(item: Mapping[str, Any], region: str) -> bool:
    domain = "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"
    keys = {c.get("Key") for c in item.get("DhcpConfigurations") or ()}
    return keys == {"domain-name", "domain-name-servers"} and (
        _values(item, "domain-name") == [domain]) and (
        _values(item, "domain-name-servers") == ["AmazonProvidedDNS"])


def _default_sets(ctx: AwsContext, region: str) -> frozenset[str]:
    """AWS's set: the one the default VPC has, or one that looks exactly like it."""

    def find() -> frozenset[str]:
        found = {str(v.get("DhcpOptionsId")) for v in vpc_listing(ctx, region)
                 if v.get("IsDefault") and v.get("DhcpOptionsId")}
        found.update(str(o.get("DhcpOptionsId")) for o in dhcp_options_listing(ctx, region)
                     if _looks_like_aws_default(o, region))
        # a VPC with no set at all says "default"
        return frozenset(found | {"default"})

    return ctx.memo(f"ec2:default_dhcp_options:{region}", find)


def _option_sets(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    defaults = _default_sets(ctx, region)
    items = copies(dhcp_options_listing(ctx, region))
    for item in items:
        item[_DEFAULT] = item.get("DhcpOptionsId") in defaults
    return items


def _single(key: str) -> FieldSpec:
    path = key.replace("-", "_")
    return FieldSpec(path, extract=lambda item: next(iter(_values(item, key)), None))


def _listed(key: str) -> FieldSpec:
    # the order of name servers is the order clients try them in
    return FieldSpec(key.replace("-", "_"), extract=lambda item: _values(item, key))


VPC_DHCP_OPTIONS = AwsSpec(
    type="aws_vpc_dhcp_options",
    description="A set of DHCP options for VPCs.",
    service="ec2",
    enumerate=_option_sets,
    calls=("ec2:DescribeDhcpOptions", "ec2:DescribeVpcs"),
    id_query="DhcpOptionsId",
    is_default=lambda item: bool(item.get(_DEFAULT)),
    fields=(
        _single("domain-name"),
        _listed("domain-name-servers"),
        _listed("ntp-servers"),
        _listed("netbios-name-servers"),
        FieldSpec("netbios_node_type", extract=lambda item: next(
            iter(_values(item, "netbios-node-type")), None), normalise=(n.to_str,)),
        _single("ipv6-address-preferred-lease-time"),
        tags(),
    ),
)

# -- aws_vpc_dhcp_options_association --------------------------------------------------------


def _associations(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
    vpcs = copies(vpc_listing(ctx, region), lambda vpc: bool(vpc.get("DhcpOptionsId")))
    defaults = _default_sets(ctx, region)
    for vpc in vpcs:
        vpc[_DEFAULT] = vpc.get("DhcpOptionsId") in defaults
    return vpcs


VPC_DHCP_OPTIONS_ASSOCIATION = AwsSpec(
    type="aws_vpc_dhcp_options_association",
    description="Which DHCP option set a VPC uses.",
    service="ec2",
    enumerate=_associations,
    calls=("ec2:DescribeVpcs", "ec2:DescribeDhcpOptions"),
    # terraform import takes the VPC's id
    id_query="VpcId",
    import_id="vpc_id",
    is_default=lambda item: bool(item.get(_DEFAULT)),
    part_of=(PartOf(parent_type="aws_vpc", parent_id="vpc_id", fields=(),
                    cloud_parent_id="VpcId"),),
    fields=(FieldSpec("dhcp_options_id", query="DhcpOptionsId"),),
)

SPECS: tuple[AwsSpec, ...] = (VPC_DHCP_OPTIONS, VPC_DHCP_OPTIONS_ASSOCIATION)
