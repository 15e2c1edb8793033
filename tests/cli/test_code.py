"""Code and state together: --hcl, zero-config discovery, Git refs, `cloudrift sources`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from cloudrift.cli import cli
from cloudrift.testing import StateBuilder
from cloudrift_aws.testing import MotoServer

MAIN_TF = '''\
terraform {
  backend "local" {
    path = "terraform.tfstate"
  }
}

resource "aws_sqs_queue" "jobs" {
  name                       = "jobs"
  visibility_timeout_seconds = 30
}

module "extra" {
  source = "./modules/extra"
}
'''
EXTRA_TF = '''\
variable "unused" {
  default = 1
}

resource "aws_sqs_queue" "later" {
  name = "later"
}
'''


def write_root(root: Path, url: str) -> None:
    (root / "modules" / "extra").mkdir(parents=True)
    (root / "main.tf").write_text(MAIN_TF)
    (root / "modules" / "extra" / "main.tf").write_text(EXTRA_TF)
    StateBuilder().add("aws_sqs_queue", "jobs", {
        "id": url, "name": "jobs", "arn": "arn:aws:sqs:us-east-1:123456789012:jobs",
        "visibility_timeout_seconds": 30,
    }).write(root / "terraform.tfstate")


@pytest.fixture
def queue(moto: MotoServer) -> tuple[str, dict[str, str]]:
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=moto.endpoint)
    url = sqs.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "90"})["QueueUrl"]
    return url, {"AWS_ENDPOINT_URL": moto.endpoint, "CLOUDRIFT_REGION": "us-east-1"}


def scan_json(*args: str, env: dict[str, str]) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(cli, ["scan", "-o", "json://", *args], env=env)
    start = result.stdout.find("{")
    assert start >= 0, result.output
    return result.exit_code, json.loads(result.stdout[start:]), result.stderr


def located(report: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    return sorted((f["kind"], f["address"], f["location"]) for f in report["findings"]
                  if f["kind"] != "unmanaged")


def test_hcl_locates_findings_and_finds_unapplied(
    queue: tuple[str, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, env = queue
    write_root(tmp_path / "stack", url)
    monkeypatch.chdir(tmp_path)
    code, report, _ = scan_json("--from", "stack/terraform.tfstate", "--hcl", "stack", env=env)
    assert code == 1
    assert located(report) == [
        ("changed", "aws_sqs_queue.jobs", "stack/main.tf:7"),
        ("unapplied", "module.extra.aws_sqs_queue.later", "stack/modules/extra/main.tf:5"),
    ]
    assert report["summary"]["unapplied"] == 1


def test_a_code_directory_whose_name_starts_with_a_dot(
    queue: tuple[str, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, env = queue
    write_root(tmp_path / ".infra", url)
    monkeypatch.chdir(tmp_path)
    code, report, _ = scan_json("--from", ".infra/terraform.tfstate", "--hcl", ".infra", env=env)
    assert code == 1
    assert ("changed", "aws_sqs_queue.jobs", ".infra/main.tf:7") in located(report)


def test_a_syntax_error_is_a_warning_and_the_scan_goes_on(
    queue: tuple[str, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, env = queue
    write_root(tmp_path, url)
    (tmp_path / "broken.tf").write_text('resource "aws_sqs_queue" "x" {\n  name = \n}\n')
    monkeypatch.chdir(tmp_path)
    code, report, _ = scan_json("--from", "terraform.tfstate", "--hcl", ".", env=env)
    assert code == 1
    assert ("changed", "aws_sqs_queue.jobs", "main.tf:7") in located(report)
    errors = [w["message"] for w in report["warnings"] if w["code"] == "hcl_unreadable"]
    assert len(errors) == 1
    assert errors[0].startswith("broken.tf:")


def test_zero_config_finds_the_root_and_its_state(
    queue: tuple[str, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, env = queue
    write_root(tmp_path / "envs" / "prod", url)
    monkeypatch.chdir(tmp_path)
    listing = CliRunner().invoke(cli, ["sources"], env=env)
    assert listing.exit_code == 0
    assert "envs/prod  (backend local" in listing.output
    code, report, _ = scan_json(env=env)
    assert code == 1
    assert located(report) == [
        ("changed", "aws_sqs_queue.jobs", "envs/prod/main.tf:7"),
        ("unapplied", "module.extra.aws_sqs_queue.later", "envs/prod/modules/extra/main.tf:5"),
    ]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
                        "PATH": "/usr/bin:/bin"})


def test_a_git_ref_is_read_whatever_is_checked_out(
    queue: tuple[str, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, env = queue
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write_root(repo, url)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "v1")
    git(repo, "tag", "v1")
    # the working tree moves on: the module and the state are gone
    (repo / "terraform.tfstate").unlink()
    (repo / "main.tf").write_text("# nothing here any more\n")
    monkeypatch.chdir(tmp_path)
    code, report, _ = scan_json("--repo", str(repo), "--ref", "v1", env=env)
    assert code == 1
    assert located(report) == [
        ("changed", "aws_sqs_queue.jobs", "main.tf:7"),
        ("unapplied", "module.extra.aws_sqs_queue.later", "modules/extra/main.tf:5"),
    ]
    missing = CliRunner().invoke(cli, ["scan", "--repo", str(repo), "--ref", "nope"], env=env)
    assert missing.exit_code == 2
    assert "nope" in missing.output
    assert "Traceback" not in missing.output
