"""How the sources package hangs together: no import cycles, one table of backends whose
planners write URLs their own readers open."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import cloudrift.sources
from cloudrift.sources.backend_urls import PlanContext
from cloudrift.sources.backends import (
    BACKENDS,
    LOCAL,
    backend_for_scheme,
    backend_names,
    planner_for,
)
from cloudrift.sources.files import LocalTree
from cloudrift.sources.types import Backend
from cloudrift.sources.uri import open_source, parse_from

PACKAGE = "cloudrift.sources"
ROOT = Path(cloudrift.sources.__file__).parent


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = (PACKAGE, *path.relative_to(ROOT).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every module of the package ``name`` imports, wherever the import stands: at the top, in
    a function, under TYPE_CHECKING (a cycle through any of them is still a knot)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parents = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parents, base] if base else parents)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                       for alias in node.names]
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


# the Terragrunt evaluator is a package of its own, layered on its own terms
READERS = {name: path for name, path in MODULES.items()
           if not name.startswith(f"{PACKAGE}.terragrunt")}
GRAPH = {name: _imports(name, path) & READERS.keys() for name, path in READERS.items()}


def test_the_graph_sees_the_imports_it_should() -> None:
    # the scan itself, checked on edges that must be there
    assert f"{PACKAGE}.types" in GRAPH[f"{PACKAGE}.uri"]
    assert f"{PACKAGE}.backends" in GRAPH[f"{PACKAGE}.uri"]  # a function-level import
    assert f"{PACKAGE}.backends._store" in GRAPH[f"{PACKAGE}.backends.s3"]


def test_no_import_cycle_among_the_source_modules() -> None:
    assert _cycles(GRAPH) == []


def test_the_types_module_is_a_leaf_of_the_readers() -> None:
    # its only dependencies are the state format and the planning kit, for annotations
    allowed = {f"{PACKAGE}.tfstate", f"{PACKAGE}.tofu_encryption", f"{PACKAGE}.backend_urls"}
    assert GRAPH[f"{PACKAGE}.types"] <= allowed


def _run_time_imports(path: Path) -> set[str]:
    """The modules a file imports when it runs: every import but those under
    ``if TYPE_CHECKING:``, which are for annotations only."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING",
                                                                   "typing.TYPE_CHECKING"):
            skipped.update(id(inner) for body in node.body for inner in ast.walk(body))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, "the package imports absolutely"
            found.add(node.module or "")
    return found


def test_the_types_module_imports_no_source_module_when_it_runs() -> None:
    imported = _run_time_imports(MODULES[f"{PACKAGE}.types"])
    assert f"{PACKAGE}.types" in GRAPH  # the scan found it
    assert imported, "the scan sees its imports"
    assert not {name for name in imported if name.startswith("cloudrift")}, imported


def test_the_backends_are_independent_of_each_other() -> None:
    backends = {f"{PACKAGE}.local"} | {
        name for name in READERS
        if name.startswith(f"{PACKAGE}.backends.") and not name.rpartition(".")[2].startswith("_")
    }
    assert len(backends) == len(BACKENDS)
    for name in backends:
        assert not GRAPH[name] & (backends - {name}), name


def test_no_module_outside_a_backend_names_it() -> None:
    # the table finds the backends; the URL parser and discovery ask the table, so adding a
    # backend is adding its module
    backends = {name for name in READERS
                if name.startswith(f"{PACKAGE}.backends.")
                and not name.rpartition(".")[2].startswith("_")}
    for name, imported in GRAPH.items():
        if name not in backends:
            assert not imported & backends, name


def test_backends_never_import_the_url_parser_or_discovery() -> None:
    above = {f"{PACKAGE}.uri", f"{PACKAGE}.discover", PACKAGE}
    for name, imported in GRAPH.items():
        if name.startswith(f"{PACKAGE}.backends"):
            assert not imported & above, name


