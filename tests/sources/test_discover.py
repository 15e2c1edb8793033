"""Root-module discovery over real trees: directories on disk and Git refs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloudrift.sources.discover import (
    Expression,
    RootModule,
    describe_roots,
    discover_roots,
    extract_blocks,
    root_sources,
    summarise_file,
)
from cloudrift.sources.files import LocalTree
from cloudrift.sources.git import GitStateSource, GitTree
from cloudrift.sources.local import LocalStateSource
from cloudrift.sources.tfstate import StateDocument
from cloudrift_aws.testing import MotoServer
from tests.sources.test_git import GitRepo, git_environment, state

__all__ = ["git_environment"]  # autouse: no user git config, a private cache directory

S3_PROD = """
terraform {
  required_version = ">= 1.5"
  backend "s3" {
    bucket = "acme-state"
    key    = "prod/network.tfstate"
    region = "eu-west-1"
  }
}

module "net" {
  source = "../../modules/net"
}

module "remote" {
  source = "terraform-aws-modules/vpc/aws"
}
"""

# a module with a leftover backend block: terraform ignores it when the module is called
MODULE_WITH_BACKEND = """
terraform {
  backend "s3" {}
}
resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }
"""

CLOUD_NAMED = """
terraform {
  cloud {
    organization = "acme"
    workspaces {
      name = "web-prod"
    }
  }
}
"""

CLOUD_TAGGED = """
terraform {
  cloud {
    organization = "acme"
    hostname     = "tfe.acme.example"
    workspaces {
      tags = ["app", "web"]
    }
  }
}
"""

VARIABLE_BACKEND = """
variable "bucket" {}
terraform {
  backend "s3" {
    bucket = var.bucket
    key    = "live/${terraform.workspace}.tfstate"
  }
}
"""

ESTATE = {
    "envs/prod/main.tf": S3_PROD,
    "envs/prod/variables.tf": 'variable "x" {}\n',
    "modules/net/main.tf": MODULE_WITH_BACKEND,
    "modules/plain/main.tf": 'resource "aws_s3_bucket" "b" {}\n',
    "envs/dev/main.tf": 'module "net" {\n  source = "../../modules/net"\n}\n',
    "envs/dev/terraform.tfstate": state(3),
    "envs/dev/terraform.tfstate.d/feature/terraform.tfstate": state(4),
    "apps/web/cloud.tf": CLOUD_NAMED,
    "apps/tagged/cloud.tf": CLOUD_TAGGED,
    "live/variable/backend.tf": VARIABLE_BACKEND,
    "docs/README.md": "not terraform\n",
}


def by_directory(roots: list[RootModule]) -> dict[str, RootModule]:
    return {root.directory: root for root in roots}


@pytest.fixture
def estate(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "estate")
    repo.commit(ESTATE)
    return repo


# --- which directories are roots ---------------------------------------------------------------


def test_roots_of_a_repository(estate: GitRepo) -> None:
    roots = by_directory(discover_roots(GitTree(str(estate.path), "main"), env={}))
    assert sorted(roots) == ["apps/tagged", "apps/web", "envs/dev", "envs/prod", "live/variable"]
    assert {d: r.backend for d, r in roots.items()} == {
        "apps/tagged": "cloud", "apps/web": "cloud", "envs/dev": "local", "envs/prod": "s3",
        "live/variable": "s3",
    }
    assert roots["envs/prod"].files == ("envs/prod/main.tf",)
    assert roots["envs/prod"].settings == {
        "bucket": "acme-state", "key": "prod/network.tfstate", "region": "eu-west-1",
    }


def test_state_urls_for_the_default_workspace(estate: GitRepo) -> None:
    tree = GitTree(str(estate.path), "main")
    roots = by_directory(discover_roots(tree, env={}))
    assert roots["envs/prod"].urls == (
        "tfstate+s3://acme-state/prod/network.tfstate?region=eu-west-1",
    )
    assert roots["apps/web"].urls == ("tfstate+tfcloud://acme/web-prod",)
    # a local state in a Git tree is read from the tree, not from disk
    assert roots["envs/dev"].urls == ()
    assert roots["envs/dev"].state_paths == ("envs/dev/terraform.tfstate",)
    assert roots["envs/dev"].workspaces == ("default", "feature")


def test_unreadable_roots_say_what_is_missing(estate: GitRepo) -> None:
    roots = by_directory(discover_roots(GitTree(str(estate.path), "main"), env={}))
    variable = roots["live/variable"]
    assert not variable.readable
    assert variable.settings["bucket"] == Expression("var.bucket")
    assert any("bucket = var.bucket" in note and "key = " in note for note in variable.notes)
    tagged = roots["apps/tagged"]
    assert not tagged.readable
    assert any("no single workspace" in note for note in tagged.notes)
    assert roots["envs/prod"].readable


def test_a_called_module_with_a_local_state_is_still_a_root(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({
        "live/main.tf": S3_PROD.replace("../../modules/net", "../shared"),
        "shared/main.tf": 'resource "aws_vpc" "v" {}\n',
        "shared/terraform.tfstate": state(1),
    })
    roots = by_directory(discover_roots(GitTree(str(repo.path), "main"), env={}))
    assert sorted(roots) == ["live", "shared"]


def test_root_at_the_top_of_the_tree(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"main.tf": CLOUD_NAMED})
    roots = discover_roots(GitTree(str(repo.path), "main"), env={})
    assert [(r.directory, r.shown_directory) for r in roots] == [("", ".")]


def test_dot_terraform_is_not_searched(tmp_path: Path) -> None:
    tree = tmp_path / "t"
    (tree / ".terraform" / "modules" / "x").mkdir(parents=True)
    (tree / ".terraform" / "modules" / "x" / "main.tf").write_text(CLOUD_NAMED)
    (tree / "main.tf").write_text('resource "aws_vpc" "v" {}\n')
    assert discover_roots(LocalTree(str(tree)), env={}) == []


def test_override_file_replaces_the_backend(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"main.tf": S3_PROD,
                 "backend_override.tf": 'terraform {\n  backend "gcs" {\n'
                 '    bucket = "acme-gcs"\n  }\n}\n'})
    (root,) = discover_roots(GitTree(str(repo.path), "main"), env={})
    assert root.backend == "gcs"
    assert root.urls == ("tfstate+gs://acme-gcs/default.tfstate",)
    assert root.files == ("backend_override.tf",)


def test_two_backends_are_not_guessed_between(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"a.tf": S3_PROD, "b.tf": CLOUD_NAMED})
    (root,) = discover_roots(GitTree(str(repo.path), "main"), env={})
    assert not root.readable
    assert root.backend == "ambiguous"
    assert any("s3 in a.tf" in n and "cloud in b.tf" in n for n in root.notes)


def test_syntax_error_is_a_note_and_other_roots_are_found(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({
        "good/main.tf": CLOUD_NAMED,
        "bad/main.tf": 'terraform {\n  backend "s3" {\n    bucket = \n  }\n}\n',
        "bad/terraform.tfstate": state(1),
    })
    roots = by_directory(discover_roots(GitTree(str(repo.path), "main"), env={}))
    assert roots["good"].urls == ("tfstate+tfcloud://acme/web-prod",)
    notes = " ".join(roots["bad"].notes)
    assert "cannot parse bad/main.tf" in notes
    assert "line " in notes


def test_tf_json(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({
        "json/main.tf.json": json.dumps({
            "terraform": [{"backend": {"azurerm": {
                "storage_account_name": "acmestate", "container_name": "tfstate",
                "key": "json.tfstate", "access_key": "very-secret-key"}}}],
            "module": {"net": {"source": "../net"}},
        }),
        "net/main.tf.json": json.dumps({"terraform": {"backend": {"s3": {}}}}),
        "tmpl/main.tf.json": json.dumps({"terraform": {"backend": {"s3": {
            "bucket": "b", "key": "${var.env}.tfstate"}}}}),
    })
    roots = by_directory(discover_roots(GitTree(str(repo.path), "main"), env={}))
    assert sorted(roots) == ["json", "tmpl"]
    assert roots["json"].urls == ("tfstate+azurerm://acmestate/tfstate/json.tfstate",)
    assert roots["json"].settings["access_key"] == "(sensitive)"
    assert roots["tmpl"].settings["key"] == Expression("${var.env}.tfstate")
    assert not roots["tmpl"].readable


# --- every backend, workspaces --------------------------------------------------------------

BACKENDS = {
    "s3/main.tf": 'terraform {\n backend "s3" {\n  bucket = "b"\n  key = "app/t.tfstate"\n'
                  '  region = "us-west-2"\n  workspace_key_prefix = "ws"\n }\n}\n',
    "s3default/main.tf": 'terraform {\n backend "s3" {\n  bucket = "b"\n  key = "k"\n }\n}\n',
    "gcs/main.tf": 'terraform {\n backend "gcs" {\n  bucket = "g"\n  prefix = "team/app/"\n'
                   ' }\n}\n',
    "azurerm/main.tf": 'terraform {\n backend "azurerm" {\n  storage_account_name = "sa"\n'
                       '  container_name = "c"\n  key = "app.tfstate"\n }\n}\n',
    "http/main.tf": 'terraform {\n backend "http" {\n'
                    '  address = "https://ci:pw@state.example/app"\n  password = "hunter22"\n'
                    ' }\n}\n',
    "remote/main.tf": 'terraform {\n backend "remote" {\n  hostname = "tfe.example"\n'
                      '  organization = "acme"\n  workspaces {\n   prefix = "app-"\n  }\n'
                      ' }\n}\n',
    "tagged/main.tf": CLOUD_TAGGED,
    "consul/main.tf": 'terraform {\n backend "consul" {\n  path = "x"\n }\n}\n',
    "local/main.tf": 'terraform {\n backend "local" {\n  path = "state/app.tfstate"\n'
                     '  workspace_dir = "ws"\n }\n}\n',
    "local/state/app.tfstate": state(1),
    "local/ws/blue/terraform.tfstate": state(2),
    "local/ws/green/terraform.tfstate": state(3),
}


@pytest.fixture
def backends(tmp_path: Path) -> GitTree:
    repo = GitRepo(tmp_path / "backends")
    repo.commit(BACKENDS)
    return GitTree(str(repo.path), "main")


def locations(root: RootModule) -> tuple[str, ...]:
    return root.urls + root.state_paths


def test_default_workspace(backends: GitTree) -> None:
    roots = by_directory(discover_roots(backends, env={}))
    assert {d: locations(r) for d, r in roots.items()} == {
        "s3": ("tfstate+s3://b/app/t.tfstate?region=us-west-2",),
        "s3default": ("tfstate+s3://b/k",),
        "gcs": ("tfstate+gs://g/team/app/default.tfstate",),
        "azurerm": ("tfstate+azurerm://sa/c/app.tfstate",),
        "http": ("tfstate+https://ci:pw@state.example/app",),
        "remote": (),
        "tagged": (),
        "consul": (),
        "local": ("local/state/app.tfstate",),
    }
    assert any("AWS_REGION" in n for n in roots["s3default"].notes)
    assert any("not supported" in n for n in roots["consul"].notes)
    assert any("prefix 'app-'" in n for n in roots["remote"].notes)


def test_named_workspace(backends: GitTree) -> None:
    roots = by_directory(discover_roots(backends, workspace="blue", env={}))
    assert {d: locations(r) for d, r in roots.items()} == {
        "s3": ("tfstate+s3://b/ws/blue/app/t.tfstate?region=us-west-2",),
        "s3default": ("tfstate+s3://b/env:/blue/k",),
        "gcs": ("tfstate+gs://g/team/app/blue.tfstate",),
        "azurerm": ("tfstate+azurerm://sa/c/app.tfstateenv:blue",),
        "http": (),
        "remote": ("tfstate+tfcloud://acme/app-blue?host=tfe.example",),
        "tagged": ("tfstate+tfcloud://acme/blue?host=tfe.acme.example",),
        "consul": (),
        "local": ("local/ws/blue/terraform.tfstate",),
    }
    assert all(r.workspace == "blue" for r in roots.values())
    assert any("no workspaces" in n for n in roots["http"].notes)


def test_workspace_from_tf_workspace(backends: GitTree) -> None:
    roots = by_directory(discover_roots(backends, env={"TF_WORKSPACE": "green"}))
    assert roots["local"].state_paths == ("local/ws/green/terraform.tfstate",)
    # the argument wins over the variable
    roots = by_directory(discover_roots(backends, workspace="blue",
                                        env={"TF_WORKSPACE": "green"}))
    assert roots["local"].state_paths == ("local/ws/blue/terraform.tfstate",)


def test_a_workspace_without_local_state(backends: GitTree) -> None:
    roots = by_directory(discover_roots(backends, workspace="purple", env={}))
    assert roots["local"].state_paths == ()
    assert any("'purple'" in n and "local/ws/purple/terraform.tfstate" in n
               for n in roots["local"].notes)


def test_all_workspaces(backends: GitTree) -> None:
    roots = by_directory(discover_roots(backends, all_workspaces=True, env={}))
    assert {d: locations(r) for d, r in roots.items()} == {
        "s3": ("tfstate+s3://b/app/t.tfstate?region=us-west-2&workspace=*"
               "&workspace_key_prefix=ws",),
        "s3default": ("tfstate+s3://b/k?workspace=*",),
        "gcs": ("tfstate+gs://g/team/app/*.tfstate",),
        "azurerm": ("tfstate+azurerm://sa/c/app.tfstate?workspace=*",),
        "http": ("tfstate+https://ci:pw@state.example/app",),
        "remote": ("tfstate+tfcloud://acme/app-*?host=tfe.example",),
        "tagged": (),
        "consul": (),
        "local": ("local/state/app.tfstate", "local/ws/blue/terraform.tfstate",
                  "local/ws/green/terraform.tfstate"),
    }
    assert all(r.workspace is None for r in roots.values())
    assert roots["local"].workspaces == ("default", "blue", "green")
    # tags pick the org's workspaces, which the readers cannot filter by: not guessed
    assert any("tags [app, web]" in n for n in roots["tagged"].notes)


def test_urls_are_accepted_by_the_from_parser(backends: GitTree) -> None:
    from cloudrift.sources.uri import parse_from

    for options in ({}, {"workspace": "blue"}, {"all_workspaces": True}):
        for root in discover_roots(backends, env={}, **options):  # type: ignore[arg-type]
            for url in root.urls:
                spec = parse_from(url)
                assert spec.backend is not None, url
    (every_s3,) = [r for r in discover_roots(backends, all_workspaces=True, env={})
                   if r.directory == "s3"]
    spec = parse_from(every_s3.urls[0])
    assert (spec.location, dict(spec.options)) == (
        "b/app/t.tfstate",
        {"region": "us-west-2", "workspace": "*", "workspace_key_prefix": "ws"},
    )


def test_s3_settings_the_reader_takes_are_carried(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"main.tf": 'terraform {\n backend "s3" {\n  bucket = "b"\n  key = "k"\n'
                            '  profile = "ops"\n  use_path_style = true\n'
                            '  endpoints {\n   s3 = "http://minio.local:9000"\n  }\n'
                            '  assume_role {\n   role_arn = "arn:aws:iam::1:role/r"\n  }\n'
                            ' }\n}\n'})
    (root,) = discover_roots(GitTree(str(repo.path), "main"), env={})
    assert root.urls == ("tfstate+s3://b/k?profile=ops&endpoint=http://minio.local:9000"
                         "&path_style=true",)
    from cloudrift.sources.uri import parse_from

    assert dict(parse_from(root.urls[0]).options)["endpoint"] == "http://minio.local:9000"
    assert any("assume_role" in n for n in root.notes)


def test_cloud_block_settings_from_the_environment(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"main.tf": "terraform {\n  cloud {}\n}\n"})
    tree = GitTree(str(repo.path), "main")
    (bare,) = discover_roots(tree, env={})
    assert not bare.readable
    assert any("organization" in n for n in bare.notes)
    (configured,) = discover_roots(tree, env={"TF_CLOUD_ORGANIZATION": "acme",
                                              "TF_WORKSPACE": "web"})
    assert configured.urls == ("tfstate+tfcloud://acme/web",)


# --- Git refs and the working tree ------------------------------------------------------------


def test_discovery_reads_the_ref_not_the_working_tree(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"prod/main.tf": S3_PROD, "dev/main.tf": 'resource "aws_vpc" "v" {}\n',
                 "dev/terraform.tfstate": state(1)})
    repo.git("tag", "v1")
    repo.commit({"prod/main.tf": S3_PROD.replace("prod/network", "prod/network-v2"),
                 "dev/terraform.tfstate": state(2)})
    repo.write({"prod/main.tf": S3_PROD.replace("prod/network", "work"),
                "dev/terraform.tfstate": state(99),
                "wip/main.tf": CLOUD_NAMED})

    def prod_urls(tree: GitTree | LocalTree) -> tuple[str, ...]:
        return by_directory(discover_roots(tree, env={}))["prod"].urls

    assert prod_urls(GitTree(str(repo.path), "v1")) == (
        "tfstate+s3://acme-state/prod/network.tfstate?region=eu-west-1",)
    assert prod_urls(GitTree(str(repo.path), "main")) == (
        "tfstate+s3://acme-state/prod/network-v2.tfstate?region=eu-west-1",)
    assert prod_urls(LocalTree(str(repo.path))) == (
        "tfstate+s3://acme-state/work.tfstate?region=eu-west-1",)
    assert "wip" not in by_directory(discover_roots(GitTree(str(repo.path), "main"), env={}))

    for ref, serial in (("v1", 1), ("main", 2)):
        tree = GitTree(str(repo.path), ref)
        sources = root_sources(tree, [r for r in discover_roots(tree, env={})
                                      if r.backend == "local"])
        assert [type(s) for s in sources] == [GitStateSource]
        documents = [d for s in sources for d in s.read()]
        assert [(d.source, d.serial) for d in documents if isinstance(d, StateDocument)] == [
            (f"{repo.path}@{ref}:dev/terraform.tfstate", serial)
        ]


# --- a directory on disk ----------------------------------------------------------------------


def test_local_tree_states_are_tfstate_urls(tmp_path: Path) -> None:
    root = tmp_path / "live"
    for name, content in {
        "app/main.tf": 'resource "aws_vpc" "v" {}\n',
        "app/terraform.tfstate": state(5),
        "app/terraform.tfstate.d/blue/terraform.tfstate": state(6),
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    tree = LocalTree(str(root))
    (app,) = discover_roots(tree, env={})
    assert app.urls == (f"tfstate://{root}/app/terraform.tfstate",)
    (every,) = discover_roots(tree, all_workspaces=True, env={})
    assert every.urls == (f"tfstate://{root}/app/terraform.tfstate",
                          f"tfstate://{root}/app/terraform.tfstate.d/blue/terraform.tfstate")
    sources = root_sources(tree, [every])
    assert all(isinstance(s, LocalStateSource) for s in sources)
    assert [d.serial for s in sources for d in s.read() if isinstance(d, StateDocument)] == [5, 6]


def test_terraform_init_records_are_used_in_a_checkout(tmp_path: Path) -> None:
    """`terraform init -backend-config=...` and `terraform workspace select` leave their
    choices in .terraform/: a scan run in that checkout reads the same state."""
    root = tmp_path / "live"
    (root / ".terraform").mkdir(parents=True)
    (root / "main.tf").write_text('terraform {\n  backend "s3" {\n    region = "eu-west-1"\n'
                                  '  }\n}\n')
    (root / "prod.s3.tfbackend").write_text('bucket = "acme"\nkey = "app.tfstate"\n')
    tree = LocalTree(str(root))
    (partial,) = discover_roots(tree, env={})
    assert not partial.readable
    notes = " ".join(partial.notes)
    assert "partial configuration: bucket, key" in notes
    assert "prod.s3.tfbackend" in notes

    (root / ".terraform" / "terraform.tfstate").write_text(json.dumps({
        "version": 3, "backend": {"type": "s3", "config": {
            "bucket": "acme", "key": "app.tfstate", "region": None,
            "secret_key": "do-not-show"}}}))
    (root / ".terraform" / "environment").write_text("staging")
    (initialised,) = discover_roots(tree, env={})
    assert initialised.urls == ("tfstate+s3://acme/env:/staging/app.tfstate?region=eu-west-1",)
    assert initialised.workspace == "staging"
    assert initialised.settings["secret_key"] == "(sensitive)"
    assert "do-not-show" not in "\n".join(describe_roots([initialised]))
    # an explicit workspace wins over the recorded one
    (chosen,) = discover_roots(tree, workspace="default", env={})
    assert chosen.urls == ("tfstate+s3://acme/app.tfstate?region=eu-west-1",)


def test_an_init_record_for_another_backend_is_ignored(tmp_path: Path) -> None:
    root = tmp_path / "live"
    (root / ".terraform").mkdir(parents=True)
    (root / "main.tf").write_text('terraform {\n  backend "s3" {}\n}\n')
    (root / ".terraform" / "terraform.tfstate").write_text(json.dumps(
        {"version": 3, "backend": {"type": "gcs", "config": {"bucket": "old"}}}))
    (root_module,) = discover_roots(LocalTree(str(root)), env={})
    assert not root_module.readable


# --- describe_roots ---------------------------------------------------------------------------


def test_describe_roots(backends: GitTree) -> None:
    roots = [r for r in discover_roots(backends, env={})
             if r.directory in ("http", "local", "remote")]
    assert describe_roots(roots, backends) == [
        "http  (backend http, workspace default)",
        "  from tfstate+https://state.example/app",
        "  note: not carried into the URL: password (set TF_HTTP_USERNAME / TF_HTTP_PASSWORD)",
        "local  (backend local, workspace default)",
        f"  from {backends.label}:local/state/app.tfstate",
        "remote  (backend remote, workspace default)",
        "  note: workspaces are chosen by prefix 'app-': pass a workspace name or all "
        "workspaces",
        "  not read: no state location",
    ]
    assert "hunter22" not in "\n".join(describe_roots(roots, backends))
    assert describe_roots([])[0].startswith("no root modules found")


# --- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r'"a\"b"', 'a"b'),
        (r'"tab\there"', "tab\there"),
        (r'"caf\u00e9"', "café"),
        (r'"$${literal}"', "${literal}"),
        (r'"%%{literal}"', "%{literal}"),
        ('"${var.x}-suffix"', Expression('"${var.x}-suffix"')),
        ('"%{ if true }x%{ endif }"', Expression('"%{ if true }x%{ endif }"')),
        ("upper(\"x\")", Expression('upper("x")')),
        ("local.bucket", Expression("local.bucket")),
    ],
)
def test_setting_values(literal: str, value: object) -> None:
    text = f'terraform {{\n  backend "s3" {{\n    bucket = {literal}\n  }}\n}}\n'
    summary = summarise_file("main.tf", text.encode())
    assert summary.error is None
    ((kind, settings),) = summary.backends
    assert kind == "s3"
    assert settings["bucket"] == value


TRICKY = '''# terraform { backend "s3" {} } in a comment
locals {
  brace   = "}"
  nested  = "${ {a = "}"}["a"] }"
  escaped = "$${not an interpolation {"
  doc     = <<-EOT
    } unbalanced { inside a heredoc
    EOT
}
/* module "fake" { source = "./nowhere" } */
resource "aws_s3_bucket" "b" {
  // terraform {
  bucket = "x"
}
terraform {
  backend "gcs" {
    bucket = "real" # }
  }
}
module "m" {
  source = "./mod"
}
'''


def test_block_cutter_follows_strings_comments_and_heredocs() -> None:
    cut = extract_blocks(TRICKY, frozenset({"terraform", "module"}))
    assert cut is not None
    assert cut.startswith("terraform {\n  backend \"gcs\"")
    assert "nowhere" not in cut
    assert "locals" not in cut
    summary = summarise_file("main.tf", TRICKY.encode())
    assert summary.backends == (("gcs", {"bucket": "real"}),)
    assert summary.module_sources == ("./mod",)


def test_a_file_the_cutter_cannot_follow_is_parsed_whole() -> None:
    # a top-level attribute is valid HCL, though not a shape Terraform uses
    text = 'x = 1\nterraform {\n  backend "gcs" { bucket = "real" }\n}\n'
    assert extract_blocks(text, frozenset({"terraform"})) is None
    assert summarise_file("main.tf", text.encode()).backends == (("gcs", {"bucket": "real"}),)


def test_a_syntax_error_outside_the_blocks_is_reported_with_its_line() -> None:
    text = 'terraform {\n  backend "gcs" { bucket = "real" }\n}\nlocals {\n  a = "open\n}\n'
    assert extract_blocks(text, frozenset({"terraform"})) is None
    summary = summarise_file("main.tf", text.encode())
    assert summary.backends == ()
    assert summary.error is not None
    assert summary.error.startswith("line 5")


def test_files_without_the_words_are_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    import hcl2

    calls: list[str] = []
    real = hcl2.loads

    def spy(text: str) -> object:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(hcl2, "loads", spy)
    assert summarise_file("a.tf", b'resource "aws_vpc" "v" {}\n').backends == ()
    assert calls == []
    text = b'terraform {\n  backend "s3" {\n    bucket = "cached-once"\n  }\n}\n'
    first = summarise_file("b.tf", text)
    second = summarise_file("c.tf", text)
    assert first == second
    assert first.backends == (("s3", {"bucket": "cached-once"}),)
    assert len(calls) == 1
    # only the terraform block reached the parser
    assert calls[0].startswith("terraform {")


# --- discovery into the readers -----------------------------------------------------------


def test_discovered_s3_workspaces_are_read_from_the_bucket(
    tmp_path: Path, moto: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discovery's URLs go through the real S3 reader to moto's server: every workspace, and
    the local state of another root read from the same Git ref."""
    import boto3

    from cloudrift.engine import read_sources

    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.endpoint)
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=moto.endpoint)
    s3.create_bucket(Bucket="acme-state")
    for key, serial in (("app/t.tfstate", 1), ("env:/blue/app/t.tfstate", 2),
                        ("env:/green/app/t.tfstate", 3), ("other/t.tfstate", 9)):
        s3.put_object(Bucket="acme-state", Key=key, Body=state(serial).encode())
    repo = GitRepo(tmp_path / "r")
    repo.commit({
        "app/main.tf": 'terraform {\n  backend "s3" {\n    bucket = "acme-state"\n'
                       '    key = "app/t.tfstate"\n    region = "us-east-1"\n  }\n}\n',
        "dev/main.tf": 'resource "aws_vpc" "v" {}\n',
        "dev/terraform.tfstate": state(20),
    })
    tree = GitTree(str(repo.path), "main")

    every = read_sources(root_sources(tree, discover_roots(tree, all_workspaces=True, env={})))
    assert sorted(d.serial for d in every.documents) == [1, 2, 3, 20]
    assert every.failures == []
    blue = read_sources(root_sources(tree, discover_roots(tree, workspace="blue", env={})))
    # dev has no "blue" workspace: only app's state is read
    assert [d.serial for d in blue.documents] == [2]
