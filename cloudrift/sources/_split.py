"""A state's text cut resource by resource, so that no parse ever holds the whole document.

Terraform and OpenTofu write a state with two-space indentation (Go's ``json.MarshalIndent``),
and a JSON string cannot hold a raw newline. So in such a file ``\\n  "resources": [`` opens the
top-level list of resources (checked: outside strings only the top object and that list are
open there), and each of its elements ends at the first ``\\n    }`` after it starts. Each
element is parsed alone with orjson, and the file can be read in chunks: what is held at once
is the parsed result and one resource's text, not the whole text and its whole parse tree.

A fast path, never a second parser. An element is only taken if orjson parses exactly its text
as one value, which is then the value the whole document's parse would give at that place; the
document without its resources is parsed too, so every byte is checked. Anything that does not
fit (other indentation, one line, a file that ends early, invalid JSON) raises ``SplitError``, and
the caller parses the whole text as before, which also words the error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import orjson

CHUNK = 1 << 20

_RESOURCES = b'\n  "resources": ['
_ELEMENT_END = b"\n    }"
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SPACE = b" \t\r\n"
_OPEN_OBJECT = ord("{")
_COMMA = ord(",")
_CLOSE_LIST = ord("]")


class SplitError(Exception):
    """The text is not laid out as Terraform writes it, or is not valid: parse it whole."""


class Splitter:
    """``resources()`` yields each resource parsed; then ``document()`` is the rest of the
    state (its ``resources`` an empty list). ``read`` gives the text after ``first`` in chunks
    (None: ``first`` is all of it); past ``limit`` bytes in all, ``SplitError``."""

    def __init__(self, first: bytes, read: Callable[[int], bytes] | None = None,
                 limit: int | None = None) -> None:
        self._buf = first
        self._pos = 0
        self._read = read
        self._limit = limit
        self._total = len(first)
        self._head = self._find_head()
        self._document: dict[str, Any] | None = None

    def _more(self) -> bool:
        """Append the next chunk, dropping what was consumed; False at the end of the text."""
        if self._read is None:
            return False
        chunk = self._read(CHUNK)
        if not chunk:
            self._read = None
            return False
        self._total += len(chunk)
        if self._limit is not None and self._total > self._limit:
            raise SplitError
        self._buf = self._buf[self._pos:] + chunk
        self._pos = 0
        return True

    def _find_head(self) -> bytes:
        searched = 0
        while (at := self._buf.find(_RESOURCES, searched)) < 0:
            searched = max(0, len(self._buf) - len(_RESOURCES))
            if not self._more():  # _pos stays 0 here: the head is kept whole
                raise SplitError
        end = at + len(_RESOURCES)
        head = self._buf[:end]
        bare = _STRING.sub(b"", head)
        depth = bare.count(b"{") + bare.count(b"[") - bare.count(b"}") - bare.count(b"]")
        # a second "resources" key anywhere before would make "which one wins" a question
        if depth != 2 or head.count(b'"resources"') != 1:
            raise SplitError
        self._pos = end
        return head

    def _skip_space(self) -> int:
        while True:
            buf, pos = self._buf, self._pos
            while pos < len(buf) and buf[pos] in _SPACE:
                pos += 1
            self._pos = pos
            if pos < len(buf):
                return pos
            if not self._more():
                raise SplitError

    def resources(self) -> Iterator[Any]:
        pos = self._skip_space()
        if self._buf[pos] != _CLOSE_LIST:
            while True:
                if self._buf[pos] != _OPEN_OBJECT:
                    raise SplitError
                end = self._buf.find(_ELEMENT_END, pos)
                while end < 0:
                    searched = len(self._buf) - self._pos - len(_ELEMENT_END)
                    if not self._more():
                        raise SplitError
                    pos = self._pos
                    end = self._buf.find(_ELEMENT_END, max(pos, searched))
                end += len(_ELEMENT_END)
                try:
                    resource = orjson.loads(memoryview(self._buf)[pos:end])
                except orjson.JSONDecodeError:
                    raise SplitError from None
                self._pos = end
                yield resource
                pos = self._skip_space()
                if self._buf[pos] == _COMMA:
                    self._pos = pos + 1
                    pos = self._skip_space()
                elif self._buf[pos] == _CLOSE_LIST:
                    break
                else:
                    raise SplitError
        rest = [self._buf[pos:]]
        while self._read is not None and (chunk := self._read(CHUNK)):
            self._total += len(chunk)
            if self._limit is not None and self._total > self._limit:
                raise SplitError
            rest.append(chunk)
        try:
            document = orjson.loads(self._head + b"".join(rest))
        except orjson.JSONDecodeError:
            raise SplitError from None
        if not isinstance(document, dict) or document.get("resources") != []:
            raise SplitError
        self._document = document

    def document(self) -> dict[str, Any]:
        if self._document is None:
            raise RuntimeError("document() is known once resources() has been read through")
        return self._document
