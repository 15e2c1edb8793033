"""Configuration precedence, ignore commands, filters and re-rendering, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from cloudrift.cli import cli
from cloudrift.testing import StateBuilder
from cloudrift_aws.testing import MotoServer


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("CLOUDRIFT_REGION", "CLOUDRIFT_PARALLELISM", "CLOUDRIFT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env, input=stdin)


def settings(output: str) -> dict[str, str]:
    lines = [line for line in output.splitlines() if " = " in line]
    return {line.split("=")[0].strip(): line.split("=", 1)[1].strip() for line in lines}


def test_precedence_is_flag_then_env_then_file(workdir: Path) -> None:
    (workdir / "cloudrift.toml").write_text(
        'region = ["eu-west-1"]\nparallelism = 4\nstrict = true\n'
    )
    shown = settings(run("config").output)
    assert shown["region"] == '["eu-west-1"]  (file cloudrift.toml)'
    assert shown["parallelism"] == "4  (file cloudrift.toml)"
    assert shown["only"] == "[]  (default)"

    env = {"CLOUDRIFT_PARALLELISM": "8"}
    assert settings(run("config", env=env).output)["parallelism"] == (
        "8  (env CLOUDRIFT_PARALLELISM)"
    )
    flagged = settings(run("config", "--parallelism", "2", env=env).output)
    assert flagged["parallelism"] == "2  (flag)"
    assert flagged["strict"] == "true  (file cloudrift.toml)"


def test_pyproject_table_is_read(workdir: Path) -> None:
    (workdir / "pyproject.toml").write_text('[tool.cloudrift]\nto = ["aws"]\n')
    result = run("config")
    assert "config file: pyproject.toml [tool.cloudrift]" in result.output
    assert settings(result.output)["to"] == '["aws"]  (file pyproject.toml [tool.cloudrift])'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("regoin = ['x']\n", "cloudrift.toml: unknown key 'regoin'"),
        ("parallelism = true\n", "'parallelism' must be a int, not bool"),
        ("[[ignore]]\nowner = 'me'\n", "each [[ignore]] needs a 'rule'"),
        ("[[ignore]]\nrule = 'a.b'\nexpires = 'soon'\n", "expires 'soon' is not a date"),
        ("region = [\n", "invalid TOML"),
    ],
)
def test_bad_config_is_one_line_naming_the_file(workdir: Path, content: str,
                                                message: str) -> None:
    (workdir / "cloudrift.toml").write_text(content)
    result = run("config")
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_ignore_add_writes_plain_and_expiring_rules(workdir: Path) -> None:
    assert run("ignore", "add", "aws_s3_bucket.logs").exit_code == 0
    assert run("ignore", "add", "aws_iam_user.*", "--owner", "ops", "--reason", "break-glass",
               "--expires", "2027-01-31").exit_code == 0
    assert (workdir / ".cloudriftignore").read_text() == "aws_s3_bucket.logs\n"
    assert "ignore rules from the config file: 1" in run("config").output
    bad = run("ignore", "add", "a..b")
    assert bad.exit_code == 2
    assert "invalid ignore rule" in bad.output


@pytest.fixture
def drifted(moto: MotoServer, workdir: Path) -> dict[str, str]:
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=moto.endpoint)
    url = sqs.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    gone = "http://127.0.0.1:1/123456789012/gone"
    StateBuilder().add("aws_sqs_queue", "jobs", {
        "id": url, "visibility_timeout_seconds": 30, "tags": {"env": "a"},
        "tags_all": {"env": "a"},
    }).add("aws_sqs_queue", "gone", {
        "id": gone, "arn": "arn:aws:sqs:us-east-1:123456789012:gone",
    }).write(workdir / "s.tfstate")
    sqs.create_queue(QueueName="stray")
    return {"AWS_ENDPOINT_URL": moto.endpoint, "CLOUDRIFT_REGION": "us-east-1"}


def kinds(result: Any) -> list[str]:
    return [f["kind"] for f in json.loads(result.output)["findings"]]


def test_filters_narrow_the_report(drifted: dict[str, str]) -> None:
    base = ("scan", "--from", "s.tfstate", "-o", "json://")
    assert kinds(run(*base, env=drifted)) == ["changed", "missing", "unmanaged"]
    assert kinds(run(*base, "--only", "missing,unmanaged", env=drifted)) == [
        "missing", "unmanaged"]
    assert kinds(run(*base, "--filter", "kind=='changed'", env=drifted)) == ["changed"]
    assert kinds(run(*base, "--exclude-type", "aws_sqs_*", env=drifted)) == []
    assert run(*base, "--exclude-type", "aws_sqs_*", env=drifted).exit_code == 0
    bad = run(*base, "--only", "weird", env=drifted)
    assert bad.exit_code == 2
    assert "'weird' is not a finding kind" in bad.output


def test_ignores_are_applied_counted_and_expire(drifted: dict[str, str], workdir: Path) -> None:
    (workdir / ".driftignore").write_text("# accepted\naws_sqs_queue.*.tags\n")
    (workdir / "cloudrift.toml").write_text(
        '[[ignore]]\nrule = "aws_sqs_queue.*stray"\nowner = "ops"\nexpires = 2099-01-01\n'
        '[[ignore]]\nrule = "aws_sqs_queue.*gone"\nowner = "dev"\nexpires = 2020-01-01\n'
    )
    result = run("scan", "--from", "s.tfstate", "-o", "json://", env=drifted)
    report = json.loads(result.output)
    changed = [f for f in report["findings"] if f["kind"] == "changed"]
    assert [c["path"] for c in changed[0]["changes"]] == ["visibility_timeout_seconds"]
    assert [f["kind"] for f in report["findings"]] == ["changed", "missing"]
    assert report["ignored"] == {".driftignore:2": 1, "cloudrift.toml ignore[1]": 1}
    assert report["summary"]["ignored"] == 2
    assert report["summary"]["unmanaged"] == 0
    expired = [w for w in report["warnings"] if w["code"] == "ignore_expired"]
    assert len(expired) == 1
    assert "owner dev" in expired[0]["message"]


def test_gen_then_scan_is_quiet(drifted: dict[str, str], workdir: Path) -> None:
    first = run("scan", "--from", "s.tfstate", "-o", "json://", env=drifted)
    rules = run("ignore", "gen", stdin=first.output)
    assert rules.exit_code == 0
    assert len(rules.output.splitlines()) == 3
    (workdir / ".cloudriftignore").write_text(rules.output)
    again = run("scan", "--from", "s.tfstate", "-o", "json://", env=drifted)
    assert again.exit_code == 0
    assert json.loads(again.output)["findings"] == []


def test_report_re_renders_a_saved_report(drifted: dict[str, str], workdir: Path) -> None:
    run("scan", "--from", "s.tfstate", "-o", "json://saved.json", env=drifted)
    result = run("report", "--from", "saved.json", "-o", "console://", "--no-color")
    assert result.exit_code == 0
    assert "visibility_timeout_seconds: 30 → 60" in result.output
    (workdir / "junk.json").write_text('{"summary": 3}')
    bad = run("report", "--from", "junk.json", "-o", "json://")
    assert bad.exit_code == 2
    assert "junk.json: not a cloudrift JSON report (summary:" in bad.output


def test_a_token_is_never_shown(workdir: Path) -> None:
    result = run("config", env={"CLOUDRIFT_TFC_TOKEN": "tok-very-secret-123"})
    assert "tok-very-secret-123" not in result.output
    assert settings(result.output)["tfc-token"] == '"(sensitive)"  (env CLOUDRIFT_TFC_TOKEN)'
    (workdir / "cloudrift.toml").write_text('tfc_token = "x"\n')
    assert "'tfc-token' is a secret and is not read from a file" in run("config").output


def test_unmanaged_search_from_flag_env_and_file(drifted: dict[str, str], workdir: Path) -> None:
    base = ("scan", "--from", "s.tfstate", "-o", "json://")
    off = json.loads(run(*base, "--unmanaged", "none", env=drifted).output)
    assert [f["kind"] for f in off["findings"]] == ["changed", "missing"]
    assert off["summary"]["unmanaged_search"] == "none"
    limited = run(*base, env={**drifted, "CLOUDRIFT_UNMANAGED": "managed-types"})
    assert kinds(limited) == ["changed", "missing", "unmanaged"]
    assert json.loads(limited.output)["summary"]["unmanaged_search"] == "managed-types"
    (workdir / "cloudrift.toml").write_text('unmanaged = "none"\n')
    assert settings(run("config").output)["unmanaged"] == '"none"  (file cloudrift.toml)'
    console = run("scan", "--from", "s.tfstate", "--no-color", env=drifted).output
    assert "Unmanaged search: off" in console
    both = run(*base, "--observe-unmanaged", env=drifted)
    assert both.exit_code == 2
    assert "--observe-unmanaged" in both.output
    assert run(*base, "--only", "unmanaged", env=drifted).exit_code == 2
    (workdir / "cloudrift.toml").write_text('unmanaged = "some"\n')
    assert run("config").exit_code == 2
