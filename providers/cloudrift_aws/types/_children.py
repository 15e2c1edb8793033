"""What child types (records of a hosted zone, methods of a REST API, targets of a rule) list.

A child type's unmanaged search only matters under managed parents: the children of an
unmanaged parent are covered by the parent's own unmanaged finding (``PartOf``). So a child is
listed under the managed parents, and under the parents its own managed resources name (a
managed child of an unmanaged parent must still be found, or it would read as missing): one
paged call per such parent, never one per parent in the account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from cloudrift.sdk import Resource
from cloudrift_aws.session import AwsContext


def managed_ids(ctx: AwsContext, type_: str, region: str | None) -> set[str]:
    """Import ids of the scan's managed resources of ``type_`` in ``region`` (None: any
    region, for global types whose scope is not the region their calls go to)."""
    return {r.id for r in ctx.managed_of(type_, region)}


def parents_to_list(
    ctx: AwsContext,
    region: str | None,
    parent_type: str,
    managed: Sequence[Resource],
    parent_of: Callable[[str], str | None],
) -> list[str]:
    """The managed parents of ``parent_type``, and those ``managed`` children name through
    their import ids (``parent_of``), sorted."""
    wanted = managed_ids(ctx, parent_type, region)
    wanted.update(p for p in (parent_of(r.id) for r in managed) if p)
    return sorted(wanted)


def first_segment(separator: str) -> Callable[[str], str | None]:
    """The parent id at the head of a child's import id (``api-id/route-id``)."""

    def parent(import_id: str) -> str | None:
        head, found, _ = import_id.partition(separator)
        return head if found and head else None

    return parent


def batches(values: Iterable[str], size: int) -> list[list[str]]:
    listed = list(values)
    return [listed[i:i + size] for i in range(0, len(listed), size)]
