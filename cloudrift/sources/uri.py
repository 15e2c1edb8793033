"""Parsing of ``--from`` URLs into sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cloudrift.errors import ConfigError
from cloudrift.sources.tfstate import SourceFailure, StateDocument

SCHEMES = ("tfstate",)


class Source(Protocol):
    """Anything that yields state documents."""

    @property
    def uri(self) -> str: ...

    def read(self) -> Sequence[StateDocument | SourceFailure]:
        """Every state the source names. A source that reads many objects (a bucket prefix)
        returns a ``SourceFailure`` for one it cannot read, and raises ``SourceError`` only when
        it cannot work at all."""
        ...


@dataclass(frozen=True)
class FromSpec:
    scheme: str
    backend: str | None
    location: str


def parse_from(uri: str) -> FromSpec:
    """``tfstate://a/b.tfstate`` -> FromSpec("tfstate", None, "a/b.tfstate")."""
    if not uri:
        raise ConfigError("--from is empty")
    if "://" not in uri:
        return FromSpec("tfstate", None, uri)
    scheme, _, location = uri.partition("://")
    base, _, backend = scheme.partition("+")
    if base not in SCHEMES:
        raise ConfigError(
            f"unknown --from scheme {scheme!r} in {uri!r}",
            hint="use tfstate://PATH (globs allowed)",
        )
    if backend:
        raise ConfigError(f"state backend {backend!r} is not supported yet ({uri!r})")
    if not location:
        raise ConfigError(f"--from {uri!r} has no path")
    return FromSpec(base, None, location)


def open_source(uri: str) -> Source:
    spec = parse_from(uri)
    from cloudrift.sources.local import LocalStateSource

    return LocalStateSource(uri=uri, pattern=spec.location)
