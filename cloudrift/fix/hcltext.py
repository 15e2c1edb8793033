"""Terraform blocks and arguments as spans of their file's text, for edits that keep the rest.

Fixes edit code a person wrote (a literal value, a tag, a whole block) and tidy what
``terraform plan -generate-config-out`` wrote: both need where an argument starts and ends and
whether its value is a plain literal, never a re-rendering of the file (that would lose
comments, order and layout). python-hcl2's lark tree carries the offsets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import hcl2
from lark import Token, Tree
from lark.exceptions import UnexpectedInput

from cloudrift.errors import SourceError

_NOT_LITERAL = object()


@dataclass(frozen=True)
class Span:
    start: int  # offset of the first character
    end: int  # offset after the last character
    line: int  # 1-based line of ``start``


@dataclass
class Argument:
    """``name = value`` in a block body, or ``key = value`` in an object literal."""

    name: str
    span: Span  # the whole ``name = value``
    value: Span
    node: Any  # the value's parse tree

    @property
    def literal(self) -> Any:
        """The value when it is a literal (string without interpolation, number, bool, null,
        or a list/object of those), else ``NOT_LITERAL``."""
        return literal_value(self.node)

    def entries(self) -> list[Argument] | None:
        """The elements of an object literal value (``tags = {...}``), else None."""
        node = _unwrap(self.node)
        if not isinstance(node, Tree) or node.data != "object":
            return None
        found = []
        for elem in _children(node, "object_elem"):
            key_node = _unwrap(elem.children[0].children[0]) if elem.children else None
            key = _plain_name(key_node)
            if key is None:
                key = _string(key_node)
            if key is None:
                return None  # a computed key: nothing here can be edited safely
            value = elem.children[-1]
            found.append(Argument(key, _span(elem), _span(value), value))
        return found

    def closing_brace(self) -> int | None:
        """Offset of an object literal's closing ``}``."""
        node = _unwrap(self.node)
        if not isinstance(node, Tree) or node.data != "object":
            return None
        return _span(node).end - 1


@dataclass
class Block:
    kind: str
    labels: list[str]
    span: Span
    body_end: int  # offset of the closing ``}``
    arguments: list[Argument] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    def argument(self, name: str) -> Argument | None:
        return next((a for a in self.arguments if a.name == name), None)

    def nested(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]

    @property
    def address(self) -> str:
        """``TYPE.NAME`` of a resource block (``data.TYPE.NAME`` for a data source)."""
        prefix = "data." if self.kind == "data" else ""
        return prefix + ".".join(self.labels)


NOT_LITERAL = _NOT_LITERAL


def parse_blocks(text: str, where: str) -> list[Block]:
    """The top-level blocks of a ``.tf`` file; SourceError if it does not parse."""
    try:
        tree = hcl2.parses_to_tree(text)
    except UnexpectedInput as exc:
        line = getattr(exc, "line", 0)
        raise SourceError(f"{where}:{line}: cannot parse as Terraform code") from None
    body = next(_children(tree, "body"), None)
    return [] if body is None else [_block(b) for b in _children(body, "block")]


def resource_block(blocks: list[Block], line: int) -> Block | None:
    """The ``resource`` block that opens on ``line``."""
    return next((b for b in blocks if b.kind == "resource" and b.span.line == line), None)


def _block(node: Tree[Any]) -> Block:
    kind = ""
    labels: list[str] = []
    body: Tree[Any] | None = None
    for child in node.children:
        if not isinstance(child, Tree) or child.data == "new_line_or_comment":
            continue
        if child.data == "body":
            body = child
        elif not kind:
            kind = _plain_name(child) or ""
        else:
            label = _plain_name(child) if child.data != "string" else _string(child)
            labels.append(label or "")
    span = _span(node)
    block = Block(kind, labels, span, span.end - 1)
    if body is not None:
        for child in body.children:
            if isinstance(child, Tree) and child.data == "attribute":
                name = _plain_name(child.children[0]) or ""
                value = child.children[-1]
                block.arguments.append(Argument(name, _span(child), _span(value), value))
            elif isinstance(child, Tree) and child.data == "block":
                block.blocks.append(_block(child))
    return block


def _span(node: Any) -> Span:
    meta = node.meta
    return Span(meta.start_pos, meta.end_pos, meta.line)


def _children(node: Tree[Any], kind: str) -> Iterator[Tree[Any]]:
    for child in node.children:
        if isinstance(child, Tree) and child.data == kind:
            yield child


