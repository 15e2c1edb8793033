"""Parsing of ``--from`` URLs into sources.

``tfstate://PATH`` (or a bare path) reads local files; ``tfstate+<backend>://...`` reads a
remote backend (see :mod:`cloudrift.sources.backends`). Options of a backend follow a ``?``
as ``name=value`` pairs (``tfstate+s3://b/k?region=eu-west-1``); a ``?`` not followed by
``name=`` stays part of the path, where it is a one-character wildcard. For ``http`` and
``https`` the whole address, query included, is the backend's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from cloudrift.errors import ConfigError
from cloudrift.sources.types import BackendSettings, Source

__all__ = ["SCHEMES", "FromSpec", "Source", "open_source", "parse_from"]

SCHEMES = ("tfstate",)
# the backends that take ?name=value options; http(s) pass their query to the server
_OPTION_START = re.compile(r"\?(?=[A-Za-z_][A-Za-z0-9_]*=)")


@dataclass(frozen=True)
class FromSpec:
    scheme: str
    backend: str | None
    location: str
    options: tuple[tuple[str, str], ...] = ()


def _split_options(uri: str, rest: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    match = _OPTION_START.search(rest)
    if match is None:
        return rest, ()
    location, query = rest[: match.start()], rest[match.end():]
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise ConfigError(f"--from {uri!r}: options must be name=value pairs joined by &"
                          ) from None
    return location, tuple(pairs)


def parse_from(uri: str) -> FromSpec:
    """``tfstate://a/b.tfstate`` -> FromSpec("tfstate", None, "a/b.tfstate");
    ``tfstate+s3://b/k?region=x`` -> FromSpec("tfstate", "s3", "b/k", (("region", "x"),))."""
    if not uri:
        raise ConfigError("--from is empty")
    if "://" not in uri:
        return FromSpec("tfstate", None, uri)
    scheme, _, rest = uri.partition("://")
    base, _, backend = scheme.partition("+")
    if base in SCHEMES and not backend:
        if not rest:
            raise ConfigError(f"--from {uri!r} has no path")
        return FromSpec(base, None, rest)
    # imported only now: the table loads every backend module, which neither ``import
    # cloudrift.sources`` (the providers' state types) nor a local state needs
    from cloudrift.sources.backends import backend_for_scheme, backend_names
    from cloudrift.sources.backends._common import redact_url

    if base not in SCHEMES:
        raise ConfigError(
            f"unknown --from scheme {scheme!r} in {redact_url(uri)!r}",
            hint="use tfstate://PATH (globs allowed) or tfstate+BACKEND://..., BACKEND one of "
            + ", ".join(backend_names()),
        )
    backend = backend.lower()
    found = backend_for_scheme(backend)
    if found is None:
        raise ConfigError(
            f"state backend {backend!r} is not supported ({redact_url(uri)!r})",
            hint="backends: " + ", ".join(backend_names()),
        )
    if found.whole_url:
        if not rest:
            raise ConfigError(f"--from {redact_url(uri)!r} has no address")
        return FromSpec(base, backend, f"{backend}://{rest}")
    location, options = _split_options(uri, rest)
    if not location.strip("/"):
        raise ConfigError(f"--from {uri!r} has no path")
    return FromSpec(base, backend, location, options)


def open_source(uri: str, settings: BackendSettings | None = None) -> Source:
    """The source one ``--from`` value names. ``settings`` carries what a backend needs beyond
    its URL (a Terraform Cloud token, HTTP headers, the read parallelism)."""
    spec = parse_from(uri)
    if spec.backend is None:
        from cloudrift.sources.local import BACKEND

        return BACKEND.opener(uri, spec.location, (), settings or BackendSettings())
    from cloudrift.sources.backends import open_backend

    return open_backend(uri, spec.backend, spec.location, spec.options, settings)
