"""Listings and extractors shared by the EC2 and VPC type modules.

Listings that more than one type needs (instances and volumes, to tell which volume belongs to
which instance; the default VPCs, to tell what AWS created) go through ``ctx.memo`` so a scan
makes each of them once per region.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jmespath

from cloudrift.spec import UNKNOWN, Extractor
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import Item


def instance_listing(ctx: AwsContext, region: str) -> list[Item]:
    return ctx.memo(
        f"ec2:describe_instances:{region}",
        lambda: ctx.paginate("ec2", region, "describe_instances", "Reservations[].Instances[]"),
    )


def volume_listing(ctx: AwsContext, region: str) -> list[Item]:
    return ctx.memo(
        f"ec2:describe_volumes:{region}",
        lambda: ctx.paginate("ec2", region, "describe_volumes", "Volumes"),
    )


# set on items by the enumerators below: is the resource in its region's default VPC
IN_DEFAULT_VPC = "cloudrift:InDefaultVpc"


def default_vpc_ids(ctx: AwsContext, region: str) -> frozenset[str]:
    def lookup() -> frozenset[str]:
        vpcs = ctx.paginate(
            "ec2", region, "describe_vpcs", "Vpcs",
            Filters=[{"Name": "is-default", "Values": ["true"]}],
        )
        return frozenset(v["VpcId"] for v in vpcs if v.get("IsDefault"))

    return ctx.memo(f"ec2:default_vpcs:{region}", lookup)


def present(query: str) -> Extractor:
    """For a value the API always returns: its absence means "not told", not "unset"."""
    compiled = jmespath.compile(query)

    def extract(payload: Mapping[str, Any]) -> Any:
        value = compiled.search(payload)
        return UNKNOWN if value is None else value

    return extract
