"""Field helpers shared by the edge and integration type modules (Route 53, API Gateway,
CloudFront, EventBridge, ...): both sides of a comparison shaped the way the provider reads
them back."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, FieldSpec, get_path
from cloudrift.sdk import normalise as n
from cloudrift_aws.fields import tags

# the payload key an enumerator keeps a managed item's tags under
TAGS = "cloudrift:tags"


def item_tags() -> FieldSpec:
    """``tags`` from what the enumerator stored under ``TAGS`` (unknown when it did not)."""
    return tags(extract=lambda payload: payload.get(TAGS, UNKNOWN))


def flag(path: str, query: str, *, default: bool = False, detail: str | None = None
         ) -> FieldSpec:
    """A boolean argument the provider reads back as ``false`` when AWS leaves it out; an
    older state may hold null for it: both mean the default."""

    def state(attributes: Mapping[str, Any]) -> Any:
        value = get_path(attributes, path)
        return default if value is None else value

    return FieldSpec(path, query=query, from_state=state, normalise=(n.to_bool,),
                     default=default, detail=detail)


def number(path: str, query: str, *, default: Any = None, detail: str | None = None
           ) -> FieldSpec:
    if default is None:
        return FieldSpec(path, query=query, normalise=(n.to_int,), detail=detail)
    return FieldSpec(path, query=query, normalise=(n.to_int,), default=default, detail=detail)


def string_set(path: str, query: str, *, detail: str | None = None) -> FieldSpec:
    return FieldSpec(path, query=query, normalise=(n.as_set,), detail=detail)


def string_map(path: str, query: str, *, detail: str | None = None) -> FieldSpec:
    """A map of strings (stage variables, request parameters): compared key by key."""
    return FieldSpec(path, query=query, normalise=(n.tags,), detail=detail)


def ip_address(value: Any) -> Any:
    """An IP address in its canonical spelling (``::ffff:0:1`` and ``::FFFF:0:0001`` are one)."""
    if not isinstance(value, str) or not value:
        return value
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return value


def records_of(value: Any, keys: Sequence[str]) -> Any:
    """A set of nested blocks reduced to ``keys``, each value as a string (Terraform writes
    numbers and booleans of set elements one way, APIs another)."""
    if not isinstance(value, list):
        return value
    return n.as_set([
        {key: n.to_str(entry.get(key)) if entry.get(key) is not None else ""
         for key in keys}
        for entry in value if isinstance(entry, Mapping)
    ])


def reshape(mapping: Mapping[str, str]) -> Callable[[Any], Any]:
    """Rename the keys of each element of an API list to the provider's attribute names."""

    def convert(value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [
            {tf: entry.get(api) for api, tf in mapping.items()}
            for entry in value if isinstance(entry, Mapping)
        ]

    return convert


# keyed afresh by every process: a digest in a report says "changed", and nothing about the value
_DIGEST_KEY = secrets.token_bytes(32)


def digest(value: Any) -> Any:
    """A value that often carries a shared secret (an origin's verification header, an API key
    header), compared by a keyed digest so that a finding never prints it, nor anything a
    dictionary attack could turn back into it."""
    if value is None or value == "":
        return value
    mac = hmac.new(_DIGEST_KEY, str(value).encode(), hashlib.sha256).hexdigest()
    return f"(digest {mac[:12]})"


def digest_map(value: Any) -> Any:
    """A map whose values are compared by ``digest``."""
    mapping = n.tags(value)
    if not isinstance(mapping, dict):
        return mapping
    return {key: digest(item) for key, item in mapping.items()}
