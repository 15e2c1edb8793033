"""Field-by-field comparison of a desired and an actual resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cloudrift.model import FieldChange
from cloudrift.normalise import canonical, is_empty
from cloudrift.redact import REDACTED, path_is_sensitive
from cloudrift.spec import UNKNOWN


@dataclass(frozen=True)
class DiffResult:
    changes: list[FieldChange]
    unknown: int


def _is_flat_map(value: Any) -> bool:
    return isinstance(value, Mapping) and all(
        not isinstance(v, (Mapping, list)) for v in value.values()
    )


def compare(path: str, expected: Any, actual: Any) -> list[FieldChange]:
    """Changes between two normalised values; flat maps (tags) are compared key by key."""
    if is_empty(expected) and is_empty(actual):
        return []
    if (_is_flat_map(expected) or is_empty(expected)) and (
        _is_flat_map(actual) or is_empty(actual)
    ) and (isinstance(expected, Mapping) or isinstance(actual, Mapping)):
        left: Mapping[str, Any] = expected if isinstance(expected, Mapping) else {}
        right: Mapping[str, Any] = actual if isinstance(actual, Mapping) else {}
        changes: list[FieldChange] = []
        for key in sorted(set(left) | set(right), key=str):
            want, have = left.get(key), right.get(key)
            if (key in left) != (key in right) and (want if key in left else have) is not None:
                # an entry that exists on one side only is drift even when its value is "":
                # a tag "team" = "" is a real tag, unlike an unset argument
                changes.append(FieldChange(path=f"{path}.{key}", expected=want, actual=have))
            else:
                changes.extend(compare(f"{path}.{key}", want, have))
        return changes
    if canonical(expected) == canonical(actual):
        return []
    return [FieldChange(path=path, expected=expected, actual=actual)]


def diff_attributes(
    expected: Mapping[str, Any],
    actual: Mapping[str, Any],
    sensitive: frozenset[str] = frozenset(),
) -> DiffResult:
    """Compare the declared fields; a field the cloud could not tell us about is counted, not
    reported. Values at sensitive paths are replaced by ``REDACTED``."""
    changes: list[FieldChange] = []
    unknown = 0
    for path, want in expected.items():
        if want is UNKNOWN or path not in actual or actual[path] is UNKNOWN:
            unknown += 1
            continue
        for change in compare(path, want, actual[path]):
            if path_is_sensitive(change.path, sensitive):
                change = FieldChange(path=change.path, expected=REDACTED, actual=REDACTED)
            changes.append(change)
    return DiffResult(changes=changes, unknown=unknown)
