"""``import`` blocks and the configuration of each unmanaged resource, in one file.

With ``terraform``/``tofu`` at hand the configuration comes from ``plan
-generate-config-out``, tidied (``tidy``) and then verified: the imports are planned with the
tidied code, and an import that would also change the resource gets its dropped arguments
back. Without it, the configuration is written from the fields the scan observed
(``scan --observe-unmanaged``): only the arguments cloudrift compares, which is less than the
resource has, so the file says to run ``terraform plan`` before committing it.

Terraform only reads configuration from the root module's directory, so generation writes two
files there for the time it runs (``cloudrift_import.tf`` and ``cloudrift_generated.tf``) and
removes them afterwards, whatever happens.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloudrift.errors import ConfigError
from cloudrift.fix.hcltext import hcl_string, hcl_value
from cloudrift.fix.planner import Action
from cloudrift.fix.runner import Terraform, TerraformFailedError, planned_actions
from cloudrift.fix.tidy import Tidied, refused_arguments, tidy
from cloudrift.redact import REDACTED

IMPORT_FILE = "cloudrift_import.tf"
GENERATED_FILE = "cloudrift_generated.tf"


@dataclass
class ImportConfig:
    text: str  # import blocks and configuration, one valid file
    how: str  # "terraform" or "observed"
    notes: list[str] = field(default_factory=list)
    tidied: Tidied | None = None


def render_import_blocks(actions: Iterable[Action]) -> str:
    return "\n".join(
        f"import {{\n  to = {a.address}\n  id = {hcl_string(a.finding.id)}\n}}\n"
        for a in actions
    )


def _header(how: str) -> str:
    if how == "terraform":
        source = "terraform plan -generate-config-out, tidied by cloudrift"
    else:
        source = "the fields cloudrift compares, as the scan observed them"
    return (f"# Written by `cloudrift fix`: import blocks for resources no state manages, and\n"
            f"# their configuration ({source}).\n"
            "# Review, move into the root module, then `terraform plan`: each should show\n"
            "# \"will be imported\" and no change.\n\n")


def _id_comment(action: Action) -> str:
    return f"imported from {action.finding.id}"


# -- without terraform ---------------------------------------------------------------------------

def render_observed(action: Action) -> tuple[str, list[str]]:
    """A resource block from ``finding.observed``; notes for what it cannot say."""
    observed = action.finding.observed
    notes: list[str] = []
    rtype, _, name = action.address.partition(".")
    lines = [f"# {_id_comment(action)}", f'resource "{rtype}" "{name}" {{']
    if not observed:
        notes.append(f"{action.address}: the report holds no observed fields (scan with "
                     "--observe-unmanaged, or fix with terraform on PATH); its block is empty")
    nested: dict[str, dict[str, dict[str, Any]]] = {}
    for path, value in sorted((observed or {}).items()):
        if _unwritable(value):
            if value is not None and value not in ("", [], {}):
                notes.append(f"{action.address}: {path} left out (a secret)")
            continue
        steps = path.split(".")
        if len(steps) >= 3 and steps[1].isdigit():
            nested.setdefault(steps[0], {}).setdefault(steps[1], {})[".".join(steps[2:])] = value
            continue
        lines.append(f"  {path} = {_argument_value(path, value)}")
    for block_name, instances in sorted(nested.items()):
        for _, arguments in sorted(instances.items()):
            lines.append(f"  {block_name} {{")
            lines.extend(f"    {k} = {hcl_value(v, 2)}" for k, v in sorted(arguments.items()))
            lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n", notes


def _unwritable(value: Any) -> bool:
    if value is None or value == "" or value == [] or value == {}:
        return True
    return REDACTED in json.dumps(value)


def _argument_value(path: str, value: Any) -> str:
    # a JSON document (a policy, a redrive policy) is compared as a parsed object; Terraform
    # takes it as a string. A map of strings (tags) is a map argument.
    if isinstance(value, dict) and not all(isinstance(v, str) for v in value.values()):
        return f"jsonencode({hcl_value(value, 1)})"
    return hcl_value(value, 1)


def from_observed(actions: Sequence[Action], terraform: Terraform | None = None
                  ) -> ImportConfig:
    """Configuration from the observed fields; with terraform at hand, arguments whose value
    the provider's validation refuses are commented out, as ``tidy`` does for generated code."""
    blocks: list[str] = []
    notes: list[str] = []
    for action in actions:
        text, more = render_observed(action)
        blocks.append(text)
        notes.extend(more)
    imports = render_import_blocks(actions)
    body = "\n".join(blocks)
    tidied = None
    if terraform is not None:
        tidied = _refused_only(terraform, imports + "\n" + body)
        comments = {a.address: _id_comment(a) for a in actions}
        body = tidied.render(comments)
        notes.extend(f"{address}: {name} {why}" for address, name, why in tidied.dropped())
    text = _header("observed") + imports + "\n" + body
    if terraform is not None:
        text = terraform.fmt(text)
    return ImportConfig(text, "observed", notes, tidied)


