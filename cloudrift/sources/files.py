"""File trees that desired-state code is read from: a directory, or a Git commit.

Both give the same content digest for the same bytes (Git's blob id), so a parse cached from a
working tree is reused when the same file is read from a Git ref, and the other way round.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from typing import Protocol

from cloudrift.errors import SourceError


def blob_id(data: bytes) -> str:
    """Git's object id for a blob with this content."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


class FileTree(Protocol):
    """Read-only access to a tree of files, by POSIX-style paths relative to its root."""

    @property
    def label(self) -> str:
        """How messages name this tree: a directory, or ``repo@ref``."""
        ...

    def walk(self, directory: str = "") -> Iterator[str]:
        """Every file below ``directory`` (recursively), as paths relative to the root, in
        plain sorted order."""
        ...

    def is_file(self, path: str) -> bool: ...

    def is_dir(self, path: str) -> bool: ...

    def read(self, path: str) -> bytes: ...

    def digest(self, path: str) -> str:
        """The Git blob id of the file's content."""
        ...


# .terragrunt-cache holds copies of the code Terragrunt runs: never a root of its own
_SKIP_DIRS = frozenset({".git", ".terraform", ".terragrunt-cache", "node_modules", ".venv",
                        "__pycache__"})


class LocalTree:
    """A directory on disk."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        if not os.path.isdir(self.root):
            raise SourceError(f"{root}: not a directory")

    @property
    def label(self) -> str:
        return self.root

    def _abs(self, path: str) -> str:
        return os.path.join(self.root, *[p for p in path.split("/") if p])

    def walk(self, directory: str = "") -> Iterator[str]:
        found: list[str] = []
        for current, dirs, files in os.walk(self._abs(directory)):
            dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
            rel = os.path.relpath(current, self.root).replace(os.sep, "/")
            prefix = "" if rel == "." else rel + "/"
            found.extend(prefix + name for name in files)
        # plain sorted paths, the order `git ls-tree` gives, so both trees walk alike
        yield from sorted(found)

    def is_file(self, path: str) -> bool:
        return os.path.isfile(self._abs(path))

    def is_dir(self, path: str) -> bool:
        return os.path.isdir(self._abs(path))

    def read(self, path: str) -> bytes:
        try:
            with open(self._abs(path), "rb") as handle:
                return handle.read()
        except OSError as exc:
            raise SourceError(f"{self._abs(path)}: cannot read ({exc.strerror})") from None

    def digest(self, path: str) -> str:
        return blob_id(self.read(path))
