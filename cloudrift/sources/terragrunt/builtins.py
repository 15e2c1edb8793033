"""The Terraform functions Terragrunt configurations use to build backend keys and sources.

Only pure functions of their arguments live here: string and collection helpers and paths.
Anything that reads the machine, the network or a clock is left unevaluated.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from typing import Any

from cloudrift.sources.terragrunt.values import (
    EvalError,
    Function,
    UnknownValueError,
    as_text,
    plain,
    type_name,
)


def _arity(name: str, args: list[Any], low: int, high: int | None = None) -> None:
    high = low if high is None else high
    if not low <= len(args) <= high:
        wanted = str(low) if low == high else f"{low} to {high}"
        raise EvalError(f"{name}() takes {wanted} argument(s), not {len(args)}")


def _string(name: str, value: Any) -> str:
    if isinstance(value, (list, dict)) or value is None:
        raise EvalError(f"{name}() needs a string, not a {type_name(value)}")
    return as_text(value)


def _list(name: str, value: Any) -> list[Any]:
    value = plain(value)
    if not isinstance(value, list):
        raise EvalError(f"{name}() needs a list, not a {type_name(value)}")
    return value


def _object(name: str, value: Any) -> dict[str, Any]:
    value = plain(value)
    if not isinstance(value, dict):
        raise EvalError(f"{name}() needs an object, not a {type_name(value)}")
    return value


def _strings(name: str, low: int, high: int | None,
             body: Callable[..., Any]) -> Function:
    def call(args: list[Any]) -> Any:
        _arity(name, args, low, high)
        return body(*[_string(name, a) for a in args])
    return call


def _format(args: list[Any]) -> str:
    if not args:
        raise EvalError("format() needs a format string")
    spec, values = _string("format", args[0]), [plain(a) for a in args[1:]]
    out: list[str] = []
    position = 0

    def verb(match: re.Match[str]) -> str:
        nonlocal position
        kind = match.group(2)
        if kind == "%":
            return "%"
        if position >= len(values):
            raise EvalError("format() has more verbs than values")
        value = values[position]
        position += 1
        if kind == "q":
            return json.dumps(_string("format", value))
        if kind in ("v", "s"):
            return json.dumps(value) if isinstance(value, (list, dict)) else as_text(value)
        if kind == "d":
            if not isinstance(value, int) or isinstance(value, bool):
                raise EvalError("format() %d needs a whole number")
            return f"%{match.group(1)}d" % value
        if kind == "t":
            return as_text(value)
        raise UnknownValueError(f"format() verb %{kind} is not evaluated")

    out.append(re.sub(r"%([-+ #0]*\d*)([a-zA-Z%])", verb, spec))
    return "".join(out)


def _replace(text: str, search: str, replacement: str) -> str:
    if len(search) >= 2 and search.startswith("/") and search.endswith("/"):
        # RE2 and Python agree on the patterns keys are built with; $1 becomes \1
        try:
            pattern = re.compile(search[1:-1])
        except re.error:
            raise UnknownValueError(f"the pattern {search} is not evaluated") from None
        return pattern.sub(re.sub(r"\$\{?(\d+)\}?", r"\\\1", replacement), text)
    return text.replace(search, replacement)


def _split(separator: str, text: str) -> list[str]:
    return text.split(separator) if separator else list(text)


def _join(args: list[Any]) -> str:
    if len(args) < 2:
        raise EvalError("join() takes a separator and at least one list")
    separator = _string("join", args[0])
    items = [item for a in args[1:] for item in _list("join", a)]
    return separator.join(_string("join", i) for i in items)


def _element(args: list[Any]) -> Any:
    _arity("element", args, 2)
    items = _list("element", args[0])
    if not items:
        raise EvalError("element() of an empty list")
    index = args[1]
    if not isinstance(index, int) or isinstance(index, bool):
        raise EvalError("element() needs a whole-number index")
    return items[index % len(items)]


def _lookup(args: list[Any]) -> Any:
    _arity("lookup", args, 2, 3)
    table, key = _object("lookup", args[0]), _string("lookup", args[1])
    if key in table:
        return table[key]
    if len(args) == 3:
        return plain(args[2])
    raise EvalError(f"lookup(): no key {key!r}")


def _merge(args: list[Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for arg in args:
        if arg is not None:
            merged.update(_object("merge", arg))
    return merged


def _concat(args: list[Any]) -> list[Any]:
    return [item for arg in args for item in _list("concat", arg)]


def _coalesce(args: list[Any]) -> Any:
    for arg in args:
        if arg is not None and arg != "":
            return plain(arg)
    raise EvalError("coalesce(): every argument is null or empty")


def _length(args: list[Any]) -> int:
    _arity("length", args, 1)
    value = plain(args[0])
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise EvalError(f"length() of a {type_name(value)}")


def _contains(args: list[Any]) -> bool:
    _arity("contains", args, 2)
    return plain(args[1]) in _list("contains", args[0])


def _keys(args: list[Any]) -> list[str]:
    _arity("keys", args, 1)
    return sorted(_object("keys", args[0]))


def _values(args: list[Any]) -> list[Any]:
    _arity("values", args, 1)
    table = _object("values", args[0])
    return [table[k] for k in sorted(table)]


def _jsondecode(args: list[Any]) -> Any:
    _arity("jsondecode", args, 1)
    try:
        return json.loads(_string("jsondecode", args[0]))
    except ValueError as exc:
        raise EvalError(f"jsondecode(): {exc}") from None


def _tostring(args: list[Any]) -> str:
    _arity("tostring", args, 1)
    return _string("tostring", args[0])


def _tonumber(args: list[Any]) -> Any:
    _arity("tonumber", args, 1)
    value = args[0]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = _string("tonumber", value)
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise EvalError(f"tonumber(): {text!r} is not a number") from None


def _tobool(args: list[Any]) -> bool:
    _arity("tobool", args, 1)
    if isinstance(args[0], bool):
        return args[0]
    if args[0] in ("true", "false"):
        return bool(args[0] == "true")
    raise EvalError(f"tobool(): {args[0]!r} is not a bool")


def _identity(name: str) -> Function:
    def call(args: list[Any]) -> Any:
        _arity(name, args, 1)
        return plain(args[0])
    return call


def _basename(path: str) -> str:
    # as Go's filepath.Base, which Terraform's basename is
    stripped = path.rstrip("/")
    if not stripped:
        return "/" if path else "."
    return posixpath.basename(stripped)


def _trim(text: str, cutset: str) -> str:
    return text.strip(cutset)


def _substr(args: list[Any]) -> str:
    _arity("substr", args, 3)
    text = _string("substr", args[0])
    offset, length = args[1], args[2]
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (offset, length)):
        raise EvalError("substr() needs whole-number offset and length")
    start = offset if offset >= 0 else max(len(text) + offset, 0)
    return text[start:] if length < 0 else text[start:start + length]


def _compact(args: list[Any]) -> list[Any]:
    _arity("compact", args, 1)
    return [i for i in _list("compact", args[0]) if i not in (None, "")]


def _flatten(args: list[Any]) -> list[Any]:
    _arity("flatten", args, 1)

    def flat(items: list[Any]) -> list[Any]:
        return [x for i in items for x in (flat(i) if isinstance(i, list) else [i])]

    return flat(_list("flatten", args[0]))


def _distinct(args: list[Any]) -> list[Any]:
    _arity("distinct", args, 1)
    out: list[Any] = []
    for item in _list("distinct", args[0]):
        if item not in out:
            out.append(item)
    return out


BUILTINS: dict[str, Function] = {
    "lower": _strings("lower", 1, 1, str.lower),
    "upper": _strings("upper", 1, 1, str.upper),
    "title": _strings("title", 1, 1, str.title),
    "trimspace": _strings("trimspace", 1, 1, str.strip),
    "trim": _strings("trim", 2, 2, _trim),
    "trimprefix": _strings("trimprefix", 2, 2, str.removeprefix),
    "trimsuffix": _strings("trimsuffix", 2, 2, str.removesuffix),
    "startswith": _strings("startswith", 2, 2, str.startswith),
    "endswith": _strings("endswith", 2, 2, str.endswith),
    "strcontains": _strings("strcontains", 2, 2, lambda a, b: b in a),
    "replace": _strings("replace", 3, 3, _replace),
    "split": _strings("split", 2, 2, _split),
    "basename": _strings("basename", 1, 1, _basename),
    "dirname": _strings("dirname", 1, 1, lambda p: posixpath.normpath(posixpath.dirname(p))),
    "strrev": _strings("strrev", 1, 1, lambda s: s[::-1]),
    "format": _format,
    "join": _join,
    "substr": _substr,
    "element": _element,
    "lookup": _lookup,
    "merge": _merge,
    "concat": _concat,
    "coalesce": _coalesce,
    "compact": _compact,
    "flatten": _flatten,
    "distinct": _distinct,
    "length": _length,
    "contains": _contains,
    "keys": _keys,
    "values": _values,
    "jsondecode": _jsondecode,
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tobool": _tobool,
    "tolist": _identity("tolist"),
    "toset": _identity("toset"),
    "tomap": _identity("tomap"),
    "nonsensitive": _identity("nonsensitive"),
    "sensitive": _identity("sensitive"),
}
