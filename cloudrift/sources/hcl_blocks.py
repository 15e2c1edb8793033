"""What the HCL index keeps of one Terraform file: its blocks, in a form that caches as JSON.

The parsers (``hcl_native`` for ``.tf``, ``hcl_json`` for ``.tf.json``) produce a ``FileResult``;
it is plain data, so it crosses process boundaries and round-trips through the parse cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Bump whenever what parse_file extracts changes: it is part of every cache key.
PARSE_FORMAT = 2

# how many instances a count / for_each gives, as far as the text alone tells
ONE = "one"  # neither count nor for_each
SOME = "some"  # a literal that gives at least one instance
NONE = "none"  # a literal zero or empty collection
UNKNOWN = "unknown"  # an expression that needs evaluating
EXPANSIONS = frozenset({ONE, SOME, NONE, UNKNOWN})

BLOCK_KINDS = frozenset({"resource", "data", "module", "moved"})


@dataclass(frozen=True)
class Block:
    """A top-level block the index cares about (and a data source nested in a ``check``)."""

    kind: str  # resource, data, module, moved
    line: int
    type: str = ""  # resource and data sources
    name: str = ""  # resource, data source and module call
    expansion: str = ONE
    source: str | None = None  # a module call's source, when it is a plain string
    moved_from: str = ""
    moved_to: str = ""
    # a resource block's argument and nested block names (a ``dynamic "x"`` block counts as
    # ``x``): whether the code declares a field inline
    arguments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    line: int  # 0 when the parser could not say
    message: str


@dataclass(frozen=True)
class FileResult:
    blocks: tuple[Block, ...] = ()
    problems: tuple[Problem, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "blocks": [
                {k: v for k, v in vars(b).items() if v != _BLOCK_DEFAULTS[k]} for b in self.blocks
            ],
            "problems": [[p.line, p.message] for p in self.problems],
        }

    @classmethod
    def from_json(cls, data: Any) -> FileResult:
        """The inverse of ``to_json``; ``ValueError`` for anything else (a damaged cache)."""
        if not isinstance(data, dict) or set(data) != {"blocks", "problems"}:
            raise ValueError("not a parse result")
        blocks = []
        for raw in data["blocks"]:
            if not isinstance(raw, dict) or not set(raw) <= set(_BLOCK_DEFAULTS):
                raise ValueError("bad block")
            block = Block(**{**_BLOCK_DEFAULTS, **raw})
            block = Block(**{**vars(block), "arguments": tuple(block.arguments)})
            if (
                block.kind not in BLOCK_KINDS
                or block.expansion not in EXPANSIONS
                or type(block.line) is not int
                or not all(isinstance(getattr(block, f), str) for f in _STR_FIELDS)
                or not isinstance(block.source, (str, type(None)))
                or not isinstance(block.arguments, (list, tuple))
                or not all(isinstance(a, str) for a in block.arguments)
            ):
                raise ValueError("bad block")
            blocks.append(block)
        problems = []
        for raw in data["problems"]:
            if (
                not isinstance(raw, list)
                or len(raw) != 2
                or type(raw[0]) is not int
                or not isinstance(raw[1], str)
            ):
                raise ValueError("bad problem")
            problems.append(Problem(raw[0], raw[1]))
        return cls(tuple(blocks), tuple(problems))


_BLOCK_DEFAULTS: dict[str, Any] = {
    "kind": "", "line": 0, "type": "", "name": "", "expansion": ONE, "source": None,
    "moved_from": "", "moved_to": "", "arguments": (),
}
_STR_FIELDS = ("kind", "type", "name", "moved_from", "moved_to")


def file_kind(path: str) -> str:
    """``tfjson`` for JSON syntax, ``tf`` for native syntax: the same bytes parse differently."""
    return "tfjson" if path.endswith(".json") else "tf"


class ParseFailedError(Exception):
    """A file that cannot be read as Terraform code; becomes a ``Problem``, never escapes."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseFailedError(line, "not UTF-8 text (Terraform reads only UTF-8)") from None
    return text.removeprefix("\ufeff")


