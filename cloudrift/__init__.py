"""cloudrift: drift scanner for Terraform-managed cloud infrastructure."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
