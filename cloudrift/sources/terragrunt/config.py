"""Terragrunt configuration files, evaluated as Terragrunt evaluates them for one unit.

Facts this follows (Terragrunt's ``pkg/config``):

- an included file is evaluated in the *including unit's* context: ``get_terragrunt_dir()`` and
  ``find_in_parent_folders()`` there start from the unit's directory, and
  ``path_relative_to_include()`` is the path from the included file's directory to the unit's;
- ``read_terragrunt_config(path)`` evaluates ``path`` in its own context (its own directory,
  its own includes), resolving a relative ``path`` from the current configuration's directory;
- an included file may not include another (Terragrunt refuses it);
- a file's ``locals`` are its own: a unit reads an included file's locals only through an
  exposed include (``include.<name>.locals.x``);
- merging (``merge_strategy`` shallow, the default, or deep): the unit overrides its includes,
  a later include overrides an earlier one; ``remote_state`` is replaced whole, never merged
  key by key; ``terraform.source`` is taken from the last that sets it; ``no_merge`` merges
  nothing in.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cloudrift.sources.terragrunt.builtins import BUILTINS
from cloudrift.sources.terragrunt.evaluate import Evaluator
from cloudrift.sources.terragrunt.files import Files
from cloudrift.sources.terragrunt.functions import terragrunt_functions
from cloudrift.sources.terragrunt.syntax import Block, ConfigFile, parse_config
from cloudrift.sources.terragrunt.values import (
    EvalError,
    Function,
    LazyObject,
    NoValueError,
    UnknownValueError,
    plain,
)

CONFIG_NAMES = ("terragrunt.hcl", "terragrunt.hcl.json")
_DEPENDENCY = "dependency outputs are only known once that unit is applied"
MERGE_STRATEGIES = ("no_merge", "shallow", "deep")


@dataclass(frozen=True)
class Include:
    """One ``include`` block of a unit, its path made absolute."""

    name: str  # "" for a bare ``include { }``
    path: str
    expose: bool = False
    merge_strategy: str = "shallow"


@dataclass(frozen=True)
class Scope:
    """What Terragrunt's parsing context holds: the configuration being parsed (the unit's, or
    a file read with ``read_terragrunt_config``), the unit's own, and the includes in play."""

    config_path: str
    original_path: str
    includes: tuple[Include, ...] = ()
    including: Include | None = None  # while evaluating an included file: the include


class Session:
    """One discovery run: parsed files and configurations read, shared by every unit."""

    def __init__(self, files: Files, env: Mapping[str, str]) -> None:
        self.files = files
        self.env = env
        self._parsed: dict[str, ConfigFile] = {}
        self._read: dict[tuple[str, str], LazyObject] = {}
        self._reading: list[str] = []

    def parse(self, path: str) -> ConfigFile:
        found = self._parsed.get(path)
        if found is None:
            shown = self.files.shown(path)
            if path.endswith(".json"):
                found = ConfigFile(path, shown, error=f"{shown}: JSON configurations are not "
                                   "read")
            else:
                found = parse_config(path, shown, self.files.read(path))
            self._parsed[path] = found
        return found

    def resolve(self, path: str, original: str | None = None) -> Configuration:
        return Configuration(self, path, original or path)

    def read_config(self, path: str, original: str) -> LazyObject:
        """``read_terragrunt_config(path)``: the configuration at ``path`` as an object."""
        key = (path, original)
        if key not in self._read:
            if path in self._reading:
                raise EvalError(f"{self.files.shown(path)} reads itself")
            self._reading.append(path)
            try:
                configuration = self.resolve(path, original)
                if configuration.file.error:
                    raise EvalError(configuration.file.error)
                self._read[key] = configuration.as_object()
            finally:
                self._reading.pop()
        return self._read[key]


