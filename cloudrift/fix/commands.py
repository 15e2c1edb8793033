"""``cloudrift fix``: the Terraform-native fix of each finding, as files a person reviews, and
with ``--apply`` carried out behind a plan that must show exactly the expected actions."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from cloudrift.errors import ConfigError
from cloudrift.fix.apply import ApplyRequest, apply_fixes
from cloudrift.fix.imports import from_observed, generate
from cloudrift.fix.patch import CodeEditor, render_removed
from cloudrift.fix.planner import ActionKind, ChangedStrategy, MissingStrategy, plan_fixes
from cloudrift.fix.runner import CommandLog, Terraform, find_binary
from cloudrift.fix.summary import FixFiles, script, summary
from cloudrift.model import ScanReport

IMPORTS_NAME = "imports.tf"
REMOVED_NAME = "removed.tf"
PATCH_NAME = "code.patch"
SCRIPT_NAME = "apply.sh"
SUMMARY_NAME = "SUMMARY.md"
LOG_NAME = "commands.log"


@click.command("fix")
@click.option("--from", "source", metavar="REPORT.json",
              help="A report written by `scan --output json://PATH`. Without it, the root "
              "module in --workdir is scanned (its backend, its code), unmanaged resources "
              "observed.")
@click.option("--strategy", type=click.Choice([s.value for s in ChangedStrategy]),
              default=ChangedStrategy.REVERT.value, show_default=True,
              help="For changed resources: revert (the cloud back to the code, a targeted "
              "apply) or accept (the code to the cloud: a patch, then a refresh-only apply).")
@click.option("--missing", "missing", type=click.Choice([s.value for s in MissingStrategy]),
              default=MissingStrategy.RECREATE.value, show_default=True,
              help="For missing resources: recreate (a targeted apply) or forget (a removed "
              "block and the deletion of its code).")
@click.option("--only-fingerprint", "only", multiple=True, metavar="FP",
              help="Fix only the finding with this fingerprint (repeatable): run fix once "
              "per strategy to choose one per finding.")
@click.option("--out", "out", default="cloudrift-fix", show_default=True, metavar="DIR",
              help="Where to write the fix files.")
@click.option("--workdir", default=".", show_default=True, metavar="DIR",
              help="The root module terraform runs in.")
@click.option("--terraform-bin", "binary", metavar="PATH",
              help="terraform or tofu (default: terraform, else tofu, on PATH).")
@click.option("--config-from", type=click.Choice(["auto", "terraform", "observed"]),
              default="auto", show_default=True,
              help="Where imported resources' configuration comes from: terraform's "
              "-generate-config-out (auto: when terraform is found) or the fields the scan "
              "observed.")
@click.option("--apply", "do_apply", is_flag=True,
              help="Carry the fix out: write the code into --workdir and run terraform, each "
              "plan shown and checked first. Without it nothing touches the cloud or state.")
@click.option("--yes", is_flag=True, help="With --apply: do not ask before applying a plan "
              "(for CI); the plan is still checked and shown.")
@click.pass_context
def fix(ctx: click.Context, source: str | None, strategy: str, missing: str,
        only: tuple[str, ...], out: str, workdir: str, binary: str | None, config_from: str,
        do_apply: bool, yes: bool) -> None:
    """Write the Terraform-native fix of each finding: import blocks for unmanaged
    resources, targeted applies or code patches for changed ones, recreate or removed blocks
    for missing ones, and a Markdown summary for the pull request.

    \b
    Example:
      cloudrift scan -o json://drift.json --observe-unmanaged
      cloudrift fix --from drift.json --strategy accept --out fix/
      cloudrift fix --from drift.json --apply --yes   # CI: plan, check, apply
    """
    root = Path(workdir).resolve()
    if not root.is_dir():
        raise ConfigError(f"--workdir {workdir}: not a directory")
    tf_path = find_binary(binary)
    if binary and tf_path is None:
        raise ConfigError(f"--terraform-bin {binary}: not found or not executable")
    if config_from == "terraform" and tf_path is None:
        raise ConfigError("--config-from terraform: no terraform or tofu on PATH",
                          hint="pass --terraform-bin")
    if do_apply and tf_path is None:
        raise ConfigError("--apply needs terraform or tofu", hint="pass --terraform-bin")

    report, label = _report(ctx, source, root)
    if not report.complete:
        reasons = report.incomplete_reasons
        raise ConfigError(f"{label}: the scan was incomplete ({reasons[0] if reasons else '?'}"
                          f"{f' +{len(reasons) - 1} more' if len(reasons) > 1 else ''}); a fix "
                          "needs a complete view", hint="scan again once the report has no "
                          "incomplete warnings")

    plan = plan_fixes(report, changed=ChangedStrategy(strategy),
                      missing=MissingStrategy(missing), only=set(only), taken=_declared(root))
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    log = CommandLog(echo=lambda line: click.echo(f"cloudrift: {line}", err=True))
    terraform = None if tf_path is None else Terraform(tf_path, root, log)
    files = FixFiles(source=label, workdir=_shown(root), patch_root=_shown(_patch_root(root)),
                     binary=Path(tf_path).name if tf_path else "terraform")

    imports = plan.of(ActionKind.IMPORT)
    config = None
    if imports:
        use_terraform = terraform is not None and config_from != "observed"
        config = generate(terraform, imports) if use_terraform and terraform else \
            from_observed(imports, terraform)
        _write(out_dir / IMPORTS_NAME, config.text)
        files.imports, files.config_how = str(out_dir / IMPORTS_NAME), config.how
        files.notes.extend(config.notes)

    editor = CodeEditor([Path.cwd(), root], _patch_root(root))
    for action in plan.of(ActionKind.ACCEPT):
        editor.accept(action.finding)
    forgotten = [a for a in plan.of(ActionKind.FORGET) if editor.forget(a.finding)]
    files.manual = editor.changes.manual
    files.accepted = [a.address for a in plan.of(ActionKind.ACCEPT)
                      if a.address in editor.changes.complete]
    if forgotten:
        _write(out_dir / REMOVED_NAME, render_removed(a.address for a in forgotten))
        files.removed = str(out_dir / REMOVED_NAME)
    patch_text = editor.changes.diff()
    if patch_text:
        _write(out_dir / PATCH_NAME, patch_text)
        files.patch = str(out_dir / PATCH_NAME)
    if plan.actions:
        files.script = str(out_dir / SCRIPT_NAME)
        _write(out_dir / SCRIPT_NAME, script(plan, files))
        os.chmod(out_dir / SCRIPT_NAME, 0o755)
    _write(out_dir / SUMMARY_NAME, summary(plan, files))
    click.echo(f"cloudrift: {len(plan.actions)} fix(es) written to {out_dir}/ "
               f"(see {out_dir / SUMMARY_NAME})", err=True)

    if do_apply and terraform is not None and plan.actions:
        try:
            apply_fixes(ApplyRequest(plan, terraform, editor.changes, config, forgotten,
                                     files.accepted, yes=yes, echo=click.echo,
                                     confirm=_confirm))
        finally:
            _write(out_dir / LOG_NAME, log.text())


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        raise ConfigError("--apply without --yes needs a terminal to ask on",
                          hint="pass --yes (CI), or run it in a terminal")
    return click.confirm(question, default=False)


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _shown(path: Path) -> str:
    try:
        relative = path.relative_to(Path.cwd())
    except ValueError:
        return str(path)
    return "." if str(relative) == "." else relative.as_posix()


def _patch_root(root: Path) -> Path:
    """The Git work tree's top (where `git apply` takes paths from), else the root module."""
    try:
        done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root,
                              capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return root
    top = done.stdout.strip()
    return Path(top) if done.returncode == 0 and top else root


