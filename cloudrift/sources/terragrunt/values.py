"""The values Terragrunt expressions evaluate to, and the two ways of having none.

Values are plain Python: ``str``, ``int``/``float``, ``bool``, ``None``, ``list``, ``dict``, and
``LazyObject`` for what is computed only when read (a file's ``locals``, a configuration read with
``read_terragrunt_config``).

Two ways to fail, kept apart because ``try()`` must tell them apart:

- ``EvalError``: Terragrunt itself would fail (an unset variable with no default, a missing
  file, a missing attribute): ``try()`` moves on to its next argument;
- ``UnknownValueError``: the value exists when Terragrunt runs but cloudrift does not compute
  it (dependency outputs, ``run_cmd``, the AWS caller identity): never guessed, never caught.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# a function: its arguments, evaluated, in; its value out
Function = Callable[[list[Any]], Any]


class NoValueError(Exception):
    """An expression without a value here; ``where`` is ``file:line`` of the innermost
    expression that failed, ``text`` that expression's source."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.where: str | None = None
        self.text: str | None = None
        # raised by a variable (dependency.x.outputs.y): the whole traversal is named, not
        # only its first word
        self.traversal = False

    def note(self) -> str:
        text = f" `{_shorten(self.text)}`" if self.text else ""
        where = f"{self.where}:" if self.where else ""
        return f"{where}{text} {self.message}".strip()


class EvalError(NoValueError):
    """Terragrunt would fail here too."""


class UnknownValueError(NoValueError):
    """Terragrunt would compute a value cloudrift does not."""


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class LazyObject:
    """An object whose attributes are evaluated when read, each once."""

    def __init__(self, names: Sequence[str], get: Callable[[str], Any], what: str) -> None:
        self.names = tuple(dict.fromkeys(names))
        self._get = get
        self.what = what

    def get(self, name: str) -> Any:
        if name not in self.names:
            raise EvalError(f"{self.what} has no attribute {name!r}")
        return self._get(name)

    def materialise(self) -> dict[str, Any]:
        return {name: plain(self._get(name)) for name in self.names}

    def __repr__(self) -> str:
        return f"LazyObject({self.what}: {', '.join(self.names)})"


def plain(value: Any) -> Any:
    """``value`` with every ``LazyObject`` in it evaluated."""
    if isinstance(value, LazyObject):
        return value.materialise()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object"


def as_text(value: Any) -> str:
    """A value in a string template, as HCL converts it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    raise EvalError(f"a {type_name(value)} cannot be used as a string")


def parse_number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def as_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise EvalError(f"a {type_name(value)} is not a number")
    if isinstance(value, str):
        try:
            return parse_number(value)
        except ValueError:
            raise EvalError(f"{value!r} is not a number") from None
    return value


def get_attribute(value: Any, name: str) -> Any:
    if isinstance(value, LazyObject):
        return value.get(name)
    if isinstance(value, dict):
        if name not in value:
            raise EvalError(f"the object has no attribute {name!r}")
        return value[name]
    raise EvalError(f"a {type_name(value)} has no attribute {name!r}")


def get_index(value: Any, key: Any) -> Any:
    if isinstance(value, (LazyObject, dict)):
        return get_attribute(value, as_text(key))
    if isinstance(value, list):
        index = as_number(key)
        if not isinstance(index, int) or not 0 <= index < len(value):
            raise EvalError(f"index {key!r} is out of range")
        return value[index]
    raise EvalError(f"a {type_name(value)} cannot be indexed")
