"""Terragrunt's absolute paths over a ``FileTree``.

Terragrunt's functions speak absolute paths (``get_terragrunt_dir()``, ``find_in_parent_folders``,
``get_repo_root()``), and a configuration may join them and cut them apart again. The evaluator
works with absolute paths too: in a directory on disk they are the real ones; in a Git commit,
which is checked out nowhere, they start with ``CHECKOUT`` and mean "wherever the repository is
checked out". A setting that still holds ``CHECKOUT`` after evaluation depends on that place,
and is not guessed.
"""

from __future__ import annotations

import os
import posixpath

from cloudrift.errors import SourceError
from cloudrift.sources.files import FileTree, LocalTree

# the root of a Git commit's files, which is checked out nowhere
CHECKOUT = "/<checkout>"


def _git_top_level(directory: str) -> str | None:
    """The work tree holding ``directory``, by the ``.git`` entry ``git`` itself looks for."""
    current = os.path.abspath(directory)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current.replace(os.sep, "/")
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


class Files:
    """Absolute paths to the tree's files; files above a directory tree are read from disk,
    as Terragrunt would."""

    def __init__(self, tree: FileTree) -> None:
        self.tree = tree
        self.on_disk = isinstance(tree, LocalTree)
        if isinstance(tree, LocalTree):
            self.root = tree.root.replace(os.sep, "/")
            self.repo_root: str | None = _git_top_level(tree.root)
        else:
            # a Git tree may be a subdirectory of its repository
            prefix = str(getattr(tree, "prefix", "") or "").strip("/")
            self.repo_root = CHECKOUT
            self.root = f"{CHECKOUT}/{prefix}" if prefix else CHECKOUT
        self._probes: dict[str, bool] = {}

    def absolute(self, relative: str) -> str:
        """A tree path (``live/prod/app``) as an absolute path."""
        return posixpath.normpath(posixpath.join(self.root, relative)) if relative else self.root

    def relative(self, path: str) -> str | None:
        """An absolute path as a tree path (``""`` for the root), or None outside the tree."""
        path = posixpath.normpath(path)
        if path == self.root:
            return ""
        if path.startswith(self.root.rstrip("/") + "/"):
            return path[len(self.root.rstrip("/")) + 1:]
        return None

    def is_file(self, path: str) -> bool:
        found = self._probes.get(path)
        if found is None:
            inside = self.relative(path)
            if inside is not None:
                found = self.tree.is_file(inside)
            else:
                found = self.on_disk and os.path.isfile(path)
            self._probes[path] = found
        return found

    def is_dir(self, path: str) -> bool:
        inside = self.relative(path)
        if inside is not None:
            return self.tree.is_dir(inside)
        return self.on_disk and os.path.isdir(path)

    def read(self, path: str) -> bytes:
        inside = self.relative(path)
        if inside is not None:
            return self.tree.read(inside)
        if not self.on_disk:
            raise SourceError(f"{path}: outside {self.tree.label}")
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except OSError as exc:
            raise SourceError(f"{path}: cannot read ({exc.strerror})") from None

    def shown(self, path: str) -> str:
        """How notes name a file: relative to the tree when inside it."""
        inside = self.relative(path)
        return (inside or ".") if inside is not None else path
