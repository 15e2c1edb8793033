"""Value normalisers: each turns a state value *and* a cloud value into one comparable form.

A normaliser must accept what either side gives it (a JSON string or a parsed document, a tag list
or a tag map, ``"30"`` or ``30``) and return a canonical value, so that equal meaning compares
equal. Every normaliser passes ``None`` through untouched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

Normaliser = Callable[[Any], Any]


class SetValue(list[Any]):
    """A list whose order means nothing (``as_set``'s result): a diff of two shows the elements
    added and removed, the way ``terraform plan`` shows a set that changed."""


def canonical(value: Any) -> Any:
    """Recursively sort mapping keys so that two equal structures serialise equally."""
    if isinstance(value, Mapping):
        return {str(k): canonical(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        items = [canonical(v) for v in value]
        return SetValue(items) if isinstance(value, SetValue) else items
    return value


def sort_key(value: Any) -> str:
    return json.dumps(canonical(value), sort_keys=True, default=str)


def as_set(value: Any) -> Any:
    """An unordered collection: sorted, duplicates removed."""
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        value = [value]
    unique: dict[str, Any] = {}
    for item in value:
        unique.setdefault(sort_key(item), canonical(item))
    return SetValue(unique[k] for k in sorted(unique))


def to_int(value: Any) -> Any:
    """A whole number as ``int``; a fractional one stays a number (never truncated, or 1.5 would
    equal 1); anything else is returned as it came, to be compared as it is."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            # int() first: float() would round an id-sized number such as 12345678901234567891
            return int(text)
        except ValueError:
            pass
        try:
            value = float(text)
        except ValueError:
            return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    try:
        whole = int(value)
    except (TypeError, ValueError, OverflowError):
        return value
    return whole if whole == value else value


def to_bool(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "enabled", "yes", "1"):
            return True
        if lowered in ("false", "disabled", "no", "0"):
            return False
        return value
    return bool(value)


def to_str(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        # Terraform writes the number 30 as "30"; some APIs send it as 30.0
        return str(int(value))
    return str(value)


def lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def tags(value: Any) -> Any:
    """Tags as a ``{key: value}`` map, from a map or an AWS ``[{Key, Value}]`` list.

    Keys with the reserved ``aws:`` prefix are set by AWS itself and cannot be managed.
    """
    if value is None:
        return None
    pairs: dict[str, Any] = {}
    if isinstance(value, Mapping):
        pairs = {str(k): v for k, v in value.items()}
    elif isinstance(value, list):
        for entry in value:
            if isinstance(entry, Mapping):
                key = entry.get("Key", entry.get("key", entry.get("TagKey")))
                val = entry.get("Value", entry.get("value", entry.get("TagValue")))
                if key is not None:
                    pairs[str(key)] = val
    return {k: ("" if v is None else str(v)) for k, v in sorted(pairs.items())
            if not k.startswith("aws:")}


def json_document(value: Any) -> Any:
    """A JSON document given as text or already parsed; invalid text is compared as text."""
    if value is None:
        return None
    if isinstance(value, (bytes, str)):
        text = value
        try:
            if isinstance(text, bytes):
                text = text.decode()
            if not text.strip():
                return None
            value = json.loads(text)
        except ValueError:
            return text
    return canonical(value)


_POLICY_LIST_KEYS = frozenset(
    {"Action", "NotAction", "Resource", "NotResource"}
)


def _policy_value(key: str, value: Any) -> Any:
    if key in _POLICY_LIST_KEYS:
        return as_set(value)
    if key in ("Principal", "NotPrincipal"):
        if isinstance(value, Mapping):
            return {
                k: as_set(_account_principal(v)) for k, v in sorted(value.items())
                if not is_empty(v)
            }
        return _account_principal(value)
    if key == "Condition" and isinstance(value, Mapping):
        return {
            op: {k: as_set(v) for k, v in sorted(cond.items())} if isinstance(cond, Mapping)
            else cond
            for op, cond in sorted(value.items())
        }
    return canonical(value)


def policy(value: Any) -> Any:
    """An IAM-style policy document, compared by meaning.

    AWS returns documents URL-encoded or re-serialised, turns one-element lists into strings
    and reorders statements; none of that is drift.
    """
    doc = json_document(_url_decoded(value))
    if not isinstance(doc, Mapping):
        return doc
    statements = doc.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    result: dict[str, Any] = {
        k: canonical(v) for k, v in doc.items() if k not in ("Statement",)
    }
    if isinstance(statements, list):
        result["Statement"] = as_set(
            [
                {k: _policy_value(k, v) for k, v in sorted(st.items())}
                if isinstance(st, Mapping) else st
                for st in statements
            ]
        )
    return canonical(result)


# AWS stores the account id "123456789012" as a principal and returns it as the account's root ARN
_ROOT_PRINCIPAL = re.compile(r"arn:[a-z-]+:iam::(\d{12}):root")


def _account_principal(value: Any) -> Any:
    if isinstance(value, str):
        match = _ROOT_PRINCIPAL.fullmatch(value)
        return match.group(1) if match else value
    if isinstance(value, list):
        return [_account_principal(v) for v in value]
    return value


def _url_decoded(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip()[:3].upper() == "%7B":
        from urllib.parse import unquote

        return unquote(value)
    return value


def strip_suffix(suffix: str) -> Normaliser:
    def normalise(value: Any) -> Any:
        if isinstance(value, str) and value.endswith(suffix):
            return value[: -len(suffix)]
        return value

    return normalise


def chain(*normalisers: Normaliser) -> Normaliser:
    def normalise(value: Any) -> Any:
        for step in normalisers:
            value = step(value)
        return value

    return normalise


def is_empty(value: Any) -> bool:
    """Terraform writes ``null``, ``""``, ``[]`` and ``{}`` for an unset optional field."""
    return value is None or value == "" or value == [] or value == {}