class FileEvaluation:
    """One file's expressions in one scope: its locals, each evaluated once."""

    def __init__(self, session: Session, file: ConfigFile, scope: Scope,
                 exposed: Callable[[], Any] | None = None) -> None:
        self.session = session
        self.file = file
        self.scope = scope
        self._exposed = exposed
        self._locals: dict[str, Any] = {}
        for block in file.of("locals"):
            self._locals.update(block.attributes)
        self._values: dict[str, Any] = {}
        self._failures: dict[str, NoValueError] = {}
        self._in_progress: set[str] = set()
        functions: dict[str, Function] = {**BUILTINS,
                                          **terragrunt_functions(session, scope)}
        self.evaluator = Evaluator(file.text, file.shown, self._variable, functions)
        self.locals = LazyObject(list(self._locals), self._local, f"{file.shown} locals")

    def value(self, node: Any) -> Any:
        return self.evaluator.value(node)

    def _local(self, name: str) -> Any:
        if name in self._failures:
            raise self._failures[name]
        if name not in self._values:
            if name in self._in_progress:
                raise EvalError(f"local.{name} refers to itself")
            self._in_progress.add(name)
            try:
                self._values[name] = self.value(self._locals[name])
            except NoValueError as exc:
                self._failures[name] = exc
                raise
            finally:
                self._in_progress.discard(name)
        return self._values[name]

    def _variable(self, name: str) -> Any:
        if name == "local":
            return self.locals
        if name == "include":
            if self._exposed is None:
                raise EvalError("include is only known in the unit that declares it")
            return self._exposed()
        if name == "dependency":
            raise UnknownValueError(_DEPENDENCY)
        if name == "feature":
            raise UnknownValueError("feature flags are not evaluated")
        if name == "values":
            raise UnknownValueError("stack values are not evaluated")
        raise EvalError(f"unknown variable {name!r}")

    # --- blocks ---------------------------------------------------------------------------

    def remote_state(self) -> Any | None:
        """This file's own ``remote_state`` (block or attribute), or None."""
        blocks = self.file.of("remote_state")
        if blocks:
            return ("block", blocks[-1])
        if "remote_state" in self.file.attributes:
            return ("attribute", self.file.attributes["remote_state"])
        return None

    def source(self) -> Any | None:
        """The node of this file's ``terraform { source = ... }``, or None."""
        for block in reversed(self.file.of("terraform")):
            if "source" in block.attributes:
                return block.attributes["source"]
        return None

    def as_object(self, remote_state: Callable[[], Any], source: Callable[[], Any],
                  inputs: Callable[[], Any]) -> LazyObject:
        extra = [n for n in self.file.attributes if n not in ("inputs", "remote_state")]

        def get(name: str) -> Any:
            if name == "locals":
                return self.locals
            if name == "inputs":
                return inputs()
            if name == "remote_state":
                return remote_state()
            if name == "terraform":
                return {"source": source()}
            if name == "dependency":
                raise UnknownValueError(_DEPENDENCY)
            return self.value(self.file.attributes[name])

        names = ["locals", "inputs", "remote_state", "terraform", "dependency", *extra]
        return LazyObject(names, get, self.file.shown)


