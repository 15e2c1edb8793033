"""State files on the local filesystem, with glob patterns."""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cloudrift.errors import SourceError
from cloudrift.sources.tfstate import (
    SourceFailure,
    StateDocument,
    check_state_size,
    max_state_bytes,
    read_state,
)

if TYPE_CHECKING:
    from cloudrift.sources.tofu_encryption import StateKeys

_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class LocalStateSource:
    uri: str
    pattern: str
    keys: StateKeys | None = field(default=None, repr=False)

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
