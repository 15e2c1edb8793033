"""Zero-config discovery: the root modules of a Terraform repository and where their state is.

A root module is a directory with ``.tf``/``.tf.json`` files that declares a ``backend`` or
``cloud`` block in its ``terraform`` settings, or that has a local state beside it
(``terraform.tfstate``, ``terraform.tfstate.d/<workspace>/``). A directory that another root
calls as a local module (``source = "./modules/net"``) is a module, not a root, unless it has a
local state of its own.

Only ``terraform`` and ``module`` blocks are read (``tfblocks``), and each backend's settings
become ``--from`` URLs through that backend's planner (``Backend.planners``). Nothing is
guessed: a backend setting that is an expression, or that is left to
``terraform init -backend-config``, leaves the root listed with a note that says what is
missing.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from cloudrift.errors import SourceError
from cloudrift.redact import REDACTED, name_is_secret
from cloudrift.sources.backend_urls import (
    DEFAULT_STATE,
    DEFAULT_WORKSPACE,
    DEFAULT_WORKSPACE_DIR,
    Plan,
    PlanContext,
    join_path,
    local_workspaces,
)
from cloudrift.sources.backends import planner_for
from cloudrift.sources.files import FileTree
from cloudrift.sources.git import GitStateSource, without_credentials
from cloudrift.sources.tfblocks import Expression, extract_blocks, summarise_file
from cloudrift.sources.types import BackendSettings, Source

if TYPE_CHECKING:
    from cloudrift.sources.terragrunt import UnitConfig

__all__ = [
    "DEFAULT_STATE",
    "DEFAULT_WORKSPACE",
    "DEFAULT_WORKSPACE_DIR",
    "Expression",
    "RootModule",
    "describe_roots",
    "discover_roots",
    "extract_blocks",
    "root_sources",
    "summarise_file",
]


@dataclass(frozen=True)
class RootModule:
    """One root module, its backend, and the ``--from`` URLs that read its state.

    ``urls`` are ``--from`` URLs; ``state_paths`` are state files inside the tree (a local
    backend), read with ``GitStateSource`` when the tree is not a directory on disk. A root
    with neither cannot be read, and ``notes`` say why.
    """

    directory: str
    backend: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    workspace: str | None = DEFAULT_WORKSPACE
    urls: tuple[str, ...] = ()
    state_paths: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    workspaces: tuple[str, ...] = ()
    # OpenTofu's terraform { encryption { ... } } blocks: (file, body, from an override file);
    # the bodies may hold passphrases, so they are never shown
    encryption: tuple[tuple[str, Mapping[str, Any], bool], ...] = field(default=(), repr=False)
    # a Terragrunt unit: its code is its terraform { source } (unit_code when that is a
    # directory in the tree; remote_code when it is fetched from elsewhere), its backend its
    # remote_state, and it includes `includes`
    terragrunt: bool = False
    unit_code: str | None = None
    code_source: str | None = None
    remote_code: bool = False
    includes: tuple[str, ...] = ()

    @property
    def readable(self) -> bool:
        return bool(self.urls or self.state_paths)

    @property
    def code(self) -> str | None:
        """The directory of this root's Terraform code in the tree; None when it is not
        there (a unit's remote source)."""
        return self.unit_code if self.terragrunt else self.directory

    @property
    def shown_directory(self) -> str:
        return self.directory or "."


# --- the tree ---------------------------------------------------------------------------------


def _is_config(name: str) -> bool:
    return name.endswith((".tf", ".tf.json"))


def _is_override(name: str) -> bool:
    stem = name.removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


@dataclass
class _Directory:
    path: str
    files: list[str] = field(default_factory=list)
    backends: list[tuple[str, Mapping[str, Any], str]] = field(default_factory=list)
    override_backends: list[tuple[str, Mapping[str, Any], str]] = field(default_factory=list)
    module_dirs: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    backend_files: list[str] = field(default_factory=list)
    encryption: list[tuple[str, Mapping[str, Any], bool]] = field(default_factory=list)


def discover_roots(
    tree: FileTree,
    *,
    workspace: str | None = None,
    all_workspaces: bool = False,
    env: Mapping[str, str] | None = None,
) -> list[RootModule]:
    """Every root module in ``tree``, with the URLs that read its state.

    The workspace is ``workspace``, else ``TF_WORKSPACE``, else the one ``terraform workspace
    select`` recorded in the root's ``.terraform/environment``, else ``default``.
    ``all_workspaces`` gives URLs (or patterns) that cover every workspace instead.
    """
    env = os.environ if env is None else env
    paths = list(tree.walk())
    directories: dict[str, _Directory] = {}
    for path in paths:
        directory, name = posixpath.split(path)
        if _is_config(name):
            directories.setdefault(directory, _Directory(directory)).files.append(path)
        elif name.endswith(".tfbackend") or name in ("backend.hcl", "backend.conf"):
            directories.setdefault(directory, _Directory(directory)).backend_files.append(path)
    prefetch = getattr(tree, "prefetch", None)
    if callable(prefetch):
        prefetch([p for d in directories.values() for p in d.files])
    for found in directories.values():
        for path in found.files:
            summary = summarise_file(path, tree.read(path))
            if summary.error:
                found.errors.append(f"{path}: {summary.error}")
            override = _is_override(posixpath.basename(path))
            target = found.override_backends if override else found.backends
            target.extend((kind, settings, path) for kind, settings in summary.backends)
            found.encryption.extend((path, body, override) for body in summary.encryption)
            found.module_dirs.update(join_path(found.path, s) for s in summary.module_sources)

    context = PlanContext(tree, frozenset(paths), env, workspace, all_workspaces)
    candidates: dict[str, tuple[_Directory, bool]] = {}
    for found in directories.values():
        if not found.files:
            continue
        has_state = _has_local_state(found, context)
        if found.backends or found.override_backends or has_state:
            candidates[found.path] = (found, has_state)
    called = {
        module_dir
        for found, _ in candidates.values()
        for module_dir in found.module_dirs
        if module_dir != found.path
    }
    units = []
    if any(posixpath.basename(p) == "terragrunt.hcl" for p in paths):
        from cloudrift.sources.terragrunt import find_units

        units = find_units(tree, paths, env)
    # a unit's directory and its code are run by Terragrunt, not as roots of their own
    taken = {u.directory for u in units} | {u.code for u in units if u.code is not None}
    roots = [
        _root(found, context)
        for path, (found, has_state) in sorted(candidates.items())
        if (has_state or path not in called) and path not in taken
    ]
    roots.extend(_unit_root(unit, directories, context) for unit in units)
    return sorted(roots, key=lambda r: r.directory)


def _has_local_state(found: _Directory, context: PlanContext) -> bool:
    local = [(k, s) for k, s, _ in (found.override_backends or found.backends) if k == "local"]
    settings = local[0][1] if local else {}
    state = settings.get("path", DEFAULT_STATE)
    workspace_dir = settings.get("workspace_dir", DEFAULT_WORKSPACE_DIR)
    if isinstance(state, str) and join_path(found.path, state) in context.paths:
        return True
    if isinstance(workspace_dir, str):
        return bool(local_workspaces(found.path, workspace_dir, context.paths))
    return False


def _redacted(settings: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, Mapping):
            out[key] = _redacted(value)
        elif isinstance(value, str) and name_is_secret(key):
            out[key] = REDACTED
        else:
            out[key] = value
    return out


def _init_record(tree: FileTree, directory: str) -> tuple[str, Mapping[str, Any]] | None:
    """The backend ``terraform init`` recorded in ``.terraform/terraform.tfstate``, with the
    settings given by ``-backend-config``."""
    path = join_path(directory, ".terraform/terraform.tfstate")
    if not tree.is_file(path):
        return None
    try:
        document = orjson.loads(tree.read(path))
    except (orjson.JSONDecodeError, SourceError):
        return None
    backend = document.get("backend") if isinstance(document, dict) else None
    if not isinstance(backend, dict) or not isinstance(backend.get("type"), str):
        return None
    config = backend.get("config")
    return backend["type"], config if isinstance(config, dict) else {}


def _selected_workspace(found: _Directory, context: PlanContext) -> tuple[str, str | None]:
    """The workspace to read, and a note when it came from the root's own directory."""
    chosen = context.workspace or context.env.get("TF_WORKSPACE")
    if chosen:
        return chosen, None
    path = join_path(found.path, ".terraform/environment")
    if context.tree.is_file(path):
        try:
            recorded = context.tree.read(path).decode("utf-8", errors="replace").strip()
        except SourceError:
            recorded = ""
        if recorded:
            return recorded, f"workspace {recorded!r} is the one selected in {path}"
    return DEFAULT_WORKSPACE, None


def _root(found: _Directory, context: PlanContext) -> RootModule:
    notes = [f"cannot parse {error}" for error in found.errors]
    # an override file's backend replaces the main one, as Terraform merges them
    declared = found.override_backends or found.backends
    files = tuple(sorted({path for _, _, path in declared}))
    if len(declared) > 1:
        kinds = ", ".join(f"{kind} in {path}" for kind, _, path in declared)
        return RootModule(
            found.path, "ambiguous", {}, None, notes=(
                *notes, f"more than one backend/cloud block ({kinds}): terraform init "
                "refuses this configuration"), files=files,
        )
    kind, settings = (declared[0][0], dict(declared[0][1])) if declared else ("local", {})
    record = _init_record(context.tree, found.path)
    if record is not None and record[0] == kind:
        filled = sorted(
            key for key, value in record[1].items()
            if value is not None and (key not in settings or isinstance(settings[key],
                                                                      Expression))
        )
        for key in filled:
            settings[key] = record[1][key]
        if filled:
            notes.append(f"{', '.join(filled)} from {join_path(found.path, '.terraform')} "
                         "(recorded by terraform init)")
    if context.all_workspaces:
        workspace: str | None = None
    else:
        workspace, note = _selected_workspace(found, context)
        if note:
            notes.append(note)
    planner = planner_for(kind)
    if planner is None:
        plan = Plan(notes=[f"the {kind!r} backend is not supported: scan the output of "
                           "`terraform state pull` instead"])
    else:
        plan = planner(found.path, settings, workspace, context)
        if not plan.urls and not plan.state_paths and kind != "local":
            hints = ", ".join(sorted(found.backend_files))
            if hints and any("partial configuration" in n for n in plan.notes):
                plan.notes.append(f"backend settings files here: {hints}")
    return RootModule(
        directory=found.path,
        backend=kind,
        settings=_redacted(settings),
        workspace=workspace,
        urls=tuple(plan.urls),
        state_paths=tuple(plan.state_paths),
        notes=(*notes, *plan.notes),
        files=files,
        workspaces=tuple(plan.workspaces),
        # ordinary files first, then override files in name order, as OpenTofu merges them
        encryption=tuple(sorted(found.encryption, key=lambda e: (e[2], e[0]))),
    )


def _unit_root(unit: UnitConfig, directories: Mapping[str, _Directory],
               context: PlanContext) -> RootModule:
    notes = list(unit.notes)
    kind, settings = unit.backend, dict(unit.settings)
    files = (unit.backend_file,) if unit.backend_file else ()
    common: dict[str, Any] = {"terragrunt": True, "unit_code": unit.code,
                              "code_source": unit.source, "remote_code": unit.remote_code,
                              "includes": unit.includes}
    if context.all_workspaces:
        workspace: str | None = None
    else:
        workspace = context.workspace or context.env.get("TF_WORKSPACE") or DEFAULT_WORKSPACE
    if kind is None:
        code = directories.get(unit.code) if unit.code is not None else None
        declared = (code.override_backends or code.backends) if code is not None else []
        if not unit.complete:
            return RootModule(unit.directory, "unknown", {}, workspace, notes=tuple(notes),
                              **common)
        if len(declared) == 1:
            kind, settings = declared[0][0], dict(declared[0][1])
            files = (declared[0][2],)
        elif unit.source is not None:
            notes.append("no remote_state, generated backend or backend block: the state is "
                         "local, in the copy of the code in .terragrunt-cache, which is not read")
            return RootModule(unit.directory, "local", {}, workspace, notes=tuple(notes),
                              **common)
        else:
            kind = "local"  # terraform runs in the unit's own directory
    planner = planner_for(kind)
    if planner is None:
        plan = Plan(notes=[f"the {kind!r} backend is not supported: scan the output of "
                           "`terragrunt state pull` instead"])
    else:
        plan = planner(unit.directory, settings, workspace, context)
    wanted = list(dict.fromkeys(plan.unevaluated))
    if wanted and all(k in unit.unevaluated for k in wanted):
        # the unit says why each setting has no value, and where: that replaces the generic note
        plan.notes = [n for n in plan.notes if not n.startswith("not evaluated:")]
    notes.extend(f"not evaluated: {unit.unevaluated[k]}" for k in wanted
                 if k in unit.unevaluated)
    return RootModule(
        directory=unit.directory,
        backend=kind,
        settings=_redacted(settings),
        workspace=workspace,
        urls=tuple(plan.urls),
        state_paths=tuple(plan.state_paths),
        notes=(*notes, *plan.notes),
        files=files,
        workspaces=tuple(plan.workspaces),
        **common,
    )


# --- output and sources -----------------------------------------------------------------------


def describe_roots(roots: Sequence[RootModule], tree: FileTree | None = None) -> list[str]:
    """Lines for ``cloudrift sources``: each root, its backend, where its state is read, and
    what stops it being read. Credentials in URLs are left out."""
    if not roots:
        return ["no root modules found (directories with .tf files and a backend or cloud "
                "block, or a local terraform.tfstate) and no Terragrunt units (terragrunt.hcl)"]
    lines: list[str] = []
    for root in roots:
        workspace = "all workspaces" if root.workspace is None else f"workspace {root.workspace}"
        kind = "terragrunt unit, " if root.terragrunt else ""
        lines.append(f"{root.shown_directory}  ({kind}backend {root.backend}, {workspace})")
        if root.terragrunt:
            lines.extend(_unit_lines(root))
        for url in root.urls:
            lines.append(f"  from {without_credentials(url)}")
        for path in root.state_paths:
            where = f"{tree.label}:{path}" if tree is not None else path
            lines.append(f"  from {where}")
        if root.encryption:
            files = ", ".join(dict.fromkeys(path for path, _, _ in root.encryption))
            lines.append(f"  state encryption (OpenTofu): {files}")
        for note in root.notes:
            lines.append(f"  note: {note}")
        if not root.readable:
            lines.append("  not read: no state location")
    return lines


def _unit_lines(root: RootModule) -> list[str]:
    lines = [f"  include {path}" for path in root.includes]
    source = without_credentials(root.code_source) if root.code_source is not None else None
    if root.unit_code is not None:
        shown = root.unit_code or "."
        lines.append(f"  code {shown}" + (f"  (terraform source {source})" if source else ""))
    elif source is not None and root.remote_code:
        lines.append(f"  code {source}  (remote: findings are not located at a file:line and "
                     "unapplied resources are not checked)")
    else:
        lines.append(f"  code not read{f' (terraform source {source})' if source else ''}")
    for name in ("key", "prefix", "path"):
        value = root.settings.get(name)
        if isinstance(value, str):
            lines.append(f"  {name} {value}")
            break
    return lines


def root_sources(
    tree: FileTree, roots: Sequence[RootModule], settings: BackendSettings | None = None
) -> list[Source]:
    """The sources that read every readable root's state, for ``read_sources``."""
    from cloudrift.sources.uri import open_source

    sources: list[Source] = []
    for root in roots:
        sources.extend(open_source(url, settings) for url in root.urls)
        keys = settings.state_keys if settings is not None else None
        sources.extend(GitStateSource(tree, path, keys) for path in root.state_paths)
    return sources
