"""Listings and extractors shared by the EC2 and VPC type modules.

Listings that more than one type needs (instances and volumes, to tell which volume belongs to
which instance; the VPCs, to tell what AWS created; security groups, route tables and network
ACLs, which feed their parts too) go through ``ctx.memo`` so a scan makes each of them once per
region. Items of a shared listing are shared: enumerators copy before they change one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from cloudrift.sdk import Resource
from cloudrift_aws.session import AwsContext
from cloudrift_aws.spec import Enumerator, Item
from cloudrift_aws.types.bulk import memo_outcome


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


# an EC2 filter takes at most 200 values
_FILTER_VALUES = 200


def by_ids(ctx: AwsContext, region: str, operation: str, result: str, filter_name: str,
           ids: Iterable[str]) -> list[Item]:
    """Only the items with these ids, for ``--unmanaged none``: a listing would read every
    item of the region to compare a few. A filter, not the ids parameter, so that an id that
    is gone is simply absent (the resource is missing) instead of failing the request."""
    wanted = sorted(set(ids))
    items: list[Item] = []
    for start in range(0, len(wanted), _FILTER_VALUES):
        chunk = wanted[start:start + _FILTER_VALUES]
        items.extend(dict(item) for item in ctx.paginate(
            "ec2", region, operation, result, Filters=[{"Name": filter_name, "Values": chunk}]))
    return items


def shared_listing(ctx: AwsContext, region: str, operation: str, result: str) -> list[Item]:
    """One paged EC2 ``Describe*`` per region and scan, whichever type asks first; a failure is
    remembered too, so every type that needs the listing reports it without asking again."""
    return memo_outcome(
        ctx, f"ec2:{operation}:{region}",
        lambda: ctx.paginate("ec2", region, operation, result),
    )


def vpc_listing(ctx: AwsContext, region: str) -> list[Item]:
    return shared_listing(ctx, region, "describe_vpcs", "Vpcs")


def default_vpc_ids(ctx: AwsContext, region: str) -> frozenset[str]:
    return frozenset(v["VpcId"] for v in vpc_listing(ctx, region) if v.get("IsDefault"))


def copies(items: Sequence[Item], keep: Callable[[Item], bool] | None = None) -> list[Item]:
    """Fresh copies of a shared listing's items (those ``keep`` accepts), for one type."""
    return [dict(item) for item in items if keep is None or keep(item)]


def adopted(listing: Callable[[AwsContext, str], list[Item]],
            keep: Callable[[Item], bool]) -> Enumerator:
    """The enumerator of an ``aws_default_*`` type: the items of a shared listing AWS made
    (``keep``). Such a type is never unmanaged, so with nothing managed in the region there is
    nothing to list."""

    def enumerate_(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
        return copies(listing(ctx, region), keep) if managed else []

    return enumerate_


def unless_adopted(listing: Callable[[AwsContext, str], list[Item]], own_id: str,
                   adopter: str, adopted_id: Callable[[Item], Any]) -> Enumerator:
    """The enumerator of a type whose defaults an ``aws_default_*`` type may adopt (the
    default VPC as ``aws_default_vpc``): an adopted item is that type's, not an unmanaged
    default of this one, even with ``--strict``. ``adopted_id`` gives the item's import id as
    the adopter's (None when it is not a default)."""

    def enumerate_(ctx: AwsContext, region: str, managed: Sequence[Resource]) -> list[Item]:
        adopted = {resource.id for resource in ctx.managed_of(adopter, region)}
        mine = {resource.id for resource in managed}
        return copies(listing(ctx, region), lambda item: (
            not adopted or item.get(own_id) in mine or adopted_id(item) not in adopted))

    return enumerate_


# set on items by enumerators whose import id is not a field of the payload
IMPORT_ID = "cloudrift:ImportId"


def adopt_ids(items: list[Item], managed: Sequence[Resource],
              canonical: Callable[[str], str]) -> list[Item]:
    """Give each item the import id its managed resource is recorded under.

    Some import ids carry a value as the user spelled it (a protocol as "tcp" or "6", an IPv6
    block in any case): the cloud's spelling is the same thing, so an item whose id has the
    same ``canonical`` form as a managed resource's takes that resource's id. The others keep
    the cloud's spelling, which ``terraform import`` takes as well.
    """
    spelled = {canonical(resource.id): resource.id for resource in managed}
    for item in items:
        item[IMPORT_ID] = spelled.get(canonical(item[IMPORT_ID]), item[IMPORT_ID])
    return items

