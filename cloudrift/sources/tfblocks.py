"""The ``terraform`` and ``module`` blocks of one Terraform file, for root-module discovery.

The ``terraform`` block's ``backend``/``cloud`` settings say where the state is, and its
``encryption`` block (OpenTofu) how to open it.

Only files that mention ``backend``, ``cloud`` or ``module`` are parsed, and in those the
top-level blocks of interest are cut out of the text first, so python-hcl2 (slow) sees a few
lines rather than whole files. A file the cutter cannot follow is parsed whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from cloudrift.sources.files import blob_id

_MENTIONS = (b"backend", b"cloud", b"module", b"encryption")
_BLOCK_KINDS = frozenset({"terraform", "module"})


@dataclass(frozen=True)
class Expression:
    """A setting that is not a literal: a variable, a function call, a template."""

    text: str

    def __str__(self) -> str:
        return self.text


# --- cutting top-level blocks out of HCL text -------------------------------------------------


class _CutError(Exception):
    """The text is not shaped as the cutter expects: parse the whole file instead."""


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")


def _skip_comment(text: str, i: int) -> int | None:
    if text.startswith(("#", "//"), i):
        end = text.find("\n", i)
        return len(text) if end == -1 else end
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        if end == -1:
            raise _CutError
        return end + 2
    return None


def _skip_heredoc(text: str, i: int) -> int:
    match = _HEREDOC.match(text, i)
    if match is None:
        return i + 2
    marker = match.group(1)
    position = match.end()
    while position < len(text):
        end = text.find("\n", position)
        line_end = len(text) if end == -1 else end
        if text[position:line_end].strip() == marker:
            return line_end
        position = line_end + 1
    raise _CutError


def _skip_string(text: str, i: int) -> int:
    """From an opening quote to just past its closing quote, templates included."""
    i += 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
        elif char == '"':
            return i + 1
        elif char == "\n":
            raise _CutError
        elif text.startswith(("$${", "%%{"), i):
            i += 3
        elif text.startswith(("${", "%{"), i):
            i = _skip_braces(text, i + 2)
        else:
            i += 1
    raise _CutError


def _skip_braces(text: str, i: int) -> int:
    """From just inside an opening brace to just past its closing brace."""
    depth = 1
    while i < len(text):
        skipped = _skip_comment(text, i)
        if skipped is not None:
            i = skipped
            continue
        char = text[i]
        if char == '"':
            i = _skip_string(text, i)
        elif text.startswith("<<", i):
            i = _skip_heredoc(text, i)
        elif char == "{":
            depth += 1
            i += 1
        elif char == "}":
            depth -= 1
            i += 1
            if depth == 0:
                return i
        else:
            i += 1
    raise _CutError


def extract_blocks(text: str, kinds: frozenset[str]) -> str | None:
    """The text of the top-level blocks of these kinds, or None when the file has a shape the
    cutter does not follow (the caller parses the whole file then)."""
    pieces: list[str] = []
    i = 0
    try:
        while i < len(text):
            if text[i] in " \t\r\n\ufeff":
                i += 1
                continue
            skipped = _skip_comment(text, i)
            if skipped is not None:
                i = skipped
                continue
            word = _IDENT.match(text, i)
            if word is None:
                raise _CutError
            start, i = i, word.end()
            # the labels, up to the block's opening brace on the same line
            while True:
                if i >= len(text) or text[i] in "=\n":
                    raise _CutError  # a top-level attribute: not Terraform's shape
                if text[i] == '"':
                    i = _skip_string(text, i)
                elif text[i] == "{":
                    i = _skip_braces(text, i + 1)
                    break
                else:
                    i += 1
            if word.group() in kinds:
                pieces.append(text[start:i])
    except (_CutError, RecursionError):
        return None
    return "\n".join(pieces) + "\n" if pieces else ""


# --- reading the terraform and module blocks of one file ------------------------------------


@dataclass(frozen=True)
class FileSummary:
    """A file's backend/cloud blocks and local module sources, or why it could not be parsed."""

    backends: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    module_sources: tuple[str, ...] = ()
    error: str | None = None
    # OpenTofu's terraform { encryption { ... } } bodies, converted like the backend settings
    encryption: tuple[Mapping[str, Any], ...] = ()


_SUMMARIES: dict[tuple[str, bool], FileSummary] = {}
_SUMMARY_CACHE_SIZE = 8192