def _refused_only(terraform: Terraform, text: str) -> Tidied:
    path = terraform.workdir / IMPORT_FILE
    if path.exists():
        raise ConfigError(f"{path} exists: a previous `cloudrift fix` was interrupted",
                          hint="delete it, then run again")
    try:
        path.write_text(text, encoding="utf-8")
        validated = terraform.run("validate", "-json", "-no-color", check=False)
    finally:
        path.unlink(missing_ok=True)
    diagnostics = json.loads(validated.stdout or "{}").get("diagnostics") or []
    return tidy(text, refused_arguments(diagnostics, IMPORT_FILE), only_refused=True)


# -- with terraform ------------------------------------------------------------------------------

def generate(terraform: Terraform, actions: Sequence[Action]) -> ImportConfig:
    """Configuration through ``plan -generate-config-out``, tidied and verified by a plan."""
    workdir = terraform.workdir
    import_file = workdir / IMPORT_FILE
    generated_file = workdir / GENERATED_FILE
    for path in (import_file, generated_file):
        if path.exists():
            raise ConfigError(f"{path} exists: a previous `cloudrift fix` was interrupted",
                              hint="delete it, then run again")
    targets = [a.address for a in actions]
    imports = render_import_blocks(actions)
    comments = {a.address: _id_comment(a) for a in actions}
    try:
        import_file.write_text(imports, encoding="utf-8")
        done = terraform.run("plan", "-input=false", "-no-color",
                             f"-generate-config-out={GENERATED_FILE}",
                             *(f"-target={t}" for t in targets), check=False)
        if not generated_file.exists():
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-6:])
            raise TerraformFailedError(f"plan -generate-config-out wrote nothing: {tail}")
        generated = generated_file.read_text(encoding="utf-8")
        validated = terraform.run("validate", "-json", "-no-color", check=False)
        diagnostics = json.loads(validated.stdout or "{}").get("diagnostics") or []
        tidied = tidy(generated, refused_arguments(diagnostics, GENERATED_FILE))
        notes = _verify(terraform, tidied, targets, generated_file, comments)
    finally:
        import_file.unlink(missing_ok=True)
        generated_file.unlink(missing_ok=True)
        (workdir / "cloudrift-verify.tfplan").unlink(missing_ok=True)
    for address, name, why in tidied.dropped():
        if why.startswith("hashicorp/aws refuses"):
            notes.append(f"{address}: {name} {why}")
    text = terraform.fmt(_header("terraform") + imports + "\n" + tidied.render(comments))
    return ImportConfig(text, "terraform", notes, tidied)


def _verify(terraform: Terraform, tidied: Tidied, targets: Sequence[str], path: Path,
            comments: dict[str, str]) -> list[str]:
    """Plan the imports with the tidied code; put back what an import would otherwise change,
    once, and say what still changes."""
    notes: list[str] = []
    changing = _changing(terraform, tidied, targets, path, comments)
    restored_any = False
    for address, differs in changing.items():
        restored = tidied.restore(address, differs)
        if restored:
            restored_any = True
            notes.append(f"{address}: kept {', '.join(restored)}: the provider's default "
                         "differs from the cloud's value")
    if restored_any:
        changing = _changing(terraform, tidied, targets, path, comments)
    for address, differs in changing.items():
        notes.append(f"{address}: importing it also changes {', '.join(differs) or '?'}")
    # leave the verified text in place for the caller's last look
    path.write_text(tidied.render(comments), encoding="utf-8")
    return notes


def _changing(terraform: Terraform, tidied: Tidied, targets: Sequence[str], path: Path,
              comments: dict[str, str]) -> dict[str, list[str]]:
    """Address -> the top-level attributes an import plan would change."""
    path.write_text(tidied.render(comments), encoding="utf-8")
    plan = terraform.plan("cloudrift-verify.tfplan", targets)
    changes = {c.get("address"): c.get("change") or {}
               for c in plan.get("resource_changes") or []}
    found: dict[str, list[str]] = {}
    for action in planned_actions(plan):
        if action.actions == ("no-op",):
            continue
        change = changes.get(action.address) or {}
        before, after = change.get("before") or {}, change.get("after") or {}
        found[action.address] = sorted(
            k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return found