def _declared(root: Path) -> list[str]:
    """Addresses the root module's code declares (suggested imports avoid them)."""
    from cloudrift.sources.files import LocalTree
    from cloudrift.sources.hcl import load_hcl

    try:
        index = load_hcl(LocalTree(str(root)), "")
    except Exception:  # a name clash is the worst that can follow
        return []
    return [r.address for r in index.resources]


def _report(ctx: click.Context, source: str | None, root: Path) -> tuple[ScanReport, str]:
    from cloudrift.api import load_report

    if source is not None:
        return load_report(source), source
    return _scan(root), "a scan of " + _shown(root)


def _scan(root: Path) -> ScanReport:
    """The scan `cloudrift scan` runs, zero-config in the root module, with the observed
    fields of unmanaged resources (the configuration of their import blocks)."""
    from cloudrift.api import ScanJob, resolve

    with _cwd(root):
        job = ScanJob(resolve({"observe_unmanaged": True, "quiet": True}),
                      note=lambda line: click.echo(line, err=True))
        job.prepare()
        outcome = job.execute()
    if outcome.history_error is not None:
        click.echo(f"cloudrift: warning: {outcome.history_error}", err=True)
    return outcome.report


@contextmanager
def _cwd(path: Path) -> Any:
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def command_line(args: Sequence[str]) -> str:
    return shlex.join(args)
