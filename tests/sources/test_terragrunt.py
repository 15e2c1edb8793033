"""Terragrunt units found by zero-config discovery, in the fixture repository
(fixtures/terragrunt) on disk and in a Git commit, and in small trees of their own."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudrift.sources.discover import RootModule, describe_roots, discover_roots
from cloudrift.sources.files import LocalTree
from cloudrift.sources.git import GitTree
from tests.sources.test_git import GitRepo, git_environment

__all__ = ["git_environment"]  # autouse: no user git config

FIXTURE = Path(__file__).parents[2] / "fixtures" / "terragrunt"
BUCKET = "acme-main-tfstate"


def s3(key: str) -> str:
    return f"tfstate+s3://{BUCKET}/{key}?region=us-east-1"


def copy_fixture(target: Path) -> GitRepo:
    """The fixture as a Git repository of its own (get_repo_root needs one), committed."""
    shutil.copytree(FIXTURE, target)
    repo = GitRepo(target)
    repo.commit({}, "estate")
    return repo


def by_directory(roots: list[RootModule]) -> dict[str, RootModule]:
    return {r.directory: r for r in roots}


def test_units_of_the_fixture_repository(tmp_path: Path) -> None:
    copy_fixture(tmp_path / "repo")
    roots = by_directory(discover_roots(LocalTree(str(tmp_path / "repo")), env={}))
    # the root terragrunt.hcl is every unit's parent, not a unit; modules/vpc carries an empty
    # backend block for Terragrunt to fill and is the code of a unit, not a root
    assert sorted(roots) == ["bootstrap", "live/dev/app", "live/dev/reports", "live/prod/app",
                             "live/prod/dns", "live/prod/vpc"]
    assert not roots["bootstrap"].terragrunt
    assert roots["bootstrap"].urls == (s3("bootstrap/terraform.tfstate"),)
    for unit in ("live/prod/vpc", "live/prod/app", "live/dev/app", "live/prod/dns"):
        root = roots[unit]
        assert root.terragrunt
        assert root.backend == "s3"
        assert root.includes == ("terragrunt.hcl",)
        # bucket from account.hcl through read_terragrunt_config, key from
        # path_relative_to_include() in the parent
        assert root.urls == (s3(f"{unit}/terraform.tfstate"),), unit
        assert root.settings["key"] == f"{unit}/terraform.tfstate"
        assert root.files == ("terragrunt.hcl:7",)
    assert roots["live/prod/vpc"].code == "modules/vpc"
    assert roots["live/prod/app"].code == "modules/app"
    assert roots["live/dev/app"].code == "modules/app"
    dns = roots["live/prod/dns"]
    assert dns.code is None
    assert dns.remote_code
    assert dns.code_source == "git::https://git.example.com/acme/modules.git//dns?ref=v1.4.0"
    reports = roots["live/dev/reports"]
    assert not reports.readable
    assert reports.notes == (
        "not evaluated: live/dev/reports/terragrunt.hcl:13: "
        "`dependency.shared.outputs.state_bucket` dependency outputs are only known once that "
        "unit is applied",
    )


def test_the_same_units_from_a_git_commit(tmp_path: Path) -> None:
    repo = copy_fixture(tmp_path / "repo")
    # the working tree moves on; the commit is what is read
    shutil.rmtree(repo.path / "live")
    on_disk = by_directory(discover_roots(LocalTree(str(repo.path)), env={}))
    assert "live/prod/app" not in on_disk
    # with no unit left to include it, the root terragrunt.hcl is a unit of its own
    assert on_disk[""].terragrunt
    # ... whose account.hcl went with live/: named, not guessed
    assert on_disk[""].notes == (
        "not evaluated: terragrunt.hcl:3: `find_in_parent_folders(\"account.hcl\")` no "
        "account.hcl in the folders above .",)
    roots = by_directory(discover_roots(GitTree(os.fspath(repo.path), "HEAD"), env={}))
    assert roots["live/prod/app"].urls == (s3("live/prod/app/terraform.tfstate"),)
    assert roots["live/dev/app"].code == "modules/app"
    assert roots["live/prod/app"].code == "modules/app"
    # get_parent_terragrunt_dir() is an absolute path: in a commit, the checkout's
    assert roots["live/prod/app"].code_source == "/<checkout>/modules//app"


def test_workspaces_and_environment(tmp_path: Path) -> None:
    copy_fixture(tmp_path / "repo")
    tree = LocalTree(str(tmp_path / "repo"))
    roots = by_directory(discover_roots(tree, workspace="blue",
                                        env={"TG_STATE_REGION": "eu-west-1"}))
    assert roots["live/prod/vpc"].urls == (
        f"tfstate+s3://{BUCKET}/env:/blue/live/prod/vpc/terraform.tfstate?region=eu-west-1",)
    every = by_directory(discover_roots(tree, all_workspaces=True, env={}))
    assert every["live/prod/vpc"].workspace is None
    assert every["live/prod/vpc"].urls == (
        s3("live/prod/vpc/terraform.tfstate").replace("?region=us-east-1",
                                                      "?region=us-east-1&workspace=*"),)


def test_sources_lines_for_units(tmp_path: Path) -> None:
    copy_fixture(tmp_path / "repo")
    tree = LocalTree(str(tmp_path / "repo"))
    lines = describe_roots(discover_roots(tree, env={}), tree)
    at = lines.index("live/prod/vpc  (terragrunt unit, backend s3, workspace default)")
    assert lines[at + 1:at + 5] == [
        "  include terragrunt.hcl",
        "  code modules/vpc  (terraform source ../../../modules//vpc)",
        "  key live/prod/vpc/terraform.tfstate",
        f"  from {s3('live/prod/vpc/terraform.tfstate')}",
    ]
    dns = lines.index("live/prod/dns  (terragrunt unit, backend s3, workspace default)")
    assert lines[dns + 2] == (
        "  code git::https://git.example.com/acme/modules.git//dns?ref=v1.4.0  (remote: "
        "findings are not located at a file:line and unapplied resources are not checked)")
    reports = lines.index("live/dev/reports  (terragrunt unit, backend s3, workspace default)")
    assert lines[reports + 5] == "  not read: no state location"


def units(root: Path, files: Mapping[str, str], env: Mapping[str, str] | None = None
          ) -> dict[str, RootModule]:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    return by_directory(discover_roots(LocalTree(str(root)), env=env or {}))


GENERATED = '''\
generate "backend" {
  path      = "backend.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
terraform {
  backend "gcs" {
    bucket = "acme-state"
    prefix = "${path_relative_to_include()}"
  }
}
EOF
}
'''


def test_a_backend_generated_by_a_generate_block(tmp_path: Path) -> None:
    found = units(tmp_path, {
        "root.hcl": GENERATED,
        "envs/stage/db/terragrunt.hcl": 'include "root" {\n  path = '
                                        'find_in_parent_folders("root.hcl")\n}\n',
    })
    root = found["envs/stage/db"]
    assert root.backend == "gcs"
    assert root.urls == ("tfstate+gs://acme-state/envs/stage/db/default.tfstate",)
    assert root.files == ("root.hcl:1",)
    # no terraform { source }: the unit's own directory is its code
    assert root.code == "envs/stage/db"


def test_remote_state_as_an_attribute_read_from_another_file(tmp_path: Path) -> None:
    found = units(tmp_path, {
        "common.hcl": 'locals {\n  remote_state = {\n    backend = "azurerm"\n'
                      "    config = {\n      storage_account_name = \"acmestate\"\n"
                      '      container_name = "tfstate"\n'
                      '      key = "${path_relative_to_include()}.tfstate"\n    }\n  }\n}\n',
        "root.hcl": "remote_state = read_terragrunt_config(find_in_parent_folders("
                    '"common.hcl")).locals.remote_state\n',
        "apps/web/terragrunt.hcl": 'include "root" {\n  path = '
                                   'find_in_parent_folders("root.hcl")\n}\n',
        # a relative path in an included file is relative to the unit, as in Terragrunt
        "apps/api/terragrunt.hcl": 'include "root" {\n  path = '
                                   'find_in_parent_folders("root.hcl")\n}\n'
                                   'remote_state = read_terragrunt_config("common.hcl")'
                                   ".locals.remote_state\n",
    })
    # common.hcl is read in its own context, with no include: its path_relative_to_include()
    # is "."; Terragrunt gives the same
    assert found["apps/web"].backend == "azurerm"
    assert found["apps/web"].urls == ("tfstate+azurerm://acmestate/tfstate/..tfstate",)
    assert found["apps/web"].files == ("root.hcl:1",)
    # a remote_state that cannot be evaluated leaves the backend unknown, never local
    assert found["apps/api"].backend == "unknown"
    assert found["apps/api"].notes == (
        "remote_state not evaluated: apps/api/terragrunt.hcl:4: "
        '`read_terragrunt_config("common.hcl")` apps/api/common.hcl does not exist',)


def test_local_state_of_a_unit(tmp_path: Path) -> None:
    state = '{"version": 4, "serial": 1, "lineage": "l", "resources": []}'
    found = units(tmp_path, {
        # a path made absolute with get_terragrunt_dir() is found
        "a/terragrunt.hcl": 'remote_state {\n  backend = "local"\n  config = {\n'
                            '    path = "${get_terragrunt_dir()}/state/tf.tfstate"\n  }\n}\n'
                            'terraform {\n  source = "../modules/x"\n}\n',
        "a/state/tf.tfstate": state,
        # a relative path is relative to the copy of the code Terragrunt runs in
        "b/terragrunt.hcl": 'remote_state {\n  backend = "local"\n  config = {\n'
                            '    path = "tf.tfstate"\n  }\n}\n'
                            'terraform {\n  source = "../modules/x"\n}\n',
        # no backend and no source: terraform runs in the unit's directory
        "c/terragrunt.hcl": "",
        "c/main.tf": 'resource "aws_sqs_queue" "q" {}\n',
        "c/terraform.tfstate": state,
        "modules/x/main.tf": 'resource "aws_sqs_queue" "q" {}\n',
    })
    assert found["a"].urls == (f"tfstate://{tmp_path}/a/state/tf.tfstate",)
    assert not found["b"].readable
    assert any("relative to the copy of the code in .terragrunt-cache" in n
               for n in found["b"].notes)
    assert found["c"].urls == (f"tfstate://{tmp_path}/c/terraform.tfstate",)
    assert found["c"].terragrunt
    assert found["c"].code == "c"
    assert "modules/x" not in found


def test_what_cannot_be_read_is_said(tmp_path: Path) -> None:
    cache = ".terragrunt-cache/abc/def"
    found = units(tmp_path, {
        "broken/terragrunt.hcl": 'remote_state {\n  backend = \n}\n',
        "env/terragrunt.hcl": 'remote_state {\n  backend = "s3"\n  config = {\n'
                              '    bucket = get_env("STATE_BUCKET")\n    key = "k"\n  }\n}\n',
        "lost/terragrunt.hcl": 'include "root" {\n  path = "../nowhere.hcl"\n}\n',
        f"env/{cache}/terragrunt.hcl": "",
        f"env/{cache}/main.tf": 'terraform {\n  backend "s3" {}\n}\n',
    })
    assert sorted(found) == ["broken", "env", "lost"]
    assert found["broken"].notes[0].startswith("broken/terragrunt.hcl:2: cannot parse")
    assert found["env"].notes == (
        'not evaluated: env/terragrunt.hcl:4: `get_env("STATE_BUCKET")` the environment '
        "variable STATE_BUCKET is not set (set it to read this)",)
    assert units(tmp_path, {}, env={"STATE_BUCKET": "b"})["env"].urls == (
        "tfstate+s3://b/k",)
    # an include that cannot be followed leaves the backend unknown, not guessed
    assert found["lost"].backend == "unknown"
    assert found["lost"].notes == (
        "lost/terragrunt.hcl: the included file nowhere.hcl does not exist",)


@pytest.mark.parametrize(("source", "code"), [
    ("../modules//net", "modules/net"),
    ("file://../modules/net", "modules/net"),
    ("git::https://example.com/m.git//net?ref=v1", None),
    ("github.com/acme/modules//net", None),
    ("tfr:///terraform-aws-modules/vpc/aws?version=5.0.0", None),
    ("git@github.com:acme/modules.git//net", None),
])
def test_where_a_source_is(tmp_path: Path, source: str, code: str | None) -> None:
    found = units(tmp_path, {"unit/terragrunt.hcl": f'terraform {{\n  source = "{source}"\n}}\n',
                             "modules/net/main.tf": ""})
    assert found["unit"].code == code
    assert found["unit"].remote_code is (code is None)


# pieces of Terragrunt configuration, so that examples get past the first token more often
TG_PIECES = [
    "include", "remote_state", "locals", "terraform", "generate", "dependency", '"root"', "{",
    "}", "[", "]", "(", ")", "=", ",", ".", ":", "?", "=>", "...", "\n", " ", "path", "backend",
    "config", "source", "key", "bucket", '"s3"', "local.x", "include.root.locals", "x",
    "find_in_parent_folders()", 'find_in_parent_folders("a.hcl")', "path_relative_to_include()",
    "get_env(", 'read_terragrunt_config("a.hcl")', "get_repo_root()", "${", '"', "%{", "<<EOF\n",
    "EOF\n", "0", "-1", "1.5", "true", "null", "for", "in", "if", "[*]", "try(", "\\", "# c\n",
]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit=st.lists(st.sampled_from(TG_PIECES), max_size=40).map("".join),
       parent=st.lists(st.sampled_from(TG_PIECES), max_size=40).map("".join))
def test_any_configuration_gives_units_or_notes(unit: str, parent: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "a.hcl").write_text(parent)
        (root / "u").mkdir()
        (root / "u" / "terragrunt.hcl").write_text(unit)
        found = discover_roots(LocalTree(str(root)), env={})
    for module in found:
        assert module.terragrunt
        # a unit is read, or the listing says why not
        assert module.readable or module.notes
