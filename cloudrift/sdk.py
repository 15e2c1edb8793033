"""What a provider plugin may import from cloudrift: this module, and ``cloudrift.testing``.

A plugin declares its resource types as data (``ResourceSpec``, ``FieldSpec``, ``PartOf``),
normalises both sides with ``normalise``, implements the ``Provider`` protocol (``desired``,
``observe``, and optionally ``attribute``), reports what it saw as an ``Observation`` of
``Unit``s, counts its calls on the scan's ``CallMeter`` and declares its own ``Setting`` rows.
The import contract (``[tool.importlinter]`` in pyproject.toml, checked in CI) holds the
providers shipped here to this module; docs/api.md and docs/adding-a-provider.md walk
through it. Anything not exported here may change without notice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloudrift._version import __version__

if TYPE_CHECKING:
    from cloudrift import normalise as normalise
    from cloudrift.attribution import (
        MAX_EVENTS,
        WINDOW,
        AttributionResult,
        Attributor,
        failed,
        found,
        iso_utc,
        unknown,
        window_start,
    )
    from cloudrift.concurrency import share, worker_pool
    from cloudrift.desired import no_id_warning, no_id_warnings, unsupported_warnings
    from cloudrift.diff import compare
    from cloudrift.errors import CloudriftError, ConfigError, ProviderError
    from cloudrift.meter import CallMeter
    from cloudrift.model import (
        GLOBAL_REGION,
        Attribution,
        ChangeEvent,
        Finding,
        Resource,
        ResourceKey,
        ScanWarning,
        Scope,
    )
    from cloudrift.normalise import Normaliser
    from cloudrift.observed import api_failure, dedupe_warnings, one_line
    from cloudrift.plugin import Observation, Provider, ProviderPlugin, ScanOptions, Unit
    from cloudrift.ratelimit import RateLimits, TokenBucket
    from cloudrift.settings import Setting
    from cloudrift.sources.tfstate import StateInstance
    from cloudrift.spec import (
        UNKNOWN,
        Extractor,
        FieldSpec,
        PartOf,
        ResourceSpec,
        collect_specs,
        get_path,
        has_path,
    )

# Each name is imported from its home on first use (PEP 562): a plugin's light __init__ imports
# this module for ScanOptions and Setting, and the CLI loads every plugin for its settings
# before a scan has read its states, let alone needs the report model (pydantic)
_HOMES = {
    "Attribution": "cloudrift.model",
    "AttributionResult": "cloudrift.attribution",
    "Attributor": "cloudrift.attribution",
    "CallMeter": "cloudrift.meter",
    "ChangeEvent": "cloudrift.model",
    "CloudriftError": "cloudrift.errors",
    "ConfigError": "cloudrift.errors",
    "Extractor": "cloudrift.spec",
    "FieldSpec": "cloudrift.spec",
    "Finding": "cloudrift.model",
    "GLOBAL_REGION": "cloudrift.model",
    "MAX_EVENTS": "cloudrift.attribution",
    "Normaliser": "cloudrift.normalise",
    "Observation": "cloudrift.plugin",
    "PartOf": "cloudrift.spec",
    "Provider": "cloudrift.plugin",
    "ProviderError": "cloudrift.errors",
    "ProviderPlugin": "cloudrift.plugin",
    "RateLimits": "cloudrift.ratelimit",
    "Resource": "cloudrift.model",
    "ResourceKey": "cloudrift.model",
    "ResourceSpec": "cloudrift.spec",
    "ScanOptions": "cloudrift.plugin",
    "ScanWarning": "cloudrift.model",
    "Scope": "cloudrift.model",
    "Setting": "cloudrift.settings",
    "StateInstance": "cloudrift.sources.tfstate",
    "TokenBucket": "cloudrift.ratelimit",
    "UNKNOWN": "cloudrift.spec",
    "Unit": "cloudrift.plugin",
    "WINDOW": "cloudrift.attribution",
    "api_failure": "cloudrift.observed",
    "collect_specs": "cloudrift.spec",
    "compare": "cloudrift.diff",
    "dedupe_warnings": "cloudrift.observed",
    "failed": "cloudrift.attribution",
    "found": "cloudrift.attribution",
    "get_path": "cloudrift.spec",
    "has_path": "cloudrift.spec",
    "iso_utc": "cloudrift.attribution",
    "no_id_warning": "cloudrift.desired",
    "no_id_warnings": "cloudrift.desired",
    "one_line": "cloudrift.observed",
    "share": "cloudrift.concurrency",
    "unknown": "cloudrift.attribution",
    "unsupported_warnings": "cloudrift.desired",
    "window_start": "cloudrift.attribution",
    "worker_pool": "cloudrift.concurrency",
    "normalise": "cloudrift",
}

__all__ = [
    "GLOBAL_REGION",
    "MAX_EVENTS",
    "UNKNOWN",
    "WINDOW",
    "Attribution",
    "AttributionResult",
    "Attributor",
    "CallMeter",
    "ChangeEvent",
    "CloudriftError",
    "ConfigError",
    "Extractor",
    "FieldSpec",
    "Finding",
    "Normaliser",
    "Observation",
    "PartOf",
    "Provider",
    "ProviderError",
    "ProviderPlugin",
    "RateLimits",
    "Resource",
    "ResourceKey",
    "ResourceSpec",
    "ScanOptions",
    "ScanWarning",
    "Scope",
    "Setting",
    "StateInstance",
    "TokenBucket",
    "Unit",
    "__version__",
    "api_failure",
    "collect_specs",
    "compare",
    "dedupe_warnings",
    "failed",
    "found",
    "get_path",
    "has_path",
    "iso_utc",
    "no_id_warning",
    "no_id_warnings",
    "normalise",
    "one_line",
    "share",
    "unknown",
    "unsupported_warnings",
    "window_start",
    "worker_pool",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(home), name)
    globals()[name] = value
    return value
