"""Terragrunt units in a tree: where each one's state is and where its Terraform code is.

A unit is a directory with a ``terragrunt.hcl`` that no other ``terragrunt.hcl`` includes (a
root ``terragrunt.hcl`` that units include is their shared parent, not a unit of its own).
Its backend comes from the merged ``remote_state``, else from a ``generate`` block whose
contents hold a ``backend`` block; its code from the merged ``terraform { source }`` (none:
the unit's own directory).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudrift.errors import SourceError
from cloudrift.sources.files import FileTree
from cloudrift.sources.terragrunt.config import CONFIG_NAMES, Configuration, Session
from cloudrift.sources.terragrunt.files import CHECKOUT, Files
from cloudrift.sources.terragrunt.values import NoValueError, as_text, plain
from cloudrift.sources.tfblocks import Expression, summarise_file

# go-getter's forms of a remote source: a forced getter (git::), a URL, and the hosts its
# detectors know without a scheme; anything else is a path (Terragrunt's FileDetector)
_REMOTE = re.compile(
    r"^(?:[A-Za-z0-9]+::|[A-Za-z][A-Za-z0-9+.-]*://|git@|(?:github\.com|gitlab\.com|"
    r"bitbucket\.org)/|[^/]*\.amazonaws\.com/|[^/]*\.googleapis\.com/)"
)


@dataclass(frozen=True)
class UnitConfig:
    """One unit as Terragrunt would run it, as far as it could be evaluated here."""

    directory: str  # in the tree, "" for its top
    file: str
    includes: tuple[str, ...] = ()
    backend: str | None = None
    # the backend's settings; an Expression stands for a setting that could not be evaluated
    settings: Mapping[str, Any] = field(default_factory=dict)
    # why each unevaluated setting is one: "file:line: `expression` reason"
    unevaluated: Mapping[str, str] = field(default_factory=dict)
    backend_file: str | None = None  # where the backend is declared
    source: str | None = None  # terraform { source }, evaluated
    code: str | None = None  # the code's directory in the tree, when it is a local path there
    remote_code: bool = False
    notes: tuple[str, ...] = ()
    # False when an include could not be followed: a backend or source it holds is unknown
    complete: bool = True


def is_remote_source(source: str) -> bool:
    return bool(_REMOTE.match(source)) and not source.startswith("file://")


def _code_directory(source: str, unit_dir: str, files: Files) -> tuple[str | None, str | None]:
    """The tree directory a local source names, or (None, why not)."""
    path = source.removeprefix("file://")
    # Terragrunt copies what is left of // and runs in what is right of it: the same directory
    path = re.sub(r"(?<!^)//", "/", path)
    absolute = posixpath.normpath(path if posixpath.isabs(path)
                                  else posixpath.join(unit_dir, path))
    inside = files.relative(absolute)
    if inside is None:
        return None, f"its code ({source}) is outside {files.tree.label}"
    if not files.is_dir(absolute):
        return None, f"its code ({source}) is not a directory in {files.tree.label}"
    return inside, None


def _settings(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class _Unit:
    def __init__(self, session: Session, configuration: Configuration, directory: str) -> None:
        self.session = session
        self.files = session.files
        self.configuration = configuration
        self.directory = directory
        self.notes = list(configuration.notes)
        # a remote_state or generate block that could not be evaluated: the state is somewhere
        # it says, never the local default
        self.backend_failed = False

    def build(self) -> UnitConfig:
        config = self.configuration
        file = config.file
        if file.error:
            return UnitConfig(self.directory, self.files.shown(config.path),
                              notes=(file.error,), complete=False)
        source, code, remote = self._code()
        backend, settings, unevaluated, backend_file = self._backend()
        self._settle(backend, settings, unevaluated, backend_file,
                     copied=self.configuration.source() is not None)
        return UnitConfig(
            directory=self.directory,
            file=self.files.shown(config.path),
            includes=tuple(self.files.shown(i.path) for i in config.includes),
            backend=backend,
            settings=settings,
            unevaluated=unevaluated,
            backend_file=backend_file,
            source=source,
            code=code,
            remote_code=remote,
            notes=tuple(self.notes),
            complete=config.complete and not self.backend_failed,
        )

    def _code(self) -> tuple[str | None, str | None, bool]:
        found = self.configuration.source()
        if found is None:
            return None, self.directory, False
        evaluation, node = found
        try:
            source = as_text(evaluation.value(node))
        except NoValueError as exc:
            self.notes.append(f"terraform source not evaluated: {exc.note()}")
            return None, None, False
        if CHECKOUT in source and not source.startswith(CHECKOUT):
            self.notes.append(f"terraform source {source} depends on where the repository is "
                              "checked out")
            return source, None, False
        if is_remote_source(source):
            return source, None, True
        directory = posixpath.dirname(self.configuration.path)
        code, why = _code_directory(source, directory, self.files)
        if why:
            self.notes.append(why)
        return source, code, False

    def _backend(self) -> tuple[str | None, dict[str, Any], dict[str, str], str | None]:
        found = self.configuration.remote_state()
        if found is not None:
            return self._remote_state(*found)
        for evaluation, block in self.configuration.generate_blocks():
            node = block.attributes.get("contents")
            if node is None or "backend" not in evaluation.evaluator.source_text(node):
                continue
            where = f"{evaluation.file.shown}:{block.line}"
            try:
                if block.attributes.get("disable") is not None and \
                        evaluation.value(block.attributes["disable"]) is True:
                    continue
                contents = as_text(evaluation.value(node))
            except NoValueError as exc:
                self.notes.append(f"generate block not evaluated: {exc.note()}")
                self.backend_failed = True
                return None, {}, {}, where
            summary = summarise_file("generated.tf", contents.encode())
            if summary.error:
                self.notes.append(f"{where}: the generated backend does not parse: "
                                  f"{summary.error}")
                self.backend_failed = True
                return None, {}, {}, where
            if summary.backends:
                kind, settings = summary.backends[0]
                return kind, dict(settings), {}, where
        return None, {}, {}, None

    def _remote_state(self, evaluation: Any, found: Any) -> tuple[
            str | None, dict[str, Any], dict[str, str], str | None]:
        form, item = found
        where = evaluation.file.shown
        settings: dict[str, Any] = {}
        unevaluated: dict[str, str] = {}
        try:
            if form == "attribute":
                where = f"{where}:{evaluation.evaluator.line(item)}"
                whole = _settings(plain(evaluation.value(item)))
                backend_value, config_node, config_value = whole.get("backend"), None, \
                    whole.get("config")
            else:
                where = f"{where}:{item.line}"
                if "backend" not in item.attributes:
                    self.notes.append(f"{where}: remote_state has no backend")
                    self.backend_failed = True
                    return None, {}, {}, where
                backend_value = evaluation.value(item.attributes["backend"])
                config_node = item.attributes.get("config")
                config_value = None
        except NoValueError as exc:
            self.notes.append(f"remote_state not evaluated: {exc.note()}")
            self.backend_failed = True
            return None, {}, {}, where
        if not isinstance(backend_value, str):
            self.notes.append(f"{where}: remote_state has no backend")
            self.backend_failed = True
            return None, {}, {}, where
        elements = evaluation.evaluator.elements(config_node) if config_node is not None \
            else None
        if elements is not None:
            # key by key: a setting the backend does not need may fail without harm
            for key, node in elements:
                try:
                    settings[key] = plain(evaluation.value(node))
                except NoValueError as exc:
                    settings[key] = Expression(evaluation.evaluator.source_text(node))
                    unevaluated[key] = exc.note()
        elif config_node is not None:
            try:
                settings = _settings(plain(evaluation.value(config_node)))
            except NoValueError as exc:
                self.notes.append(f"remote_state config not evaluated: {exc.note()}")
                return backend_value, {}, {}, where
        else:
            settings = _settings(config_value)
        return backend_value, settings, unevaluated, where

    def _settle(self, backend: str | None, settings: dict[str, Any],
                unevaluated: dict[str, str], where: str | None, copied: bool) -> None:
        """Paths made relative to the unit, and what depends on the checkout's place."""
        if backend == "local":
            path = settings.get("path", "terraform.tfstate")
            if isinstance(path, str) and posixpath.isabs(path):
                unit = self.files.absolute(self.directory)
                settings["path"] = posixpath.relpath(posixpath.normpath(path), unit)
            elif isinstance(path, str) and copied:
                settings["path"] = Expression(path)
                unevaluated["path"] = (f"{where}: the local state {path} is relative to the "
                                       "copy of the code in .terragrunt-cache, which is not read")
        for key, value in list(settings.items()):
            if isinstance(value, str) and CHECKOUT in value:
                settings[key] = Expression(value)
                unevaluated[key] = (f"{where}: {key} = {value} depends on where the repository "
                                    "is checked out")


def find_units(tree: FileTree, paths: Iterable[str], env: Mapping[str, str]) -> list[UnitConfig]:
    """Every unit in ``tree`` (whose files are ``paths``), evaluated."""
    files = Files(tree)
    session = Session(files, env)
    candidates = sorted(p for p in paths if posixpath.basename(p) == CONFIG_NAMES[0]
                        and ".terragrunt-cache" not in p.split("/"))
    configurations: dict[str, Configuration] = {}
    included: set[str] = set()
    units: list[UnitConfig] = []
    for path in candidates:
        try:
            configuration = session.resolve(files.absolute(path))
        except SourceError as exc:
            units.append(UnitConfig(posixpath.dirname(path), path, notes=(exc.message,),
                                    complete=False))
            continue
        configurations[path] = configuration
        included.update(i.path for i in configuration.includes if i.path != configuration.path)
    for path, configuration in configurations.items():
        if configuration.path in included:
            continue
        directory = posixpath.dirname(path)
        try:
            units.append(_Unit(session, configuration, directory).build())
        except SourceError as exc:
            units.append(UnitConfig(directory, path, notes=(exc.message,), complete=False))
    return sorted(units, key=lambda u: u.directory)
