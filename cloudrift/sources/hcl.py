"""Terraform code: which resources it declares, and where.

``load_hcl`` reads a root module from a ``FileTree``, follows local module calls, and returns an
``HclIndex`` that maps a state address to the ``file:line`` of the block that declared it and
lists resources declared in code but absent from the state (``unapplied``).

What a module is, as Terraform reads it: every ``*.tf`` and ``*.tf.json`` file directly in its
directory, in name order, except override files (``override.tf``, ``*_override.tf`` and their
JSON forms: they amend blocks declared elsewhere, never declare new ones) and files Terraform
ignores (names starting with ``.``, ending with ``~``, or ``#...#`` editor files).

Parsing is the slow part, so each file's extracted blocks are cached by content (see
``hcl_cache``) and cache misses are parsed in parallel processes. A file that does not parse is
an ``HclError`` in the index; the other files still load.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field

from cloudrift.errors import SourceError
from cloudrift.sources.files import FileTree
from cloudrift.sources.hcl_blocks import ONE, SOME, Block, FileResult, file_kind
from cloudrift.sources.hcl_cache import ParseCache, Parser

__all__ = [
    "DeclaredResource",
    "HclError",
    "HclIndex",
    "ModuleCall",
    "load_hcl",
    "split_address",
    "strip_keys",
]


@dataclass(frozen=True)
class DeclaredResource:
    """A ``resource`` or ``data`` block, as instantiated by one chain of module calls."""

    module_path: tuple[str, ...]  # ("net",) for module.net; ("net", "sub") nested; () root
    mode: str  # "managed" or "data"
    type: str
    name: str
    file: str  # POSIX path relative to the tree root
    line: int  # line of the `resource "t" "n" {` block opening
    # True when this block, or a module call above it, has a count / for_each that is a literal
    # zero / empty collection or an expression we do not evaluate: no instance may be right.
    may_be_empty: bool = False
    # the block's argument and nested block names: what it declares inline
    arguments: frozenset[str] = frozenset()

    @property
    def address(self) -> str:
        """``module.net.aws_subnet.s`` (no instance keys)."""
        prefix = "".join(f"module.{m}." for m in self.module_path)
        data = "data." if self.mode == "data" else ""
        return f"{prefix}{data}{self.type}.{self.name}"

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class HclError:
    """A file (or a module call in it) that could not be read; ``line`` is 0 when unknown."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ModuleCall:
    """A ``module`` block, as reached by one chain of calls; ``local`` for a path source."""

    module_path: tuple[str, ...]  # of the called module: ("net", "sub") for module.net.module.sub
    source: str | None
    file: str
    line: int
    local: bool

    @property
    def address(self) -> str:
        return ".".join(f"module.{m}" for m in self.module_path)


