"""Normalisers and field helpers shared by the GCP specs.

Both sides of a comparison go through the same functions: the google provider writes some
references as short names (``e2-medium``), others as self-links or relative names, and Cloud
Asset returns the REST payload of each service (self-links for Compute Engine, short names for
GKE). Numbers arrive as floats (anything inside a protobuf ``Struct``) or as strings (int64 in
JSON), so every numeric field is compared through ``to_int``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cloudrift.sdk import UNKNOWN, Extractor, FieldSpec, get_path, has_path
from cloudrift.sdk import normalise as n

ASSET = "$asset"
"""Key under which the provider adds the asset envelope (project, location, name) to an item."""

_PROJECT_IN_PATH = re.compile(r"(?:^|/)projects/([^/]+)/")


def short_name(value: Any) -> Any:
    """The last segment of a self-link or relative name: ``.../machineTypes/e2-medium`` ->
    ``e2-medium``; a plain name is returned as it is."""
    if isinstance(value, str) and "/" in value:
        return value.rstrip("/").rsplit("/", 1)[-1]
    return value


def project_in(value: Any) -> str | None:
    """The project a self-link or relative name points into, if it names one."""
    if isinstance(value, str):
        match = _PROJECT_IN_PATH.search(value)
        if match:
            return match.group(1)
    return None


def reference(value: Any, own_project: str | None) -> Any:
    """A reference to another resource, as the provider's ``compareSelfLinkOrResourceName`` sees
    it: the name, prefixed by its project only when that is not the referring resource's own
    (a Shared VPC network lives in the host project)."""
    if not isinstance(value, str) or not value:
        return value
    name = short_name(value)
    project = project_in(value)
    if project and own_project and project != own_project:
        return f"{project}/{name}"
    return name


def strip_projects(value: Any) -> Any:
    """``projects/acme`` -> ``acme``: some states record the project with its prefix."""
    if isinstance(value, str) and value.startswith("projects/"):
        return value[len("projects/"):]
    return value


def state_project(attributes: Mapping[str, Any]) -> str | None:
    project = strip_projects(attributes.get("project"))
    return str(project) if project else None


def asset_project(item: Mapping[str, Any]) -> str | None:
    envelope = item.get(ASSET)
    if isinstance(envelope, Mapping):
        project = envelope.get("project")
        return str(project) if project else None
    return None


def labels(value: Any) -> Any:
    """Labels as a ``{key: value}`` map of strings (GCP labels are always strings)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        return value
    return {str(k): ("" if v is None else str(v)) for k, v in sorted(value.items())}


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def duration(value: Any) -> Any:
    """A protobuf ``Duration`` in JSON form: ``"600s"``, ``"600.000s"`` and ``"600.0s"`` are one
    value; so is a bare number of seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds: Any = value
    elif isinstance(value, str) and _DURATION.match(value):
        seconds = float(_DURATION.match(value).group(1))  # type: ignore[union-attr]
    else:
        return value
    seconds = n.to_int(seconds)
    return f"{seconds}s"


def sorted_set(value: Any) -> Any:
    """An unordered collection (Terraform sets; API lists in no promised order)."""
    return n.as_set(value)


# -- state-side helpers ------------------------------------------------------------------------


def state_at(attributes: Mapping[str, Any], path: str) -> Any:
    """The state value at a dotted path, or ``UNKNOWN`` if the provider that wrote the state did
    not have the attribute. An attribute missing from an object means an older schema
    (unknown); a list too short means an unset block (``None``)."""
    current: Any = attributes
    for step in path.split("."):
        if isinstance(current, Mapping):
            if step not in current:
                return UNKNOWN
            current = current[step]
        elif isinstance(current, list) and step.isdigit():
            if int(step) >= len(current):
                return None
            current = current[int(step)]
        else:
            return None
        if current is None:
            return None
    return current


def state_get(path: str, default: Any = None) -> Extractor:
    """Read ``path`` from state (see ``state_at``); ``default`` stands for an unset value (the
    provider writes ``[]``/``null`` for an optional block the API fills with a default)."""

    def read(attributes: Mapping[str, Any]) -> Any:
        value = state_at(attributes, path)
        if value is UNKNOWN:
            return UNKNOWN
        return default if n.is_empty(value) and default is not None else value

    return read


def state_labels(*names: str) -> Extractor:
    """The labels the cloud should hold: ``effective_labels`` (google provider 5+: every label on
    the resource at the last refresh, provider ``default_labels`` included), else
    ``terraform_labels``, else the 4.x ``labels``."""

    def read(attributes: Mapping[str, Any]) -> Any:
        for name in names:
            value = get_path(attributes, name)
            if value is not None:
                return value
        if not any(has_path(attributes, name) for name in names):
            return UNKNOWN
        return None

    return read


def state_reference(path: str) -> Extractor:
    def read(attributes: Mapping[str, Any]) -> Any:
        value = state_at(attributes, path)
        if value is UNKNOWN:
            return UNKNOWN
        return reference(value, state_project(attributes))

    return read


def cloud_reference(query: str) -> Extractor:
    import jmespath

    compiled = jmespath.compile(query)

    def read(item: Mapping[str, Any]) -> Any:
        return reference(compiled.search(item), asset_project(item))

    return read


# -- field constructors --------------------------------------------------------------------------


def opt(path: str, query: str, default: Any, *normalise: Callable[[Any], Any]) -> FieldSpec:
    """An argument whose default (if any) the API and the state may each leave out."""
    if default is None:
        return FieldSpec(path, query=query, from_state=state_get(path),
                         normalise=tuple(normalise))
    return FieldSpec(path, query=query, default=default, from_state=state_get(path, default),
                     normalise=tuple(normalise))


def ref(path: str, query: str) -> FieldSpec:
    """A reference to another resource (network, subnetwork, topic...)."""
    return FieldSpec(path, extract=cloud_reference(query), from_state=state_reference(path))


def label_map(path: str = "labels", query: str = "labels",
              state_names: Sequence[str] = ("effective_labels", "terraform_labels", "labels"),
              ) -> FieldSpec:
    """Labels compared key by key against what the provider recorded as present on the
    resource."""
    names = tuple(state_names)
    return FieldSpec(path, query=query, from_state=state_labels(*names), normalise=(labels,),
                     default={})


def number(path: str, query: str, default: Any = None) -> FieldSpec:
    return opt(path, query, default, n.to_int)


def flag(path: str, query: str, default: bool | None = False) -> FieldSpec:
    return opt(path, query, default, n.to_bool)


def text(path: str, query: str, default: str | None = None,
         *normalise: Callable[[Any], Any]) -> FieldSpec:
    return opt(path, query, default, *normalise)


def string_set(path: str, query: str) -> FieldSpec:
    return opt(path, query, None, sorted_set)


def _references(values: Any, own_project: str | None) -> Any:
    if values is None:
        return None
    if not isinstance(values, list):
        values = [values]
    return [reference(v, own_project) for v in values]


def ref_list(path: str, query: str, *, ordered: bool = False) -> FieldSpec:
    """A list of references (health checks, certificates, NAT addresses): a set unless
    ``ordered`` (the first SSL certificate of a proxy is its primary one)."""
    import jmespath

    compiled = jmespath.compile(query)

    def cloud(item: Mapping[str, Any]) -> Any:
        return _references(compiled.search(item), asset_project(item))

    def state(attributes: Mapping[str, Any]) -> Any:
        value = state_at(attributes, path)
        if value is UNKNOWN:
            return UNKNOWN
        return _references(value, state_project(attributes))

    return FieldSpec(path, extract=cloud, from_state=state,
                     normalise=() if ordered else (sorted_set,))


def seconds(path: str, query: str, default: str | None = None) -> FieldSpec:
    """A protobuf duration (``"86400s"``), or a number of seconds, on either side."""
    return opt(path, query, default, duration)


def enum_of(mapping: Mapping[str, str]) -> Callable[[Any], Any]:
    """One spelling of an enum for both sides: the API's short form (``all``) and the
    provider's (``INGRESS_TRAFFIC_ALL``) map to the latter."""

    def normalise(value: Any) -> Any:
        return mapping.get(value, value) if isinstance(value, str) else value

    return normalise


def reported(path: str, query: str, *normalise: Callable[[Any], Any]) -> FieldSpec:
    """An optional argument the API fills in when it is not set (``Optional`` and
    ``Computed`` in the provider's schema): compared when the payload holds it, unknown when it
    leaves it out, since the value the API would pick is not documented."""
    import jmespath

    compiled = jmespath.compile(query)

    def cloud(item: Mapping[str, Any]) -> Any:
        value = compiled.search(item)
        return UNKNOWN if value is None else value

    return FieldSpec(path, extract=cloud, from_state=state_get(path),
                     normalise=tuple(normalise))
