"""Code edits for ``accept`` and ``forget``, as one ``git apply``-able unified diff.

``accept`` writes the cloud's value over the literal at the finding's ``file:line`` block: a
top-level argument (``visibility_timeout_seconds = 30``), a key of an object literal
(``tags = { env = "prod" }``) or an argument of a nested block (``versioning { status = ... }``);
an argument the cloud has and the code lacks is added, one the cloud dropped is removed.
A value that comes from a variable, a local or any expression is never edited: the edit
would change every other user of that value. It becomes a manual step naming the file and
line where a person must make the change. So does a block with ``count``/``for_each`` (one
literal serves every instance) and a secret.

``forget`` deletes the resource's block; the ``removed`` block that keeps Terraform from
destroying anything is written by ``render_removed``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloudrift.errors import SourceError
from cloudrift.fix.hcltext import (
    NOT_LITERAL,
    Argument,
    Block,
    hcl_key,
    hcl_value,
    indent_at,
    line_end,
    line_start,
    parse_blocks,
    resource_block,
)
from cloudrift.model import FieldChange, Finding
from cloudrift.redact import REDACTED, name_is_secret
from cloudrift.sources.hcl import split_address, strip_keys


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ManualStep:
    """A change a person must make: where, and why cloudrift did not make it."""

    address: str
    where: str  # file:line, or "" when the code was not found
    what: str  # the path, or "resource"
    reason: str
    value: Any = None  # the cloud's value, when there is one to write


@dataclass
class _File:
    path: Path
    text: str
    blocks: list[Block]
    edits: list[Edit] = field(default_factory=list)


@dataclass
class CodeChanges:
    """Edits collected across findings; ``diff`` renders them, ``write`` applies them."""

    root: Path  # where the diff's paths start (the repository root, or the working directory)
    files: dict[Path, _File] = field(default_factory=dict)
    manual: list[ManualStep] = field(default_factory=list)
    # addresses each of whose changes became an edit (nothing left to a person)
    complete: list[str] = field(default_factory=list)

    def new_text(self, entry: _File) -> str:
        text = entry.text
        # from the end, so earlier offsets stay valid; overlaps were refused when added
        # (two insertions at one place keep the order they were made in)
        ordered = sorted(enumerate(entry.edits), key=lambda p: (p[1].start, p[0]), reverse=True)
        for _, edit in ordered:
            text = text[: edit.start] + edit.text + text[edit.end :]
        return text

    def diff(self) -> str:
        chunks: list[str] = []
        for path in sorted(self.files):
            entry = self.files[path]
            if not entry.edits:
                continue
            name = _relative(path, self.root)
            lines = difflib.unified_diff(
                entry.text.splitlines(keepends=True),
                self.new_text(entry).splitlines(keepends=True),
                f"a/{name}", f"b/{name}", n=3,
            )
            body = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end "
                           "of file\n" for line in lines)
            if body:
                chunks.append(f"diff --git a/{name} b/{name}\n{body}")
        return "".join(chunks)

    def write(self) -> list[Path]:
        """Apply every edit to the files on disk (``--apply``)."""
        written = []
        for path, entry in sorted(self.files.items()):
            if entry.edits:
                path.write_text(self.new_text(entry), encoding="utf-8")
                written.append(path)
        return written


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


class CodeEditor:
    """Finds each finding's block from its ``location`` and records edits."""

    def __init__(self, search: Iterable[Path], root: Path) -> None:
        # a location is relative to where the scan ran: try each candidate directory
        self.search = list(search)
        self.changes = CodeChanges(root)

    def _open(self, location: str | None) -> tuple[_File, int] | None:
        if not location or ":" not in location:
            return None
        name, _, line = location.rpartition(":")
        if not line.isdigit():
            return None
        for base in self.search:
            path = (base / name).resolve()
            if path.is_file():
                break
        else:
            return None
        entry = self.changes.files.get(path)
        if entry is None:
            text = path.read_text(encoding="utf-8")
            entry = _File(path, text, parse_blocks(text, str(path)))
            self.changes.files[path] = entry
        return entry, int(line)

    def _manual(self, finding: Finding, what: str, reason: str, value: Any = None) -> None:
        self.changes.manual.append(ManualStep(
            finding.address or finding.id, finding.location or "", what, reason, value))

    # -- accept --------------------------------------------------------------------------------

    def accept(self, finding: Finding) -> bool:
        """Edit the code to hold the cloud's values; True if every change became an edit."""
        opened = self._open(finding.location)
        block = None if opened is None else resource_block(opened[0].blocks, opened[1])
        if opened is None or block is None:
            self._manual(finding, "resource", "its code was not found (scan with --hcl or "
                         "from the root module to know where it is)")
            return False
        entry = opened[0]
        if finding.address and finding.address != strip_keys(finding.address) and (
            block.argument("count") or block.argument("for_each")
        ):
            for change in finding.changes:
                self._manual(finding, change.path, "the block declares every instance of "
                             f"{strip_keys(finding.address)}: one literal serves them all",
                             change.actual)
            return False
        done = True
        for change in finding.changes:
            reason = self._accept_change(entry, block, change)
            if reason is not None:
                where = f"{_relative(entry.path, self.changes.root)}:{block.span.line}"
                self.changes.manual.append(ManualStep(
                    finding.address or finding.id, where, change.path, reason, change.actual))
                done = False
        if done and finding.address:
            self.changes.complete.append(finding.address)
        return done

    def _accept_change(self, entry: _File, block: Block, change: FieldChange) -> str | None:
        """Record the edit for one change; the reason it cannot be made, else None."""
        if change.actual == REDACTED or change.expected == REDACTED or name_is_secret(
            change.path
        ):
            return "a secret: cloudrift does not write secrets into code"
        steps = change.path.split(".")
        if len(steps) >= 3 and steps[1].isdigit():
            nested = block.nested(steps[0])
            index = int(steps[1])
            if index >= len(nested):
                return f"no {steps[0]} block #{index} in the code"
            return self._set(entry, nested[index], ".".join(steps[2:]), change.actual)
        return self._set(entry, block, change.path, change.actual)

    def _set(self, entry: _File, block: Block, path: str, value: Any) -> str | None:
        argument = block.argument(path)
        if argument is not None or "." not in path:
            return self._set_argument(entry, block, path, argument, value)
        name, _, key = path.partition(".")
        container = block.argument(name)
        if container is None:
            if value is None:
                return None  # absent on both sides
            return self._insert(entry, block.body_end, f"{name} = {hcl_value({key: value})}")
        entries = container.entries()
        if entries is None:
            return f"{name} is an expression ({_snippet(entry.text, container)}), not a literal"
        found = next((e for e in entries if e.name == key), None)
        if found is not None:
            return self._set_argument(entry, block, key, found, value)
        if value is None:
            return None
        brace = container.closing_brace()
        assert brace is not None
        # line up with the entries already there, as `terraform fmt` would
        width = max((len(e.name) if hcl_key(e.name) == e.name else len(hcl_key(e.name))
                     for e in entries), default=0)
        return self._insert(entry, brace, f"{hcl_key(key):<{width}} = {hcl_value(value)}")

    def _set_argument(self, entry: _File, block: Block, name: str, argument: Argument | None,
                      value: Any) -> str | None:
        if argument is None:
            if value is None:
                return None
            if "." in name:
                return f"{name} is not an argument of the block"
            return self._insert(entry, block.body_end, f"{name} = {hcl_value(value)}")
        current = argument.literal
        if current is NOT_LITERAL:
            return (f"the value comes from an expression ({_snippet(entry.text, argument)}): "
                    "change it where it is defined")
        if value is None:
            start = line_start(entry.text, argument.span.start)
            return self._add(entry, Edit(start, line_end(entry.text, argument.span.end), ""))
        if isinstance(value, (dict, list)) and not isinstance(current, type(value)):
            return "a document value: write it by hand in the code's own form"
        indent = len(indent_at(entry.text, argument.span.start)) // 2
        return self._add(entry, Edit(argument.value.start, argument.value.end,
                                     hcl_value(value, indent)))

    def _insert(self, entry: _File, brace: int, line: str) -> str | None:
        """A new line before the closing brace at ``brace``, indented one level deeper."""
        base = indent_at(entry.text, brace)
        start = line_start(entry.text, brace)
        if entry.text[start:brace].strip():
            # `{ a = 1 }` on one line: the brace does not start its line
            return "the object is written on one line: add the entry by hand"
        return self._add(entry, Edit(start, start, f"{base}  {line}\n"))

    def _add(self, entry: _File, edit: Edit) -> str | None:
        for other in entry.edits:
            if edit.start < other.end and other.start < edit.end:
                return "overlaps another edit of the same code"
        entry.edits.append(edit)
        return None

    # -- forget --------------------------------------------------------------------------------

    def forget(self, finding: Finding) -> bool:
        """Delete the resource's block; True if done, else a manual step says why not."""
        address = finding.address or ""
        parts = split_address(address)
        if parts is None or parts[0]:
            self._manual(finding, "resource", "a resource of a module: remove it from the "
                         "module call, or the module's code, by hand")
            return False
        if address != strip_keys(address):
            self._manual(finding, "resource", "one instance of a count/for_each block: take "
                         "its key out of the count/for_each by hand")
            return False
        opened = self._open(finding.location)
        block = None if opened is None else resource_block(opened[0].blocks, opened[1])
        if opened is None or block is None:
            self._manual(finding, "resource", "its code was not found")
            return False
        entry = opened[0]
        start = line_start(entry.text, block.span.start)
        end = line_end(entry.text, block.span.end)
        # the blank line that separated it from the next block goes too
        if entry.text[end:end + 1] == "\n":
            end += 1
        if self._add(entry, Edit(start, end, "")) is not None:
            self._manual(finding, "resource", "overlaps another edit of the same code")
            return False
        self.changes.complete.append(address)
        return True


def render_removed(addresses: Iterable[str]) -> str:
    """``removed`` blocks (Terraform >= 1.7) that take resources out of state, not the cloud."""
    blocks = []
    for address in addresses:
        blocks.append(
            "removed {\n"
            f"  from = {strip_keys(address)}\n\n"
            "  lifecycle {\n"
            "    destroy = false\n"
            "  }\n"
            "}\n"
        )
    return "\n".join(blocks)


def _snippet(text: str, argument: Argument, limit: int = 60) -> str:
    value = " ".join(text[argument.value.start : argument.value.end].split())
    return value if len(value) <= limit else value[: limit - 3] + "..."


def load_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror})") from None
