"""cloudrift's GCP provider, registered under the ``cloudrift.providers`` entry point ``gcp``.

Resources are read from Cloud Asset Inventory (``google-cloud-asset``), a handful of paged
calls per project, folder or organisation.
"""

from __future__ import annotations

from collections.abc import Mapping

from cloudrift.plugin import ScanOptions
from cloudrift_gcp.provider import STATE_PROVIDERS, GcpProvider, parse_scopes
from cloudrift_gcp.session import Backoff, GcpSession
from cloudrift_gcp.spec import IAM_POLICY, RESOURCE, GcpSpec

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


class GcpPlugin:
    name = "gcp"
    terraform_sources = ("hashicorp/google", "hashicorp/google-beta")
    state_providers = STATE_PROVIDERS

    def types(self) -> Mapping[str, GcpSpec]:
        from cloudrift_gcp.types import SPECS

        return SPECS

    def create(self, options: ScanOptions) -> GcpProvider:
        return GcpProvider(options.selected(self.types()), options, owners=self.types())
