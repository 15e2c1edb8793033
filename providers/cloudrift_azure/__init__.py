"""cloudrift's Azure provider, registered under the ``cloudrift.providers`` entry point
``azure``. This module stays light (no Azure SDK at import): the CLI loads every plugin to
learn its settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cloudrift.plugin import ScanOptions
from cloudrift.settings import Setting

if TYPE_CHECKING:
    from cloudrift_azure.provider import AzureProvider
    from cloudrift_azure.spec import AzureSpec

__all__ = [
    "PROPERTIES",
    "AzureContext",
    "AzurePlugin",
    "AzureProvider",
    "AzureSpec",
    "Source",
    "SubResource",
]

# the Terraform provider names in state this plugin compares
STATE_PROVIDERS = ("azurerm",)

SETTINGS = (
    Setting("azure_subscription", "list", "Azure subscription(s) to scan. Default: those the "
            "states' resource ids name.", metavar="ID"),
    Setting("azure_all_subscriptions", "bool", "Scan every subscription the credential sees "
            "in its tenant (Resource Manager's subscriptions list) besides those the states and "
            "--azure-subscription name; a Disabled or Deleted subscription, or one that cannot "
            "be read, is a warning. With --shard, shards take whole subscriptions."),
)

_LAZY = {"AzureProvider": "cloudrift_azure.provider", "AzureContext": "cloudrift_azure.session",
         "PROPERTIES": "cloudrift_azure.spec", "AzureSpec": "cloudrift_azure.spec",
         "Source": "cloudrift_azure.spec", "SubResource": "cloudrift_azure.spec"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class AzurePlugin:
    name = "azure"
    terraform_sources = ("hashicorp/azurerm",)
    state_providers = STATE_PROVIDERS
    requires = ("azure.mgmt.resource",)
    settings = SETTINGS

    def types(self) -> Mapping[str, AzureSpec]:
        from cloudrift_azure.types import SPECS

        return SPECS

    def create(self, options: ScanOptions) -> AzureProvider:
        """A provider for one scan; credentials are looked up on its first request."""
        from cloudrift_azure.provider import AzureProvider

        return AzureProvider(options.selected(self.types()), options)
