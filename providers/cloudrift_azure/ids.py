"""ARM resource ids: parsing, canonical case, the provider's import form, and normalisers.

ARM treats ids case-insensitively and is not consistent about their spelling: the same virtual
network comes back as ``.../resourceGroups/rg/...`` from one API and ``.../resourcegroups/RG/...``
from another. Matching therefore uses the lower-cased id (``canonical``).

The azurerm provider is not so lenient: its import parses an id segment by segment, case-
sensitively (``resourceGroups``, ``Microsoft.Network``, ``dnsZones``). ``provider_form`` rebuilds
an id ARM returned in any case with the spelling the provider's parsers expect, keeping the
names (subscription, resource group, resources) exactly as ARM returned them.

Extension resources (a role assignment on a key vault, a diagnostic setting) hang off another
resource's id: ``<scope>/providers/Microsoft.Insights/diagnosticSettings/<name>``. ``parse``
reads the last ``providers`` segment as theirs and keeps the scope.
"""

from __future__ import annotations

from collections.abc import Iterable
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
    namespace (``virtualNetworks``, ``subnets``) and the matching names. ``scope`` is, for an
    extension resource, the id of the resource it extends (subscription and resource group are
    then the scope's)."""

    subscription: str
    resource_group: str | None
    namespace: str | None
    types: tuple[str, ...]
    names: tuple[str, ...]
    scope: str | None = None

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


def _typed(parts: list[str]) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """``[namespace, type, name, type, name...]`` split, or None if it is not that shape."""
    if len(parts) < 3 or len(parts) % 2 == 0:
        return None
    pairs = parts[1:]
    return parts[0], tuple(pairs[0::2]), tuple(pairs[1::2])


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
    if rest[0].lower() != "providers":
        return None
    marks = [i for i, part in enumerate(rest) if part.lower() == "providers"]
    last = marks[-1]
    tail = _typed(rest[last + 1:])
    if tail is None:
        return None
    namespace, types, names = tail
    if last == 0:
        return ArmId(subscription, group, namespace, types, names)
    scope_parts = parts[:len(parts) - len(rest) + last]
    scope = "/" + "/".join(scope_parts)
    parsed_scope = parse(scope)
    if parsed_scope is None or parsed_scope.scope is not None:
        return None
    return ArmId(subscription, group, namespace, types, names, scope=scope)


def parent_id(resource_id: str) -> str | None:
    """The id one level up (a subnet's virtual network), or ``None`` for a top-level resource."""
    parsed = parse(resource_id)
    if parsed is None or len(parsed.types) < 2:
        return None
    return "/".join(resource_id.rstrip("/").split("/")[:-2])


def scope_of(resource_id: str) -> str | None:
    """The resource an extension resource (a diagnostic setting) extends, else ``None``."""
    parsed = parse(resource_id)
    return parsed.scope if parsed else None


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


# -- the provider's form -------------------------------------------------------------------


class Spellings:
    """How the azurerm provider spells the namespaces and type segments it parses, learnt from
    ARM types written that way (``Microsoft.Network/dnsZones``)."""

    def __init__(self, arm_types: Iterable[str] = ()) -> None:
        self._namespaces: dict[str, str] = {"microsoft.resources": "Microsoft.Resources"}
        self._types: dict[tuple[str, ...], str] = {}
        for arm_type in arm_types:
            namespace, *types = arm_type.split("/")
            self._namespaces.setdefault(namespace.lower(), namespace)
            for depth in range(1, len(types) + 1):
                key = (namespace.lower(), *(t.lower() for t in types[:depth]))
                self._types.setdefault(key, types[depth - 1])

    def namespace(self, namespace: str) -> str:
        return self._namespaces.get(namespace.lower(), namespace)

    def types(self, namespace: str, types: tuple[str, ...]) -> list[str]:
        """Each type segment as the provider spells it; one it does not know keeps ARM's."""
        spelled = []
        for depth in range(1, len(types) + 1):
            key = (namespace.lower(), *(t.lower() for t in types[:depth]))
            spelled.append(self._types.get(key, types[depth - 1]))
        return spelled


def provider_form(resource_id: str, spellings: Spellings) -> str:
    """The id as the azurerm provider's import takes it, from an ARM id in any case: fixed
    segments (``subscriptions``, ``resourceGroups``, ``providers``) and known namespaces and
    types in the provider's spelling, names as ARM returned them. Not an ARM id: unchanged."""
    parsed = parse(resource_id)
    if parsed is None:
        return resource_id
    if parsed.scope is not None:
        head = provider_form(parsed.scope, spellings)
    else:
        head = f"/subscriptions/{parsed.subscription}"
        if parsed.resource_group is not None:
            head += f"/resourceGroups/{parsed.resource_group}"
    if parsed.namespace is None:
        return head
    segments = [head, "providers", spellings.namespace(parsed.namespace)]
    for spelled, name in zip(spellings.types(parsed.namespace, parsed.types), parsed.names,
                             strict=True):
        segments += [spelled, name]
    return "/".join(segments)


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
