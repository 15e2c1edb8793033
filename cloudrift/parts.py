"""Parts of a parent: a drift is reported once, on the most specific resource that declares it.

A security group's rules, a route table's routes, a bucket's configuration can each be written
inline on the parent or as resources of their own (``aws_security_group_rule``,
``aws_route``, ``aws_s3_bucket_public_access_block``). A spec says so with ``PartOf``. Before
comparing, the engine settles, for every managed parent, which of those fields the parent
itself still compares:

- with the parent's HCL block known: the fields it declares inline (an argument or a nested
  block, ``dynamic`` ones included). Managed parts of a field the block also declares inline
  are a conflict Terraform itself warns about; the parent keeps the field and a warning says so;
- without HCL: every field no managed part takes over (the state is all there is to go by);
- for a parent whose inline rules are absolute (``ResourceSpec.inline_absolute``: the adopted
  ``aws_default_*`` resources, where a block with no rules means no rules), as without HCL:
  the code's silence leaves nothing to parts.

A field the parent does not compare is dropped from its desired attributes: its drift is the
parts' to report. In the cloud, a part no managed part matches is reported unmanaged only when
its parent is managed and does not compare that field inline (otherwise the extra element shows
as a change of the parent's field); parts of an unmanaged or default parent are covered by the
parent's own finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from cloudrift.model import Resource, ScanWarning
from cloudrift.sources.tfstate import StateInstance
from cloudrift.spec import PartOf, ResourceSpec

ParentKey = tuple[str, str]  # (parent type, parent import id)
# a part whose parent field depends on its own state: in the cloud it may be any of them
ANY_FIELD = "*"


@dataclass
class Settled:
    """What the parents compare after the parts took theirs."""

    # every managed parent of a type some part type names, with the fields it compares inline
    inline: dict[ParentKey, frozenset[str]] = field(default_factory=dict)
    warnings: list[ScanWarning] = field(default_factory=list)

    def report_unmanaged(self, part: PartOf, parent_id: str | None,
                         subject: frozenset[str]) -> bool:
        """Whether an unmatched part in the cloud is an unmanaged finding of its own."""
        if parent_id is None:
            return True
        compared = self.inline.get((part.parent_type, parent_id))
        if compared is None:
            return False  # the parent is not managed: its own finding covers its parts
        if ANY_FIELD in subject:
            return not compared
        return not (compared & subject)


def _within(path: str, fields: frozenset[str]) -> bool:
    return any(path == f or path.startswith(f + ".") for f in fields)


def settle(
    specs: Mapping[str, ResourceSpec],
    instances: Sequence[StateInstance],
    desired: list[Resource],
    declared: Callable[[Resource], frozenset[str] | None],
) -> Settled:
    """Drop from each managed parent's desired attributes the fields its parts report, and
    say which ones it still compares. ``declared`` gives a resource's inline arguments from its
    HCL block, or None without HCL."""
    settled = Settled()
    parts_by_parent: dict[str, list[PartOf]] = defaultdict(list)
    for spec in specs.values():
        for part in spec.part_of:
            parts_by_parent[part.parent_type].append(part)
    if not parts_by_parent:
        return settled

    # what managed parts take over, per parent; and every field parts may take, per parent type
    taken: dict[ParentKey, set[str]] = defaultdict(set)
    takers: dict[ParentKey, set[str]] = defaultdict(set)
    subject: dict[str, set[str]] = defaultdict(set)
    for parent_type, parts in parts_by_parent.items():
        for part in parts:
            if not callable(part.fields):
                subject[parent_type].update(part.fields)
    for inst in instances:
        part_spec = specs.get(inst.type)
        if part_spec is None:
            continue
        for part in part_spec.part_of:
            parent_id = part.state_parent(inst.attributes)
            if parent_id is None:
                continue
            fields = part.fields_for(inst.attributes)
            taken[(part.parent_type, parent_id)].update(fields)
            takers[(part.parent_type, parent_id)].add(inst.type)
            subject[part.parent_type].update(fields)

    for resource in desired:
        if resource.type not in parts_by_parent:
            continue
        key = (resource.type, resource.id)
        parent_spec = specs.get(resource.type)
        absolute = parent_spec is not None and parent_spec.inline_absolute
        inline_declared = None if absolute else declared(resource)
        owned = taken.get(key, set())
        compared: set[str] = set()
        for name in sorted(subject[resource.type]):
            root = name.split(".")[0]
            if inline_declared is not None:
                inline = root in inline_declared
                if inline and name in owned:
                    settled.warnings.append(ScanWarning(
                        code="parts_conflict", provider=resource.provider, type=resource.type,
                        scope=resource.scope,
                        message=f"{resource.address} declares {name} inline and "
                        f"{', '.join(sorted(takers[key]))} resources manage it too: Terraform "
                        "will undo one with the other; compared on the parent",
                    ))
            else:
                inline = name not in owned
            if inline:
                compared.add(name)
        dropped = frozenset(subject[resource.type]) - compared
        if dropped:
            resource.attributes = {path: value for path, value in resource.attributes.items()
                                   if not _within(path, dropped)}
        settled.inline[key] = frozenset(compared)
    return settled


def subject_fields(part: PartOf, told: tuple[str, ...] | None = None) -> frozenset[str]:
    """The parent fields an unmatched cloud part may belong to: those of the ``PartOf`` that
    gave it its parent (``told``, ``Resource.parent_fields``), else the part's declared fields,
    or every field of the parent when they depend on the part's state (an unmanaged part has
    none)."""
    if told is not None:
        return frozenset(told)
    if callable(part.fields):
        return frozenset({ANY_FIELD})
    return frozenset(part.fields)
