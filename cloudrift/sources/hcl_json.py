"""JSON-syntax Terraform files (``.tf.json``) into blocks, with the line of every key.

The standard library's JSON parser cannot say where a key is, so this is a small strict reader
of our own; it reuses the standard library's C string scanner for escapes.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from cloudrift.sources.hcl_blocks import (
    NONE,
    ONE,
    SOME,
    UNKNOWN,
    Block,
    FileResult,
    ParseFailedError,
)


class _Object:
    """A JSON object as its members in order, each with the line its key is on."""

    __slots__ = ("members",)

    def __init__(self, members: list[tuple[str, int, Any]]) -> None:
        self.members = members

    def get(self, key: str) -> Any:
        return next((value for k, _, value in self.members if k == key), None)


def _objects(value: Any) -> Iterator[_Object]:
    """Terraform's JSON syntax lets any block level be an object or an array of objects."""
    if isinstance(value, _Object):
        yield value
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, _Object):
                yield item


def _labelled(value: Any, depth: int) -> Iterator[tuple[list[str], int, Any]]:
    """(labels, line of the last label's key, body) for each block under ``depth`` labels."""
    for obj in _objects(value):
        for key, line, inner in obj.members:
            if key == "//":
                continue  # Terraform's JSON comment property
            if depth == 1:
                yield [key], line, inner
            else:
                for labels, inner_line, body in _labelled(inner, depth - 1):
                    yield [key, *labels], inner_line, body


def parse_json(text: str) -> FileResult:
    reader = _JsonReader(text)
    document = reader.document()
    if not isinstance(document, _Object):
        raise ParseFailedError(1, "a .tf.json file must hold a JSON object")
    blocks: list[Block] = []
    for key, _, value in document.members:
        if key in ("resource", "data"):
            for (rtype, name), line, body in _labelled(value, 2):
                blocks.append(Block(key, line, type=rtype, name=name,
                                    expansion=_json_expansion(body),
                                    arguments=_json_arguments(body)))
        elif key == "module":
            for (name,), line, body in _labelled(value, 1):
                first = next(_objects(body), None)
                source = first.get("source") if first else None
                literal = source if isinstance(source, str) and "${" not in source else None
                blocks.append(Block("module", line, name=name, expansion=_json_expansion(body),
                                    source=literal))
        elif key == "moved":
            for obj in _objects(value):
                frm, to = obj.get("from"), obj.get("to")
                if isinstance(frm, str) and isinstance(to, str):
                    line = reader.line_of_object(obj)
                    blocks.append(Block("moved", line, moved_from="".join(frm.split()),
                                        moved_to="".join(to.split())))
        elif key == "check":
            for _, _, body in _labelled(value, 1):
                for obj in _objects(body):
                    for (rtype, name), line, _ in _labelled(obj.get("data"), 2):
                        blocks.append(Block("data", line, type=rtype, name=name))
    return FileResult(tuple(blocks))


def _json_arguments(body: Any) -> tuple[str, ...]:
    names: set[str] = set()
    for obj in _objects(body):
        for key, _, value in obj.members:
            if key == "dynamic":
                for dynamic in _objects(value):
                    names.update(k for k, _, _ in dynamic.members if k != "//")
            elif key != "//":
                names.add(key)
    return tuple(sorted(names))


def _json_expansion(body: Any) -> str:
    first = next(_objects(body), None)
    if first is None:
        return ONE
    count, for_each = first.get("count"), first.get("for_each")
    if count is not None and for_each is not None:
        return UNKNOWN
    value = count if count is not None else for_each
    if value is None:
        return ONE
    if count is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        return NONE if value == 0 else SOME if value > 0 else UNKNOWN
    if isinstance(value, _Object):
        return SOME if any(k != "//" for k, _, _ in value.members) else NONE
    if isinstance(value, list):
        return SOME if value else NONE
    return UNKNOWN  # "${...}" strings and anything else need evaluating


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_LITERALS = {"true": True, "false": False, "null": None}
# the standard library's (C) string scanner: escapes and positions exactly as json.loads has them
_scanstring: Callable[[str, int, bool], tuple[str, int]] = (
    json.decoder.scanstring  # type: ignore[attr-defined]
)
# two stack frames a level: stays well inside Python's default recursion limit
_MAX_DEPTH = 200


class _JsonReader:
    """Strict JSON (RFC 8259) with the line of every object key; errors carry a line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.object_lines: dict[int, int] = {}

    def line_at(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1

    def line_of_object(self, obj: _Object) -> int:
        return self.object_lines.get(id(obj), 1)

    def fail(self, message: str, pos: int | None = None) -> ParseFailedError:
        line = self.line_at(self.pos if pos is None else pos)
        return ParseFailedError(line, f"invalid JSON: {message}")

    def skip(self) -> None:
        match = _WHITESPACE.match(self.text, self.pos)
        if match:
            self.pos = match.end()

    def document(self) -> Any:
        value = self.value(0)
        self.skip()
        if self.pos != len(self.text):
            raise self.fail("unexpected data after the top-level value")
        return value

    def value(self, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise self.fail("nested too deeply")
        self.skip()
        char = self.text[self.pos : self.pos + 1]
        if char == "{":
            return self.object(depth)
        if char == "[":
            return self.array(depth)
        if char == '"':
            return self.string()
        for word, literal in _LITERALS.items():
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return literal
        match = _NUMBER.match(self.text, self.pos)
        if match and match.end() > self.pos:
            self.pos = match.end()
            number = match.group()
            return float(number) if any(c in number for c in ".eE") else int(number)
        raise self.fail("end of file where a value should be" if not char else
                        f"unexpected {char!r} where a value should be")

    def string(self) -> str:
        try:
            value, self.pos = _scanstring(self.text, self.pos + 1, True)
        except json.JSONDecodeError as exc:
            raise self.fail(exc.msg.lower(), exc.pos) from None
        return value

    def object(self, depth: int) -> _Object:
        opened = self.pos
        self.pos += 1
        members: list[tuple[str, int, Any]] = []
        self.skip()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            return self._remember(_Object(members), opened)
        while True:
            self.skip()
            if not self.text.startswith('"', self.pos):
                raise self.fail("expected a quoted property name")
            line = self.line_at(self.pos)
            key = self.string()
            self.skip()
            if not self.text.startswith(":", self.pos):
                raise self.fail("expected ':' after a property name")
            self.pos += 1
            members.append((key, line, self.value(depth + 1)))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("}", self.pos):
                self.pos += 1
                return self._remember(_Object(members), opened)
            else:
                raise self.fail("expected ',' or '}' in an object")

    def _remember(self, obj: _Object, opened: int) -> _Object:
        self.object_lines[id(obj)] = self.line_at(opened)
        return obj

    def array(self, depth: int) -> list[Any]:
        self.pos += 1
        items: list[Any] = []
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return items
        while True:
            items.append(self.value(depth + 1))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("]", self.pos):
                self.pos += 1
                return items
            else:
                raise self.fail("expected ',' or ']' in an array")
