"""Evaluating the values of an OpenTofu ``encryption`` block.

OpenTofu evaluates the block statically, before any state is read: literals, input variables,
locals and functions. cloudrift evaluates literals, ``var.NAME`` and templates made of them
(``"${var.passphrase}"``); a value it cannot evaluate is a ``ConfigError`` that names it, never a
guess. A variable's value is, from weakest to strongest as OpenTofu takes them: the ``default``
of its ``variable`` block in the root module, ``TF_VAR_NAME``, ``terraform.tfvars``,
``terraform.tfvars.json``, then ``*.auto.tfvars`` and ``*.auto.tfvars.json`` in name order.
Without a root module (``--from`` with ``TF_ENCRYPTION``) only ``TF_VAR_NAME`` is there.
"""

from __future__ import annotations

import posixpath
import re
import threading
from collections.abc import Mapping
from typing import Any

import orjson

from cloudrift.errors import ConfigError, SourceError
from cloudrift.sources.files import FileTree
from cloudrift.sources.tfblocks import Expression, hcl_value, json_value

_VAR = re.compile(r"\s*var\.([A-Za-z_][A-Za-z0-9_-]*)\s*\Z")
_INTERPOLATION = re.compile(r"(?<![$%])\$\{([^{}]*)\}")


class Variables:
    """Input variables of one root module (or of none), read when first asked for."""

    def __init__(self, env: Mapping[str, str], tree: FileTree | None = None,
                 directory: str = "") -> None:
        self._env = env
        self._tree = tree
        self._directory = directory
        self._lock = threading.Lock()
        self._loaded: dict[str, Any] | None = None

    def get(self, name: str, origin: str) -> Any:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
        if name not in self._loaded:
            where = " (no default, no TF_VAR_, no .tfvars value)" if self._tree else ""
            raise ConfigError(f"{origin}: var.{name} has no value{where}",
                              hint=f"set TF_VAR_{name}")
        return self._loaded[name]

    def _load(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        files = self._files()
        for path in files:
            if path.endswith((".tf", ".tf.json")):
                values.update(self._defaults(path))
        values.update({key[len("TF_VAR_"):]: value for key, value in self._env.items()
                       if key.startswith("TF_VAR_")})
        ordered = [f"{self._directory}/terraform.tfvars".lstrip("/"),
                   f"{self._directory}/terraform.tfvars.json".lstrip("/")]
        ordered += sorted(p for p in files if p.endswith((".auto.tfvars", ".auto.tfvars.json")))
        for path in ordered:
            if path in files:
                values.update(self._tfvars(path))
        return values

    def _files(self) -> list[str]:
        if self._tree is None:
            return []
        return [p for p in self._tree.walk(self._directory)
                if posixpath.dirname(p) == self._directory]

    def _document(self, path: str) -> Mapping[str, Any]:
        assert self._tree is not None
        try:
            data = self._tree.read(path)
            if path.endswith(".json"):
                document = json_value(orjson.loads(data))
            else:
                import hcl2

                document = hcl_value(hcl2.loads(data.decode("utf-8-sig") + "\n"))
        except SourceError:
            raise
        except Exception:  # lark raises many types; a value may be in the message: not shown
            raise ConfigError(f"{path}: cannot parse it to read the variables the encryption "
                              "configuration refers to") from None
        return document if isinstance(document, dict) else {}

    def _defaults(self, path: str) -> dict[str, Any]:
        assert self._tree is not None
        if b"variable" not in self._tree.read(path):
            return {}
        found: dict[str, Any] = {}
        blocks = self._document(path).get("variable")
        for block in blocks if isinstance(blocks, list) else [blocks]:
            if not isinstance(block, Mapping):
                continue
            for name, body in block.items():
                for item in body if isinstance(body, list) else [body]:
                    if isinstance(item, Mapping) and "default" in item:
                        found[name] = item["default"]
        return found

    def _tfvars(self, path: str) -> dict[str, Any]:
        return dict(self._document(path))


def _template(text: str, variables: Variables, origin: str, what: str) -> Any:
    """A string with ``${var.NAME}`` interpolations; one that is a single interpolation keeps
    the variable's own type."""
    whole = _INTERPOLATION.fullmatch(text)
    if whole is not None:
        return _expression(whole.group(1), variables, origin, what)
    out: list[str] = []
    position = 0
    for match in _INTERPOLATION.finditer(text):
        out.append(text[position:match.start()])
        value = _expression(match.group(1), variables, origin, what)
        if isinstance(value, (dict, list)) or value is None:
            raise ConfigError(f"{origin}: {what} interpolates a value that is not text")
        out.append(str(value).lower() if isinstance(value, bool) else str(value))
        position = match.end()
    out.append(text[position:])
    joined = "".join(out)
    if "%{" in joined.replace("%%{", ""):
        raise ConfigError(f"{origin}: {what} uses a template directive, which cloudrift does "
                          "not evaluate", hint="use a literal or var.NAME")
    return joined.replace("$${", "${").replace("%%{", "%{")


def _expression(text: str, variables: Variables, origin: str, what: str) -> Any:
    match = _VAR.match(text)
    if match is None:
        # the expression is the user's configuration, not a value: safe to name, but cut short
        shown = text.strip()
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise ConfigError(f"{origin}: {what} = {shown}: cloudrift evaluates literals and "
                          "var.NAME only", hint="give the value through a variable "
                          "(TF_VAR_NAME) or as a literal in TF_ENCRYPTION")
    value = variables.get(match.group(1), origin)
    if isinstance(value, Expression):
        raise ConfigError(f"{origin}: var.{match.group(1)} is not a literal value",
                          hint=f"set TF_VAR_{match.group(1)}")
    return value


def evaluate(value: Any, variables: Variables, origin: str, what: str) -> Any:
    """A literal as it is; ``var.NAME`` and templates of them evaluated; lists and objects
    element by element."""
    if isinstance(value, Expression):
        text = value.text
        if len(text) >= 2 and text[0] == text[-1] == '"':
            # a native HCL template: escapes were left in place for anything but ${...}
            body = text[1:-1]
            return _template(_unescape(body), variables, origin, what)
        if text.startswith("${") or "${" in text:
            return _template(text, variables, origin, what)
        return _expression(text, variables, origin, what)
    if isinstance(value, list):
        return [evaluate(v, variables, origin, what) for v in value]
    if isinstance(value, Mapping):
        return {k: evaluate(v, variables, origin, f"{what}.{k}") for k, v in value.items()}
    return value


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(body: str) -> str:
    out: list[str] = []
    position = 0
    while position < len(body):
        char = body[position]
        if char == "\\" and position + 1 < len(body):
            out.append(_ESCAPES.get(body[position + 1], "\\" + body[position + 1]))
            position += 2
        else:
            out.append(char)
            position += 1
    return "".join(out)