@dataclass
class HclIndex:
    """What ``load_hcl`` found: declared resources in module-walk order (each module's files in
    name order, then the modules it calls), the files and calls that could not be read, the
    module calls, and the ``moved`` blocks."""

    resources: list[DeclaredResource] = field(default_factory=list)
    errors: list[HclError] = field(default_factory=list)
    modules: list[ModuleCall] = field(default_factory=list)
    # (from, to) of `moved` blocks as absolute addresses without instance keys
    moves: list[tuple[str, str]] = field(default_factory=list)
    parsed: int = 0  # files parsed by this load (files with identical bytes count once)
    cached: int = 0  # files whose parse came from the cache
    _lookup: dict[tuple[tuple[str, ...], str, str, str], DeclaredResource] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _remote: dict[tuple[str, ...], ModuleCall] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _indexed: tuple[int, int] = field(default=(-1, -1), init=False, repr=False, compare=False)

    @property
    def remote_modules(self) -> list[str]:
        """Addresses of module calls with a registry, Git, URL or other non-local source: their
        resources are not in this index."""
        return [m.address for m in self.modules if not m.local]

    def _refresh(self) -> None:
        # built on first use, and again should the lists be extended afterwards
        if self._indexed == (len(self.resources), len(self.modules)):
            return
        self._lookup.clear()
        for resource in reversed(self.resources):  # the first declaration wins
            key = (resource.module_path, resource.mode, resource.type, resource.name)
            self._lookup[key] = resource
        self._remote = {call.module_path: call for call in reversed(self.modules)
                        if not call.local}
        self._indexed = (len(self.resources), len(self.modules))

    def locate(self, address: str) -> str | None:
        """``file:line`` of the block that declared a state address, instance keys ignored.

        ``module.net[0].aws_subnet.s[1]`` -> ``modules/network/main.tf:14``. A resource inside a
        module we could not follow (a registry or Git source) is located at that module call;
        None when the code does not declare the address at all.
        """
        parts = split_address(address)
        if parts is None:
            return None
        self._refresh()
        resource = self._lookup.get(parts)
        if resource is not None:
            return resource.location
        module_path = parts[0]
        for depth in range(len(module_path), 0, -1):
            call = self._remote.get(module_path[:depth])
            if call is not None:
                return f"{call.file}:{call.line}"
        return None

    def declared_arguments(self, address: str) -> frozenset[str] | None:
        """The argument and nested block names the block of a state address declares inline;
        None when this code does not declare the address (or only a remote module does)."""
        parts = split_address(address)
        if parts is None:
            return None
        self._refresh()
        resource = self._lookup.get(parts)
        return None if resource is None else resource.arguments

    def unapplied(self, state_addresses: Iterable[str]) -> list[DeclaredResource]:
        """Managed resources declared in code with no instance in the given state addresses.

        Addresses are compared without instance keys. No false positives, so a resource is left
        out when it may rightly have no instance: its count / for_each (or that of a module call
        above it) is a literal 0 or empty collection, or an expression we cannot evaluate here
        (``count = var.n``) and so is possibly empty. A resource that a ``moved`` block maps from
        an address the state still holds is pending a move, not unapplied.
        """
        in_state: set[str] = set()
        for address in state_addresses:
            stripped = strip_keys(address)
            if stripped is not None:
                in_state.add(stripped)
        return [
            resource
            for resource in self.resources
            if resource.mode == "managed"
            and not resource.may_be_empty
            and not self._in_state(resource.address, in_state)
        ]

    def _in_state(self, address: str, in_state: set[str]) -> bool:
        """Under this address, or under one that ``moved`` blocks lead from."""
        seen = {address}
        pending = [address]
        while pending:
            current = pending.pop()
            if current in in_state:
                return True
            for old, new in self.moves:
                if current == new or current.startswith(new + "."):
                    previous = old + current[len(new):]
                    if previous not in seen:
                        seen.add(previous)
                        pending.append(previous)
        return False


def _segments(address: str) -> list[str] | None:
    """Dot-separated parts of an address with every ``[key]`` dropped; None if malformed."""
    parts: list[str] = []
    current: list[str] = []
    position, end = 0, len(address)
    while position < end:
        char = address[position]
        if char == ".":
            parts.append("".join(current))
            current = []
            position += 1
        elif char == "[":
            position += 1
            if address.startswith('"', position):
                position += 1
                while position < end and address[position] != '"':
                    position += 2 if address[position] == "\\" else 1
                position += 1
            else:
                while position < end and address[position] not in "]\"[":
                    position += 1
            if position >= end or address[position] != "]":
                return None
            position += 1
            if position < end and address[position] not in ".[":
                return None
        else:
            current.append(char)
            position += 1
    parts.append("".join(current))
    if not all(p and (p[0].isalpha() or p[0] == "_") for p in parts):
        return None
    return parts


def strip_keys(address: str) -> str | None:
    """``module.a[0].aws_x.b["k"]`` -> ``module.a.aws_x.b``; None if it is not an address."""
    parts = _segments(address)
    return None if parts is None else ".".join(parts)


