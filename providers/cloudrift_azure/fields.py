"""Field helpers shared by the Azure specs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import jmespath

from cloudrift.sdk import UNKNOWN, Extractor, FieldSpec, Normaliser, get_path, has_path
from cloudrift.sdk import normalise as n
from cloudrift_azure import ids
from cloudrift_azure.spec import PROPERTIES

# "no default given" (None is a real default: "the API leaves it out and that means null")
_UNSET: Any = object()


def location() -> FieldSpec:
    return FieldSpec("location", query="location", normalise=(ids.location,))


def tags(query: str = "tags", *, detail: str | None = None) -> FieldSpec:
    """Tags as a map, compared key by key. azurerm has no provider-level default tags: the
    state's ``tags`` is all there is."""
    return FieldSpec("tags", query=query, normalise=(n.tags,), default={}, detail=detail)


def state_at(path: str) -> Extractor:
    """Read a nested state attribute; ``UNKNOWN`` when the state does not record it at all (an
    argument added or renamed in another provider version), ``None`` when it is null."""

    def read(attributes: Mapping[str, Any]) -> Any:
        return get_path(attributes, path) if has_path(attributes, path) else UNKNOWN

    return read


def prop(
    path: str,
    query: str | None = None,
    *normalise: Normaliser,
    extract: Extractor | None = None,
    default: Any = _UNSET,
    from_state: Extractor | None = None,
    detail: str | None = PROPERTIES,
    sensitive: bool = False,
) -> FieldSpec:
    """A field read from the resource's full GET payload (``properties``, ``zones``...)."""
    if from_state is None and "." in path:
        from_state = state_at(path)
    extra: dict[str, Any] = {} if default is _UNSET else {"default": default}
    return FieldSpec(
        path,
        query=query if extract is None else None,
        extract=extract,
        from_state=from_state,
        normalise=normalise,
        detail=detail,
        sensitive=sensitive,
        **extra,
    )


def listed(path: str, query: str | None, *normalise: Normaliser, default: Any = _UNSET,
           extract: Extractor | None = None) -> FieldSpec:
    """A field the list payload already carries (``sku``, ``kind``, ``identity``)."""
    return prop(path, query, *normalise, extract=extract, default=default, detail=None)


def never_returned(_: Mapping[str, Any]) -> Any:
    return UNKNOWN


def write_only(path: str) -> FieldSpec:
    """An argument ARM never returns (passwords, custom data): unknown, never drift, and a
    secret in every output."""
    return FieldSpec(path, extract=never_returned, sensitive=True)


# -- value normalisers ---------------------------------------------------------------------


def enabled(value: Any) -> Any:
    """ARM's ``"Enabled"``/``"Disabled"`` (or a real bool) as a bool."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered == "enabled":
            return True
        if lowered == "disabled":
            return False
    return n.to_bool(value)


def inverted(value: Any) -> Any:
    """For ``*_disabled`` arguments over an ``enabled`` API value, and the reverse."""
    as_bool = enabled(value)
    return (not as_bool) if isinstance(as_bool, bool) else as_bool


def negated(query: str, default: Any = None) -> Extractor:
    """The opposite of the ARM value at ``query`` (``default`` when ARM leaves it out): for a
    ``*_enabled`` argument over a ``disable*`` property. The state's side is not negated."""
    expression = jmespath.compile(query)

    def extract(payload: Mapping[str, Any]) -> Any:
        found = expression.search(payload)
        return inverted(default if found is None else found)

    return extract


def none_word(value: Any) -> Any:
    """ARM writes the word ``None`` (or ``none``) where Terraform leaves an argument empty."""
    if isinstance(value, str) and value.strip().lower() == "none":
        return None
    return value


def zero_as_none(value: Any) -> Any:
    """Terraform records an unset number as 0 where ARM leaves it out."""
    return None if value == 0 else value


def ids_set(value: Any) -> Any:
    return n.as_set(ids.normalise_id(value)) if value is not None else None


