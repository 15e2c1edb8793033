"""Every supported GCP resource type, one module per service.

Adding a type: add a ``GcpSpec`` to the module's ``SPECS`` and a fixture folder under
``fixtures/gcp/types/<terraform type>/``; the parametrised tests and the spec lint pick both up.
"""

from __future__ import annotations

from importlib import import_module

from cloudrift_gcp.spec import GcpSpec

MODULES = (
    "compute",
    "storage",
    "sql",
    "iam",
    "pubsub",
    "bigquery",
    "container",
    "dns",
    "kms",
)


def _collect() -> dict[str, GcpSpec]:
    specs: dict[str, GcpSpec] = {}
    for module_name in MODULES:
        module = import_module(f"cloudrift_gcp.types.{module_name}")
        for spec in module.SPECS:
            if spec.type in specs:
                raise ValueError(f"{spec.type} is declared twice")
            specs[spec.type] = spec
    return dict(sorted(specs.items()))


SPECS: dict[str, GcpSpec] = _collect()
