"""Reading python-hcl2's parse tree: a Terragrunt file's blocks and attributes, the wrappers and
names of expressions, string escapes, and heredoc templates turned into the quoted strings the
grammar parses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lark import Token, Tree

from cloudrift.sources.hcl_blocks import ParseFailedError
from cloudrift.sources.hcl_native import parse_tree

_ESCAPES = re.compile(r'\\(?:[nrt"\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})')
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(raw: str) -> str:
    def one(match: re.Match[str]) -> str:
        body = match.group()[1:]
        if body[0] in _SIMPLE:
            return _SIMPLE[body[0]]
        code = int(body[1:], 16)
        return chr(code) if code < 0x110000 else match.group()

    return _ESCAPES.sub(one, raw) if "\\" in raw else raw


def trees(node: Tree[Any]) -> list[Any]:
    return [c for c in node.children
            if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def tokens(node: Tree[Any]) -> list[str]:
    return [str(c) for c in node.children if isinstance(c, Token)]


def unwrap(node: Any) -> Any:
    """The expression inside ``expr_term`` wrappers and parentheses."""
    while isinstance(node, Tree) and node.data == "expr_term":
        inner = trees(node)
        if len(inner) != 1:
            break
        node = inner[0]
    return node


def name_of(node: Any) -> str | None:
    """The name of an ``identifier`` (or keyword, or ``true``) node."""
    node = unwrap(node)
    if isinstance(node, Tree) and node.data in ("identifier", "keyword", "literal_value") \
            and node.children and isinstance(node.children[0], Token):
        return str(node.children[0])
    return None


def quote_template(text: str) -> str | None:
    """A heredoc body as a quoted HCL string: literal text escaped, ``${...}`` and ``%{...}``
    kept as they are. None when an interpolation does not close."""
    out = ['"']
    i = 0
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            out.append(text[i:i + 3])
            i += 3
        elif text.startswith(("${", "%{"), i):
            end = _closing_brace(text, i + 2)
            if end is None:
                return None
            out.append(text[i:end].replace("\n", " "))
            i = end
        else:
            char = text[i]
            out.append({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}.get(char, char))
            i += 1
    out.append('"')
    return "".join(out)


def _closing_brace(text: str, i: int) -> int | None:
    depth = 1
    while i < len(text):
        char = text[i]
        if char == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


@dataclass
class Block:
    kind: str
    labels: tuple[str, ...]
    attributes: dict[str, Any]
    line: int


@dataclass
class ConfigFile:
    """One Terragrunt file, parsed: its top-level attributes and blocks."""

    path: str
    shown: str
    text: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    error: str | None = None

    def of(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]


def _children(node: Any, kind: str) -> list[Any]:
    return [c for c in node.children if isinstance(c, Tree) and c.data == kind]


def _label(node: Any) -> str | None:
    name = name_of(node)
    if name is not None:
        return name
    node = unwrap(node)
    if isinstance(node, Tree) and node.data == "string":
        parts = [p.children[0] for p in _children(node, "string_part")]
        if all(not isinstance(p, Tree) for p in parts):
            return "".join(str(p) for p in parts)
    return None


def _attributes(body: Any) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for attribute in _children(body, "attribute"):
        name = name_of(attribute.children[0])
        if name is not None:
            attrs[name] = attribute.children[-1]
    return attrs


def parse_config(path: str, shown: str, data: bytes) -> ConfigFile:
    text = data.decode("utf-8-sig", errors="replace")
    try:
        tree = parse_tree(text, blank_strip_markers=False)
    except ParseFailedError as exc:
        return ConfigFile(path, shown, error=f"{shown}:{exc.line}: cannot parse: {exc.message}")
    body = tree.children[0]
    blocks = []
    for node in _children(body, "block"):
        names = [c for c in node.children
                 if isinstance(c, Tree) and c.data not in ("body", "new_line_or_comment")]
        inner = _children(node, "body")
        labels = tuple(label for label in (_label(n) for n in names[1:]) if label is not None)
        blocks.append(Block(name_of(names[0]) or "", labels,
                            _attributes(inner[0]) if inner else {}, node.meta.line))
    return ConfigFile(path, shown, text, _attributes(body), blocks)
