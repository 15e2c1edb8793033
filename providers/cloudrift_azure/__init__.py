"""cloudrift's Azure provider, registered under the ``cloudrift.providers`` entry point
``azure``."""

from __future__ import annotations

from collections.abc import Mapping

from cloudrift.plugin import ScanOptions
from cloudrift_azure.provider import STATE_PROVIDERS, AzureProvider
from cloudrift_azure.session import AzureContext
from cloudrift_azure.spec import PROPERTIES, AzureSpec, Source, SubResource

__all__ = [
    "PROPERTIES",
    "AzureContext",
    "AzurePlugin",
    "AzureProvider",
    "AzureSpec",
    "Source",
    "SubResource",
]


class AzurePlugin:
    name = "azure"
    terraform_sources = ("hashicorp/azurerm",)
    state_providers = STATE_PROVIDERS

    def types(self) -> Mapping[str, AzureSpec]:
        from cloudrift_azure.types import SPECS

        return SPECS

    def create(self, options: ScanOptions) -> AzureProvider:
        """A provider for one scan; credentials are looked up on its first request."""
        return AzureProvider(options.selected(self.types()), options)
