"""Findings into fix actions, one per finding, by strategy.

=============  ==========================================================================
finding        action
=============  ==========================================================================
unmanaged      ``import``: an ``import`` block to a suggested address and its configuration
changed        ``revert`` (the cloud back to the code: a targeted apply) or ``accept`` (the
               code to the cloud: a patch of the literal values, then a refresh of the state)
missing        ``recreate`` (a targeted apply) or ``forget`` (a ``removed`` block and the
               deletion of the resource's code)
unapplied      none: apply the code or delete it, a person's call
=============  ==========================================================================
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from enum import Enum

from cloudrift.model import Finding, FindingKind, ScanReport, finding_order
from cloudrift.sources.hcl import split_address


class ChangedStrategy(str, Enum):
    REVERT = "revert"
    ACCEPT = "accept"


class MissingStrategy(str, Enum):
    RECREATE = "recreate"
    FORGET = "forget"


class ActionKind(str, Enum):
    IMPORT = "import"
    REVERT = "revert"
    ACCEPT = "accept"
    RECREATE = "recreate"
    FORGET = "forget"


# what each action asks of terraform once its files are in place
TARGETED_APPLY = frozenset({ActionKind.REVERT, ActionKind.RECREATE})


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    finding: Finding
    address: str  # the resource's address; for an import, the suggested one

    @property
    def label(self) -> str:
        return f"{self.kind.value} {self.address}"


@dataclass
class FixPlan:
    actions: list[Action] = field(default_factory=list)
    # findings no action fixes, with the reason
    skipped: list[tuple[Finding, str]] = field(default_factory=list)
    # --only-fingerprint values that name no finding of the report
    unknown: list[str] = field(default_factory=list)

    def of(self, *kinds: ActionKind) -> list[Action]:
        return [a for a in self.actions if a.kind in kinds]


def plan_fixes(
    report: ScanReport,
    *,
    changed: ChangedStrategy = ChangedStrategy.REVERT,
    missing: MissingStrategy = MissingStrategy.RECREATE,
    only: Collection[str] = (),
    taken: Iterable[str] = (),
) -> FixPlan:
    """One action per finding of ``report`` (those whose fingerprint is in ``only``, when
    given). ``taken`` holds addresses the code already uses: suggested import addresses avoid
    them and each other."""
    plan = FixPlan()
    used = {a for a in taken}
    used.update(f.address for f in report.findings if f.address)
    for finding in sorted(report.findings, key=finding_order):
        if only and finding.fingerprint not in only:
            continue
        if finding.kind is FindingKind.UNMANAGED:
            address = suggest_address(finding.type, finding.id, used)
            used.add(address)
            plan.actions.append(Action(ActionKind.IMPORT, finding, address))
        elif finding.kind is FindingKind.UNAPPLIED:
            plan.skipped.append((finding, "declared in code and absent from the state: apply "
                                 "the code or delete it"))
        elif not finding.address or split_address(finding.address) is None:
            plan.skipped.append((finding, "no Terraform address to target"))
        elif finding.kind is FindingKind.CHANGED:
            kind = ActionKind.REVERT if changed is ChangedStrategy.REVERT else ActionKind.ACCEPT
            plan.actions.append(Action(kind, finding, finding.address))
        else:
            kind = (ActionKind.RECREATE if missing is MissingStrategy.RECREATE
                    else ActionKind.FORGET)
            plan.actions.append(Action(kind, finding, finding.address))
    if only:
        seen = {a.finding.fingerprint for a in plan.actions} | {
            f.fingerprint for f, _ in plan.skipped}
        plan.unknown = sorted(set(only) - seen)
    return plan


_NOT_NAME = re.compile(r"[^a-z0-9_]+")


def suggest_name(resource_id: str) -> str:
    """A Terraform resource name from an import id: the name part of an ARN or URL, else the
    whole id, lower-cased, every run of other characters an underscore."""
    text = resource_id
    if text.startswith("arn:"):
        text = text.split(":", 5)[-1]
        text = text.rsplit("/", 1)[-1] if "/" in text else text.rsplit(":", 1)[-1]
    elif "://" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
    name = _NOT_NAME.sub("_", text.lower()).strip("_")
    if not name:
        return "imported"
    return name if name[0].isalpha() else f"r_{name}"


def suggest_address(rtype: str, resource_id: str, used: Collection[str]) -> str:
    base = f"{rtype}.{suggest_name(resource_id)}"
    address, n = base, 2
    while address in used or any(u.startswith(address + "[") for u in used):
        address = f"{base}_{n}"
        n += 1
    return address
