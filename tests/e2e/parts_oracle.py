"""Where cloudrift reports a drift that Terraform's refresh shows on a parent *and* on its part.

A security group's rules, a route table's routes can be written inline on the parent or as
resources of their own (``PartOf`` in a spec). When a rule resource's description is changed by
hand, ``terraform plan -refresh-only`` lists two updates: the rule, and the group, whose state
holds a computed copy of its rules in ``ingress``. cloudrift reports such a drift once, on the
most specific resource that declares it (docs/hcl.md, "Parts of a parent"): the rule. So a
Terraform drift entry for a parent is expected from cloudrift on the parent only when the parent
itself compares the fields that moved; when every moved field is one the parent leaves to its
parts, cloudrift reports it on the parts instead (a changed or missing part resource, or an
undeclared part reported unmanaged) and the parent stays in sync.

Which fields a parent leaves to its parts depends on what the scan knows:

- from the state alone: the fields that managed part resources of that very parent take over
  (each part spec's ``part_of``: its parent's id from the part's state, and the fields);
- with the code (``--hcl`` or zero-config): every field parts may take that the parent's block
  does not declare inline; but a parent whose inline rules are absolute (the adopted
  ``aws_default_*`` resources: Terraform empties them on adoption and a block with no rules
  means none, ``ResourceSpec.inline_absolute``) is judged as from the state alone.

This module states that rule in Terraform's terms, from the specs and the applied state, so the
oracle comparison of the terraform tier maps entries precisely instead of excluding parent types
wholesale.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

from cloudrift.spec import ResourceSpec
from cloudrift.testing.terraform import DriftEntry

# the fields a parent's block declares inline, by the parent's Terraform address
Inline = Callable[[str], frozenset[str]]
# the last TYPE.NAME of an address, before its instance key (which may hold dots)
_TYPE_AND_NAME = re.compile(r"(?P<type>[A-Za-z0-9_]+)\.(?P<name>[A-Za-z0-9_-]+)(\[[^\]]*\])?$")


@dataclass
class PartsOracle:
    """The parts rule over one applied estate: ``resources`` are ``terraform show -json``
    entries by address (``type`` and ``values``); ``inline`` is None for a scan of the state
    alone, else what each parent's block declares."""

    specs: Mapping[str, ResourceSpec]
    resources: Mapping[str, Mapping[str, Any]]
    inline: Inline | None = None
    # every field some part may take, per parent type
    _subject: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set), init=False)
    # what managed parts take, per (parent type, parent import id)
    _taken: dict[tuple[str, str], set[str]] = field(
        default_factory=lambda: defaultdict(set), init=False)
    # the managed parts' addresses, per (parent type, parent import id)
    _parts: dict[tuple[str, str], set[str]] = field(
        default_factory=lambda: defaultdict(set), init=False)

    def __post_init__(self) -> None:
        for each in self.specs.values():
            for part in each.part_of:
                if not callable(part.fields):
                    self._subject[part.parent_type].update(part.fields)
        for address, resource in self.resources.items():
            spec = self.specs.get(str(resource["type"]))
            if spec is None:
                continue
            for part in spec.part_of:
                parent_id = part.state_parent(resource["values"])
                if parent_id is None:
                    continue
                fields = part.fields_for(resource["values"])
                self._subject[part.parent_type].update(fields)
                self._taken[(part.parent_type, parent_id)].update(fields)
                self._parts[(part.parent_type, parent_id)].add(address)

    def _key(self, address: str) -> tuple[str, str] | None:
        resource = self.resources.get(address)
        if resource is None:
            return None
        spec = self.specs.get(str(resource["type"]))
        parent_id = None if spec is None else spec.state_import_id(resource["values"])
        return None if parent_id is None else (str(resource["type"]), parent_id)

    def left_to_parts(self, address: str, fields: Iterable[str]) -> bool:
        """Whether cloudrift reports a drift of ``fields`` of the resource at ``address`` on
        its parts, not on the resource itself: true when every one is a field it leaves to
        them (and there is at least one)."""
        wanted = frozenset(fields)
        key = self._key(address)
        if not wanted or key is None:
            return False
        subject = self._subject.get(key[0], set())
        parent_spec = self.specs.get(key[0])
        if self.inline is None or (parent_spec is not None and parent_spec.inline_absolute):
            return all(f in subject and f in self._taken.get(key, set()) for f in wanted)
        declared = self.inline(address)
        return all(f in subject and f.split(".")[0] not in declared for f in wanted)

    def parts_of(self, address: str) -> frozenset[str]:
        """The addresses of the managed parts of the resource at ``address``."""
        key = self._key(address)
        return frozenset(self._parts.get(key, set())) if key is not None else frozenset()

    def on_parts(self, entries: Iterable[DriftEntry]) -> dict[str, frozenset[str]]:
        """The updates Terraform reports on parents that cloudrift reports on their parts:
        address -> the fields that moved."""
        return {e.address: e.changed_attributes for e in entries
                if e.kind == "changed" and self.left_to_parts(e.address, e.changed_attributes)}


def declared_arguments(directory: Path) -> dict[tuple[str, str], frozenset[str]]:
    """The arguments and nested blocks each ``resource "TYPE" "NAME"`` block of the ``.tf``
    files under ``directory`` declares, by (TYPE, NAME). A configuration whose modules reuse a
    (TYPE, NAME) pair is refused: the pair would not say which block an address is."""
    found: dict[tuple[str, str], frozenset[str]] = {}
    for path in sorted(directory.rglob("*.tf")):
        if ".terraform" in path.parts:
            continue
        with path.open(encoding="utf-8") as handle:
            document = hcl2.load(handle)
        for block in document.get("resource") or []:
            for rtype, named in block.items():
                for name, body in named.items():
                    key = (rtype.strip('"'), name.strip('"'))
                    if key in found:
                        raise ValueError(f"resource {key[0]}.{key[1]} is declared twice under "
                                         f"{directory}")
                    found[key] = frozenset(k for k in body if not k.startswith("__"))
    return found


def inline_from(directory: Path) -> Inline:
    """``PartsOracle.inline`` for the configuration in ``directory``."""
    declared = declared_arguments(directory)

    def inline(address: str) -> frozenset[str]:
        found = _TYPE_AND_NAME.search(address)
        if found is None:
            raise ValueError(f"not a managed resource address: {address}")
        return declared[(found["type"], found["name"])]

    return inline
