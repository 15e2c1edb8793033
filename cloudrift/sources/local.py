"""State files on the local filesystem, with glob patterns: ``tfstate://PATH`` or a bare path,
and Terraform's ``local`` backend."""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudrift.errors import SourceError
from cloudrift.sources.backend_urls import (
    DEFAULT_STATE,
    DEFAULT_WORKSPACE,
    DEFAULT_WORKSPACE_DIR,
    Plan,
    PlanContext,
    join_path,
    literals,
    local_workspaces,
)
from cloudrift.sources.files import LocalTree
from cloudrift.sources.tfstate import (
    SourceFailure,
    StateDocument,
    check_state_size,
    max_state_bytes,
    read_state,
)
from cloudrift.sources.types import Backend, BackendSettings

if TYPE_CHECKING:
    from cloudrift.sources.tofu_encryption import StateKeys

_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class LocalStateSource:
    uri: str
    pattern: str
    keys: StateKeys | None = field(default=None, repr=False)

    @classmethod
    def from_spec(cls, uri: str, location: str, options: Sequence[tuple[str, str]],
                  settings: BackendSettings) -> LocalStateSource:
        return cls(uri=uri, pattern=location, keys=settings.state_keys)

    def paths(self) -> list[str]:
        if "\x00" in self.pattern:
            # no file system path holds one; glob would raise rather than match nothing
            raise SourceError(f"{self.pattern!r}: a path cannot hold a NUL character")
        pattern = os.path.expanduser(self.pattern)
        # a file really named "env[prod].tfstate" would otherwise be read as a character class
        if os.path.isfile(pattern):
            return [pattern]
        if not _GLOB_CHARS & set(pattern):
            if os.path.isdir(pattern):
                raise SourceError(
                    f"{pattern}: is a directory",
                    hint="name the state file, or use a glob such as DIR/**/*.tfstate",
                )
            if not os.path.exists(pattern):
                raise SourceError(f"{pattern}: state file not found")
            return [pattern]
        matches = sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))
        if not matches:
            raise SourceError(f"{self.pattern}: no state file matches this pattern")
        return matches

    def read(self) -> Sequence[StateDocument | SourceFailure]:
        documents: list[StateDocument | SourceFailure] = []
        limit = max_state_bytes()
        for path in self.paths():
            try:
                # checked on the open file, before a byte is read; the read is capped too, so
                # a file that grows meanwhile is refused, not read whole
                with open(path, "rb") as handle:
                    check_state_size(os.fstat(handle.fileno()).st_size, path, limit)
                    documents.append(read_state(handle, path, self.keys, limit))
            except OSError as exc:
                raise SourceError(f"{path}: cannot read state ({exc.strerror})") from None
        return documents


def plan_local(
    directory: str, settings: Mapping[str, Any], workspace: str | None, context: PlanContext
) -> Plan:
    plan = Plan()
    values = literals(settings, (), ("path", "workspace_dir"), plan)
    if values is None:
        return plan
    state = join_path(directory, values.get("path", DEFAULT_STATE))
    workspace_dir = values.get("workspace_dir", DEFAULT_WORKSPACE_DIR)
    found_workspaces = local_workspaces(directory, workspace_dir, context.paths)
    plan.workspaces = ([DEFAULT_WORKSPACE] if state in context.paths else []) + found_workspaces
    wanted: list[tuple[str, str]] = []
    if workspace is None:
        if state in context.paths:
            wanted.append((DEFAULT_WORKSPACE, state))
        wanted.extend(
            (name, join_path(directory, f"{workspace_dir}/{name}/{DEFAULT_STATE}"))
            for name in found_workspaces
        )
        if not wanted:
            plan.notes.append(f"no state yet ({state} does not exist)")
    elif workspace == DEFAULT_WORKSPACE:
        wanted.append((workspace, state))
    else:
        wanted.append(
            (workspace, join_path(directory, f"{workspace_dir}/{workspace}/{DEFAULT_STATE}"))
        )
    for name, path in wanted:
        outside = path.startswith("/") or path == ".." or path.startswith("../")
        on_disk = isinstance(context.tree, LocalTree)
        if outside and not on_disk:
            plan.notes.append(f"the state of workspace {name!r} ({path}) is outside the tree")
        elif on_disk:
            assert isinstance(context.tree, LocalTree)
            absolute = os.path.normpath(os.path.join(context.tree.root, path))
            if os.path.isfile(absolute):
                plan.urls.append(f"tfstate://{absolute}")
            else:
                plan.notes.append(f"no state for workspace {name!r} ({path} does not exist)")
        elif path in context.paths:
            plan.state_paths.append(path)
        else:
            plan.notes.append(f"no state for workspace {name!r} ({path} does not exist)")
    return plan


BACKEND = Backend(name="local", schemes=(), opener=LocalStateSource.from_spec,
                  planners={"local": plan_local})
