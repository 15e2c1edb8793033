"""--from URLs and local state files: globs, directories, missing files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cloudrift.errors import ConfigError, SourceError, StateFormatError
from cloudrift.sources import LocalStateSource, open_source, parse_from
from cloudrift.sources.uri import FromSpec
from tests.unit.statefiles import STATES


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The workspaces fixture tree plus the files Terraform leaves next to real states."""
    root = tmp_path / "live"
    shutil.copytree(STATES / "workspaces", root)
    # .terraform/ and *.backup are git-ignored, so they are put in place here
    dot_terraform = root / "staging" / ".terraform"
    dot_terraform.mkdir()
    shutil.copy(STATES / "dot-terraform-backend.tfstate", dot_terraform / "terraform.tfstate")
    staging = root / "staging" / "terraform.tfstate"
    shutil.copy(staging, staging.with_name("terraform.tfstate.backup"))
    return root


def relative(paths: list[str], root: Path) -> list[str]:
    return [str(Path(p).relative_to(root)) for p in paths]


# --- parse_from / open_source -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "location"),
    [
        ("states/prod.tfstate", "states/prod.tfstate"),
        ("tfstate://states/prod.tfstate", "states/prod.tfstate"),
        ("tfstate:///abs/prod.tfstate", "/abs/prod.tfstate"),
        ("tfstate://live/**/*.tfstate", "live/**/*.tfstate"),
    ],
)
def test_parse_from(uri: str, location: str) -> None:
    assert parse_from(uri) == FromSpec("tfstate", None, location)


def test_unknown_scheme_refused_with_hint() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_from("ftp://host/prod.tfstate")
    assert "unknown --from scheme 'ftp'" in caught.value.message
    assert caught.value.hint is not None
    assert "tfstate://" in caught.value.hint


def test_unsupported_backend_refused() -> None:
    with pytest.raises(ConfigError, match="backend 'ftp' is not supported"):
        parse_from("tfstate+ftp://bucket/key")


@pytest.mark.parametrize("uri", ["", "tfstate://"])
def test_empty_from_refused(uri: str) -> None:
    with pytest.raises(ConfigError):
        parse_from(uri)


def test_open_source_reads_through_the_url(tree: Path) -> None:
    source = open_source(f"tfstate://{tree}/prod/terraform.tfstate")
    assert source.uri == f"tfstate://{tree}/prod/terraform.tfstate"
    (document,) = source.read()
    assert [i.address for i in document.instances] == [
        "aws_sqs_queue.orders", "aws_sqs_queue.orders_dlq",
    ]


def test_open_source_refuses_unknown_scheme_before_reading() -> None:
    with pytest.raises(ConfigError):
        open_source("gcs://bucket/prod.tfstate")


# --- local files ------------------------------------------------------------------------------


def test_recursive_glob_finds_states_at_every_depth(tree: Path) -> None:
    source = LocalStateSource(uri="t", pattern=f"{tree}/**/*.tfstate")
    # not the backup, and not .terraform/terraform.tfstate (backend settings, not a state)
    assert relative(source.paths(), tree) == [
        "dev/terraform.tfstate",
        "prod/eu-west-1/terraform.tfstate",
        "prod/terraform.tfstate",
        "staging/terraform.tfstate",
    ]
    documents = source.read()
    assert [Path(d.source).relative_to(tree).as_posix() for d in documents] == relative(
        source.paths(), tree
    )
    assert [len(d.instances) for d in documents] == [0, 1, 2, 1]
    assert documents[1].instances[0].address == "module.region.aws_sqs_queue.orders"


def test_single_level_glob(tree: Path) -> None:
    source = LocalStateSource(uri="t", pattern=f"{tree}/*/terraform.tfstate")
    assert relative(source.paths(), tree) == [
        "dev/terraform.tfstate", "prod/terraform.tfstate", "staging/terraform.tfstate",
    ]


def test_glob_skips_directories_it_matches(tree: Path) -> None:
    (tree / "odd.tfstate").mkdir()
    source = LocalStateSource(uri="t", pattern=f"{tree}/*.tfstate")
    with pytest.raises(SourceError, match="no state file matches"):
        source.paths()


def test_glob_matching_nothing_refused(tree: Path) -> None:
    with pytest.raises(SourceError) as caught:
        LocalStateSource(uri="t", pattern=f"{tree}/**/*.json").read()
    assert f"{tree}/**/*.json: no state file matches this pattern" == caught.value.message


def test_directory_refused_with_glob_hint(tree: Path) -> None:
    with pytest.raises(SourceError) as caught:
        LocalStateSource(uri="t", pattern=str(tree / "prod")).read()
    assert caught.value.message == f"{tree / 'prod'}: is a directory"
    assert caught.value.hint is not None
    assert "**" in caught.value.hint


def test_missing_file_refused(tmp_path: Path) -> None:
    missing = tmp_path / "nope.tfstate"
    with pytest.raises(SourceError) as caught:
        LocalStateSource(uri="t", pattern=str(missing)).read()
    assert caught.value.message == f"{missing}: state file not found"
    assert not isinstance(caught.value, StateFormatError)


def test_a_bad_file_among_many_is_named(tmp_path: Path) -> None:
    shutil.copy(STATES / "workspaces/prod/terraform.tfstate", tmp_path / "a.tfstate")
    shutil.copy(STATES / "invalid/truncated.tfstate", tmp_path / "b.tfstate")
    with pytest.raises(StateFormatError, match=r"b\.tfstate: not valid JSON"):
        LocalStateSource(uri="t", pattern=f"{tmp_path}/*.tfstate").read()


def test_file_whose_name_looks_like_a_glob(tmp_path: Path) -> None:
    shutil.copy(STATES / "workspaces/prod/terraform.tfstate", tmp_path / "env[prod].tfstate")
    # "[prod]" as a glob would be a character class matching "envp.tfstate" and the like
    (document,) = LocalStateSource(uri="t", pattern=str(tmp_path / "env[prod].tfstate")).read()
    assert len(document.instances) == 2


def test_home_directory_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    shutil.copy(STATES / "workspaces/staging/terraform.tfstate", tmp_path / "s.tfstate")
    (document,) = LocalStateSource(uri="t", pattern="~/s.tfstate").read()
    assert document.source == str(tmp_path / "s.tfstate")
