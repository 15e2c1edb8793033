"""Native-syntax Terraform files (``.tf``) into blocks, with python-hcl2's lark parse tree.

Only the raw parse tree is used, never python-hcl2's dict output: the tree carries line numbers
and source offsets, and skipping python-hcl2's transform and serialise steps halves the parse
time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import hcl2
from lark import Token, Tree
from lark.exceptions import UnexpectedInput

from cloudrift.sources.hcl_blocks import (
    NONE,
    ONE,
    SOME,
    UNKNOWN,
    Block,
    FileResult,
    ParseFailedError,
    Problem,
)


def parse_native(text: str) -> FileResult:
    return _Native(text).extract(parse_tree(text))


def parse_tree(text: str, *, blank_strip_markers: bool = True) -> Any:
    """python-hcl2's lark tree of a native-syntax file; ``ParseFailedError`` (line, message)
    when it does not parse. ``blank_strip_markers=False`` for a reader of string values, which
    the blanking below would change."""
    try:
        return hcl2.parses_to_tree(text)
    except UnexpectedInput as exc:
        if not blank_strip_markers or not _STRIP_MARKER.search(text):
            raise ParseFailedError(_error_line(exc, text), _error_message(exc)) from None
        # python-hcl2's grammar lacks the ${~ ~} strip markers; they only trim whitespace in
        # string output, which nothing here reads, so blanking them (same length, so lines and
        # offsets stay put) parses the structure Terraform sees.
        try:
            return hcl2.parses_to_tree(_STRIP_MARKER.sub(_blank_marker, text))
        except UnexpectedInput as retry:
            raise ParseFailedError(_error_line(retry, text), _error_message(retry)) from None


_STRIP_MARKER = re.compile(r"\$\{~|~\}")


def _blank_marker(match: re.Match[str]) -> str:
    return match.group().replace("~", " ")


def _error_line(exc: Any, text: str) -> int:
    line = getattr(exc, "line", -1)
    if isinstance(line, int) and line > 0:
        return line
    return text.count("\n") + 1  # lark has no line for an unexpected end of input


def _error_message(exc: Any) -> str:
    token = getattr(exc, "token", None)
    if token is not None:
        message = f"syntax error: unexpected {_describe(token)}"
        expected = sorted(_TERMINALS.get(name, name.lower()) for name in
                          getattr(exc, "expected", None) or getattr(exc, "accepts", None) or ())
        # a long list of grammar terminals helps nobody; a short one says what is missing
        if 0 < len(expected) <= 3:
            message += f", expected {' or '.join(expected)}"
        return message
    char = getattr(exc, "char", None)
    if char is not None:
        return f"syntax error: unexpected character {char!r}"
    return "syntax error"


_TERMINALS = {
    "RBRACE": "'}'", "LBRACE": "'{'", "RSQB": "']'", "LSQB": "'['", "RPAR": "')'",
    "LPAR": "'('", "EQ": "'='", "COLON": "':'", "COMMA": "','", "DBLQUOTE": "'\"'",
    "NAME": "a name", "NL_OR_COMMENT": "a new line", "$END": "end of file",
}


def _describe(token: Any) -> str:
    if token.type == "$END":
        return "end of file"
    text = str(token).strip()
    if not text:
        return "end of line"
    return repr(_shorten(text.splitlines()[0]))


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Native:
    """Walks python-hcl2's lark tree."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.blocks: list[Block] = []
        self.problems: list[Problem] = []

    def extract(self, start: Any) -> FileResult:
        for block in self._children(start.children[0], "block"):
            self._top_level(block)
        return FileResult(tuple(self.blocks), tuple(self.problems))

    def _children(self, node: Any, kind: str) -> Iterator[Any]:
        for child in node.children:
            if isinstance(child, Tree) and child.data == kind:
                yield child

    def _top_level(self, block: Any) -> None:
        kind, labels, body = self._split_block(block)
        line = block.meta.line
        if kind in ("resource", "data"):
            if labels is None or len(labels) != 2:
                self._problem(line, f"{kind} block needs two quoted labels (type and name)")
                return
            attrs = self._attributes(body)
            self.blocks.append(Block(kind, line, type=labels[0], name=labels[1],
                                     expansion=self._expansion(attrs),
                                     arguments=self._argument_names(attrs, body)))
        elif kind == "module":
            if labels is None or len(labels) != 1:
                self._problem(line, "module block needs one quoted label (its name)")
                return
            attrs = self._attributes(body)
            source = attrs.get("source")
            self.blocks.append(Block("module", line, name=labels[0],
                                     expansion=self._expansion(attrs),
                                     source=None if source is None else self._string(source)))
        elif kind == "moved":
            attrs = self._attributes(body)
            if "from" in attrs and "to" in attrs:
                self.blocks.append(Block("moved", line, moved_from=self._source_text(attrs["from"]),
                                         moved_to=self._source_text(attrs["to"])))
        elif kind == "check":
            for nested in self._children(body, "block"):
                nested_kind, nested_labels, _ = self._split_block(nested)
                if nested_kind == "data" and nested_labels is not None and len(nested_labels) == 2:
                    self.blocks.append(Block("data", nested.meta.line, type=nested_labels[0],
                                             name=nested_labels[1]))

    def _argument_names(self, attrs: dict[str, Any], body: Any) -> tuple[str, ...]:
        names = set(attrs)
        for nested in self._children(body, "block") if body is not None else ():
            nested_kind, nested_labels, _ = self._split_block(nested)
            if nested_kind == "dynamic" and nested_labels:
                names.add(nested_labels[0])
            elif nested_kind is not None:
                names.add(nested_kind)
        return tuple(sorted(names))

    def _problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(line, message))

    def _split_block(self, block: Any) -> tuple[str | None, list[str] | None, Any]:
        """(block type, labels or None when one is not a plain string, body)."""
        kind: str | None = None
        labels: list[str] | None = []
        body = None
        for child in block.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "body":
                body = child
            elif child.data == "new_line_or_comment":
                continue
            elif kind is None:
                kind = self._name(child)
            elif labels is not None:
                label = self._name(child) if child.data != "string" else self._string(child)
                if label is None:
                    labels = None
                else:
                    labels.append(label)
        return kind, labels, body

    def _name(self, node: Any) -> str | None:
        if (
            isinstance(node, Tree)
            and node.data in ("identifier", "keyword", "literal_value")
            and node.children
            and isinstance(node.children[0], Token)
        ):
            return str(node.children[0])
        return None

    def _attributes(self, body: Any) -> dict[str, Any]:
        attrs: dict[str, Any] = {}
        if body is None:
            return attrs
        for attribute in self._children(body, "attribute"):
            name = self._name(attribute.children[0])
            if name is not None:
                attrs[name] = attribute.children[-1]
        return attrs

    def _unwrap(self, node: Any) -> Any:
        while isinstance(node, Tree) and node.data == "expr_term":
            inner = [c for c in node.children
                     if isinstance(c, Tree) and c.data != "new_line_or_comment"]
            if len(inner) != 1:
                break
            node = inner[0]
        return node

    def _string(self, node: Any) -> str | None:
        """The value of a string literal without interpolations, else None."""
        node = self._unwrap(node)
        if not isinstance(node, Tree) or node.data != "string":
            return None
        parts: list[str] = []
        for part in self._children(node, "string_part"):
            token = part.children[0] if part.children else None
            if not isinstance(token, Token):
                return None
            if token.type == "STRING_CHARS":
                parts.append(_unescape(str(token)))
            elif token.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                parts.append(str(token)[1:])
            else:
                return None
        return "".join(parts)

    def _source_text(self, node: Any) -> str:
        meta = getattr(node, "meta", None)
        if meta is None or getattr(meta, "empty", True):
            return ""
        return "".join(self.text[meta.start_pos : meta.end_pos].split())

    def _expansion(self, attrs: dict[str, Any]) -> str:
        count, for_each = attrs.get("count"), attrs.get("for_each")
        if count is not None and for_each is not None:
            return UNKNOWN  # Terraform refuses this; claim nothing
        if count is not None:
            return self._size(count, allow_number=True)
        if for_each is not None:
            return self._size(for_each, allow_number=False)
        return ONE

    def _size(self, node: Any, *, allow_number: bool, depth: int = 0) -> str:
        node = self._unwrap(node)
        if not isinstance(node, Tree) or depth > 8:
            return UNKNOWN
        if node.data == "int_lit" and allow_number:
            try:
                value = int(str(node.children[0]))
            except ValueError:
                return UNKNOWN
            return NONE if value == 0 else SOME if value > 0 else UNKNOWN
        if node.data == "tuple":
            elements = [c for c in node.children
                        if isinstance(c, Tree) and c.data != "new_line_or_comment"]
            return SOME if elements else NONE
        if node.data == "object":
            return SOME if any(self._children(node, "object_elem")) else NONE
        if node.data == "function_call" and not allow_number:
            name = self._name(node.children[0])
            arguments = next(self._children(node, "arguments"), None)
            values = [] if arguments is None else [
                c for c in arguments.children
                if isinstance(c, Tree) and c.data != "new_line_or_comment"
            ]
            if name in _CONVERSIONS and len(values) == 1:
                return self._size(values[0], allow_number=False, depth=depth + 1)
        return UNKNOWN


_CONVERSIONS = frozenset({"toset", "tomap", "tolist"})

_ESCAPES = re.compile(r'\\(?:[nrt"\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})')
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(raw: str) -> str:
    def one(match: re.Match[str]) -> str:
        body = match.group()[1:]
        if body[0] in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[body[0]]
        code = int(body[1:], 16)
        return chr(code) if code < 0x110000 else match.group()

    return _ESCAPES.sub(one, raw) if "\\" in raw else raw


