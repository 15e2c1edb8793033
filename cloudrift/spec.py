"""How a Terraform resource type maps onto a cloud API, declared as data.

A provider plugin describes each type it supports with a ``ResourceSpec`` (or a subclass that adds
the cloud's own call description). The fields list is the heart of it: each ``FieldSpec`` names a
Terraform attribute path, where the same value sits in the cloud payload (a JMESPath, or a
function for the odd case), and the normalisers that make both sides comparable.

Only user-settable fields are declared: comparing computed attributes is what produced the false
positives that made driftctl's deep mode unusable.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Final, TypeVar

import jmespath

from cloudrift.normalise import Normaliser


class _Unknown:
    """The cloud cannot tell us this value; it is skipped, never reported."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Final = _Unknown()

_NO_DEFAULT: Final = object()

Extractor = Callable[[Mapping[str, Any]], Any]


def get_path(document: Any, path: str) -> Any:
    """Follow a dotted Terraform attribute path (``a.0.b``) through nested maps and lists."""
    current = document
    for step in path.split("."):
        if isinstance(current, Mapping):
            current = current.get(step)
        elif isinstance(current, list) and step.isdigit():
            index = int(step)
            current = current[index] if index < len(current) else None
        else:
            return None
        if current is None:
            return None
    return current


def has_path(document: Any, path: str) -> bool:
    """True if every step of ``path`` exists (with any value, null included)."""
    current = document
    for step in path.split("."):
        if isinstance(current, Mapping) and step in current:
            current = current[step]
        elif isinstance(current, list) and step.isdigit() and int(step) < len(current):
            current = current[int(step)]
        else:
            return False
    return True


@dataclass(frozen=True)
class FieldSpec:
    """One compared attribute.

    ``path`` is the Terraform attribute path as Terraform users read it (``tags``,
    ``versioning_configuration.0.status``). On the cloud side the value comes from ``extract``
    if given, else from the JMESPath ``query`` over the payload; on the state side from
    ``from_state`` if given, else from ``path``. Both then go through ``normalise`` in order.
    ``default`` stands in for a value the API leaves out when it means the default.
    ``detail`` names the detail call the payload must have been enriched by.
    """

    path: str
    query: str | None = None
    extract: Extractor | None = None
    from_state: Extractor | None = None
    normalise: Sequence[Normaliser] = ()
    detail: str | None = None
    default: Any = _NO_DEFAULT
    sensitive: bool = False

    def __post_init__(self) -> None:
        if self.query is None and self.extract is None:
            raise ValueError(f"field {self.path!r} needs a query or an extract function")
        if self.query is not None:
            object.__setattr__(self, "_compiled", jmespath.compile(self.query))

    def _apply(self, value: Any) -> Any:
        for step in self.normalise:
            value = step(value)
        return value

    def cloud_value(self, payload: Mapping[str, Any]) -> Any:
        if self.extract is not None:
            value = self.extract(payload)
        else:
            value = self._compiled.search(payload)  # type: ignore[attr-defined]
        if value is UNKNOWN:
            return UNKNOWN
        if value is None and self.default is not _NO_DEFAULT:
            value = self.default
        return self._apply(value)

    def state_value(self, attributes: Mapping[str, Any]) -> Any:
        if self.from_state is not None:
            value = self.from_state(attributes)
        elif not has_path(attributes, self.path.split(".")[0]):
            # an attribute the state does not record at all (older provider schema) was
            # never declared: unknown, not "null"
            return UNKNOWN
        else:
            value = get_path(attributes, self.path)
        if value is UNKNOWN:
            return UNKNOWN
        return self._apply(value)


