"""Putting the desired side together: which states to read, which code goes with them.

Three ways in:

- explicit ``--from`` URLs (optionally read from a Git ref with ``--repo/--ref``), with the code
  of ``--hcl DIR`` bound to all of them;
- zero-config: no ``--from``; every root module found in the working directory (or the Git ref)
  is read from its backend, and each root's code is bound to its own states;
- either way, code is parsed before any thread pool starts (parsing may fork processes).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from cloudrift.errors import ConfigError
from cloudrift.scaninput import CodeBinding, ScanInput, read_sources
from cloudrift.sources.files import FileTree, LocalTree
from cloudrift.sources.types import Source
from cloudrift.sources.uri import open_source

if TYPE_CHECKING:
    from cloudrift.sources.discover import RootModule
    from cloudrift.sources.hcl import HclIndex


@dataclass
class Request:
    sources: Sequence[str] = ()
    hcl: str | None = None
    repo: str | None = None
    ref: str | None = None
    workspace: str | None = None
    all_workspaces: bool = False
    parallelism: int = 16
    tfc_token: str | None = None
    http_headers: tuple[str, ...] = ()


@dataclass
class Gathered:
    scan_input: ScanInput
    notes: list[str] = field(default_factory=list)
    # the workspaces read (for the history's filters); empty when the --from URLs say
    workspaces: list[str] = field(default_factory=list)


def open_tree(repo: str | None, ref: str | None) -> FileTree:
    if repo is None and ref is None:
        return LocalTree(".")
    from cloudrift.sources.git import GitTree

    return GitTree(repo or ".", ref or "HEAD")


def _hcl_root(tree: FileTree, directory: str, from_git: bool) -> tuple[FileTree, str]:
    """The tree to parse in and the root module's path inside it. On disk the tree is the
    working directory when DIR lies under it, so ``../modules`` sources and the reported
    paths stay relative to where the user stands."""
    if from_git:
        return tree, directory.strip("/")
    here = os.getcwd()
    target = os.path.abspath(directory)
    if target == here or target.startswith(here + os.sep):
        relative = os.path.relpath(target, here).replace(os.sep, "/")
        return LocalTree(here), "" if relative == "." else relative
    return LocalTree(target), ""


def _no_code(root: RootModule) -> str:
    from cloudrift.sources.gitcli import without_credentials

    source = without_credentials(root.code_source or "")
    if root.remote_code:
        return f"the unit's code is remote ({source})"
    return f"the unit's code ({source}) is not in the tree" if source else \
        "the unit's code is not in the tree"


def _load_hcl(tree: FileTree, root: str) -> HclIndex:
    # python-hcl2 and lark load only when there is code to parse
    from cloudrift.sources.hcl import load_hcl

    return load_hcl(tree, root)


def gather(request: Request) -> Gathered:
    from cloudrift.sources.types import BackendSettings

    # TF_ENCRYPTION is parsed before any state is read: a broken one is an error even where no
    # state turns out to be encrypted, as it is for OpenTofu
    keys = None
    if os.environ.get("TF_ENCRYPTION", "").strip():
        # the key providers and their expression evaluator load only for encrypted states
        from cloudrift.sources.tofu_encryption import env_keys

        keys = env_keys(os.environ)
    settings = BackendSettings(tfc_token=request.tfc_token, http_headers=request.http_headers,
                               max_workers=max(1, request.parallelism), state_keys=keys)
    used_keys = [keys] if keys is not None else []
    from_git = request.repo is not None or request.ref is not None
    tree = open_tree(request.repo, request.ref)
    notes: list[str] = []
    workspaces: list[str] = [request.workspace] if request.workspace else []
    opened: list[Source] = []
    bindings: list[CodeBinding] = []

    if request.sources:
        if from_git:
            from cloudrift.sources.git import tree_source

            opened = [tree_source(tree, uri, settings) for uri in request.sources]
        else:
            opened = [open_source(uri, settings) for uri in request.sources]
        if request.hcl is not None:
            code_tree, code_root = _hcl_root(tree, request.hcl, from_git)
            bindings.append(CodeBinding(_load_hcl(code_tree, code_root), None, request.hcl))
    else:
        from cloudrift.sources.discover import describe_roots, discover_roots, root_sources

        if request.hcl is not None:
            raise ConfigError("--hcl needs --from", hint="without --from, every root module "
                              "found is read with its own code")
        roots = discover_roots(tree, workspace=request.workspace,
                               all_workspaces=request.all_workspaces)
        readable = [r for r in roots if r.readable]
        for line in describe_roots([r for r in roots if r.notes or not r.readable], tree):
            notes.append(line)
        if not readable:
            raise ConfigError(
                f"no state to compare: no readable root module found in {tree.label}",
                hint="pass --from tfstate://PATH, or run `cloudrift sources` to see what was "
                "found",
            )
        for root in readable:
            workspaces.extend(root.workspaces or ([root.workspace] if root.workspace else []))
            first = len(opened)
            root_settings = settings
            if root.encryption:
                try:
                    from cloudrift.sources.tofu_encryption import root_keys

                    found = root_keys(tree, root.directory, root.encryption, os.environ)
                except ConfigError as exc:
                    where = f"root module {root.shown_directory}: "
                    raise ConfigError(where + exc.message, hint=exc.hint) from None
                root_settings = replace(settings, state_keys=found)
                used_keys.extend([found] if found is not None else [])
            opened.extend(root_sources(tree, [root], root_settings))
            positions = frozenset(range(first, len(opened)))
            code = root.code
            index = _load_hcl(tree, code) if code is not None else None
            bindings.append(CodeBinding(index, positions, root.shown_directory,
                                        note=_no_code(root) if index is None else None))

    scan_input = read_sources(opened, request.parallelism)
    # passphrases and credentials met while opening OpenTofu states are blanked wherever they
    # would be printed, like the secrets in the states
    scan_input.redactor.add({s for k in used_keys for s in k.secrets()})
    scan_input.code = bindings
    return Gathered(scan_input, notes, sorted(set(workspaces)))
