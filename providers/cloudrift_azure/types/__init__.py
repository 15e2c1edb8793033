"""Every supported azurerm resource type, one module per ARM namespace (roughly).

Adding a type: add an ``AzureSpec`` to the module's ``SPECS`` tuple and a fixture folder under
``fixtures/azure``; the parametrised tests and the spec lint pick both up.
"""

from __future__ import annotations

from cloudrift.sdk import collect_specs
from cloudrift_azure.spec import AzureSpec


def _collect() -> dict[str, AzureSpec]:
    specs = collect_specs(__name__, AzureSpec)
    for spec in specs.values():
        if spec.parent is not None and spec.parent not in specs:
            raise ValueError(f"{spec.type}: parent {spec.parent} is not a supported type")
    return specs


SPECS: dict[str, AzureSpec] = _collect()
