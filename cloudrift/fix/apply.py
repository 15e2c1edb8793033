"""``fix --apply``: the fix's code written into the root module, then at most two guarded
applies, each only after its plan was shown and found to hold exactly the expected actions.

1. A plan targeted at the reverted, recreated, imported and forgotten resources: updates,
   creates, imports that change nothing, and forgets, nothing else.
2. A refresh-only plan targeted at the accepted resources (their code now matches the cloud):
   state updates of those resources only.

A refused plan undoes the code written in step 0, so a refusal leaves the root module as it
was; the plan is shown before the refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cloudrift.fix.imports import ImportConfig
from cloudrift.fix.patch import CodeChanges
from cloudrift.fix.planner import Action, ActionKind, FixPlan
from cloudrift.fix.runner import (
    CREATE,
    FORGET,
    IMPORT,
    UPDATE,
    PlannedAction,
    PlanRefusedError,
    Terraform,
    check_plan,
    planned_actions,
    untouched,
)
from cloudrift.sources.hcl import strip_keys

IMPORT_CODE = "cloudrift_imports.tf"
REMOVED_CODE = "cloudrift_removed.tf"
PLAN_FILE = "cloudrift-fix.tfplan"

EXPECTED = {
    ActionKind.REVERT: UPDATE,
    ActionKind.RECREATE: CREATE,
    ActionKind.IMPORT: IMPORT,
    ActionKind.FORGET: FORGET,
}


@dataclass
class ApplyRequest:
    plan: FixPlan
    terraform: Terraform
    code: CodeChanges
    imports: ImportConfig | None
    forgotten: Sequence[Action]
    accepted: Sequence[str]
    yes: bool = False
    echo: Callable[[str], None] = print
    confirm: Callable[[str], bool] = lambda _: False
    written: list[Path] = field(default_factory=list)


def apply_fixes(request: ApplyRequest) -> None:
    saved = _write_code(request)
    try:
        expected = _expected(request)
        if expected:
            _guarded(request, "fix", expected, refresh_only=False)
    except BaseException:
        _restore(saved, request.written)
        raise
    if request.accepted:
        # the code was written above and is kept: the refresh makes the state agree with it
        _guarded(request, "accept",
                 {address: UPDATE for address in request.accepted}, refresh_only=True)


def _expected(request: ApplyRequest) -> dict[str, frozenset[tuple[str, ...]]]:
    expected: dict[str, frozenset[tuple[str, ...]]] = {}
    for action in request.plan.actions:
        if action.kind is ActionKind.ACCEPT:
            continue
        if action.kind is ActionKind.FORGET and action not in request.forgotten:
            continue
        if action.kind is ActionKind.IMPORT and request.imports is None:
            continue
        expected[action.address] = EXPECTED[action.kind]
    return expected


def _write_code(request: ApplyRequest) -> dict[Path, str]:
    """Write patch, import and removed code into the root module; the originals to restore."""
    saved = {path: entry.text for path, entry in request.code.files.items() if entry.edits}
    request.code.write()
    workdir = request.terraform.workdir
    if request.imports is not None:
        _new_file(request, workdir / IMPORT_CODE, request.imports.text)
    if request.forgotten:
        from cloudrift.fix.patch import render_removed

        _new_file(request, workdir / REMOVED_CODE,
                  render_removed(a.address for a in request.forgotten))
    return saved


def _new_file(request: ApplyRequest, path: Path, text: str) -> None:
    if path.exists():
        raise PlanRefusedError(f"{path} exists: move or delete it before --apply")
    path.write_text(text, encoding="utf-8")
    request.written.append(path)


def _restore(saved: Mapping[Path, str], written: Sequence[Path]) -> None:
    for path, text in saved.items():
        path.write_text(text, encoding="utf-8")
    for path in written:
        path.unlink(missing_ok=True)


def _guarded(request: ApplyRequest, label: str,
             expected: Mapping[str, frozenset[tuple[str, ...]]], *, refresh_only: bool) -> None:
    tf = request.terraform
    # forgotten resources are no longer in the code: -target would name nothing
    targets = [a for a in expected if expected[a] is not FORGET]
    plan_file = PLAN_FILE
    try:
        document = tf.plan(plan_file, sorted({strip_keys(t) or t for t in targets}),
                           refresh_only=refresh_only)
        planned = planned_actions(document, refresh_only=refresh_only)
        if refresh_only:
            # a refresh-only plan carries the drift it accepts, and must change nothing else
            planned += [p for p in planned_actions(document) if p.actions != ("no-op",)]
        request.echo(tf.show_text(plan_file))
        problems = check_plan(planned, expected)
        if problems:
            raise PlanRefusedError(
                f"the {label} plan was not applied: {'; '.join(problems)}",
                hint="the plan is shown above; fix by hand, or choose another strategy")
        if not planned:
            request.echo(f"cloudrift: the {label} plan has nothing to do "
                         f"({', '.join(untouched(planned, expected))} already as wanted)")
            return
        request.echo("cloudrift: the plan holds exactly the expected actions: " + ", ".join(
            p.describe() for p in planned))
        if not request.yes and not request.confirm(f"Apply the {label} plan?"):
            raise PlanRefusedError(f"the {label} plan was not applied: not confirmed")
        tf.apply_plan(plan_file)
    finally:
        (tf.workdir / plan_file).unlink(missing_ok=True)


def describe(planned: Sequence[PlannedAction]) -> str:
    return ", ".join(p.describe() for p in planned)
