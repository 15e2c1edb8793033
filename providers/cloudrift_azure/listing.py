"""Enumerating one subscription, and the warnings a partial view of it produces.

``resources.list`` covers every supported top-level type at once. When the caller may not list
the subscription (a role granted on some resource groups only), the resource groups the states
name are listed one by one, and each one that cannot be read is a warning naming it. Types that
``resources.list`` does not show and ARM lists per subscription (role assignments) have one
list each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cloudrift.sdk import GLOBAL_REGION, ScanWarning, Scope, Unit, api_failure
from cloudrift_azure.session import (
    CALL_ERRORS,
    DENIED_CODES,
    AzureContext,
    error_code,
    is_denied,
    is_not_found,
    status_of,
)
from cloudrift_azure.spec import Item

NAME = "azure"

# resource groups Azure creates for its own features; what is inside them is Azure's too
_AZURE_GROUP_PREFIXES = ("networkwatcherrg", "defaultresourcegroup-", "cloud-shell-storage-",
                         "mc_", "databricks-rg-", "azurebackuprg_")


@dataclass
class Listing:
    """What enumerating one subscription produced."""

    subscription: str
    groups: list[Item] | None = None
    resources: list[Item] = field(default_factory=list)
    whole: bool = False
    scanned_groups: set[str] = field(default_factory=set)
    failed_groups: set[str] = field(default_factory=set)
    warnings: list[ScanWarning] = field(default_factory=list)
    # per-subscription lists, by Terraform type; a type whose list failed is not here
    lists: dict[str, list[Item]] = field(default_factory=dict)


@dataclass(frozen=True)
class SubscriptionList:
    """A collection ARM lists per subscription: ``GET /subscriptions/<s><path>``."""

    type: str
    path: str
    api_version: str


def list_subscription(ctx: AzureContext, subscription: str, state_groups: set[str],
                      group_type: str | None,
                      extra: Sequence[SubscriptionList] = (),
                      arm_types: Sequence[str] | None = None) -> Listing:
    """Resource groups and resources of one subscription; ``state_groups`` are the groups the
    states name there, listed one by one if the subscription may not be listed whole; then each
    of ``extra``. With ``arm_types`` (``--unmanaged managed-types`` / ``none``), resources of
    those types only: ARM filters the listing; an empty list lists no resources at all."""
    listing = Listing(subscription)
    for wanted in extra:
        try:
            listing.lists[wanted.type] = ctx.list_path(
                subscription, f"/subscriptions/{subscription}{wanted.path}", wanted.api_version)
        except CALL_ERRORS as exc:
            listing.warnings.append(failure_warning(
                exc, f"{wanted.type} of subscription {subscription} not listed",
                subscription=subscription, rtype=wanted.type,
            ))
    try:
        listing.groups = ctx.list_groups(subscription)
    except CALL_ERRORS as exc:
        listing.warnings.append(failure_warning(
            exc, f"resource groups of subscription {subscription} not listed",
            subscription=subscription, rtype=group_type,
        ))
    if arm_types is not None and not arm_types:
        listing.whole = True
        return listing
    try:
        listing.resources = ctx.list_resources(subscription, arm_types)
        listing.whole = True
        return listing
    except CALL_ERRORS as exc:
        if is_not_found(exc) or not (is_denied(exc) or status_of(exc) == 429):
            listing.warnings.append(failure_warning(
                exc, f"resources of subscription {subscription} not listed",
                subscription=subscription,
            ))
            return listing
        whole_error = exc
    # a role granted on some resource groups only: list those one by one
    groups = {g["name"].lower() for g in listing.groups or [] if g.get("name")}
    groups |= state_groups
    for group in sorted(groups):
        try:
            listing.resources.extend(ctx.list_group_resources(subscription, group, arm_types))
            listing.scanned_groups.add(group)
        except CALL_ERRORS as exc:
            if is_not_found(exc):
                listing.scanned_groups.add(group)   # the group is gone, and all in it
                continue
            listing.failed_groups.add(group)
            listing.warnings.append(failure_warning(
                exc, f"resource group '{group}' (subscription {subscription}) not listed",
                subscription=subscription, group=group,
            ))
    listing.warnings.append(ScanWarning(
        code="access_denied" if is_denied(whole_error) else "throttled",
        provider=NAME, scope=Scope(account=subscription, region=GLOBAL_REGION),
        message=f"resources of subscription {subscription} not listed subscription-wide "
        f"({error_code(whole_error)}); listed {len(listing.scanned_groups)} resource "
        "group(s) one by one instead: unmanaged resources in other groups were not seen",
    ))
    return listing


def azure_owned_group(group: Mapping[str, Any]) -> bool:
    """A resource group another resource or Azure itself manages (an AKS node group)."""
    name = str(group.get("name", "")).lower()
    return bool(group.get("managedBy")) or name.startswith(_AZURE_GROUP_PREFIXES)


def group_scope(subscription: str | None, group: str | None) -> Scope:
    """Where an Azure resource lives: its subscription and resource group. ``region`` still
    holds the group too, for readers of reports before ``group`` existed (1.x)."""
    return Scope(account=subscription, region=group or GLOBAL_REGION, group=group or None)


def group_unit(rtype: str, subscription: str | None, group: str | None) -> Unit:
    scope = group_scope(subscription, group)
    return Unit(rtype, scope.region, scope.account, scope.group)


def failure_warning(exc: BaseException, what: str, *, subscription: str | None,
                    group: str | None = None, rtype: str | None = None) -> ScanWarning:
    kind, why = api_failure(
        error_code(exc), exc, denied=is_denied(exc), throttled=status_of(exc) == 429
    )
    return ScanWarning(
        code=kind, provider=NAME, type=rtype,
        scope=group_scope(subscription, group),
        message=f"{what}: {why}",
    )


def detail_warning(sub: str, group: str, namespace: str, code: str, count: int) -> ScanWarning:
    denied = code in DENIED_CODES or code in ("HTTP 401", "HTTP 403")
    where = f"resource group '{group}'" if group else "the subscription"
    return ScanWarning(
        code="access_denied" if denied else "detail_unavailable",
        provider=NAME,
        scope=group_scope(sub, group),
        message=f"{count} {namespace} resource(s) in {where} (subscription {sub}) could not "
        f"be read ({code}); fields that need their properties were not compared",
    )

