"""cloudrift: drift scanner for Terraform-managed cloud infrastructure.

The public API: ``cloudrift.scan(...)`` returns the report model (``cloudrift.model``),
``cloudrift.load_report(path)`` reads a saved one; plugin authors import from
``cloudrift.sdk``. See docs/api.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudrift._version import __version__

__all__ = ["__version__", "load_report", "scan"]

if TYPE_CHECKING:
    from cloudrift.api import load_report, scan


def __getattr__(name: str) -> Any:
    # `import cloudrift` stays cheap: the pipeline loads on first use
    if name in ("scan", "load_report"):
        from importlib import import_module

        return getattr(import_module("cloudrift.api"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
