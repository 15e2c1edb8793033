"""Import ids, as ``terraform import`` takes them, from state attributes and from payloads."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from cloudrift_gcp.fields import asset_project, short_name, state_project

# Compute Engine self-links, GA and beta, on either API host
_SELF_LINK = re.compile(r"^https://(?:www\.googleapis\.com|compute\.googleapis\.com)"
                        r"/compute/(?:v1|beta|alpha)/")


def relative_name(value: Any) -> str | None:
    """``https://www.googleapis.com/compute/v1/projects/p/global/networks/n`` ->
    ``projects/p/global/networks/n``."""
    if not isinstance(value, str) or not value:
        return None
    return _SELF_LINK.sub("", value)


def from_self_link(item: Mapping[str, Any]) -> str | None:
    return relative_name(item.get("selfLink"))


IdBuilder = Callable[[Mapping[str, Any]], str | None]


def _filled(pattern: str, value: Callable[[Mapping[str, Any], str], Any]) -> IdBuilder:
    """``pattern`` with each ``{name}`` replaced by ``value(mapping, name)``; None when any of
    them is missing or empty (no partial id can match anything)."""
    names = re.findall(r"{(\w+)}", pattern)

    def build(mapping: Mapping[str, Any]) -> str | None:
        values: dict[str, Any] = {}
        for name in names:
            found = value(mapping, name)
            if found is None or found == "":
                return None
            values[name] = found
        return pattern.format(**values)

    return build


def template(pattern: str, **fields: str) -> IdBuilder:
    """An import id from state attributes: ``pattern`` names attributes in braces; ``project``
    is the state's project without a ``projects/`` prefix, other attributes are taken as their
    short names (a zone may be recorded as a self-link)."""

    def value(attributes: Mapping[str, Any], name: str) -> Any:
        source = fields.get(name, name)
        if source == "project":
            return state_project(attributes)
        return short_name(attributes.get(source))

    return _filled(pattern, value)


def cloud_template(pattern: str, **queries: Callable[[Mapping[str, Any]], Any]) -> IdBuilder:
    """An import id from a payload: each brace names a function of the item; ``project``
    defaults to the asset's project."""

    def value(item: Mapping[str, Any], name: str) -> Any:
        getter = queries.get(name)
        if getter is not None:
            return getter(item)
        return asset_project(item) if name == "project" else item.get(name)

    return _filled(pattern, value)
