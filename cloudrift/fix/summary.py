"""The Markdown summary of a fix, fit for a pull request's body, and the script of its
terraform commands."""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cloudrift.fix.patch import ManualStep
from cloudrift.fix.planner import Action, ActionKind, FixPlan

WHAT = {
    ActionKind.IMPORT: "import: `import` block + configuration",
    ActionKind.REVERT: "revert: the cloud back to the code (targeted apply)",
    ActionKind.ACCEPT: "accept: the code to the cloud (patch, then refresh-only apply)",
    ActionKind.RECREATE: "recreate: a targeted apply creates it again",
    ActionKind.FORGET: "forget: `removed` block + code deletion",
}


@dataclass
class FixFiles:
    """What a fix wrote, for the summary and the script."""

    source: str
    workdir: str  # as the user should `cd` to it
    patch_root: str  # where `git apply` runs
    binary: str = "terraform"
    imports: str | None = None  # file names inside the output directory
    removed: str | None = None
    patch: str | None = None
    script: str | None = None
    config_how: str = ""
    notes: list[str] = field(default_factory=list)
    manual: list[ManualStep] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # addresses fully patched


def _code(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = text if len(text) <= 80 else text[:77] + "..."
    return "`" + text.replace("`", "'") + "`"


def _changes(action: Action) -> str:
    parts = [f"{_code(c.path)}: {_code(c.expected)} → {_code(c.actual)}"
             for c in action.finding.changes]
    return "<br>".join(parts)


def script(plan: FixPlan, files: FixFiles) -> str:
    """The terraform commands a person (or CI) runs after review, in order."""
    tf = files.binary
    lines = [
        "#!/bin/sh",
        "# Written by `cloudrift fix`. Each command shows its plan and asks before applying;",
        "# stop at any plan that destroys or replaces something.",
        "set -eu",
        f"cd {shlex.quote(files.workdir)}",
    ]
    targeted = plan.of(ActionKind.REVERT, ActionKind.RECREATE)
    if targeted:
        lines.append("# revert / recreate: the cloud back to the code")
        lines.append(f"{tf} apply " + " ".join(
            shlex.quote(f"-target={a.address}") for a in targeted))
    if plan.of(ActionKind.IMPORT):
        lines.append(f"# imports: after moving {files.imports} into this directory")
        lines.append(f"{tf} apply " + " ".join(
            shlex.quote(f"-target={a.address}") for a in plan.of(ActionKind.IMPORT)))
    if files.accepted:
        lines.append(f"# accept: after `git apply {files.patch}`, the state to the cloud")
        lines.append(f"{tf} apply -refresh-only " + " ".join(
            shlex.quote(f"-target={a}") for a in files.accepted))
    if plan.of(ActionKind.FORGET):
        lines.append(f"# forget: after `git apply {files.patch}` and moving {files.removed} "
                     "into this directory")
        lines.append(f"{tf} apply")
    return "\n".join(lines) + "\n"


def summary(plan: FixPlan, files: FixFiles) -> str:
    out = [f"## cloudrift fix: {len(plan.actions)} fix(es) for "
           f"{len(plan.actions) + len(plan.skipped)} finding(s)", ""]
    out.append(f"From `{files.source}`. Nothing has been applied by writing these files.")
    out.append("")
    if plan.actions:
        out += ["| Finding | Resource | Fix | Drift |", "|---|---|---|---|"]
        for action in plan.actions:
            where = f" (`{action.finding.location}`)" if action.finding.location else ""
            resource = (f"`{action.finding.type}` `{action.finding.id}` → `{action.address}`"
                        if action.kind is ActionKind.IMPORT
                        else f"`{action.address}`{where}")
            out.append(f"| {action.finding.kind.value} | {resource} | {WHAT[action.kind]} | "
                       f"{_changes(action)} |")
        out.append("")
    out += ["### Files", ""]
    if files.imports:
        how = ("`terraform plan -generate-config-out`, tidied and verified by a plan"
               if files.config_how == "terraform"
               else "the fields the scan observed (run `terraform plan` before committing)")
        out.append(f"- `{files.imports}`: import blocks and configuration, from {how}; move it "
                   f"into `{files.workdir}`.")
    if files.removed:
        out.append(f"- `{files.removed}`: `removed` blocks (`destroy = false`): Terraform "
                   f"forgets the resources, the cloud keeps whatever is left; move it into "
                   f"`{files.workdir}`.")
    if files.patch:
        out.append(f"- `{files.patch}`: the code edits; `git apply {files.patch}` in "
                   f"`{files.patch_root}`.")
    if files.script:
        out.append(f"- `{files.script}`: the terraform commands, in order.")
    out.append("")
    if files.manual:
        out += ["### For a person", ""]
        for step in files.manual:
            where = f"`{step.where}` " if step.where else ""
            value = f" (the cloud has {_code(step.value)})" if step.value is not None else ""
            out.append(f"- {where}`{step.address}` {_code(step.what)}: {step.reason}{value}")
        out.append("")
    if plan.skipped or plan.unknown:
        out += ["### Not fixed", ""]
        for finding, reason in plan.skipped:
            out.append(f"- {finding.kind.value} `{finding.address or finding.id}`: {reason}")
        for fingerprint in plan.unknown:
            out.append(f"- `{fingerprint}`: no finding of the report has this fingerprint")
        out.append("")
    if files.notes:
        out += ["### Notes", ""]
        out.extend(f"- {note}" for note in files.notes)
        out.append("")
    out += ["### Apply", "",
            "Review, commit, then run the script, or let cloudrift run it with its guard "
            "(a plan that destroys or replaces anything, or touches another resource, stops "
            "the run):", "",
            "```sh", f"cloudrift fix --from {shlex.quote(files.source)} --apply", "```", ""]
    return "\n".join(out)


def lines_of(items: Sequence[str]) -> str:
    return "".join(f"{item}\n" for item in items)