def first(value: Any) -> Any:
    """``zones: ["1"]`` on the ARM side, ``zone = "1"`` in state."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def records(*keys: tuple[str, Normaliser | None], order: bool = False) -> Normaliser:
    """A list of blocks compared as a set (or, with ``order``, a list) of maps holding only
    ``keys``, each value through its normaliser; empty values compare equal to absent ones."""

    def normalise(value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, list):
            return value
        rows = []
        for entry in value:
            if not isinstance(entry, Mapping):
                continue
            row = {}
            for key, step in keys:
                item = entry.get(key)
                if step is not None:
                    item = step(item)
                row[key] = None if n.is_empty(item) else item
            rows.append(row)
        return [n.canonical(r) for r in rows] if order else n.as_set(rows)

    return normalise


def identity_block(value: Any) -> Any:
    """The ``identity`` block: its type and user-assigned identity ids. ARM answers with an
    ``identity`` object, the state with a one-element list; both become
    ``[{"type": ..., "identity_ids": [...]}]`` (or ``[]`` for none)."""
    if value is None:
        return []
    if isinstance(value, list):
        value = value[0] if value else None
        if value is None:
            return []
        kind = value.get("type")
        identity_ids = value.get("identity_ids") or []
    elif isinstance(value, Mapping):
        kind = value.get("type")
        identity_ids = list((value.get("userAssignedIdentities") or {}).keys())
    else:
        return value
    if kind is None or str(kind).strip().lower() == "none":
        return []
    parts = sorted(p.strip().lower() for p in str(kind).split(","))
    return [{"type": ", ".join(parts), "identity_ids": ids_set(list(identity_ids))}]


def identity() -> FieldSpec:
    return listed("identity", "identity", identity_block, default=None)


def sku_part(index: int) -> Extractor:
    """``Standard_LRS`` split into tier and replication (storage accounts)."""
    expression = jmespath.compile("sku.name")

    def extract(payload: Mapping[str, Any]) -> Any:
        name = expression.search(payload)
        if not isinstance(name, str) or "_" not in name:
            return UNKNOWN
        return name.split("_", 1)[index]

    return extract


def present_or_unknown(query: str, *steps: Normaliser) -> Extractor:
    """The value at ``query``, or ``UNKNOWN`` when ARM leaves it out and its meaning then
    depends on when the resource was created (no default to assume)."""
    expression = jmespath.compile(query)

    def extract(payload: Mapping[str, Any]) -> Any:
        found = expression.search(payload)
        if found is None:
            return UNKNOWN
        for step in steps:
            found = step(found)
        return found

    return extract


def nonempty_state(path: str) -> Extractor:
    """A block the provider always refreshes into state: empty means it was never read (an
    import, an old schema), so unknown rather than "none"."""

    def read(attributes: Mapping[str, Any]) -> Any:
        value = get_path(attributes, path)
        return value if value else UNKNOWN

    return read


def network_acls_block(acls: Mapping[str, Any]) -> list[dict[str, Any]]:
    """ARM's ``networkAcls`` object (key vaults, storage accounts) as the provider's network
    rules block, a one-element list, before either side is normalised."""
    return [{
        "bypass": acls.get("bypass"),
        "default_action": acls.get("defaultAction"),
        "ip_rules": [r.get("value") for r in acls.get("ipRules") or []],
        "virtual_network_subnet_ids": [r.get("id")
                                       for r in acls.get("virtualNetworkRules") or []],
    }]


def strip_host_mask(value: Any) -> Any:
    """``10.0.0.1/32`` is the single address ``10.0.0.1`` (some APIs add the mask)."""
    if isinstance(value, str) and value.endswith("/32"):
        return value[:-3]
    return value


def ref_name(value: Any) -> Any:
    """A reference to a sibling sub-resource (``{"id": ".../frontendIPConfigurations/fe"}``)
    as the name the state holds (``fe``)."""
    if isinstance(value, Mapping):
        value = value.get("id")
    if isinstance(value, str):
        return value.rstrip("/").rsplit("/", 1)[-1] or None
    return value


def ref_id(value: Any) -> Any:
    """A ``{"id": ...}`` reference as the id, compared case-insensitively."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return ids.normalise_id(value)


ArmPath = str | Extractor


def arm_records(fields: Mapping[str, tuple[ArmPath, Normaliser | None]], *,
                order: bool = False) -> Normaliser:
    """Blocks compared as a set (or, with ``order``, a list) of maps holding only ``fields``:
    from state blocks by key, from ARM sub-resources (``{"name", "properties": {...}}``) by
    the JMESPath or function each field names; every value then through its normaliser, and
    empty values compare equal to absent ones."""
    compiled: dict[str, tuple[Any, Normaliser | None]] = {
        key: (jmespath.compile(path) if isinstance(path, str) else path, step)
        for key, (path, step) in fields.items()
    }

    def normalise(value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, list):
            return value
        rows = []
        for entry in value:
            if not isinstance(entry, Mapping):
                continue
            from_arm = "properties" in entry
            row = {}
            for key, (path, step) in compiled.items():
                if not from_arm:
                    item = entry.get(key)
                elif callable(path):
                    item = path(entry)
                else:
                    item = path.search(entry)
                if step is not None:
                    item = step(item)
                row[key] = None if n.is_empty(item) else item
            rows.append(row)
        return [n.canonical(r) for r in rows] if order else n.as_set(rows)

    return normalise


def epoch_to_utc(value: Any) -> Any:
    """ARM's seconds since the epoch as Terraform's ``2026-12-31T00:00:00Z``; a string stays
    (the state's side)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value or None
    return datetime.fromtimestamp(value, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
