"""Field helpers shared by the AWS specs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jmespath

from cloudrift.sdk import UNKNOWN, Extractor, FieldSpec
from cloudrift.sdk import normalise as n


def state_tags(attributes: Mapping[str, Any]) -> Any:
    """``tags_all`` (declared tags plus provider default_tags) is what AWS holds; older states
    only have ``tags``."""
    tags_all = attributes.get("tags_all")
    return tags_all if tags_all is not None else attributes.get("tags")


def tags(query: str | None = "Tags", *, detail: str | None = None,
         extract: Extractor | None = None) -> FieldSpec:
    """The ``tags`` field, compared as a map against ``tags_all`` so it is reported once."""
    return FieldSpec(
        "tags",
        query=query if extract is None else None,
        extract=extract,
        from_state=state_tags,
        normalise=(n.tags,),
        detail=detail,
        default={},
    )


def attr_int(path: str, query: str, *, detail: str | None = None) -> FieldSpec:
    return FieldSpec(path, query=query, normalise=(n.to_int,), detail=detail)


def attr_bool(path: str, query: str, *, detail: str | None = None, default: Any = None
              ) -> FieldSpec:
    if default is None:
        return FieldSpec(path, query=query, normalise=(n.to_bool,), detail=detail)
    return FieldSpec(path, query=query, normalise=(n.to_bool,), detail=detail, default=default)


def attr_policy(path: str, query: str, *, detail: str | None = None) -> FieldSpec:
    return FieldSpec(path, query=query, normalise=(n.policy,), detail=detail)


def attr_json(path: str, query: str, *, detail: str | None = None) -> FieldSpec:
    return FieldSpec(path, query=query, normalise=(n.json_document,), detail=detail)


def present(query: str) -> Extractor:
    """For a value the API always returns: its absence means "not told", not "unset"."""
    compiled = jmespath.compile(query)

    def extract(payload: Mapping[str, Any]) -> Any:
        value = compiled.search(payload)
        return UNKNOWN if value is None else value

    return extract
