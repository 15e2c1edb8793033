"""State backends: the one table of them, behind ``--from`` URLs and zero-config discovery.

=========  ====================================================  ==========================
backend    URL                                                   module
=========  ====================================================  ==========================
local      ``tfstate://PATH-OR-GLOB`` or a bare path              :mod:`cloudrift.sources.local`
s3         ``tfstate+s3://BUCKET/KEY-OR-GLOB?region=...``         :mod:`.s3` (boto3)
gs         ``tfstate+gs://BUCKET/PREFIX-OR-OBJECT-OR-GLOB``       :mod:`.gcs` (gcp extra)
azurerm    ``tfstate+azurerm://ACCOUNT/CONTAINER/KEY-OR-GLOB``    :mod:`.azurerm` (azure extra)
http(s)    ``tfstate+https://[USER:PASS@]HOST/PATH``              :mod:`.http` (stdlib)
tfcloud    ``tfstate+tfcloud://ORGANIZATION/WORKSPACE-OR-GLOB``   :mod:`.tfcloud` (stdlib)
=========  ====================================================  ==========================

Each public module of this package ends with its :class:`~cloudrift.sources.types.Backend`
record (its URL schemes, the opener of its URL, the planners that turn a Terraform
``backend``/``cloud`` block into that URL), and is found here by its name: adding a backend is
adding a module. The stores of many states (s3, gs, azurerm, tfcloud) share one base
(:mod:`._store`) and read on a bounded thread pool. A state that cannot be read (denied,
deleted meanwhile, corrupt) comes back as a ``SourceFailure`` naming it; a source that cannot
work at all (no bucket, no credentials, unreachable host) raises ``SourceError`` naming the
URL, never its credentials. The cloud SDKs are imported when a source reads, not before.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping, Sequence

from cloudrift.errors import ConfigError
from cloudrift.sources import local
from cloudrift.sources.backends._common import redact_url
from cloudrift.sources.types import Backend, BackendSettings, Planner, Source

__all__ = [
    "BACKENDS",
    "LOCAL",
    "Backend",
    "BackendSettings",
    "backend_for_scheme",
    "backend_names",
    "open_backend",
    "planner_for",
]

# what tfstate:// and a bare path name
LOCAL = local.BACKEND


def _registered() -> tuple[Backend, ...]:
    """``LOCAL``, then the ``BACKEND`` of every public module of this package, by module name:
    a new backend is one module, listed nowhere else."""
    found = [LOCAL]
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        backend = getattr(module, "BACKEND", None)
        if not isinstance(backend, Backend):
            raise TypeError(f"{module.__name__} defines no BACKEND record")
        found.append(backend)
    return tuple(found)


BACKENDS: tuple[Backend, ...] = _registered()

_BY_SCHEME: Mapping[str, Backend] = {
    scheme: backend for backend in BACKENDS for scheme in backend.schemes
}
_BY_BLOCK: Mapping[str, Planner] = {
    block: planner for backend in BACKENDS for block, planner in backend.planners.items()
}


def backend_for_scheme(scheme: str) -> Backend | None:
    """The backend ``tfstate+<scheme>://`` names (``scheme`` in lower case)."""
    return _BY_SCHEME.get(scheme)


def backend_names() -> list[str]:
    """The backends a ``tfstate+<scheme>://`` URL can name, for hints."""
    return sorted({backend.name for backend in _BY_SCHEME.values()})


def planner_for(block: str) -> Planner | None:
    """The planner of a Terraform ``backend "<block>"`` (``cloud`` for a cloud block)."""
    return _BY_BLOCK.get(block)


def open_backend(
    uri: str,
    backend: str,
    location: str,
    options: Sequence[tuple[str, str]] = (),
    settings: BackendSettings | None = None,
) -> Source:
    """The source for one ``tfstate+<backend>://`` URL (already split by ``parse_from``).

    For ``http``/``https`` the location is the whole address, query included.
    """
    found = backend_for_scheme(backend)
    if found is None:
        raise ConfigError(f"state backend {backend!r} is not supported ({redact_url(uri)!r})",
                          hint="backends: " + ", ".join(backend_names()))
    return found.opener(uri, location, options, settings or BackendSettings())
