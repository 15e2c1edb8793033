"""Whose a cloud item is: the user's (reported unmanaged when no state has it), or Azure's or
another resource's (reported only with --strict).

A managed parent whose full payload was read says itself what it created with itself (a VM's
OS disk, a private endpoint's network interface): that is its own; anything else it holds (a
data disk attached by hand, ``managedBy`` the VM) is not. A resource held by anything else
(``managedBy`` a scale set instance, an AKS cluster), in a resource group Azure or another
resource manages, or nested under another resource while carrying a top-level type (a scale set
instance's network interface) is not the user's either. When a parent that creates resources
of a type could not be read, no resource of that type in its resource group is called the
user's: which ones it made cannot be told.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudrift.sdk import GLOBAL_REGION, Scope
from cloudrift_azure import ids
from cloudrift_azure.details import Entry
from cloudrift_azure.listing import Listing, azure_owned_group
from cloudrift_azure.spec import AzureSpec, Source


@dataclass
class Made:
    """What managed and fetched parents say they created with themselves."""

    # ids of resources a fetched parent created inline (its OS disk, its network interface)
    claimed: set[str] = field(default_factory=set)
    # managed parents whose payload was read: what they did not claim is not theirs
    inspected: set[str] = field(default_factory=set)
    # resource groups Azure or another resource manages, per subscription
    owned_groups: set[tuple[str, str]] = field(default_factory=set)
    # (subscription, group, type) whose resources a parent that could not be read may own
    uncertain: set[tuple[str, str, str]] = field(default_factory=set)


def what_was_made(entries: Iterable[Entry], managed: set[tuple[str, str]],
                  listings: Iterable[Listing]) -> Made:
    """What the fetched parents claim, which managed parents were inspected, and the resource
    groups that are not the user's. ``managed``: (type, canonical ARM id) of the states."""
    made = Made(owned_groups={
        (listing.subscription, str(g.get("name", "")).lower())
        for listing in listings
        for g in listing.groups or []
        if azure_owned_group(g)
    })
    for entry in entries:
        # an item of several candidate types that could not be read is still one of them
        spec = entry.spec or next(iter(entry.candidates), None)
        if spec is None or spec.inline_children is None or entry.gone:
            continue
        if not entry.fetched:
            subscription = ids.subscription_of(str(entry.item["id"])) or ""
            group = ids.group_of(str(entry.item["id"])) or ""
            made.uncertain.update((subscription, group, t) for t in spec.inline_types)
            continue
        assert entry.spec is not None
        assert entry.spec.inline_children is not None
        made.claimed.update(ids.canonical(c) for c in entry.spec.inline_children(entry.item))
        canonical = ids.canonical(str(entry.item["id"]))
        if (entry.spec.type, canonical) in managed:
            made.inspected.add(canonical)
    return made


def is_azure_s(spec: AzureSpec, item: Mapping[str, Any], scope: Scope, made: Made) -> bool:
    """Whether a cloud item is Azure's or another resource's rather than the user's: not
    reported unmanaged unless --strict."""
    resource_id = str(item["id"])
    canonical = ids.canonical(resource_id)
    if canonical in made.claimed:
        return True  # created with a parent (an OS disk, a private endpoint's interface)
    if (scope.account or "", scope.group or GLOBAL_REGION, spec.type) in made.uncertain:
        return True  # a parent that may have made it could not be read: cannot tell
    manager = item.get("managedBy")
    # a managed parent whose payload was read says itself what it created; anything else it
    # holds (a data disk attached by hand) is not its own
    if manager and ids.canonical(str(manager)) not in made.inspected:
        return True
    if spec.source is Source.RESOURCE_GROUPS:
        if azure_owned_group(item):
            return True
    elif (scope.account or "", scope.group or GLOBAL_REGION) in made.owned_groups:
        return True
    if ids.arm_type_of(resource_id) != spec.arm_type_key:
        # listed with its type but nested under another resource (a scale set instance's
        # network interface): created by that resource
        return True
    return spec.is_default is not None and spec.is_default(item)
