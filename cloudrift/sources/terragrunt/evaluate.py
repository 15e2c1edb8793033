"""HCL expressions evaluated over python-hcl2's parse tree, as Terragrunt's configurations use them.

A key may read one local of a file whose other locals call ``run_cmd``: values that are objects
of many attributes (``locals``, a configuration read) are ``LazyObject``s, evaluated attribute by
attribute. What has no value raises ``EvalError`` or ``UnknownValueError`` (``values``), located
at the file and line of the expression.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from lark import Token, Tree

from cloudrift.sources.terragrunt.syntax import (
    name_of,
    quote_template,
    tokens,
    trees,
    unescape,
    unwrap,
)
from cloudrift.sources.terragrunt.values import (
    EvalError,
    Function,
    NoValueError,
    UnknownValueError,
    as_number,
    as_text,
    get_attribute,
    get_index,
    parse_number,
    plain,
    type_name,
)

_TRAVERSALS = frozenset({"identifier", "get_attr_expr_term", "index_expr_term"})


class Evaluator:
    """Evaluates expressions of one file.

    ``variables`` gives a root name's value (``local``, ``include``, ...); ``functions`` the
    functions callable by name."""

    def __init__(self, text: str, shown: str, variables: Callable[[str], Any],
                 functions: Mapping[str, Function], *, line_offset: int = 0) -> None:
        self.text = text
        self.shown = shown
        self.variables = variables
        self.functions = functions
        self.line_offset = line_offset
        self._scopes: list[dict[str, Any]] = []

    # --- entry points -------------------------------------------------------------------------

    def value(self, node: Any) -> Any:
        try:
            return self._value(node)
        except NoValueError as exc:
            self._locate(exc, node)
            raise
        except RecursionError:
            error: NoValueError = EvalError("is nested too deeply to evaluate")
            self._locate(error, node)
            raise error from None
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            # a shape of the parse tree or of a value this evaluator does not follow: said,
            # never guessed, and never a crash of the whole discovery
            error = UnknownValueError(f"is not evaluated ({type(exc).__name__}: {exc})")
            self._locate(error, node)
            raise error from None

    def elements(self, node: Any) -> list[tuple[str, Any]] | None:
        """The (key, value expression) pairs of an object literal; None for anything else."""
        node = unwrap(node)
        if not isinstance(node, Tree) or node.data != "object":
            return None
        pairs = []
        for element in trees(node):
            if element.data != "object_elem":
                continue
            key_node, value_node = trees(element)[0], trees(element)[-1]
            pairs.append((self.value_key(key_node), value_node))
        return pairs

    def source_text(self, node: Any) -> str:
        meta = getattr(node, "meta", None)
        if meta is None or getattr(meta, "empty", True):
            return ""
        return self.text[meta.start_pos:meta.end_pos]

    def line(self, node: Any) -> int:
        meta = getattr(node, "meta", None)
        if meta is None or getattr(meta, "empty", True):
            return 0
        return int(meta.line) + self.line_offset

    def _locate(self, exc: NoValueError, node: Any) -> None:
        if exc.where is None:
            exc.where = f"{self.shown}:{self.line(node)}"
            exc.text = self.source_text(node) or None

    # --- expressions --------------------------------------------------------------------------

    def _value(self, node: Any) -> Any:
        node = unwrap(node)
        if not isinstance(node, Tree):
            raise UnknownValueError(f"cannot read the expression {str(node)!r}")
        handler = getattr(self, f"_{node.data}", None)
        if handler is None:
            raise UnknownValueError(f"{node.data.replace('_', ' ')} expressions are not evaluated")
        try:
            result: Any = handler(node)
        except NoValueError as exc:
            self._locate(exc, node)
            if node.data not in _TRAVERSALS:
                exc.traversal = False
            raise
        return result

    def _expr_term(self, node: Tree[Any]) -> Any:
        inner = trees(node)
        if len(inner) != 1:
            raise UnknownValueError("cannot read this expression")
        return self._value(inner[0])

    def _int_lit(self, node: Tree[Any]) -> Any:
        return parse_number(str(node.children[0]))

    def _float_lit(self, node: Tree[Any]) -> Any:
        return float(str(node.children[0]))

    def _literal_value(self, node: Tree[Any]) -> Any:
        return {"true": True, "false": False, "null": None}[str(node.children[0])]

    def _identifier(self, node: Tree[Any]) -> Any:
        name = str(node.children[0])
        for scope in reversed(self._scopes):
            if name in scope:
                return scope[name]
        try:
            return self.variables(name)
        except NoValueError as exc:
            exc.traversal = True
            raise

    def _string(self, node: Tree[Any]) -> Any:
        parts: list[str] = []
        for part in trees(node):
            child = part.children[0] if part.children else None
            if isinstance(child, Token):
                text = str(child)
                if child.type == "STRING_CHARS":
                    parts.append(unescape(text))
                else:  # $${ and %%{ stand for themselves, once
                    parts.append(text[1:])
            elif isinstance(child, Tree) and child.data == "interpolation":
                parts.append(as_text(self._value(trees(child)[0])))
            else:
                raise UnknownValueError("template directives (%{ ... }) are not evaluated")
        return "".join(parts)

    def _heredoc_template(self, node: Tree[Any]) -> Any:
        return self._heredoc(node, trim=False)

    def _heredoc_template_trim(self, node: Tree[Any]) -> Any:
        return self._heredoc(node, trim=True)

    def _heredoc(self, node: Tree[Any], *, trim: bool) -> Any:
        raw = str(node.children[0])
        lines = raw.split("\n")
        body = lines[1:-2] if len(lines) >= 3 else []
        if trim:
            indents = [len(line) - len(line.lstrip()) for line in body if line.strip()]
            cut = min(indents, default=0)
            body = [line[cut:] for line in body]
        text = "\n".join(body) + ("\n" if body else "")
        if "${" not in text and "%{" not in text:
            return text
        return self._template(text, self.line(node))

    def _template(self, text: str, line: int) -> Any:
        """A heredoc's template, parsed as the quoted string it would be."""
        import hcl2

        quoted = quote_template(text)
        if quoted is None:
            raise UnknownValueError("this heredoc template is not evaluated")
        try:
            tree = hcl2.parses_to_tree(f"x = {quoted}\n")
        except Exception:  # lark raises many types; any of them means "cannot read"
            raise UnknownValueError("this heredoc template is not evaluated") from None
        attribute = next(tree.find_data("attribute"))
        inner = Evaluator(f"x = {quoted}\n", self.shown, self.variables, self.functions,
                          line_offset=line - 1 + self.line_offset)
        inner._scopes = self._scopes
        return inner._value(attribute.children[-1])

    def _tuple(self, node: Tree[Any]) -> Any:
        return [self._value(item) for item in trees(node)]

    def _object(self, node: Tree[Any]) -> Any:
        result: dict[str, Any] = {}
        for key, value_node in self.elements(node) or []:
            result[key] = self._value(value_node)
        return result

    def value_key(self, node: Any) -> str:
        """An object key: a bare name stands for itself, anything else is evaluated."""
        inner = trees(node)[0] if isinstance(node, Tree) and node.data == "object_elem_key" \
            else node
        if isinstance(inner, Tree) and inner.data == "keyword":
            return str(inner.children[0])
        bare = unwrap(inner)
        if isinstance(bare, Tree) and bare.data == "identifier":
            return str(bare.children[0])
        return as_text(self._value(inner))

    def _get_attr_expr_term(self, node: Tree[Any]) -> Any:
        target, attr = trees(node)
        name = name_of(trees(attr)[0])
        return get_attribute(self._traversed(target), name or "")

    def _index_expr_term(self, node: Tree[Any]) -> Any:
        target, index = trees(node)
        if index.data == "short_index":
            key: Any = int(tokens(index)[-1])
        else:
            key = self._value(trees(index)[0])
        return get_index(self._traversed(target), key)

    def _traversed(self, target: Any) -> Any:
        try:
            return self._value(target)
        except NoValueError as exc:
            if exc.traversal:
                exc.where = exc.text = None  # named by the traversal around it
            raise

    def _full_splat_expr_term(self, node: Tree[Any]) -> Any:
        return self._splat(node)

    def _attr_splat_expr_term(self, node: Tree[Any]) -> Any:
        return self._splat(node)

    def _splat(self, node: Tree[Any]) -> Any:
        target, splat = trees(node)
        value = plain(self._value(target))
        items = [] if value is None else value if isinstance(value, list) else [value]
        out = []
        for item in items:
            for step in trees(splat):
                if step.data == "get_attr":
                    item = get_attribute(item, name_of(trees(step)[0]) or "")
                elif step.data == "short_index":
                    item = get_index(item, int(tokens(step)[-1]))
                else:
                    item = get_index(item, self._value(trees(step)[0]))
            out.append(item)
        return out

    def _conditional(self, node: Tree[Any]) -> Any:
        condition, when_true, when_false = trees(node)
        chosen = self._value(condition)
        if not isinstance(chosen, bool):
            raise EvalError(f"the condition is a {type_name(chosen)}, not a bool")
        return self._value(when_true if chosen else when_false)

    def _unary_op(self, node: Tree[Any]) -> Any:
        operator = tokens(node)[0]
        value = self._value(trees(node)[0])
        if operator == "!":
            if not isinstance(value, bool):
                raise EvalError(f"! needs a bool, not a {type_name(value)}")
            return not value
        return -as_number(value)

    def _binary_op(self, node: Tree[Any]) -> Any:
        left_node, term = trees(node)[:2]
        operator_node, right_node = trees(term)[0], trees(term)[-1]
        operator = tokens(operator_node)[0]
        left = self._value(left_node)
        if operator in ("&&", "||"):
            if not isinstance(left, bool):
                raise EvalError(f"{operator} needs bools, not a {type_name(left)}")
            if (operator == "&&" and not left) or (operator == "||" and left):
                return left
            right = self._value(right_node)
            if not isinstance(right, bool):
                raise EvalError(f"{operator} needs bools, not a {type_name(right)}")
            return right
        right = self._value(right_node)
        if operator == "==":
            return plain(left) == plain(right)
        if operator == "!=":
            return plain(left) != plain(right)
        a, b = as_number(left), as_number(right)
        arithmetic: dict[str, Callable[[Any, Any], Any]] = {
            "+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
            "<": lambda x, y: x < y, ">": lambda x, y: x > y,
            "<=": lambda x, y: x <= y, ">=": lambda x, y: x >= y,
        }
        if operator in arithmetic:
            return arithmetic[operator](a, b)
        if b == 0:
            raise EvalError("division by zero")
        if operator == "/":
            quotient = a / b
            return int(quotient) if float(quotient).is_integer() else quotient
        return a - b * int(a / b)  # % keeps the dividend's sign, as in Go

    def _function_call(self, node: Tree[Any]) -> Any:
        names = [c for c in node.children if isinstance(c, Tree) and c.data == "identifier"]
        name = str(names[0].children[0])
        if len(names) > 1:
            raise UnknownValueError("provider functions are not evaluated")
        arguments = next((c for c in node.children
                          if isinstance(c, Tree) and c.data == "arguments"), None)
        nodes = trees(arguments) if arguments is not None else []
        expand = arguments is not None and "..." in tokens(arguments)
        if name in ("try", "can"):
            return self._try(name, nodes)
        function = self.functions.get(name)
        if function is None:
            raise UnknownValueError(f"the function {name}() is not evaluated by cloudrift")
        values = [self._value(n) for n in nodes]
        if expand:
            last = plain(values.pop()) if values else None
            if not isinstance(last, list):
                raise EvalError("... needs a list to expand")
            values.extend(last)
        return function(values)

    def _try(self, name: str, nodes: list[Any]) -> Any:
        if name == "can":
            if len(nodes) != 1:
                raise EvalError("can() takes one argument")
            try:
                self._value(nodes[0])
            except EvalError:
                return False
            return True
        last: EvalError | None = None
        for argument in nodes:
            try:
                return plain(self._value(argument))
            except EvalError as exc:
                last = exc
        raise last or EvalError("try() needs at least one argument")

    def _for_tuple_expr(self, node: Tree[Any]) -> Any:
        intro, body, condition = self._for_parts(node)
        out = []
        for scope in self._for_scopes(intro):
            self._scopes.append(scope)
            try:
                if condition is None or self._condition(condition):
                    out.append(self._value(body[0]))
            finally:
                self._scopes.pop()
        return out

    def _for_object_expr(self, node: Tree[Any]) -> Any:
        intro, body, condition = self._for_parts(node)
        grouped = "..." in tokens(node)
        out: dict[str, Any] = {}
        for scope in self._for_scopes(intro):
            self._scopes.append(scope)
            try:
                if condition is not None and not self._condition(condition):
                    continue
                key = as_text(self._value(body[0]))
                value = self._value(body[1])
                if grouped:
                    out.setdefault(key, []).append(value)
                elif key in out:
                    raise EvalError(f"duplicate key {key!r} in a for expression")
                else:
                    out[key] = value
            finally:
                self._scopes.pop()
        return out

    def _for_parts(self, node: Tree[Any]) -> tuple[Tree[Any], list[Any], Tree[Any] | None]:
        parts = trees(node)
        intro = parts[0]
        condition = parts[-1] if parts[-1].data == "for_cond" else None
        body = parts[1:-1] if condition is not None else parts[1:]
        return intro, body, condition

    def _condition(self, node: Tree[Any]) -> bool:
        value = self._value(trees(node)[0])
        if not isinstance(value, bool):
            raise EvalError(f"a for expression's if is a {type_name(value)}, not a bool")
        return value

    def _for_scopes(self, intro: Tree[Any]) -> Iterator[dict[str, Any]]:
        parts = trees(intro)
        names = [str(t.children[0]) for t in parts[:-1]]
        collection = plain(self._value(parts[-1]))
        if isinstance(collection, dict):
            pairs: list[tuple[Any, Any]] = sorted(collection.items())
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        else:
            raise EvalError(f"a for expression cannot iterate over a {type_name(collection)}")
        for key, value in pairs:
            yield {names[0]: key, names[1]: value} if len(names) == 2 else {names[0]: value}