@pytest.mark.parametrize("module", sorted(
    name for name in READERS if name.startswith((f"{PACKAGE}.backends", f"{PACKAGE}.types",
                                                 f"{PACKAGE}.uri", f"{PACKAGE}.local",
                                                 f"{PACKAGE}.discover", f"{PACKAGE}.git"))
))
def test_each_module_imports_alone(module: str) -> None:
    # a fresh interpreter: a module that works only when another was imported first fails here
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


# --- the table --------------------------------------------------------------------------------


def test_every_scheme_and_block_type_names_one_backend() -> None:
    schemes = [scheme for backend in BACKENDS for scheme in backend.schemes]
    blocks = [block for backend in BACKENDS for block in backend.planners]
    assert len(schemes) == len(set(schemes))
    assert len(blocks) == len(set(blocks))
    assert len({backend.name for backend in BACKENDS}) == len(BACKENDS)
    for backend in BACKENDS:
        for scheme in backend.schemes:
            assert backend_for_scheme(scheme) is backend
        for block, planner in backend.planners.items():
            assert planner_for(block) is planner
    assert LOCAL.schemes == ()
    assert LOCAL.name not in backend_names()
    assert set(backend_names()) == {b.name for b in BACKENDS if b.schemes}


def test_every_public_backend_module_is_registered_once() -> None:
    import cloudrift.sources.backends as package

    public = sorted(info.name for info in pkgutil.iter_modules(package.__path__)
                    if not info.name.startswith("_"))
    records = [importlib.import_module(f"{package.__name__}.{name}").BACKEND for name in public]
    assert [LOCAL, *records] == list(BACKENDS)
    assert len({id(backend) for backend in BACKENDS}) == len(BACKENDS)
    assert {"s3", "gs", "azurerm", "http", "tfcloud"} <= set(backend_names())


def test_a_backend_by_a_name_it_does_not_have_is_refused() -> None:
    assert backend_for_scheme("ftp") is None
    assert backend_for_scheme("local") is None  # tfstate+local:// is not a URL of ours
    assert planner_for("consul") is None


# the smallest literal block of each type (the organization and names are made up)
BLOCKS: dict[str, dict[str, Any]] = {
    "local": {},
    "s3": {"bucket": "b", "key": "k.tfstate", "region": "eu-west-1"},
    "gcs": {"bucket": "b", "prefix": "p"},
    "azurerm": {"storage_account_name": "acct", "container_name": "c", "key": "k"},
    "http": {"address": "https://state.example/s"},
    "remote": {"organization": "o", "workspaces": {"name": "w"}},
    "cloud": {"organization": "o", "workspaces": {"name": "w"}},
}


def _owner(block: str) -> Backend:
    return next(b for b in BACKENDS if block in b.planners)


@pytest.mark.parametrize("workspace", [None, "default", "prod"])
@pytest.mark.parametrize("block", sorted({b for backend in BACKENDS for b in backend.planners}))
def test_a_planned_url_opens_with_the_backend_that_planned_it(
        block: str, workspace: str | None, tmp_path: Path) -> None:
    assert block in BLOCKS, f"add a literal {block!r} block to BLOCKS"
    (tmp_path / "terraform.tfstate").write_text("{}")
    (tmp_path / "terraform.tfstate.d" / "prod").mkdir(parents=True)
    (tmp_path / "terraform.tfstate.d" / "prod" / "terraform.tfstate").write_text("{}")
    tree = LocalTree(str(tmp_path))
    context = PlanContext(tree, frozenset(tree.walk()), {}, workspace, workspace is None)
    planner = planner_for(block)
    assert planner is not None
    plan = planner("", BLOCKS[block], workspace, context)
    assert plan.urls or plan.notes, plan
    for url in plan.urls:
        spec = parse_from(url)
        found = LOCAL if spec.backend is None else backend_for_scheme(spec.backend)
        assert found is _owner(block), url
        assert open_source(url).uri  # opens without touching the network