@dataclass(frozen=True)
class PartOf:
    """Resources of the spec's type are parts of a parent resource of ``parent_type`` (a rule of
    a security group, a route of a route table, a configuration resource of a bucket).

    ``parent_id``: the state attribute (or a function of the part's state attributes) holding
    the parent's import id; on the cloud side ``cloud_parent_id`` (a JMESPath or a function of
    the payload) gives it. ``fields``: the parent's field paths a part of this type takes over
    (or a function of the part's state attributes returning them: ingress or egress by the
    rule's ``type``). A drift is reported once, on the most specific resource that declares it.

    A part type that belongs to one field or another by its own content (a rule's direction)
    is best declared as one ``PartOf`` per field with fixed ``fields``, each giving a parent
    only for its own kind of part, on both sides: the parents then know every field parts may
    take, and a part in the cloud that nobody declares is placed under its own field.
    """

    parent_type: str
    parent_id: str | Extractor
    fields: tuple[str, ...] | Callable[[Mapping[str, Any]], tuple[str, ...]]
    cloud_parent_id: str | Extractor | None = None

    def state_parent(self, attributes: Mapping[str, Any]) -> str | None:
        value = self.parent_id(attributes) if callable(self.parent_id) else get_path(
            attributes, self.parent_id)
        return None if value is None or value == "" else str(value)

    def cloud_parent(self, payload: Mapping[str, Any]) -> str | None:
        if self.cloud_parent_id is None:
            return None
        if callable(self.cloud_parent_id):
            value = self.cloud_parent_id(payload)
        else:
            value = jmespath.search(self.cloud_parent_id, payload)
        return None if value is None or value == "" or value is UNKNOWN else str(value)

    def fields_for(self, attributes: Mapping[str, Any]) -> tuple[str, ...]:
        return tuple(self.fields(attributes)) if callable(self.fields) else self.fields


@dataclass(frozen=True)
class ResourceSpec:
    """A Terraform resource type, cloud-independent part.

    ``import_id`` turns state attributes into the id ``terraform import`` takes (a state
    attribute name, or a function); the cloud side computes the same id from its payload.
    ``unmanaged`` says whether resources of this type found in the cloud and in no state are
    reported; sub-resources that only exist as a facet of a parent (a bucket's versioning) are not.
    """

    type: str
    fields: tuple[FieldSpec, ...]
    import_id: str | Extractor = "id"
    unmanaged: bool = True
    description: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    # Terraform arguments deliberately not compared, and why (documented in the type tables)
    not_compared: Mapping[str, str] = field(default_factory=dict)
    part_of: tuple[PartOf, ...] = ()
    # as a parent: the fields parts may take are its own unless managed parts take them, even
    # where its code leaves them out (an adopted aws_default_* resource: Terraform empties it
    # on adoption and treats its inline rules, none included, as absolute)
    inline_absolute: bool = False

    def state_import_id(self, attributes: Mapping[str, Any]) -> str | None:
        if callable(self.import_id):
            value = self.import_id(attributes)
        else:
            value = get_path(attributes, self.import_id)
        return None if value is None or value == "" else str(value)

    def desired_attributes(self, attributes: Mapping[str, Any]) -> dict[str, Any]:
        return {f.path: f.state_value(attributes) for f in self.fields}

    def actual_attributes(
        self, payload: Mapping[str, Any], unavailable: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """Attributes from a cloud payload; unknown fields are left out.

        ``unavailable`` names detail calls that failed: their fields are unknown, not empty.
        """
        values: dict[str, Any] = {}
        for f in self.fields:
            if f.detail is not None and f.detail in unavailable:
                continue
            value = f.cloud_value(payload)
            if value is not UNKNOWN:
                values[f.path] = value
        return values

    @property
    def sensitive_paths(self) -> frozenset[str]:
        return frozenset(f.path for f in self.fields if f.sensitive)


SpecT = TypeVar("SpecT", bound=ResourceSpec)


def collect_specs(package: str, kind: type[SpecT]) -> dict[str, SpecT]:
    """The ``SPECS`` of every module of ``package``, by Terraform type, sorted by type.

    Every module whose name does not start with ``_`` and that defines ``SPECS`` is a type
    module; the others are helpers. Nothing is listed by hand: a new module is picked up as it
    lands. A type declared twice is an error, not a silent override: which one won would
    depend on the order modules are found in. ``kind`` is the provider's spec class; a spec of
    another class would be missing the provider's own call description.
    """
    parent = import_module(package)
    specs: dict[str, SpecT] = {}
    for info in sorted(pkgutil.iter_modules(parent.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = import_module(f"{package}.{info.name}")
        for spec in getattr(module, "SPECS", ()):
            if not isinstance(spec, kind):
                raise TypeError(f"{package}.{info.name}: {getattr(spec, 'type', spec)!r} is a "
                                f"{type(spec).__name__}, not a {kind.__name__}")
            if spec.type in specs:
                raise ValueError(f"{spec.type} is declared twice")
            specs[spec.type] = spec
    return dict(sorted(specs.items()))
