"""Terraform code and state read from a Git commit, never from the working tree.

``GitTree(repo, ref)`` reads the tree of one commit straight from the object database with the
``git`` CLI: one ``ls-tree`` for the listing, one long-lived ``cat-file --batch`` for the
contents. Nothing is checked out and the index is not touched, so a nightly job can scan
``origin/main`` whatever branch the checkout is on. A URL is cloned bare into a cache directory
first (``gitcli``).
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import subprocess
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cloudrift.errors import SourceError, StateDecryptionError
from cloudrift.sources.files import _SKIP_DIRS, FileTree
from cloudrift.sources.gitcli import (
    CatFile,
    cache_path,
    default_cache_root,
    git_env,
    is_remote,
    run_git,
    sync_clone,
    without_credentials,
)
from cloudrift.sources.tfstate import SourceFailure, StateDocument, parse_state
from cloudrift.sources.types import BackendSettings, Source

if TYPE_CHECKING:
    from cloudrift.sources.tofu_encryption import StateKeys

__all__ = [
    "GitStateSource",
    "GitTree",
    "cache_path",
    "default_cache_root",
    "glob_regex",
    "is_remote",
    "sync_clone",
    "tree_source",
    "without_credentials",
]

_MODE_SYMLINK = "120000"
_MAX_LINK_DEPTH = 16


@dataclass(frozen=True)
class _Entry:
    mode: str
    oid: str


class GitTree:
    """The files of one commit, read from the object database.

    ``repo`` is a local path (a work tree, a subdirectory of one, or a bare repository) or a URL.
    ``ref`` is anything ``git rev-parse`` takes: a branch, ``origin/main``, a tag, a commit.
    Given a subdirectory of a work tree, paths are relative to that subdirectory.
    """

    def __init__(
        self, repo: str, ref: str, *, cache_root: str | None = None, fetch: bool = True
    ) -> None:
        if not ref:
            raise SourceError(f"{repo}: no ref given", hint="name a branch, tag or commit")
        self.repo = repo
        self.ref = ref
        self._shown_repo = without_credentials(repo)
        prefix = ""
        if is_remote(repo):
            self.git_dir = sync_clone(repo, cache_root, fetch=fetch)
        else:
            if not os.path.isdir(repo):
                raise SourceError(f"{repo}: no such directory")
            out = run_git(
                ["rev-parse", "--absolute-git-dir", "--show-prefix"], cwd=repo, what=repo,
            ).decode()
            lines = out.split("\n")
            self.git_dir = lines[0]
            prefix = lines[1] if len(lines) > 1 else ""
        self.commit = self._resolve(ref)
        self._prefix = prefix
        self._entries = self._list(prefix)
        self._sorted = sorted(self._entries)  # walk() runs often; sort once
        self._dirs = {""}
        for path in self._entries:
            parts = path.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                self._dirs.add("/".join(parts[:depth]))
        self._cat = CatFile(self.git_dir, self.label)
        self._finalizer = weakref.finalize(self, self._cat.close)

    # --- setup -------------------------------------------------------------------------------

    def _git(self, *args: str, what: str) -> bytes:
        return run_git(["--git-dir", self.git_dir, *args], what=what)

    def _resolve(self, ref: str) -> str:
        if ref.startswith("-"):
            raise SourceError(f"{self._shown_repo}: {ref!r} is not a ref")
        try:
            out = self._git("rev-parse", "--verify", "--quiet", "--end-of-options",
                            f"{ref}^{{commit}}", what="")
        except SourceError:
            out = b""
        if not out.strip() and is_remote(self.repo):
            # a ref outside refs/heads and refs/tags (refs/pull/1/head, a bare commit id) is
            # not in the mirror's refspecs; ask the server for it by name once
            with contextlib.suppress(SourceError):
                self._git("fetch", "--quiet", "origin", ref, what="")
                out = self._git("rev-parse", "--verify", "--quiet", "FETCH_HEAD^{commit}",
                                what="")
        commit = out.decode().strip()
        if not commit:
            raise SourceError(
                f"{self._shown_repo}: ref {ref!r} not found",
                hint="name an existing branch, tag or commit (git branch -a, git tag)",
            )
        return commit

    def _list(self, prefix: str) -> dict[str, _Entry]:
        out = self._git("ls-tree", "-r", "-z", "--full-tree", self.commit,
                        what=f"{self.label}: cannot list files")
        entries: dict[str, _Entry] = {}
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, kind, oid = meta.decode().split(" ")
            if kind != "blob":
                continue  # submodules: their commits are in another repository
            path = raw_path.decode("utf-8", errors="surrogateescape")
            if prefix:
                if not path.startswith(prefix):
                    continue
                path = path[len(prefix):]
            entries[path] = _Entry(mode, oid)
        return entries

    # --- FileTree ----------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return f"{self._shown_repo}@{self.ref}"

    @property
    def prefix(self) -> str:
        """Where this tree is in its repository: ``""`` for the top, else ``"dir/"``."""
        return self._prefix

    def _target(self, path: str) -> _Entry | None:
        """The blob a path names, following symbolic links that stay inside the tree."""
        path = path.strip("/")
        seen = 0
        entry = self._entries.get(path)
        while entry is not None and entry.mode == _MODE_SYMLINK:
            seen += 1
            if seen > _MAX_LINK_DEPTH:
                return None
            link = self._cat.read(entry.oid).decode("utf-8", errors="surrogateescape")
            if link.startswith("/"):
                return None
            path = posixpath.normpath(posixpath.join(posixpath.dirname(path), link))
            if path.startswith("../") or path == "..":
                return None
            entry = self._entries.get(path)
        return entry

    def walk(self, directory: str = "") -> Iterator[str]:
        directory = directory.strip("/")
        start = f"{directory}/" if directory else ""
        for path in self._sorted:
            if not path.startswith(start):
                continue
            if _SKIP_DIRS.intersection(path.split("/")[:-1]):
                continue
            entry = self._entries[path]
            # like os.walk, which lists a link to a directory as a directory, not a file
            if entry.mode == _MODE_SYMLINK and self._target(path) is None:
                continue
            yield path

    def is_file(self, path: str) -> bool:
        return self._target(path) is not None

    def is_dir(self, path: str) -> bool:
        path = path.strip("/")
        if path in self._dirs:
            return True
        entry = self._entries.get(path)
        if entry is None or entry.mode != _MODE_SYMLINK:
            return False
        # a link to a directory, as os.path.isdir sees it
        link = self._cat.read(entry.oid).decode("utf-8", errors="surrogateescape")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), link))
        return not link.startswith("/") and target in self._dirs

    def read(self, path: str) -> bytes:
        entry = self._target(path)
        if entry is None:
            raise SourceError(f"{path}: not found in {self.label}")
        return self._cat.read(entry.oid)

    def digest(self, path: str) -> str:
        entry = self._target(path)
        if entry is None:
            raise SourceError(f"{path}: not found in {self.label}")
        return entry.oid

    # --- partial clones ----------------------------------------------------------------------

    def prefetch(self, paths: Iterable[str]) -> None:
        """Bring the blobs of ``paths`` into a blob-less clone in one request, rather than one
        lazy fetch per file. Does nothing for a full clone or a local repository."""
        if not is_remote(self.repo):
            return
        promisor = self._git("config", "--get", "--default", "", "remote.origin.promisor",
                             what=self.label).strip()
        if promisor != b"true":
            return
        oids = sorted({e.oid for p in paths if (e := self._entries.get(p.strip("/")))})
        if not oids:
            return
        # each read still fetches what it misses: this is only a shortcut, so a failure is
        # not an error
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            subprocess.run(
                ["git", "--git-dir", self.git_dir, "-c", "fetch.negotiationAlgorithm=noop",
                 "fetch", "--quiet", "--no-tags", "--no-write-fetch-head",
                 "--recurse-submodules=no", "--filter=blob:none", "--stdin", "origin"],
                input="\n".join(oids).encode() + b"\n", env=git_env(), capture_output=True,
                check=True,
            )

    def close(self) -> None:
        self._finalizer()

    def __enter__(self) -> GitTree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- state files from a tree ---------------------------------------------------------------


_GLOB_CHARS = frozenset("*?[")


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A regex for a path glob: ``*`` and ``?`` stay within one directory, ``**`` spans any
    number of them (none included), ``[abc]``/``[!abc]`` are character classes."""
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        char = pattern[i]
        if pattern.startswith("**", i):
            at_start = i == 0 or pattern[i - 1] == "/"
            if at_start and pattern.startswith("**/", i):
                out.append("(?:[^/]*/)*")
                i += 3
                continue
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            end = pattern.find("]", i + 2)
            if end == -1:
                out.append(re.escape(char))
                i += 1
                continue
            body = pattern[i + 1:end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            out.append("[" + ("^/" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    return re.compile("".join(out) + r"\Z")


def _literal_directory(pattern: str) -> str:
    """The directory part of a glob before its first wildcard: where to start walking."""
    head: list[str] = []
    for part in pattern.split("/")[:-1]:
        if _GLOB_CHARS & set(part):
            break
        head.append(part)
    return "/".join(head)


@dataclass(frozen=True)
class GitStateSource:
    """State files read from a tree (a Git commit, or any ``FileTree``): a path or a glob.

    Documents are labelled ``repo@ref:path``. A literal path that is missing is an error; so is
    a glob that matches nothing. When a glob matches several files, one that is not a state is
    reported as a failure and the others are read.
    """

    tree: FileTree
    pattern: str
    keys: StateKeys | None = field(default=None, repr=False)

    @property
    def uri(self) -> str:
        return f"{self.tree.label}:{self.pattern}"

    def paths(self) -> list[str]:
        pattern = self.pattern.strip("/")
        # a file really named "env[prod].tfstate" would otherwise be read as a character class
        if self.tree.is_file(pattern):
            return [pattern]
        if not _GLOB_CHARS & set(pattern):
            if self.tree.is_dir(pattern):
                raise SourceError(
                    f"{pattern}: is a directory in {self.tree.label}",
                    hint="name the state file, or use a glob such as DIR/**/*.tfstate",
                )
            raise SourceError(f"{pattern}: no such state file in {self.tree.label}")
        regex = glob_regex(pattern)
        start = _literal_directory(pattern)
        matches = sorted(p for p in self.tree.walk(start) if regex.match(p))
        if not matches:
            raise SourceError(f"{pattern}: no state file matches this pattern in "
                              f"{self.tree.label}")
        return matches

    def read(self) -> Sequence[StateDocument | SourceFailure]:
        paths = self.paths()
        documents: list[StateDocument | SourceFailure] = []
        for path in paths:
            label = f"{self.tree.label}:{path}"
            data = self.tree.read(path)
            if len(paths) == 1:
                documents.append(parse_state(data, label, self.keys))
                continue
            try:
                documents.append(parse_state(data, label, self.keys))
            except StateDecryptionError:
                raise
            except SourceError as exc:
                documents.append(SourceFailure(label, exc.message))
        return documents


def tree_source(tree: FileTree, uri: str, settings: BackendSettings | None = None) -> Source:
    """What one ``--from`` value reads when a tree is given (``--repo``/``--ref``): a local
    path or glob is read from the tree, a backend URL from the backend as usual."""
    from cloudrift.sources.uri import open_source, parse_from

    spec = parse_from(uri)
    if spec.backend is None:
        return GitStateSource(tree, spec.location, settings.state_keys if settings else None)
    return open_source(uri, settings)
