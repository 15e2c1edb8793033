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


def template(pattern: str, **fields: str) -> Callable[[Mapping[str, Any]], str | None]:
    """An import id from state attributes: ``pattern`` names attributes in braces; ``project``
    is the state's project without a ``projects/`` prefix, other attributes are taken as their
    short names (a zone may be recorded as a self-link)."""

    names = re.findall(r"{(\w+)}", pattern)

    def build(attributes: Mapping[str, Any]) -> str | None:
        values: dict[str, Any] = {}
        for name in names:
            source = fields.get(name, name)
            value = state_project(attributes) if source == "project" else short_name(
                attributes.get(source)
            )
            if value is None or value == "":
                return None
            values[name] = value
        return pattern.format(**values)

    return build


def cloud_template(pattern: str, **queries: Callable[[Mapping[str, Any]], Any]
                   ) -> Callable[[Mapping[str, Any]], str | None]:
    """An import id from a payload: each brace names a function of the item; ``project``
    defaults to the asset's project."""

    names = re.findall(r"{(\w+)}", pattern)

    def build(item: Mapping[str, Any]) -> str | None:
        values: dict[str, Any] = {}
        for name in names:
            getter = queries.get(name)
            value = getter(item) if getter else (
                asset_project(item) if name == "project" else item.get(name)
            )
            if value is None or value == "":
                return None
            values[name] = value
        return pattern.format(**values)

    return build