def _has_template(body: str) -> bool:
    i = 0
    while i < len(body) - 1:
        pair = body[i:i + 2]
        if pair in ("$$", "%%") and body.startswith("{", i + 2):
            i += 3
        elif pair in ("${", "%{"):
            return True
        else:
            i += 1
    return False


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(body: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            width = {"u": 4, "U": 8}.get(nxt)
            if width and re.fullmatch(r"[0-9A-Fa-f]+", body[i + 2:i + 2 + width] or "-"):
                out.append(chr(int(body[i + 2:i + 2 + width], 16)))
                i += 2 + width
                continue
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
        elif body.startswith(("$${", "%%{"), i):
            out.append(char + "{")
            i += 3
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _hcl_string(raw: str) -> str | Expression:
    # python-hcl2 8 keeps the quotes of literals and gives expressions as "${...}"
    if len(raw) >= 2 and raw[0] == raw[-1] == '"' and not raw.startswith('"<<'):
        body = raw[1:-1]
        if _has_template(body):
            return Expression(raw)
        return _unescape(body)
    if raw.startswith("${") and raw.endswith("}"):
        return Expression(raw[2:-1])
    return Expression(raw)


# python-hcl2's own markers among the keys of a block
_HCL2_KEYS = frozenset({"__is_block__", "__comments__", "__inline_comments__"})


def _is_block(value: Any) -> bool:
    return isinstance(value, dict) and "__is_block__" in value


def _hcl_value(value: Any) -> Any:
    if isinstance(value, str):
        return _hcl_string(value)
    if isinstance(value, list):
        if value and all(_is_block(v) for v in value):
            blocks = [_hcl_value(v) for v in value]
            return blocks[0] if len(blocks) == 1 else blocks
        return [_hcl_value(v) for v in value]
    if isinstance(value, dict):
        return {_unquote(k): _hcl_value(v) for k, v in value.items() if k not in _HCL2_KEYS}
    return value


def hcl_value(value: Any) -> Any:
    """python-hcl2's output as plain values: labels and literals unquoted, references and
    templates as ``Expression``."""
    return _hcl_value(value)


def _unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        return Expression(value) if _has_template(value) else value.replace("$${", "${")
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items() if k != "//"}
    return value


def json_value(value: Any) -> Any:
    """A ``.tf.json`` value as plain values: templates as ``Expression``, ``$${`` unescaped."""
    return _json_value(value)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _labelled(blocks: Any) -> Iterable[tuple[str, Any]]:
    """``backend "s3" {...}`` / ``module "x" {...}`` in either syntax: (label, body) pairs."""
    for block in _as_list(blocks):
        if isinstance(block, dict):
            for label, body in block.items():
                if label not in _HCL2_KEYS and label != "//":
                    yield _unquote(label), body


def _summary_from(document: Mapping[str, Any], convert: Any) -> FileSummary:
    backends: list[tuple[str, Mapping[str, Any]]] = []
    encryption: list[Mapping[str, Any]] = []
    for settings_block in _as_list(document.get("terraform")):
        if not isinstance(settings_block, dict):
            continue
        for body in _as_list(settings_block.get("encryption")):
            encryption.append(_settings(convert(body)))
        for kind, body in _labelled(settings_block.get("backend")):
            for item in _as_list(body):
                backends.append((kind, _settings(convert(item))))
        for body in _as_list(settings_block.get("cloud")):
            backends.append(("cloud", _settings(convert(body))))
    sources: list[str] = []
    for _name, body in _labelled(document.get("module")):
        for item in _as_list(body):
            if isinstance(item, dict):
                source = convert(item.get("source"))
                if isinstance(source, str) and source.startswith(("./", "../")):
                    sources.append(source)
    return FileSummary(tuple(backends), tuple(sources), encryption=tuple(encryption))


def _settings(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _parse_error(exc: Exception) -> str:
    line = getattr(exc, "line", None)
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"line {line}: {first}" if isinstance(line, int) and line > 0 else first


def _summarise_hcl(text: str) -> FileSummary:
    import hcl2

    extracted = extract_blocks(text, _BLOCK_KINDS)
    if extracted == "":
        return FileSummary()
    if extracted is not None:
        try:
            return _summary_from(hcl2.loads(extracted), _hcl_value)
        except Exception:  # parsed again whole below, which gives the error its true line
            pass
    try:
        document = hcl2.loads(text)
    except Exception as exc:  # lark raises many types; any of them means "cannot parse"
        return FileSummary(error=_parse_error(exc))
    return _summary_from(document, _hcl_value)


def _summarise_json(data: bytes) -> FileSummary:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return FileSummary(error=f"line {exc.lineno}: {exc.msg}")
    if not isinstance(document, dict):
        return FileSummary(error="the top level is not an object")
    return _summary_from(document, _json_value)


def summarise_file(path: str, data: bytes) -> FileSummary:
    """The backend blocks and local module sources of one file, cached by blob id."""
    if not any(word in data for word in _MENTIONS):
        return FileSummary()
    is_json = path.endswith(".json")
    key = (blob_id(data), is_json)
    cached = _SUMMARIES.get(key)
    if cached is not None:
        return cached
    if is_json:
        summary = _summarise_json(data)
    else:
        summary = _summarise_hcl(data.decode("utf-8-sig", errors="replace"))
    if len(_SUMMARIES) >= _SUMMARY_CACHE_SIZE:
        _SUMMARIES.clear()
    _SUMMARIES[key] = summary
    return summary
