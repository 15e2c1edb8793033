"""Desired-state sources: where Terraform state comes from.

``--from`` takes a URL. ``tfstate://PATH`` (globs allowed, ``**`` recursive) reads local files;
a bare path is read the same way.
"""

from __future__ import annotations

from cloudrift.sources.local import LocalStateSource
from cloudrift.sources.tfstate import StateDocument, StateInstance, parse_state
from cloudrift.sources.types import Source
from cloudrift.sources.uri import open_source, parse_from

__all__ = [
    "LocalStateSource",
    "Source",
    "StateDocument",
    "StateInstance",
    "open_source",
    "parse_from",
    "parse_state",
]
