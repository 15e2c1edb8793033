"""Terragrunt's configuration language as the evaluator reads it: expressions, each of
Terragrunt's functions, includes and the order they merge in. Real files in a temporary
directory (and Git commits), parsed by python-hcl2."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from cloudrift.sources.files import FileTree, LocalTree
from cloudrift.sources.git import GitTree
from cloudrift.sources.terragrunt.config import Configuration, Session
from cloudrift.sources.terragrunt.files import CHECKOUT, Files
from cloudrift.sources.terragrunt.values import (
    EvalError,
    LazyObject,
    NoValueError,
    UnknownValueError,
    plain,
)
from tests.sources.test_git import GitRepo, git_environment

__all__ = ["git_environment"]  # autouse: no user git config

UNIT = "live/prod/app/terragrunt.hcl"


def write(root: Path, files: Mapping[str, str]) -> None:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)


def configuration(tree: FileTree, path: str = UNIT,
                  env: Mapping[str, str] | None = None) -> Configuration:
    files = Files(tree)
    return Session(files, env or {}).resolve(files.absolute(path))


def local(root: Path, expression: str, files: Mapping[str, str] | None = None,
          env: Mapping[str, str] | None = None, head: str = "") -> Any:
    """The value of ``expression`` as a local of the unit at UNIT."""
    write(root, {**(files or {}), UNIT: f"{head}\nlocals {{\n  x = {expression}\n}}\n"})
    return plain(configuration(LocalTree(str(root)), env=env).own.locals.get("x"))


def failure(root: Path, expression: str, files: Mapping[str, str] | None = None,
            head: str = "") -> NoValueError:
    with pytest.raises(NoValueError) as caught:
        local(root, expression, files, head=head)
    return caught.value


# --- the expression language --------------------------------------------------------------


@pytest.mark.parametrize(("expression", "expected"), [
    ('"plain"', "plain"),
    ('"a-${1 + 2}-${true}"', "a-3-true"),
    ('"escaped $${x} and \\"quotes\\""', 'escaped ${x} and "quotes"'),
    ("[1, 2.5, -3, null]", [1, 2.5, -3, None]),
    ('{ a = 1, "b" = "two" }', {"a": 1, "b": "two"}),
    ("7 % 3 + 10 / 4", 3.5),
    ('!false && (1 < 2) && "x" != "y"', True),
    ('true ? "yes" : "no"', "yes"),
    ("[for s in [\"a\", \"bb\"] : upper(s) if length(s) > 1]", ["BB"]),
    ("{ for k, v in { b = 2, a = 1 } : v => k }", {"1": "a", "2": "b"}),
    ("[{ n = 1 }, { n = 2 }][*].n", [1, 2]),
    ('format("%s/%03d/%q", "k", 7, "v")', 'k/007/"v"'),
    ('replace("a-b-c", "/-(b)-/", "+$1+")', "a+b+c"),
    ('join("/", compact(["a", "", "b"]))', "a/b"),
    ('lookup({ a = 1 }, "b", "fallback")', "fallback"),
    ('merge({ a = 1, b = 1 }, { b = 2 })', {"a": 1, "b": 2}),
    ('element(split(",", "x,y,z"), 4)', "y"),
    ('trimsuffix(basename("modules/vpc/"), "c")', "vp"),
    ('dirname("a/b/c")', "a/b"),
    ('jsondecode("{\\"k\\": [1]}").k[0]', 1),
    ('try(local.missing, "default")', "default"),
    ("can(tonumber(\"x\"))", False),
])
def test_expressions(tmp_path: Path, expression: str, expected: Any) -> None:
    assert local(tmp_path, expression) == expected


def test_a_heredoc_template_is_evaluated(tmp_path: Path) -> None:
    value = local(tmp_path, '<<-EOF\n    key = "${path_relative_to_include()}"\n    EOF',
                  {"terragrunt.hcl": ""}, head='include "root" {\n  path = '
                  'find_in_parent_folders()\n}')
    assert value == 'key = "live/prod/app"\n'


def test_what_is_not_evaluated_is_named_with_its_file_and_line(tmp_path: Path) -> None:
    unknown = failure(tmp_path, "dependency.vpc.outputs.id")
    assert isinstance(unknown, UnknownValueError)
    assert unknown.where == f"{UNIT}:3"
    assert unknown.text == "dependency.vpc.outputs.id"
    assert "only known once that unit is applied" in unknown.note()
    command = failure(tmp_path, 'run_cmd("whoami")')
    assert isinstance(command, UnknownValueError)
    assert "run_cmd() runs a command" in command.note()
    assert "not evaluated by cloudrift" in failure(tmp_path, 'sha256("x")').message


def test_try_does_not_hide_what_cloudrift_cannot_know(tmp_path: Path) -> None:
    # Terragrunt would have a value here: falling back to "default" would be a guess
    assert isinstance(failure(tmp_path, 'try(run_cmd("id"), "default")'), UnknownValueError)


def test_a_local_that_refers_to_itself(tmp_path: Path) -> None:
    write(tmp_path, {UNIT: "locals {\n  a = local.b\n  b = local.a\n}\n"})
    with pytest.raises(EvalError, match="refers to itself"):
        configuration(LocalTree(str(tmp_path))).own.locals.get("a")


# --- Terragrunt's functions ----------------------------------------------------------------


def test_find_in_parent_folders(tmp_path: Path) -> None:
    files = {"terragrunt.hcl": "", "live/terragrunt.hcl": "", "live/prod/env.hcl": "",
             "live/prod/app/env.hcl": "", "common/x.hcl": ""}
    root = str(tmp_path)
    # starts in the parent of the unit's directory: the unit's own files are not found
    assert local(tmp_path, "find_in_parent_folders()", files) == f"{root}/live/terragrunt.hcl"
    assert local(tmp_path, 'find_in_parent_folders("env.hcl")', files) == \
        f"{root}/live/prod/env.hcl"
    assert local(tmp_path, 'find_in_parent_folders("common")', files) == f"{root}/common"
    assert local(tmp_path, 'find_in_parent_folders("nope.hcl", "fallback")', files) == \
        "fallback"
    error = failure(tmp_path, 'find_in_parent_folders("nope.hcl")', files)
    assert isinstance(error, EvalError)
    assert "no nope.hcl in the folders above live/prod/app" in error.message


def test_path_relative_to_and_from_include(tmp_path: Path) -> None:
    head = 'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}'
    files = {"root.hcl": ""}
    assert local(tmp_path, "path_relative_to_include()", files, head=head) == "live/prod/app"
    assert local(tmp_path, "path_relative_from_include()", files, head=head) == "../../.."
    assert local(tmp_path, "get_parent_terragrunt_dir()", files, head=head) == str(tmp_path)
    # no include: "."
    assert local(tmp_path, "path_relative_to_include()") == "."
    assert local(tmp_path, "get_parent_terragrunt_dir()") == str(tmp_path / "live/prod/app")


def test_several_includes_must_be_named(tmp_path: Path) -> None:
    head = ('include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n'
            'include "env" {\n  path = find_in_parent_folders("env.hcl")\n}')
    files = {"root.hcl": "", "live/env.hcl": ""}
    assert local(tmp_path, 'path_relative_to_include("env")', files, head=head) == "prod/app"
    assert local(tmp_path, 'path_relative_from_include("root")', files, head=head) == "../../.."
    assert "needs the name of an include" in failure(
        tmp_path, "path_relative_to_include()", files, head=head).message
    assert "no include named 'region'" in failure(
        tmp_path, 'path_relative_to_include("region")', files, head=head).message


def test_an_included_file_is_evaluated_in_the_units_context(tmp_path: Path) -> None:
    write(tmp_path, {
        "root.hcl": 'locals {\n  dir = get_terragrunt_dir()\n'
                    '  rel = path_relative_to_include("ignored in a parent")\n'
                    '  env = read_terragrunt_config(find_in_parent_folders("env.hcl"))'
                    ".locals.env\n}\n",
        "live/prod/env.hcl": 'locals {\n  env = "prod"\n}\n',
        UNIT: 'include "root" {\n  path = find_in_parent_folders("root.hcl")\n'
              "  expose = true\n}\n"
              "locals {\n  seen = include.root.locals\n}\n",
    })
    seen = plain(configuration(LocalTree(str(tmp_path))).own.locals.get("seen"))
    assert seen == {"dir": str(tmp_path / "live/prod/app"), "rel": "live/prod/app",
                    "env": "prod"}


def test_a_bare_exposed_include_is_the_include_itself(tmp_path: Path) -> None:
    head = "include {\n  path = find_in_parent_folders()\n  expose = true\n}"
    files = {"terragrunt.hcl": 'locals {\n  team = "core"\n}\n'}
    assert local(tmp_path, "include.locals.team", files, head=head) == "core"
    hidden = 'include "root" {\n  path = find_in_parent_folders()\n}'
    assert "no attribute 'root'" in failure(tmp_path, "include.root.locals.team", files,
                                            head=hidden).message


def test_read_terragrunt_config_reads_in_its_own_context_and_lazily(tmp_path: Path) -> None:
    files = {
        "live/account.hcl": 'locals {\n  dir = get_terragrunt_dir()\n'
                            "  original = get_original_terragrunt_dir()\n"
                            '  id = "111122223333"\n  who = run_cmd("whoami")\n}\n'
                            'inputs = {\n  region = "eu-west-1"\n}\n',
    }
    read = 'read_terragrunt_config("../../account.hcl")'
    assert local(tmp_path, f"{read}.locals.id", files) == "111122223333"
    assert local(tmp_path, f"{read}.locals.dir", files) == str(tmp_path / "live")
    assert local(tmp_path, f"{read}.locals.original", files) == str(tmp_path / "live/prod/app")
    assert local(tmp_path, f"{read}.inputs.region", files) == "eu-west-1"
    # a directory reads its terragrunt.hcl; a missing file gives the default, or fails
    assert local(tmp_path, 'read_terragrunt_config("../../../live/x").locals.v',
                 {"live/x/terragrunt.hcl": 'locals {\n  v = 1\n}\n'}) == 1
    assert local(tmp_path, 'read_terragrunt_config("nope.hcl", { locals = {} })') == \
        {"locals": {}}
    assert "does not exist" in failure(tmp_path, 'read_terragrunt_config("nope.hcl")').message
    # the failing local of the read file is named where it is written
    unknown = failure(tmp_path, f"{read}.locals.who", files)
    assert unknown.where == "live/account.hcl:5"


def test_get_env(tmp_path: Path) -> None:
    assert local(tmp_path, 'get_env("STATE_BUCKET")', env={"STATE_BUCKET": "b"}) == "b"
    assert local(tmp_path, 'get_env("STATE_BUCKET", "fallback")') == "fallback"
    error = failure(tmp_path, 'get_env("STATE_BUCKET")')
    assert isinstance(error, EvalError)
    assert "STATE_BUCKET is not set" in error.message


def test_files_next_to_the_configuration(tmp_path: Path) -> None:
    files = {"live/prod/app/vars.json": '{"bucket": "b"}'}
    assert local(tmp_path, 'jsondecode(file("vars.json")).bucket', files) == "b"
    assert local(tmp_path, '[fileexists("vars.json"), fileexists("nope")]', files) == \
        [True, False]
    assert local(tmp_path, 'mark_as_read("../x.hcl")') == "../x.hcl"
    assert local(tmp_path, 'abspath("../x")') == str(tmp_path / "live/prod/x")
    assert "does not exist" in failure(tmp_path, 'file("nope.json")').message


def test_repository_paths_on_disk(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    write(repo / "infra", {UNIT: 'locals {\n  x = [get_repo_root(), get_path_from_repo_root(), '
                                 "get_path_to_repo_root()]\n}\n"})
    # the tree is a subdirectory of the work tree: the repository's root is above it
    got = plain(configuration(LocalTree(str(repo / "infra"))).own.locals.get("x"))
    assert got == [str(repo), "infra/live/prod/app", "../../../.."]


def test_get_repo_root_outside_a_repository(tmp_path: Path) -> None:
    if Files(LocalTree(str(tmp_path))).repo_root is not None:
        pytest.skip("the temporary directory is inside a Git work tree")
    error = failure(tmp_path, "get_repo_root()")
    assert isinstance(error, EvalError)
    assert "live/prod/app is not in a Git repository" in error.message


def test_repository_paths_in_a_commit(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit({f"infra/{UNIT}": 'locals {\n  x = [get_repo_root(), get_path_from_repo_root(), '
                                  "get_terragrunt_dir()]\n}\n"})
    tree = GitTree(os.fspath(repo.path / "infra"), "HEAD")
    got = plain(configuration(tree).own.locals.get("x"))
    # a commit is checked out nowhere: its absolute paths start at the checkout placeholder
    assert got == [CHECKOUT, "infra/live/prod/app", f"{CHECKOUT}/infra/live/prod/app"]


# --- includes and merging -----------------------------------------------------------------


def _state(backend: str, key: str) -> str:
    return (f'remote_state {{\n  backend = "{backend}"\n  config = {{\n    bucket = "b"\n'
            f'    key = "{key}"\n  }}\n}}\n')


def merged(root: Path, files: Mapping[str, str]) -> tuple[Any, Any]:
    write(root, files)
    config = configuration(LocalTree(str(root)))
    found = config.remote_state()
    source = config.source()
    state = None
    if found is not None:
        evaluation, (_, block) = found
        state = (evaluation.value(block.attributes["backend"]),
                 plain(evaluation.value(block.attributes["config"]))["key"])
    return state, None if source is None else source[0].value(source[1])


def test_the_unit_overrides_its_includes_and_a_later_include_an_earlier(tmp_path: Path) -> None:
    two = ('include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n'
           'include "env" {\n  path = find_in_parent_folders("env.hcl")\n}\n')
    parents = {
        "root.hcl": _state("s3", "root") + 'terraform {\n  source = "root-src"\n}\n',
        "live/env.hcl": _state("gcs", "env") + 'terraform {\n  source = "env-src"\n}\n',
    }
    # the later include wins over the earlier one
    assert merged(tmp_path, {**parents, UNIT: two}) == (("gcs", "env"), "env-src")
    # the unit wins over both; remote_state is replaced whole
    own = _state("azurerm", "own") + 'terraform {\n  source = "own-src"\n}\n'
    assert merged(tmp_path, {**parents, UNIT: two + own}) == (("azurerm", "own"), "own-src")
    # a terraform block without a source keeps the included source
    keep = 'terraform {\n  extra_arguments "x" {\n    commands = ["plan"]\n  }\n}\n'
    assert merged(tmp_path, {**parents, UNIT: two + keep}) == (("gcs", "env"), "env-src")


def test_merge_strategies(tmp_path: Path) -> None:
    parents = {"root.hcl": _state("s3", "root") + 'terraform {\n  source = "root-src"\n}\n'}
    head = 'include "root" {{\n  path = find_in_parent_folders("root.hcl")\n{}}}\n'
    no_merge = head.format('  merge_strategy = "no_merge"\n')
    assert merged(tmp_path, {**parents, UNIT: no_merge}) == (None, None)
    deep = head.format('  merge_strategy = "deep"\n') + _state("s3", "own")
    # deep merge too replaces remote_state whole, as Terragrunt does
    assert merged(tmp_path, {**parents, UNIT: deep}) == (("s3", "own"), "root-src")


def test_an_included_file_may_not_include_another(tmp_path: Path) -> None:
    write(tmp_path, {
        "root.hcl": 'include "up" {\n  path = "other.hcl"\n}\n' + _state("s3", "root"),
        "other.hcl": "",
        UNIT: 'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n',
    })
    config = configuration(LocalTree(str(tmp_path)))
    assert any("one level of include only" in note for note in config.notes)
    assert config.remote_state() is not None


def test_the_read_object_merges_the_includes_of_what_it_reads(tmp_path: Path) -> None:
    write(tmp_path, {
        "root.hcl": _state("s3", "${path_relative_to_include()}/tf.tfstate"),
        "live/other/terragrunt.hcl": 'include "root" {\n  path = '
                                     'find_in_parent_folders("root.hcl")\n}\n',
    })
    value = local(tmp_path, 'read_terragrunt_config("../../other").remote_state.config.key')
    assert value == "live/other/tf.tfstate"


def test_lazy_objects_list_their_attributes(tmp_path: Path) -> None:
    write(tmp_path, {UNIT: 'locals {\n  a = 1\n  b = run_cmd("x")\n}\n'})
    locals_ = configuration(LocalTree(str(tmp_path))).own.locals
    assert isinstance(locals_, LazyObject)
    assert locals_.names == ("a", "b")
    assert locals_.get("a") == 1
