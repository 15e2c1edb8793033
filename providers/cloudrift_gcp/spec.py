"""The GCP part of a resource spec: which Cloud Asset Inventory asset type holds a Terraform type,
how to read its import id and location, and which resources Google created itself."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cloudrift.sdk import ResourceSpec

Item = dict[str, Any]

RESOURCE = "RESOURCE"
IAM_POLICY = "IAM_POLICY"
CONTENT_TYPES = (RESOURCE, IAM_POLICY)

PROJECT_ASSET_TYPE = "cloudresourcemanager.googleapis.com/Project"

_LOCATION_IN_ID = re.compile(r"(?:^|/)(?:zones|regions|locations)/([^/]+)/")
ASSET_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9]*\.googleapis\.com/[A-Z][A-Za-z0-9]*$")

CloudId = Callable[[Mapping[str, Any]], "str | None"]
StateLocation = Callable[[Mapping[str, Any]], "str | None"]
Expander = Callable[[Mapping[str, Any], "str | None"], "list[Item]"]
# (Terraform type, import id) of resources another resource created with itself
Owned = Callable[[Mapping[str, Any]], Iterable[tuple[str, str]]]


def location_in_id(import_id: str | None) -> str | None:
    """``projects/p/zones/us-central1-a/instances/vm`` -> ``us-central1-a``."""
    if not import_id:
        return None
    match = _LOCATION_IN_ID.search(import_id)
    return match.group(1) if match else None


@dataclass(frozen=True)
class GcpSpec(ResourceSpec):
    """How to find a Terraform type in Cloud Asset Inventory.

    ``asset_type`` is the Cloud Asset type listed for it. An item is the asset's
    ``resource.data`` (the service's own REST representation, camelCase) with the asset envelope
    under ``"$asset"`` (``project``, ``location``, ``name``, ``ancestors``). ``cloud_id`` gives the
    import id from an item. With ``content=IAM_POLICY`` the asset's IAM policy is read instead and
    ``expand(asset, project)`` turns one policy into one item per binding member.

    A resource's region in the report is its location: taken from the import id
    (``zones/``, ``regions/``, ``locations/``) unless ``state_location`` / ``cloud_location`` say
    otherwise (a bucket's location is an attribute), else ``global``. ``is_default`` marks what
    Google created itself (the ``default`` network, Google-managed service accounts): not
    reported unmanaged unless ``--strict``.

    Resources an API creates as parts of another resource (a managed instance's boot disk, the
    instances of a managed instance group, the subnetworks of an auto-mode network) are never
    unmanaged on their own: with a managed parent they are managed through it, with an
    unmanaged one the parent's own finding covers them. ``owns(item)`` names what a parent
    created, as ``(type, import id)`` pairs; ``created_by(item)`` says so from the child's own
    payload (the instance group a VM's ``created-by`` metadata names). Neither is listed unless
    a state manages it.

    ``related(asset)`` names another asset (its full Cloud Asset name) whose ``resource.data``
    the items of ``asset`` need (a record set's zone, a service account's e-mail for its IAM
    policy): the provider puts it under ``"$asset"`` as ``related`` when a RESOURCE listing
    holds it.
    """

    asset_type: str = ""
    content: str = RESOURCE
    cloud_id: CloudId | None = None
    expand: Expander | None = None
    state_location: StateLocation | None = None
    cloud_location: StateLocation | None = None
    is_default: Callable[[Mapping[str, Any]], bool] | None = None
    owns: Owned | None = None
    # the types ``owns`` may name: a scan that lists only some types (``--unmanaged
    # managed-types``) lists an owner only when it may own one of them
    owns_types: tuple[str, ...] = ()
    created_by: Callable[[Mapping[str, Any]], str | None] | None = None
    related: Callable[[Mapping[str, Any]], str | None] | None = None

    def __post_init__(self) -> None:
        if not ASSET_TYPE_PATTERN.match(self.asset_type):
            raise ValueError(f"{self.type}: asset_type {self.asset_type!r} is not a Cloud Asset "
                             "type (service.googleapis.com/Kind)")
        if self.content not in CONTENT_TYPES:
            raise ValueError(f"{self.type}: content must be one of {CONTENT_TYPES}")
        if self.cloud_id is None:
            raise ValueError(f"{self.type}: cloud_id is required")
        if self.content == IAM_POLICY and self.expand is None:
            raise ValueError(f"{self.type}: an IAM_POLICY type needs expand=")
        if (self.owns is None) != (not self.owns_types):
            raise ValueError(f"{self.type}: owns= and owns_types= go together")
        paths = [f.path for f in self.fields]
        if len(paths) != len(set(paths)):
            raise ValueError(f"{self.type}: a field path is declared twice")

    def location_from_state(self, attributes: Mapping[str, Any], import_id: str) -> str:
        found = self.state_location(attributes) if self.state_location else None
        return _location(found or location_in_id(import_id))

    def location_from_cloud(self, item: Mapping[str, Any], import_id: str) -> str:
        found = self.cloud_location(item) if self.cloud_location else None
        return _location(found or location_in_id(import_id))


def _location(value: str | None) -> str:
    # the state writes "US" and "EU" where Cloud Asset writes "us" and "eu"
    return value.lower() if value else "global"