class Configuration:
    """The configuration Terragrunt parses at ``path``: the file, its includes, merged."""

    def __init__(self, session: Session, path: str, original: str) -> None:
        self.session = session
        self.path = path
        self.file = session.parse(path)
        self.notes: list[str] = []
        # False when an include could not be followed: what it would merge in is unknown
        self.complete = True
        bare = FileEvaluation(session, self.file, Scope(path, original))
        includes = [i for i in (self._include(bare, b) for b in self.file.of("include")) if i]
        self.includes = tuple(includes)
        scope = Scope(path, original, self.includes)
        self.own = FileEvaluation(session, self.file, scope, self._exposed)
        self.parents: list[tuple[Include, FileEvaluation]] = []
        for include in includes:
            if not session.files.is_file(include.path):
                self.notes.append(f"{self.file.shown}: the included file "
                                  f"{session.files.shown(include.path)} does not exist")
                self.complete = False
                continue
            parent = session.parse(include.path)
            if parent.error:
                self.notes.append(parent.error)
                self.complete = False
                continue
            if parent.of("include"):
                self.notes.append(f"{parent.shown} includes another file: Terragrunt allows "
                                  "one level of include only, so it is not followed")
            self.parents.append((include, FileEvaluation(
                session, parent, Scope(path, original, (), include))))
        self._exposed_value: Any = None

    def _include(self, bare: FileEvaluation, block: Block) -> Include | None:
        name = block.labels[0] if block.labels else ""
        shown = f'include "{name}"' if name else "include"
        if "path" not in block.attributes:
            self.notes.append(f"{self.file.shown}:{block.line}: {shown} has no path")
            self.complete = False
            return None
        try:
            path = bare.value(block.attributes["path"])
            expose = bare.value(block.attributes["expose"]) if "expose" in block.attributes \
                else False
            strategy = bare.value(block.attributes["merge_strategy"]) \
                if "merge_strategy" in block.attributes else "shallow"
        except NoValueError as exc:
            self.notes.append(f"{shown} not followed: {exc.note()}")
            self.complete = False
            return None
        if not isinstance(path, str) or strategy not in MERGE_STRATEGIES:
            self.notes.append(f"{self.file.shown}:{block.line}: {shown} has an invalid path or "
                              "merge_strategy")
            self.complete = False
            return None
        if not posixpath.isabs(path):
            path = posixpath.join(posixpath.dirname(self.path), path)
        return Include(name, posixpath.normpath(path), expose is True, strategy)

    # --- merging ----------------------------------------------------------------------------

    def _merged(self) -> list[FileEvaluation]:
        """The files merged into this configuration, the one that wins first."""
        return [self.own, *(e for i, e in reversed(self.parents) if i.merge_strategy != "no_merge")]

    def remote_state(self) -> tuple[FileEvaluation, Any] | None:
        for evaluation in self._merged():
            found = evaluation.remote_state()
            if found is not None:
                return evaluation, found
        return None

    def source(self) -> tuple[FileEvaluation, Any] | None:
        for evaluation in self._merged():
            node = evaluation.source()
            if node is not None:
                return evaluation, node
        return None

    def generate_blocks(self) -> list[tuple[FileEvaluation, Block]]:
        """Every ``generate`` block merged in, by name; the unit's own win."""
        chosen: dict[str, tuple[FileEvaluation, Block]] = {}
        for evaluation in reversed(self._merged()):
            for block in evaluation.file.of("generate"):
                chosen[block.labels[0] if block.labels else ""] = (evaluation, block)
        return [chosen[name] for name in sorted(chosen)]

    def inputs(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for evaluation in reversed(self._merged()):
            node = evaluation.file.attributes.get("inputs")
            if node is not None:
                value = plain(evaluation.value(node))
                if isinstance(value, dict):
                    merged.update(value)
        return merged

    def _exposed(self) -> Any:
        """``include``: the exposed included files, each as an object (not merged)."""
        if self._exposed_value is None:
            exposed = {i.name: self._file_object(e) for i, e in self.parents if i.expose}
            bare = [i for i in self.includes if i.name == ""]
            if len(self.includes) == 1 and bare and "" in exposed:
                self._exposed_value = exposed[""]
            else:
                self._exposed_value = exposed
        return self._exposed_value

    def _file_object(self, evaluation: FileEvaluation) -> LazyObject:
        def remote() -> Any:
            found = evaluation.remote_state()
            return None if found is None else remote_state_value(evaluation, found)

        def source() -> Any:
            node = evaluation.source()
            return None if node is None else evaluation.value(node)

        def inputs() -> Any:
            node = evaluation.file.attributes.get("inputs")
            return {} if node is None else evaluation.value(node)

        return evaluation.as_object(remote, source, inputs)

    def as_object(self) -> LazyObject:
        def remote() -> Any:
            found = self.remote_state()
            return None if found is None else remote_state_value(*found)

        def source() -> Any:
            found = self.source()
            return None if found is None else found[0].value(found[1])

        return self.own.as_object(remote, source, self.inputs)


def remote_state_value(evaluation: FileEvaluation, found: Any) -> Any:
    """A ``remote_state`` block or attribute as the object Terragrunt exposes."""
    form, item = found
    if form == "attribute":
        return evaluation.value(item)
    return {name: evaluation.value(node) for name, node in item.attributes.items()}
