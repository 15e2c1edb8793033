"""How every format shows a change inside a list, a set or a structure: ``+``/``-`` lines.

``terraform plan`` shows a set that changed as the elements added and removed; the formats do
the same from ``FieldChange.added``/``removed`` and the changes inside an element both sides
have (``FieldChange.changes``), instead of two whole lists cut at a hundred characters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cloudrift.model import FieldChange
from cloudrift.normalise import is_empty

# an element is shown whole up to this length: the point is to read which one changed
MAX_ELEMENT = 400


def _scalar(value: Any) -> str:
    if isinstance(value, str) and value and all(c.isprintable() for c in value) and not any(
            c in value for c in ",:{}[]\"'") and value.strip() == value:
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def element_text(value: Any, limit: int = MAX_ELEMENT) -> str:
    """``{from_port: 22, protocol: tcp, to_port: 22, cidr_blocks: [0.0.0.0/0]}``: empty
    attributes left out, plain words unquoted, scalars before lists and maps."""
    if isinstance(value, Mapping):
        shown = [(k, v) for k, v in value.items() if not is_empty(v) and v is not False]
        shown.sort(key=lambda kv: (isinstance(kv[1], (Mapping, list)), str(kv[0])))
        text = "{" + ", ".join(f"{k}: {element_text(v, limit)}" for k, v in shown) + "}"
    elif isinstance(value, list):
        text = "[" + ", ".join(element_text(v, limit) for v in value) + "]"
    else:
        text = _scalar(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def element_lines(change: FieldChange) -> list[str]:
    """``+ {…}`` for each element added, ``- {…}`` removed, ``~ path: a → b`` changed inside."""
    lines = [f"+ {element_text(v)}" for v in change.added or ()]
    lines += [f"- {element_text(v)}" for v in change.removed or ()]
    for inner in change.changes or ():
        if inner.has_elements:
            lines.append(f"~ {inner.path}: {inner.element_summary()}")
            lines += [f"  {line}" for line in element_lines(inner)]
        else:
            lines.append(f"~ {inner.path}: {element_text(inner.expected)} → "
                         f"{element_text(inner.actual)}")
    return lines
