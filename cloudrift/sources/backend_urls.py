"""What a backend's planner is built from: it turns the settings of a Terraform
``backend``/``cloud`` block into the ``--from`` URLs that read a root module's state.

Each backend keeps its planner next to its reader (``Backend.planners``, see
:mod:`cloudrift.sources.backends`), since the URL one writes is the URL the other reads. A
planner returns a :class:`Plan`: URLs (or, for a local backend, state files inside the tree),
and notes on what it could not turn: a setting that is an expression, one left to
``terraform init -backend-config``, credentials the URL does not carry.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cloudrift.sources.files import FileTree
from cloudrift.sources.tfblocks import Expression

DEFAULT_WORKSPACE = "default"
DEFAULT_STATE = "terraform.tfstate"
DEFAULT_WORKSPACE_DIR = "terraform.tfstate.d"


def join_path(directory: str, path: str) -> str:
    """``path``, given relative to ``directory``, as a path from the tree's root."""
    joined = posixpath.normpath(posixpath.join(directory, path)) if directory else path
    return posixpath.normpath(joined)


def local_workspaces(directory: str, workspace_dir: str, paths: frozenset[str]) -> list[str]:
    """The workspaces other than ``default`` that have a local state in ``paths``."""
    base = join_path(directory, workspace_dir) + "/"
    names = set()
    for path in paths:
        if path.startswith(base):
            rest = path[len(base):].split("/")
            if len(rest) == 2 and rest[1] == DEFAULT_STATE:
                names.add(rest[0])
    return sorted(names)


@dataclass(frozen=True)
class PlanContext:
    """One discovery run: the tree, every path in it, the environment, the workspace asked for."""

    tree: FileTree
    paths: frozenset[str]
    env: Mapping[str, str]
    workspace: str | None
    all_workspaces: bool


@dataclass
class Plan:
    """Where one root's state is read from, and notes on what stops it being read."""

    urls: list[str] = field(default_factory=list)
    state_paths: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    workspaces: list[str] = field(default_factory=list)
    # the settings that stopped it, being expressions (a Terragrunt unit says why each one is)
    unevaluated: list[str] = field(default_factory=list)


def literals(
    settings: Mapping[str, Any], required: Sequence[str], optional: Sequence[str], plan: Plan
) -> dict[str, str] | None:
    """The string settings a URL needs; None (with a note) when one is missing or computed."""
    values: dict[str, str] = {}
    missing = [key for key in required if settings.get(key) in (None, "")]
    computed = [
        f"{key} = {settings[key]}" for key in (*required, *optional)
        if isinstance(settings.get(key), Expression)
    ]
    if computed:
        plan.notes.append(f"not evaluated: {'; '.join(computed)} (an expression, not a literal)")
        plan.unevaluated.extend(key for key in (*required, *optional)
                                if isinstance(settings.get(key), Expression))
    if missing:
        plan.notes.append(
            f"partial configuration: {', '.join(missing)} not set in the code (given to "
            "`terraform init -backend-config`?)"
        )
    if missing or computed:
        return None
    for key in (*required, *optional):
        value = settings.get(key)
        if value is not None:
            values[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return values


def url_query(**params: str | None) -> str:
    # the readers split options with parse_qsl: encode what it would misread, keep the rest
    # legible
    parts = [f"{k}={quote(v, safe='*:/,@')}" for k, v in params.items() if v]
    return "?" + "&".join(parts) if parts else ""


def note_unused(settings: Mapping[str, Any], keys: Sequence[str], plan: Plan,
                instead: str) -> None:
    """Say which of ``keys`` the block sets that the URL cannot carry, and what applies instead."""
    used = [key for key in keys if key in settings]
    if used:
        plan.notes.append(f"not carried into the URL: {', '.join(used)} ({instead})")
