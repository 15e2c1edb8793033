"""ARM resource ids: parsing, canonical case, and the normalisers built on them.

ARM treats ids case-insensitively and is not consistent about their spelling: the same virtual
network comes back as ``.../resourceGroups/rg/...`` from one API and ``.../resourcegroups/RG/...``
from another, and the azurerm provider writes its own canonical spelling into state. Matching
therefore uses the lower-cased id; what is reported keeps the spelling the state has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RESOURCE_GROUP_TYPE = "microsoft.resources/resourcegroups"


def canonical(resource_id: str) -> str:
    """The id in the one spelling used for matching: lower case, one leading slash, no empty
    segments or trailing slash."""
    return "/" + "/".join(part for part in resource_id.strip().split("/") if part).lower()


@dataclass(frozen=True)
class ArmId:
    """The parts of an ARM id. ``types``/``names`` are the resource type path below the provider
    namespace (``virtualNetworks``, ``subnets``) and the matching names."""

    subscription: str
    resource_group: str | None
    namespace: str | None
    types: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def arm_type(self) -> str:
        """``microsoft.network/virtualnetworks/subnets``, lower case."""
        if self.namespace is None:
            if self.resource_group:
                return RESOURCE_GROUP_TYPE
            return "microsoft.resources/subscriptions"
        return "/".join((self.namespace, *self.types)).lower()

    @property
    def name(self) -> str:
        if self.names:
            return self.names[-1]
        return self.resource_group or self.subscription


def parse(resource_id: str) -> ArmId | None:
    """Split an ARM id; ``None`` if it is not one (``/subscriptions/{s}/...``)."""
    parts = [part for part in resource_id.strip().split("/") if part]
    if len(parts) < 2 or parts[0].lower() != "subscriptions":
        return None
    subscription = parts[1]
    rest = parts[2:]
    group: str | None = None
    if len(rest) >= 2 and rest[0].lower() == "resourcegroups":
        group, rest = rest[1], rest[2:]
    if not rest:
        return ArmId(subscription, group, None, (), ())
    if rest[0].lower() != "providers" or len(rest) < 4 or len(rest) % 2 != 0:
        return None
    namespace, pairs = rest[1], rest[2:]
    return ArmId(subscription, group, namespace, tuple(pairs[0::2]), tuple(pairs[1::2]))


def parent_id(resource_id: str) -> str | None:
    """The id one level up (a subnet's virtual network), or ``None`` for a top-level resource."""
    parsed = parse(resource_id)
    if parsed is None or len(parsed.types) < 2:
        return None
    return "/".join(resource_id.rstrip("/").split("/")[:-2])


def subscription_of(resource_id: str) -> str | None:
    parsed = parse(resource_id)
    return parsed.subscription.lower() if parsed else None


def group_of(resource_id: str) -> str | None:
    """The resource group, lower case (ARM resource group names are case-insensitive)."""
    parsed = parse(resource_id)
    return parsed.resource_group.lower() if parsed and parsed.resource_group else None


def arm_type_of(resource_id: str) -> str | None:
    parsed = parse(resource_id)
    return parsed.arm_type if parsed else None


# -- normalisers ---------------------------------------------------------------------------


def normalise_id(value: Any) -> Any:
    """An id-valued field (``subnet_id``) or a list of them, compared case-insensitively."""
    if isinstance(value, str):
        return canonical(value) if value.strip() else None
    if isinstance(value, list):
        return [normalise_id(v) for v in value]
    return value


def location(value: Any) -> Any:
    """ARM's location name: ``West Europe`` and ``westeurope`` are the same place."""
    if isinstance(value, str):
        return "".join(value.split()).lower()
    return value
