"""Listed children and extension resources: read with one list call per parent, not per item.

ARM's subscription-wide ``resources.list`` leaves out child resources (a SQL server's
databases, a private DNS zone's virtual network links, a key vault's secrets) and extension
resources (a diagnostic setting on a key vault). Each is listed below its parent: for a child
type, under every parent that is managed or holds a managed child (the children of an
unmanaged parent are covered by the parent's own unmanaged finding); for an extension type,
under every managed resource of the types it names as targets, and under every target a
managed one declares. The list payloads are full resources: nothing more is read per item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from cloudrift.sdk import ScanWarning, Unit
from cloudrift_azure import ids
from cloudrift_azure.listing import failure_warning, group_unit
from cloudrift_azure.session import CALL_ERRORS, AzureContext, is_not_found
from cloudrift_azure.spec import AzureSpec, Item, Source


@dataclass(frozen=True)
class ListJob:
    """One list call: the items of ``spec`` below ``parent`` (an ARM id)."""

    spec: AzureSpec
    parent: str


@dataclass
class Listed:
    """What the list calls found, which (type, resource group) units they could not see, and
    the warnings saying so."""

    items: list[tuple[AzureSpec, Item]] = field(default_factory=list)
    failed: set[Unit] = field(default_factory=set)
    warnings: list[ScanWarning] = field(default_factory=list)


def plan_jobs(
    specs: Mapping[str, AzureSpec],
    listed: Iterable[tuple[str, str]],
    managed: Mapping[str, Iterable[str]],
) -> list[ListJob]:
    """The list calls to make. ``listed`` is every (type, ARM id) the listing found;
    ``managed`` the ARM ids the states hold, by type."""
    managed_by_type = {rtype: {ids.canonical(i): i for i in found}
                       for rtype, found in managed.items()}
    jobs: dict[tuple[str, str], ListJob] = {}

    def add(spec: AzureSpec, parent: str) -> None:
        jobs.setdefault((spec.type, ids.canonical(parent)), ListJob(spec, parent))

    by_type: dict[str, dict[str, str]] = {}
    for rtype, arm_id in listed:
        by_type.setdefault(rtype, {})[ids.canonical(arm_id)] = arm_id
    for spec in specs.values():
        if spec.source is Source.CHILDREN:
            assert spec.parent is not None
            parents = {**managed_by_type.get(spec.parent, {})}
            for child in managed_by_type.get(spec.type, {}).values():
                parent = ids.parent_id(child)
                if parent:
                    parents.setdefault(ids.canonical(parent), parent)
            for key, parent in parents.items():
                # the listing's spelling when it has the parent (the state's may be stale)
                add(spec, by_type.get(spec.parent, {}).get(key, parent))
        elif spec.source is Source.EXTENSION:
            for target_type in sorted(spec.targets):
                found = by_type.get(target_type, {})
                for key, target in managed_by_type.get(target_type, {}).items():
                    add(spec, found.get(key, target))
            for setting in managed_by_type.get(spec.type, {}).values():
                scope = ids.scope_of(setting)
                if scope:
                    add(spec, scope)
    return sorted(jobs.values(), key=lambda j: (j.spec.type, ids.canonical(j.parent)))


def run_jobs(ctx: AzureContext, pool: ThreadPoolExecutor, jobs: list[ListJob]) -> Listed:
    """Make the list calls concurrently. A parent that is gone has no children (a managed one
    is then confirmed missing by id); any other failure is a warning and a failed unit."""
    result = Listed()

    def one(job: ListJob) -> tuple[ListJob, list[Item] | BaseException]:
        assert job.spec.list_path is not None
        subscription = ids.subscription_of(job.parent) or "-"
        try:
            return job, ctx.list_path(subscription, job.parent.rstrip("/") + job.spec.list_path,
                                      job.spec.api_version)
        except CALL_ERRORS as exc:
            return job, exc

    for job, outcome in pool.map(one, jobs):
        if isinstance(outcome, BaseException):
            if is_not_found(outcome):
                continue
            group = ids.group_of(job.parent)
            result.failed.add(group_unit(job.spec.type, ids.subscription_of(job.parent), group))
            result.warnings.append(failure_warning(
                outcome, f"{job.spec.type} of {job.parent} not listed",
                subscription=ids.subscription_of(job.parent), group=group, rtype=job.spec.type,
            ))
            continue
        for item in outcome:
            if item.get("id"):
                result.items.append((job.spec, item))
    return result
