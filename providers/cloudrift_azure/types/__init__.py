"""Every supported azurerm resource type, one module per ARM namespace (roughly).

Adding a type: add an ``AzureSpec`` to the module's ``SPECS`` tuple and a fixture folder under
``fixtures/azure``; the parametrised tests and the spec lint pick both up.
"""

from __future__ import annotations

from importlib import import_module

from cloudrift_azure.spec import AzureSpec

MODULES = ("resources", "network", "storage", "compute", "keyvault", "containers", "monitor")


def _collect() -> dict[str, AzureSpec]:
    specs: dict[str, AzureSpec] = {}
    for module_name in MODULES:
        module = import_module(f"cloudrift_azure.types.{module_name}")
        for spec in module.SPECS:
            if spec.type in specs:
                raise ValueError(f"{spec.type} is declared twice")
            specs[spec.type] = spec
    for spec in specs.values():
        if spec.parent is not None and spec.parent not in specs:
            raise ValueError(f"{spec.type}: parent {spec.parent} is not a supported type")
    return dict(sorted(specs.items()))


SPECS: dict[str, AzureSpec] = _collect()
