"""The Azure part of a resource spec: the ARM type, its api-version and where its items come from.

Enumeration is by ARM type, subscription-wide: one ``resources.list`` serves every type, so a
spec names no list call, only the ARM type its items carry. Resource groups come from
``resource_groups.list``; child resources that ARM does not list on their own (subnets) come
from their parent's properties. The list payload has ``id``, ``name``, ``type``, ``location``,
``tags``, ``sku``, ``kind``, ``identity``, ``managedBy``; a field that needs anything else says
``detail=PROPERTIES`` and is filled from one ``get_by_id`` of the resource, made only for
managed resources.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from cloudrift.spec import UNKNOWN, ResourceSpec

Item = dict[str, Any]

# the detail name of "the resource's own GET": fields that need more than the list payload
PROPERTIES = "properties"

_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")


class Source(str, Enum):
    RESOURCES = "resources"          # resources.list / list_by_resource_group
    RESOURCE_GROUPS = "resource_groups"  # resource_groups.list
    PARENT = "parent"                # inside the parent resource's properties


@dataclass(frozen=True)
class SubResource:
    """A read of a sub-path of the resource (a DNS zone's ``/SOA/@`` record set), made only for
    managed resources. Its JSON body is stored in the payload under ``name``; fields that need it
    say ``detail=name``. A 404 stores ``None`` (nothing is set)."""

    name: str
    suffix: str
    api_version: str | None = None


@dataclass(frozen=True)
class AzureSpec(ResourceSpec):
    """How to find a Terraform type in Azure Resource Manager.

    ``arm_type`` is the ARM resource type (``Microsoft.Network/virtualNetworks``) and
    ``api_version`` the version its GET is made with. ``source`` says where items come from;
    for ``Source.PARENT`` the parent is the spec of type ``parent`` and ``children`` a JMESPath
    into the parent's GET payload giving the child items. Several specs may share an ARM type
    (Linux and Windows virtual machines): ``matches`` then tells, from the full payload, which
    of them an item is. ``is_default`` marks what Azure created itself. ``version_specific``
    names fields that only some versions of the azurerm provider record in state (renamed
    arguments): a state that lacks them neither compares nor counts them.
    """

    arm_type: str = ""
    api_version: str = ""
    source: Source = Source.RESOURCES
    parent: str | None = None
    children: str | None = None
    matches: Callable[[Mapping[str, Any]], bool] | None = None
    is_default: Callable[[Mapping[str, Any]], bool] | None = None
    sub_resources: tuple[SubResource, ...] = ()
    version_specific: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.arm_type or "/" not in self.arm_type:
            raise ValueError(f"{self.type}: arm_type must be Namespace/type")
        if not _API_VERSION.match(self.api_version):
            raise ValueError(f"{self.type}: api_version {self.api_version!r} is not YYYY-MM-DD")
        if (self.source is Source.PARENT) != (self.parent is not None and bool(self.children)):
            raise ValueError(f"{self.type}: a child type needs both parent= and children=")
        details = {PROPERTIES} | {s.name for s in self.sub_resources}
        for f in self.fields:
            if f.detail is not None and f.detail not in details:
                raise ValueError(f"{self.type}.{f.path}: unknown detail {f.detail!r}")
        unknown = self.version_specific - {f.path for f in self.fields}
        if unknown:
            raise ValueError(f"{self.type}: version_specific names no field: {sorted(unknown)}")

    @property
    def arm_type_key(self) -> str:
        return self.arm_type.lower()

    @property
    def needs_properties(self) -> bool:
        """True if some declared field needs the resource's own GET."""
        return any(f.detail == PROPERTIES for f in self.fields)

    def desired_attributes(self, attributes: Mapping[str, Any]) -> dict[str, Any]:
        values = super().desired_attributes(attributes)
        for path in self.version_specific:
            if values.get(path) is UNKNOWN:
                # the state was written by a provider version without this argument
                del values[path]
        return values
