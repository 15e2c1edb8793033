"""The guarded terraform runner: every command logged, nothing applied that was not planned,
shown and expected.

A fix is applied as ``plan -out`` with exactly the expected ``-target``s, ``show -json`` of
that plan, a check that every action in it is one the fix asked for, then ``apply PLANFILE``.
A plan that would delete or replace anything, or touch an address no fix named, stops the run
with the plan shown: a revert that replaces a database is not a revert.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloudrift.errors import CloudriftError, ConfigError

# actions a fix may plan, per kind of expectation
UPDATE = frozenset({("update",)})
CREATE = frozenset({("create",)})
IMPORT = frozenset({("no-op",)})  # with "importing": the import changes nothing else
FORGET = frozenset({("forget",), ("no-op",)})
ANY_DELETE = frozenset({"delete"})


class PlanRefusedError(CloudriftError):
    """A plan held an action no fix asked for; nothing was applied."""


class TerraformFailedError(CloudriftError):
    """A terraform command exited non-zero."""


@dataclass(frozen=True)
class Logged:
    argv: tuple[str, ...]
    cwd: str
    returncode: int
    seconds: float

    def line(self) -> str:
        return (f"$ (cd {shlex.quote(self.cwd)} && {shlex.join(self.argv)})  "
                f"# exit {self.returncode}, {self.seconds:.1f} s")


@dataclass
class CommandLog:
    """Every command a fix ran, in order; echoed as it runs and written to ``commands.log``."""

    entries: list[Logged] = field(default_factory=list)
    echo: Callable[[str], None] | None = None

    def add(self, entry: Logged) -> None:
        self.entries.append(entry)
        if self.echo is not None:
            self.echo(entry.line())

    def text(self) -> str:
        return "".join(e.line() + "\n" for e in self.entries)


def find_binary(name: str | None) -> str | None:
    """``--terraform-bin`` as given (a name on PATH or a path), else terraform, else tofu."""
    if name:
        if os.sep in name:
            return name if os.access(name, os.X_OK) else None
        return shutil.which(name)
    return shutil.which("terraform") or shutil.which("tofu")


@dataclass
class Terraform:
    binary: str
    workdir: Path
    log: CommandLog
    env: Mapping[str, str] | None = None
    timeout: float = 1800.0

    def run(self, *args: str, check: bool = True, stdin: str | None = None
            ) -> subprocess.CompletedProcess[str]:
        argv = (self.binary, *args)
        started = time.perf_counter()
        env = dict(os.environ if self.env is None else self.env)
        env.setdefault("TF_IN_AUTOMATION", "1")
        env["TF_INPUT"] = "0"
        try:
            done = subprocess.run(argv, cwd=self.workdir, env=env, capture_output=True,
                                  text=True, timeout=self.timeout, check=False, input=stdin)
        except OSError as exc:
            raise ConfigError(f"{self.binary}: cannot run ({exc.strerror})",
                              hint="pass --terraform-bin") from None
        self.log.add(Logged(tuple(os.path.basename(a) if i == 0 else a
                                  for i, a in enumerate(argv)),
                            str(self.workdir), done.returncode, time.perf_counter() - started))
        if check and done.returncode != 0:
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-6:])
            raise TerraformFailedError(
                f"{os.path.basename(self.binary)} {args[0]} exited {done.returncode} in "
                f"{self.workdir}: {tail}")
        return done

    def plan(self, plan_file: str, targets: Sequence[str], *, refresh_only: bool = False,
             extra: Sequence[str] = ()) -> dict[str, Any]:
        """``plan -out`` limited to ``targets`` and its ``show -json`` document."""
        args = ["plan", "-input=false", "-no-color", f"-out={plan_file}", *extra]
        if refresh_only:
            args.append("-refresh-only")
        args.extend(f"-target={t}" for t in targets)
        self.run(*args)
        shown = self.run("show", "-json", "-no-color", plan_file)
        document: dict[str, Any] = json.loads(shown.stdout)
        return document

    def fmt(self, text: str) -> str:
        """``text`` in the canonical layout (aligned ``=``), as ``terraform fmt`` writes it."""
        return self.run("fmt", "-no-color", "-", stdin=text).stdout

    def show_text(self, plan_file: str) -> str:
        return self.run("show", "-no-color", plan_file).stdout

    def apply_plan(self, plan_file: str) -> None:
        self.run("apply", "-input=false", "-no-color", "-auto-approve", plan_file)


@dataclass(frozen=True)
class PlannedAction:
    address: str
    actions: tuple[str, ...]
    importing: bool = False

    def describe(self) -> str:
        verb = "+".join(self.actions)
        return f"{self.address}: {'import' if self.importing else verb}" + (
            f" + {verb}" if self.importing and self.actions != ("no-op",) else "")


def planned_actions(plan: Mapping[str, Any], *, refresh_only: bool = False
                    ) -> list[PlannedAction]:
    """What a plan does, resource by resource (no-ops left out, imports kept); for a
    refresh-only plan, the state updates of its ``resource_drift``."""
    found = []
    key = "resource_drift" if refresh_only else "resource_changes"
    for raw in plan.get(key) or []:
        if raw.get("mode", "managed") != "managed":
            continue
        change = raw.get("change") or {}
        actions = tuple(change.get("actions") or ())
        importing = bool(change.get("importing"))
        if actions in (("no-op",), ("read",)) and not importing:
            continue
        found.append(PlannedAction(str(raw["address"]), actions, importing))
    return found


def check_plan(planned: Iterable[PlannedAction],
               expected: Mapping[str, frozenset[tuple[str, ...]]]) -> list[str]:
    """Why the plan may not be applied, one line each; empty when every action is expected."""
    problems = []
    for action in planned:
        if ANY_DELETE & set(action.actions):
            what = "replace" if "create" in action.actions else "destroy"
            problems.append(f"{action.address}: the plan would {what} it "
                            f"({'+'.join(action.actions)})")
            continue
        allowed = expected.get(action.address)
        if allowed is None:
            problems.append(f"{action.address}: {'+'.join(action.actions)} is not one of "
                            "the fixes asked for")
        elif action.actions not in allowed:
            problems.append(f"{action.address}: the plan would {'+'.join(action.actions)}, "
                            f"the fix expects {' or '.join('+'.join(a) for a in allowed)}")
    return problems


def untouched(planned: Iterable[PlannedAction], expected: Iterable[str]) -> list[str]:
    """Expected addresses the plan does nothing to (already as wanted)."""
    seen = {p.address for p in planned}
    return sorted(set(expected) - seen)
