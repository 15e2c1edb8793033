"""Parts listed one parent at a time: a load balancer's listeners, a listener's rules, a target
group's targets, a function's policy statements and aliases, a file system's mount targets, a
cluster's services and node groups.

No call lists them for a whole region, so searching every parent would cost one call per parent
in the account. They are searched under the parents the scan manages, and under the parent of
every managed part (so that a managed part of an unmanaged parent is still compared, or reported
missing). A part of an unmanaged parent is covered by the parent's own unmanaged finding: the
part's spec says so with a ``PartOf`` naming no parent field, and the engine leaves it out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from botocore.exceptions import ClientError

from cloudrift.sdk import Resource, worker_pool
from cloudrift_aws.session import AwsContext, error_code
from cloudrift_aws.spec import Item

# the per-parent calls of one type in one region made at once
_WORKERS = 8


def parents_to_search(
    ctx: AwsContext,
    region: str,
    parent_type: str,
    managed: Sequence[Resource],
    parent_of: Callable[[Resource], str | None],
) -> list[str]:
    """The managed parents of ``parent_type`` in ``region`` and the parents of the managed parts
    (``parent_of`` reads a part's parent from its import id or compared attributes)."""
    found = {r.id for r in ctx.managed_of(parent_type, region)}
    for part in managed:
        parent = parent_of(part)
        if parent:
            found.add(parent)
    return sorted(found)


def per_parent(
    parents: Iterable[str],
    fetch: Callable[[str], list[Item]],
    gone: tuple[str, ...],
) -> list[Item]:
    """Every part of every parent. A parent that no longer exists (an error code in ``gone``)
    has no parts; any other error fails the listing, which says what was not seen."""

    def parts(parent: str) -> list[Item]:
        try:
            return fetch(parent)
        except ClientError as exc:
            if error_code(exc) in gone:
                return []
            raise

    wanted = list(parents)
    if not wanted:
        return []
    with worker_pool(min(_WORKERS, len(wanted))) as pool:
        listed = list(pool.map(parts, wanted))
    return [item for items in listed for item in items]
