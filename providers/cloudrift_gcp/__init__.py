"""cloudrift's GCP provider, registered under the ``cloudrift.providers`` entry point ``gcp``.

Resources are read from Cloud Asset Inventory (``google-cloud-asset``), a handful of paged
calls per project, folder or organisation. This module stays light (no Google client at
import): the CLI loads every plugin to learn its settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cloudrift.plugin import ScanOptions
from cloudrift.settings import Setting

if TYPE_CHECKING:
    from cloudrift_gcp.provider import GcpProvider
    from cloudrift_gcp.spec import GcpSpec

__all__ = [
    "IAM_POLICY",
    "RESOURCE",
    "Backoff",
    "GcpPlugin",
    "GcpProvider",
    "GcpSession",
    "GcpSpec",
    "parse_scopes",
]

# the Terraform provider names in state this plugin compares
STATE_PROVIDERS = ("google", "google-beta")

SETTINGS = (
    Setting("gcp_scope", "list", "GCP scope(s) to search with Cloud Asset Inventory. Default: "
            "the projects the states name.", metavar="projects/P|folders/F|organizations/O"),
    Setting("gcp_projects_under", "list", "Scan every ACTIVE project under this folder or "
            "organization (nested folders included; listed by Cloud Asset Inventory), each "
            "project a scope of its own whose failures are its own warnings; repeatable. With "
            "--shard, shards take whole projects.", metavar="folders/F|organizations/O"),
)

_LAZY = {"GcpProvider": "cloudrift_gcp.provider", "parse_scopes": "cloudrift_gcp.provider",
         "Backoff": "cloudrift_gcp.session", "GcpSession": "cloudrift_gcp.session",
         "IAM_POLICY": "cloudrift_gcp.spec", "RESOURCE": "cloudrift_gcp.spec",
         "GcpSpec": "cloudrift_gcp.spec"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class GcpPlugin:
    name = "gcp"
    terraform_sources = ("hashicorp/google", "hashicorp/google-beta")
    state_providers = STATE_PROVIDERS
    requires = ("google.cloud.asset_v1",)
    settings = SETTINGS

    def types(self) -> Mapping[str, GcpSpec]:
        from cloudrift_gcp.types import SPECS

        return SPECS

    def create(self, options: ScanOptions) -> GcpProvider:
        from cloudrift_gcp.provider import GcpProvider

        return GcpProvider(options.selected(self.types()), options, owners=self.types())
