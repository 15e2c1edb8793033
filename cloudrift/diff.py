"""Field-by-field comparison of a desired and an actual resource.

A changed field always carries both whole values. Inside a list or a structure it says more,
the way ``terraform plan`` does: the elements added and removed (a set compares elements by
value; an ordered list position by position), and the changes inside an element both sides
have (a set element that differs in one attribute only is the same element changed) or inside
a structure (a policy document's ``Statement``), each with its full path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cloudrift.model import FieldChange
from cloudrift.normalise import SetValue, canonical, is_empty, sort_key
from cloudrift.redact import REDACTED, path_is_sensitive
from cloudrift.spec import UNKNOWN

# unchanged attributes named in the path of a changed set element: enough to tell it apart
_LABEL_FIELDS = 3


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
    return [_change(path, expected, actual)]


def _inner(path: str, expected: Any, actual: Any) -> list[FieldChange]:
    if (is_empty(expected) and is_empty(actual)) or canonical(expected) == canonical(actual):
        return []
    return [_change(path, expected, actual)]


def _as_list(value: Any, other: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    # an unset list (null, "") against a list is a list with nothing in it
    if is_empty(value) and isinstance(other, list):
        return []
    return None


def _change(path: str, expected: Any, actual: Any) -> FieldChange:
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        nested = [change for key in sorted(set(expected) | set(actual), key=str)
                  for change in _inner(f"{path}.{key}", expected.get(key), actual.get(key))]
        return FieldChange(path=path, expected=expected, actual=actual, changes=nested or None)
    left, right = _as_list(expected, actual), _as_list(actual, expected)
    if left is not None and right is not None:
        if isinstance(expected, SetValue) or isinstance(actual, SetValue):
            added, removed, nested = _set_diff(path, left, right)
        else:
            added, removed, nested = _list_diff(path, left, right)
        return FieldChange(path=path, expected=expected, actual=actual, added=added or None,
                           removed=removed or None, changes=nested or None)
    return FieldChange(path=path, expected=expected, actual=actual)


def _list_diff(path: str, left: Sequence[Any], right: Sequence[Any]
               ) -> tuple[list[Any], list[Any], list[FieldChange]]:
    """Position by position; what one side has past the other's end is added or removed."""
    common = min(len(left), len(right))
    nested = [change for index in range(common)
              for change in _inner(f"{path}.{index}", left[index], right[index])]
    return list(right[common:]), list(left[common:]), nested


def _set_diff(path: str, left: Sequence[Any], right: Sequence[Any]
              ) -> tuple[list[Any], list[Any], list[FieldChange]]:
    """By value; a removed and an added element that differ in one attribute only are the
    same element changed, reported inside it."""
    have = {sort_key(item) for item in right}
    want = {sort_key(item) for item in left}
    removed = [item for item in left if sort_key(item) not in have]
    added = [item for item in right if sort_key(item) not in want]
    nested: list[FieldChange] = []
    for old in list(removed):
        new = next((item for item in added if _one_apart(old, item)), None)
        if new is None:
            continue
        removed.remove(old)
        added.remove(new)
        label = f"{path}[{_label(old, new)}]"
        nested.extend(change for key in sorted(set(old) | set(new), key=str)
                      for change in _inner(f"{label}.{key}", old.get(key), new.get(key)))
    return added, removed, nested


def _one_apart(old: Any, new: Any) -> bool:
    if not (isinstance(old, Mapping) and isinstance(new, Mapping)) or set(old) != set(new):
        return False
    return sum(canonical(old[k]) != canonical(new[k]) for k in old) == 1 and len(old) > 1


def _label(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    same = [f"{k}={old[k]}" for k in sorted(old, key=str)
            if old[k] == new[k] and not is_empty(old[k]) and old[k] is not False
            and not isinstance(old[k], (Mapping, list))]
    return ",".join(same[:_LABEL_FIELDS])


def map_values(change: FieldChange, fn: Callable[[Any], Any]) -> FieldChange:
    """The change with ``fn`` applied to every value it carries (a scrubber)."""
    return change.model_copy(update={
        "expected": fn(change.expected),
        "actual": fn(change.actual),
        "added": None if change.added is None else [fn(v) for v in change.added],
        "removed": None if change.removed is None else [fn(v) for v in change.removed],
        "changes": None if change.changes is None else [map_values(c, fn)
                                                        for c in change.changes],
    })


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
