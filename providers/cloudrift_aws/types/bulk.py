"""Listings that several types share, made once per scan (and region) instead of once per type or
per resource.

``memo_outcome`` remembers a failed listing as well as a good one. ``with_tags`` gives managed
items their tags from the Resource Groups Tagging API: one paged ``tag:GetResources`` per region
serves every type that uses it, where each of them used to ask its own service once per managed
resource.

The tagging API is an index kept beside each service. It lists only resources that have (or
once had) tags, so an ARN it does not list has no tags; and, being an index, it can trail a
change by a moment. A managed resource whose listed tags differ from its state is therefore
asked again with its own service's tag call before anything is reported, so a lagging index
never makes drift up; when the index cannot be read at all (denied, throttled, absent), every
managed resource is asked that way, as before. Such a call that fails fails the type's listing
in that region, with the warning that comes with it: an enumerator has no other way to say that
something was not seen, and tags left unknown without a word would hide drift.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import jmespath
from botocore.exceptions import BotoCoreError, ClientError

from cloudrift.sdk import UNKNOWN, FieldSpec, Resource, compare, worker_pool
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import tags
from cloudrift_aws.session import AwsContext, error_code
from cloudrift_aws.spec import AwsSpec, Item

T = TypeVar("T")

# ResourcesPerPage is at most 100
_TAGGING_PAGE = 100
# the payload key the tags of a managed item are kept under
TAGS_KEY = "tags"
# the per-resource calls made for one type's disagreeing or unlisted resources, at once
_ASK_WORKERS = 8


def memo_outcome(ctx: AwsContext, key: str, compute: Callable[[], T]) -> T:
    """``ctx.memo_outcome``: computed once per scan, a failure remembered too."""
    return ctx.memo_outcome(key, compute)


@dataclass(frozen=True)
class TagCall:
    """A service's own tag call for one resource; tags at JMESPath ``result``. An error code in
    ``absent`` means the resource has no tags."""

    service: str
    operation: str
    params: Callable[[Item], Mapping[str, Any]]
    result: str
    absent: tuple[str, ...] = ()


def _item_tags(payload: Mapping[str, Any]) -> Any:
    return payload.get(TAGS_KEY, UNKNOWN)


def uses_bulk_tags(spec: AwsSpec) -> bool:
    """Whether the spec's ``tags`` field reads what ``with_tags`` stored (``bulk_tags()``)."""
    return any(f.path == "tags" and f.extract is _item_tags for f in spec.fields)


@functools.cache
def tagged_services() -> tuple[str, ...]:
    """The tagging API's service filters: those of every spec whose tags come in bulk.

    A bare service name matches every resource type of that service; it also sidesteps a
    spelling the emulator does not share (AWS filters log groups as "logs:log-group", moto as
    "logs:loggroup"). AWS's index serves every tagged resource of these services; moto's
    leaves ECR repositories out, so against moto a managed repository whose state has tags is
    asked with its own tag call (as any resource the index does not list), and a tag added by
    hand to one whose state has none goes unseen there.
    """
    from cloudrift_aws.types import SPECS

    return tuple(sorted({spec.tagging_service or spec.service
                         for spec in SPECS.values() if uses_bulk_tags(spec)}))


def tagging_index(ctx: AwsContext, region: str) -> dict[str, Any] | None:
    """Every listed resource's tags by ARN in ``region``, or None when the tagging API cannot
    be read there."""

    def listing() -> dict[str, Any]:
        mappings = ctx.paginate(
            "resourcegroupstaggingapi", region, "get_resources", "ResourceTagMappingList",
            ResourceTypeFilters=list(tagged_services()),
            PaginationConfig={"PageSize": _TAGGING_PAGE},
        )
        return {str(m["ResourceARN"]): m.get("Tags") or [] for m in mappings}

    try:
        return memo_outcome(ctx, f"tag:get_resources:{region}", listing)
    except (ClientError, BotoCoreError):
        return None


def _ask(ctx: AwsContext, region: str, call: TagCall, item: Item) -> Any:
    try:
        params = dict(call.params(item))
    except (KeyError, TypeError):
        # a payload without a field the request is built from: unknown, never reported
        return UNKNOWN
    try:
        response = ctx.call(call.service, region, call.operation, **params)
    except ClientError as exc:
        if error_code(exc) in call.absent:
            return None
        # even "not found" (deleted since the listing): failing the type says so; calling the
        # resource missing would be a guess
        raise
    return n.tags(jmespath.search(call.result, response))


def with_tags(
    ctx: AwsContext,
    region: str,
    items: list[Item],
    managed: Sequence[Resource],
    *,
    arn: Callable[[Item], str | None],
    id_query: str,
    call: TagCall,
) -> list[Item]:
    """Store each managed item's tags under ``TAGS_KEY``; unmanaged items are left alone (their
    fields are never compared). ``id_query`` is the spec's own."""
    compiled = jmespath.compile(id_query)

    def id_of(item: Item) -> str:
        value = compiled.search(item)
        return "" if value is None else str(value)

    wanted: dict[str, list[Any]] = {}
    for resource in managed:
        wanted.setdefault(resource.id, []).append(resource.attributes.get("tags", UNKNOWN))
    mine = [item for item in items if id_of(item) in wanted]
    if not mine:
        return items
    index = tagging_index(ctx, region)
    to_ask: list[Item] = []
    for item in mine:
        if index is not None:
            listed = n.tags(index.get(arn(item) or "", []))
            if not any(want is not UNKNOWN and compare("tags", want, listed)
                       for want in wanted[id_of(item)]):
                item[TAGS_KEY] = listed
                continue
        to_ask.append(item)
    if to_ask:
        with worker_pool(min(_ASK_WORKERS, len(to_ask))) as pool:
            answers = list(pool.map(lambda item: _ask(ctx, region, call, item), to_ask))
        for item, answer in zip(to_ask, answers, strict=True):
            item[TAGS_KEY] = answer
    return items


def bulk_tags() -> FieldSpec:
    """The ``tags`` field of a type whose enumerator calls ``with_tags``."""
    return tags(extract=_item_tags)