def _unwrap(node: Any) -> Any:
    while isinstance(node, Tree) and node.data == "expr_term":
        inner = [c for c in node.children
                 if isinstance(c, Tree) and c.data != "new_line_or_comment"]
        if len(inner) != 1:
            break
        node = inner[0]
    return node


def _plain_name(node: Any) -> str | None:
    if (isinstance(node, Tree) and node.data in ("identifier", "keyword")
            and node.children and isinstance(node.children[0], Token)):
        return str(node.children[0])
    return None


def _string(node: Any) -> str | None:
    """A string literal without interpolation, decoded; else None."""
    node = _unwrap(node)
    if not isinstance(node, Tree) or node.data != "string":
        return None
    parts: list[str] = []
    for part in _children(node, "string_part"):
        token = part.children[0] if part.children else None
        if not isinstance(token, Token):
            return None
        if token.type == "STRING_CHARS":
            try:
                parts.append(json.loads(f'"{token}"'))
            except ValueError:
                return None
        elif token.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
            parts.append(str(token)[1:])
        else:
            return None
    return "".join(parts)


def literal_value(node: Any) -> Any:
    node = _unwrap(node)
    if not isinstance(node, Tree):
        return NOT_LITERAL
    if node.data == "string":
        text = _string(node)
        return NOT_LITERAL if text is None else text
    if node.data in ("int_lit", "float_lit"):
        raw = "".join(str(c) for c in node.children if isinstance(c, Token))
        try:
            return int(raw) if node.data == "int_lit" else float(raw)
        except ValueError:
            return NOT_LITERAL
    if node.data == "unary_op" and len(node.children) == 2 and str(node.children[0]) == "-":
        inner = literal_value(node.children[1])
        return -inner if isinstance(inner, (int, float)) else NOT_LITERAL
    if node.data in ("identifier", "keyword", "literal_value"):
        name = _plain_name(node) or (str(node.children[0]) if node.children else "")
        return {"true": True, "false": False, "null": None}.get(name, NOT_LITERAL)
    if node.data == "tuple":
        items = [literal_value(c) for c in node.children
                 if isinstance(c, Tree) and c.data != "new_line_or_comment"]
        return NOT_LITERAL if any(i is NOT_LITERAL for i in items) else items
    if node.data == "object":
        result: dict[str, Any] = {}
        for elem in _children(node, "object_elem"):
            key_node = _unwrap(elem.children[0].children[0])
            key = _plain_name(key_node) or _string(key_node)
            value = literal_value(elem.children[-1])
            if key is None or value is NOT_LITERAL:
                return NOT_LITERAL
            result[key] = value
        return result
    return NOT_LITERAL


# -- writing values ----------------------------------------------------------------------------

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def hcl_string(value: str) -> str:
    """A quoted HCL string whose text is ``value`` exactly: ``${`` and ``%{`` escaped."""
    quoted = json.dumps(value, ensure_ascii=False)
    return quoted.replace("${", "$${").replace("%{", "%%{")


def hcl_key(key: str) -> str:
    return key if _IDENTIFIER.match(key) and key not in ("true", "false", "null") \
        else hcl_string(key)


def hcl_value(value: Any, indent: int = 0) -> str:
    """``value`` (JSON-like) as an HCL expression, objects and lists over several lines."""
    pad = "  " * (indent + 1)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return hcl_string(value)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        width = max(len(hcl_key(str(k))) for k in value)
        lines = [f"{pad}{hcl_key(str(k)):<{width}} = {hcl_value(v, indent + 1)}"
                 for k, v in value.items()]
        return "{\n" + "\n".join(lines) + "\n" + "  " * indent + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if all(not isinstance(v, (Mapping, list, tuple)) for v in value):
            return "[" + ", ".join(hcl_value(v) for v in value) + "]"
        items = [f"{pad}{hcl_value(v, indent + 1)}," for v in value]
        return "[\n" + "\n".join(items) + "\n" + "  " * indent + "]"
    raise TypeError(f"cannot write {type(value).__name__} as HCL")


def line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def line_end(text: str, offset: int) -> int:
    """Offset just after the newline ending the line that holds ``offset``."""
    end = text.find("\n", offset)
    return len(text) if end < 0 else end + 1


def indent_at(text: str, offset: int) -> str:
    start = line_start(text, offset)
    return text[start:offset] if text[start:offset].strip() == "" else ""
