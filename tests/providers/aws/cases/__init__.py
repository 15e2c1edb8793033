"""One module per AWS service; each exports ``CASES``, one ``AwsCase`` per resource type.

A case creates a resource with boto3 the way Terraform would, returns the attributes Terraform
would have recorded in state, and knows how to change one declared field and how to delete it.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

Attrs = dict[str, Any]


@dataclass(frozen=True)
class AwsCase:
    type: str
    create: Callable[[Any], Attrs]
    change: Callable[[Any, Attrs], None]
    changed_paths: frozenset[str]
    delete: Callable[[Any, Attrs], None]
    # the import id the finding must carry; default: attrs["id"]
    import_id: Callable[[Attrs], str] | None = None
    unmanaged: bool = True
    sensitive: tuple[tuple[str, ...], ...] = ()
    name: str = ""
    # for a part of a parent (PartOf): the parent's type and state attributes, given the
    # part's. An unmatched part is unmanaged only under a managed parent, so the unmanaged
    # test puts the parent alone in the state, and an unmanaged parent must cover its parts
    parent: Callable[[Attrs], tuple[str, Attrs]] | None = None

    @property
    def label(self) -> str:
        return self.name or self.type

    def expected_id(self, attrs: Attrs) -> str:
        return self.import_id(attrs) if self.import_id else str(attrs["id"])


def all_cases() -> list[AwsCase]:
    """Every module's ``CASES``: a new module is picked up as it lands, and one that fails to
    import fails the run rather than dropping its cases."""
    cases: list[AwsCase] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            cases.extend(import_module(f"{__name__}.{info.name}").CASES)
    return cases
