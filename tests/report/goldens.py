"""Expected-output files: compared byte for byte, rewritten by ``pytest --update-goldens``."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

_MAX_DIFF_LINES = 200


def assert_golden(path: Path, text: str, *, update: bool) -> None:
    """``text`` must be exactly what ``path`` holds; under ``update`` it becomes what it holds.

    Bytes, not text mode, on both sides: reading in text mode would turn a stray ``\\r\\n`` a
    renderer wrote into ``\\n`` and hide it.
    """
    data = text.encode("utf-8")
    if update:
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        return
    if not path.exists():
        pytest.fail(f"{path} does not exist: run `pytest --update-goldens` to write it, "
                    "then read it", pytrace=False)
    stored = path.read_bytes().decode("utf-8")
    if stored == text:
        return
    diff = list(difflib.unified_diff(
        stored.splitlines(keepends=True), text.splitlines(keepends=True),
        f"{path.name} (stored)", f"{path.name} (rendered now)", n=2,
    ))
    if len(diff) > _MAX_DIFF_LINES:
        diff = [*diff[:_MAX_DIFF_LINES], f"... {len(diff) - _MAX_DIFF_LINES} more lines\n"]
    pytest.fail(
        f"{path} differs from what the renderer writes now. If the change is intended, run "
        f"`pytest --update-goldens` and read the diff in git.\n{''.join(diff)}",
        pytrace=False,
    )
