"""Remote state backends behind ``--from tfstate+<backend>://``.

=========  ====================================================  ==========================
backend    URL                                                   module
=========  ====================================================  ==========================
s3         ``tfstate+s3://BUCKET/KEY-OR-GLOB?region=...``         :mod:`.s3` (boto3)
gs         ``tfstate+gs://BUCKET/PREFIX-OR-OBJECT-OR-GLOB``       :mod:`.gcs` (gcp extra)
azurerm    ``tfstate+azurerm://ACCOUNT/CONTAINER/KEY-OR-GLOB``    :mod:`.azurerm` (azure extra)
http(s)    ``tfstate+https://[USER:PASS@]HOST/PATH``              :mod:`.http` (stdlib)
tfcloud    ``tfstate+tfcloud://ORGANIZATION/WORKSPACE-OR-GLOB``   :mod:`.tfcloud` (stdlib)
=========  ====================================================  ==========================

Every source reads its objects on a bounded thread pool. A state that cannot be read (denied,
deleted meanwhile, corrupt) comes back as a ``SourceFailure`` naming it; a source that cannot
work at all (no bucket, no credentials, unreachable host) raises ``SourceError`` naming the URL,
never its credentials. The cloud SDKs are imported when a source reads, not before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from cloudrift.errors import ConfigError
from cloudrift.sources.backends._common import BackendSettings, redact_url

if TYPE_CHECKING:
    from cloudrift.sources.uri import Source

__all__ = ["BACKENDS", "BackendSettings", "open_backend"]

# scheme after "tfstate+" -> canonical backend name; "gcs" is the Terraform backend's own name
BACKENDS: Mapping[str, str] = {
    "s3": "s3",
    "gs": "gs",
    "gcs": "gs",
    "azurerm": "azurerm",
    "http": "http",
    "https": "http",
    "tfcloud": "tfcloud",
}


def _open_s3(uri: str, location: str, options: Sequence[tuple[str, str]],
             settings: BackendSettings) -> Source:
    from cloudrift.sources.backends.s3 import S3StateSource

    return S3StateSource.from_spec(uri, location, options, settings)


def _open_gs(uri: str, location: str, options: Sequence[tuple[str, str]],
             settings: BackendSettings) -> Source:
    from cloudrift.sources.backends.gcs import GcsStateSource

    return GcsStateSource.from_spec(uri, location, options, settings)


def _open_azurerm(uri: str, location: str, options: Sequence[tuple[str, str]],
                  settings: BackendSettings) -> Source:
    from cloudrift.sources.backends.azurerm import AzureStateSource

    return AzureStateSource.from_spec(uri, location, options, settings)


def _open_tfcloud(uri: str, location: str, options: Sequence[tuple[str, str]],
                  settings: BackendSettings) -> Source:
    from cloudrift.sources.backends.tfcloud import TfcStateSource

    return TfcStateSource.from_spec(uri, location, options, settings)


Opener = Callable[[str, str, Sequence[tuple[str, str]], BackendSettings], "Source"]

_OPENERS: Mapping[str, Opener] = {
    "s3": _open_s3,
    "gs": _open_gs,
    "azurerm": _open_azurerm,
    "tfcloud": _open_tfcloud,
}


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
    settings = settings or BackendSettings()
    name = BACKENDS.get(backend)
    if name is None:
        raise ConfigError(f"state backend {backend!r} is not supported ({redact_url(uri)!r})",
                          hint="backends: " + ", ".join(sorted(set(BACKENDS.values()))))
    if name == "http":
        from cloudrift.sources.backends.http import HttpStateSource

        return HttpStateSource.from_url(location, settings)
    return _OPENERS[name](uri, location, options, settings)
