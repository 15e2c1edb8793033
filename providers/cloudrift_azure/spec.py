"""The Azure part of a resource spec: the ARM type, its api-version and where its items come from.

Enumeration is by ARM type, subscription-wide: one ``resources.list`` serves every top-level
type, so such a spec names no list call, only the ARM type its items carry. Resource groups come
from ``resource_groups.list``; child resources that ARM keeps inside their parent (subnets, load
balancing rules) come from their parent's properties; child resources ARM lists under their
parent (a SQL server's databases) from that list (``list_path`` below the parent); extension
resources (diagnostic settings) from a list below each resource they may extend; and role
assignments from one list per subscription. The list payload has ``id``, ``name``, ``type``,
``location``, ``tags``, ``sku``, ``kind``, ``identity``, ``managedBy``; a field that needs
anything else says ``detail=PROPERTIES`` and is filled from one ``get_by_id`` of the resource,
made only for managed resources.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from cloudrift.sdk import UNKNOWN, ResourceSpec

Item = dict[str, Any]

# the detail name of "the resource's own GET": fields that need more than the list payload
PROPERTIES = "properties"

_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")


class Source(str, Enum):
    RESOURCES = "resources"          # resources.list / list_by_resource_group
    RESOURCE_GROUPS = "resource_groups"  # resource_groups.list
    PARENT = "parent"                # inside the parent resource's properties
    CHILDREN = "children"            # GET <parent id><list_path>, per parent
    EXTENSION = "extension"          # GET <target id><list_path>, per resource it may extend
    SUBSCRIPTION = "subscription"    # GET /subscriptions/<s><list_path>, per subscription

# sources whose list payload is the full resource: no GET per resource
FULL_LISTS = frozenset({Source.PARENT, Source.CHILDREN, Source.EXTENSION, Source.SUBSCRIPTION})


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

    Listed children (``Source.CHILDREN``) are read with one ``GET <parent id><list_path>`` per
    parent that is managed or holds a managed child; extension resources
    (``Source.EXTENSION``) with one ``GET <target id><list_path>`` per managed resource of a
    type in ``targets`` and per target a managed one names; ``Source.SUBSCRIPTION`` with one
    ``GET /subscriptions/<s><list_path>`` per subscription. ``matches`` may answer ``None``
    when the list payload cannot tell (the full payload is then read).

    The import id: by default the ARM id in the provider's spelling (``ids.provider_form``).
    A type whose import id is not its ARM id says how to get one from the other:
    ``state_arm_id`` gives the ARM id from the state's attributes (for matching and scope),
    ``cloud_import_id`` the import id from the provider-form ARM id and the payload (``None``:
    the payload does not tell). ``inline_children`` gives the ids of the resources a resource
    of this type created with itself (a VM's OS disk): those are not unmanaged; and
    ``inline_types`` the Terraform types they may be of: when such a resource cannot be read,
    no resource of those types in its resource group is called unmanaged.
    """

    arm_type: str = ""
    api_version: str = ""
    source: Source = Source.RESOURCES
    parent: str | None = None
    children: str | None = None
    matches: Callable[[Mapping[str, Any]], bool | None] | None = None
    is_default: Callable[[Mapping[str, Any]], bool] | None = None
    sub_resources: tuple[SubResource, ...] = ()
    version_specific: frozenset[str] = frozenset()
    list_path: str | None = None
    targets: frozenset[str] = frozenset()
    state_arm_id: Callable[[Mapping[str, Any]], str | None] | None = None
    cloud_import_id: Callable[[str, Mapping[str, Any]], str | None] | None = None
    inline_children: Callable[[Mapping[str, Any]], list[str]] | None = None
    inline_types: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.arm_type or "/" not in self.arm_type:
            raise ValueError(f"{self.type}: arm_type must be Namespace/type")
        if not _API_VERSION.match(self.api_version):
            raise ValueError(f"{self.type}: api_version {self.api_version!r} is not YYYY-MM-DD")
        if (self.source is Source.PARENT) != bool(self.children):
            raise ValueError(f"{self.type}: children= is for Source.PARENT, which needs it")
        if (self.source in (Source.PARENT, Source.CHILDREN)) != (self.parent is not None):
            raise ValueError(f"{self.type}: parent= is for child types, which need it")
        listed = self.source in (Source.CHILDREN, Source.EXTENSION, Source.SUBSCRIPTION)
        if listed != bool(self.list_path):
            raise ValueError(f"{self.type}: list_path= goes with listed children, extension "
                             "and subscription types, which need it")
        if (self.inline_children is None) != (not self.inline_types):
            raise ValueError(f"{self.type}: inline_children= and inline_types= go together")
        if (self.source is Source.EXTENSION) != bool(self.targets):
            raise ValueError(f"{self.type}: targets= is for Source.EXTENSION, which needs it")
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

    def arm_id_in_state(self, attributes: Mapping[str, Any]) -> str | None:
        """The ARM id a state instance stands for (matching and scope go by it)."""
        if self.state_arm_id is not None:
            return self.state_arm_id(attributes)
        return self.state_import_id(attributes)

    def desired_attributes(self, attributes: Mapping[str, Any]) -> dict[str, Any]:
        values = super().desired_attributes(attributes)
        for path in self.version_specific:
            if values.get(path) is UNKNOWN:
                # the state was written by a provider version without this argument
                del values[path]
        return values