def split_address(address: str) -> tuple[tuple[str, ...], str, str, str] | None:
    """``module.a["k"].data.aws_x.y[0]`` -> ``(("a",), "data", "aws_x", "y")``."""
    parts = _segments(address)
    if parts is None:
        return None
    modules: list[str] = []
    while len(parts) > 2 and parts[0] == "module":
        modules.append(parts[1])
        parts = parts[2:]
    if len(parts) == 3 and parts[0] == "data":
        return tuple(modules), "data", parts[1], parts[2]
    if len(parts) == 2 and parts[0] not in ("module", "data"):
        return tuple(modules), "managed", parts[0], parts[1]
    return None


def _is_config_file(name: str) -> bool:
    if not (name.endswith(".tf") or name.endswith(".tf.json")):
        return False
    if name.startswith(".") or name.endswith("~") or (name.startswith("#") and name.endswith("#")):
        return False
    stem = name.removesuffix(".json").removesuffix(".tf")
    return stem != "override" and not stem.endswith("_override")


def _is_local_source(source: str) -> bool:
    return source.startswith(("./", "../")) or source in (".", "..")


def _join(directory: str, relative: str) -> str | None:
    """A directory relative to the tree root, or None if the path leaves the tree."""
    joined = posixpath.normpath(posixpath.join(directory or ".", relative))
    if joined == ".":
        return ""
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return None
    return joined


class _Loader:
    def __init__(self, tree: FileTree, cache: ParseCache, parser: Parser) -> None:
        self.tree = tree
        self.cache = cache
        self.parser = parser
        self.index = HclIndex()
        self.files: dict[str, FileResult] = {}  # path -> parse result
        self.by_dir: dict[str, set[str]] = {}
        self.listed: dict[str, list[str]] = {}
        self.walked: list[str] = []
        self.error_keys: set[tuple[str, int, str]] = set()

    def error(self, file: str, line: int, message: str) -> None:
        if (file, line, message) not in self.error_keys:
            self.error_keys.add((file, line, message))
            self.index.errors.append(HclError(file, line, message))

    def config_files(self, directory: str) -> list[str]:
        if directory in self.listed:
            return self.listed[directory]
        covered = any(w == "" or directory == w or directory.startswith(w + "/")
                      for w in self.walked)
        if not covered:
            self.walked.append(directory)
            for path in self.tree.walk(directory):
                parent, _, name = path.rpartition("/")
                self.by_dir.setdefault(parent, set()).add(name)
        names = sorted(n for n in self.by_dir.get(directory, ()) if _is_config_file(n))
        self.listed[directory] = [f"{directory}/{n}" if directory else n for n in names]
        return self.listed[directory]

    def parse_directories(self, directories: Iterable[str]) -> None:
        # files with the same bytes (a module vendored twice) are parsed once
        misses: dict[tuple[str, str], list[str]] = {}  # (digest, syntax) -> paths
        contents: dict[tuple[str, str], bytes] = {}
        for directory in directories:
            for path in self.config_files(directory):
                if path in self.files:
                    continue
                try:
                    key = (self.tree.digest(path), file_kind(path))
                    if key in misses:
                        misses[key].append(path)
                        continue
                    hit = self.cache.get(*key)
                    if hit is not None:
                        self.files[path] = hit
                        self.index.cached += 1
                        continue
                    contents[key] = self.tree.read(path)
                    misses[key] = [path]
                except SourceError as exc:
                    self.files[path] = FileResult()
                    self.error(path, 0, exc.message)
        keys = list(misses)
        results = self.parser.parse([(misses[key][0], contents[key]) for key in keys])
        for key, result in zip(keys, results, strict=True):
            for path in misses[key]:
                self.files[path] = result
            self.index.parsed += 1
            self.cache.put(*key, result)

    def blocks(self, directory: str) -> list[tuple[str, Block]]:
        return [(path, block) for path in self.config_files(directory)
                for block in self.files[path].blocks]

    def discover(self, root: str) -> None:
        """Parse the root and every local module directory it reaches, one level at a time, so
        that each level's cache misses are parsed together."""
        seen = {root}
        level = [root]
        while level:
            self.parse_directories(level)
            following: list[str] = []
            for directory in level:
                for _, block in self.blocks(directory):
                    if block.kind != "module" or not block.source:
                        continue
                    if not _is_local_source(block.source):
                        continue
                    child = _join(directory, block.source)
                    if child is not None and child not in seen and self.tree.is_dir(child):
                        seen.add(child)
                        following.append(child)
            level = following

    def instantiate(self, directory: str, module_path: tuple[str, ...], may_be_empty: bool,
                    stack: tuple[str, ...]) -> None:
        prefix = "".join(f"module.{m}." for m in module_path)
        calls: list[tuple[str, Block]] = []
        for path in self.config_files(directory):
            for problem in self.files[path].problems:
                self.error(path, problem.line, problem.message)
        for path, block in self.blocks(directory):
            if block.kind in ("resource", "data"):
                self.index.resources.append(DeclaredResource(
                    module_path=module_path,
                    mode="managed" if block.kind == "resource" else "data",
                    type=block.type,
                    name=block.name,
                    file=path,
                    line=block.line,
                    may_be_empty=may_be_empty or block.expansion not in (ONE, SOME),
                    arguments=frozenset(block.arguments),
                ))
            elif block.kind == "moved":
                old, new = strip_keys(block.moved_from), strip_keys(block.moved_to)
                if old is not None and new is not None:
                    self.index.moves.append((prefix + old, prefix + new))
            elif block.kind == "module":
                calls.append((path, block))
        # every call of this module is listed before any is followed: declaration order
        followed = [(call, block) for path, block in calls
                    if (call := self.record_call(path, block, module_path)) is not None]
        for call, block in followed:
            self.follow(call, block.expansion, directory, may_be_empty, stack)

    def record_call(self, path: str, block: Block,
                    module_path: tuple[str, ...]) -> ModuleCall | None:
        """The call as a ``ModuleCall``; returned only when its source is a local path."""
        source = block.source
        local = source is not None and _is_local_source(source)
        call = ModuleCall((*module_path, block.name), source, path, block.line, local)
        self.index.modules.append(call)
        if source is None:
            self.error(path, block.line, f"{call.address}: source is not a plain string")
        return call if local else None

    def follow(self, call: ModuleCall, expansion: str, directory: str, may_be_empty: bool,
               stack: tuple[str, ...]) -> None:
        source = call.source or ""
        child = _join(directory, source)
        problem = f"{call.address}: source {source!r}"
        if child is None:
            self.error(call.file, call.line, f"{problem} is outside {self.tree.label}")
        elif child in stack:
            self.error(call.file, call.line, f"{problem} calls itself (module cycle)")
        elif not self.tree.is_dir(child):
            self.error(call.file, call.line, f"{problem} is not a directory")
        else:
            self.instantiate(child, call.module_path,
                             may_be_empty or expansion not in (ONE, SOME), (*stack, child))


def load_hcl(
    tree: FileTree,
    root: str = "",
    *,
    cache_dir: str | None = None,
    workers: int | None = None,
) -> HclIndex:
    """Index the Terraform code of the root module at ``root`` (a directory in ``tree``).

    ``cache_dir`` defaults to ``$CLOUDRIFT_CACHE_DIR/hcl``, else ``$XDG_CACHE_HOME/cloudrift/hcl``
    or ``~/.cache/cloudrift/hcl``. ``workers``: None picks by the amount of code to parse, 1
    parses in this process, N allows up to N parser processes. Raises ``SourceError`` only when
    the root itself is unusable; everything else is an ``HclError`` in the index.
    """
    directory = _join("", root.strip() or ".")
    if directory is None or (directory and not tree.is_dir(directory)):
        raise SourceError(f"{tree.label}: {root!r} is not a directory of the tree")
    loader = _Loader(tree, ParseCache(cache_dir), Parser(workers))
    try:
        loader.discover(directory)
        if not loader.config_files(directory):
            raise SourceError(
                f"{tree.label}: no Terraform files (*.tf, *.tf.json) in {directory or 'its root'}",
                hint="point at the directory that holds the root module's .tf files",
            )
        loader.instantiate(directory, (), False, (directory,))
    finally:
        loader.parser.close()
    return loader.index
