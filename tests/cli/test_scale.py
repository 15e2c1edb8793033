"""Sharding and merging, the progress display and --verbose, through the CLI against moto."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from cloudrift.api import parse_shard
from cloudrift.cli import cli
from cloudrift.errors import ConfigError
from cloudrift.plugin import in_shard
from cloudrift.progress import TerminalProgress, should_show
from cloudrift.testing import StateBuilder
from cloudrift_aws.testing import MotoServer
from tests.providers.aws.orgs import ROLE, Organization, new_organization, session_in

REGIONS = ("us-east-1", "eu-west-1")


def run(*args: str, env: dict[str, str]) -> Any:
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture
def estate(moto: MotoServer, tmp_path: Path) -> tuple[str, dict[str, str]]:
    """Queues, VPCs, log groups and IAM users in two regions: some drifted, some gone, some
    unmanaged, so every shard has something to say."""
    state = StateBuilder()
    for region in REGIONS:
        sqs = boto3.client("sqs", region_name=region, endpoint_url=moto.endpoint)
        logs = boto3.client("logs", region_name=region, endpoint_url=moto.endpoint)
        ec2 = boto3.client("ec2", region_name=region, endpoint_url=moto.endpoint)
        for n in range(3):
            url = sqs.create_queue(QueueName=f"q{n}",
                                   Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
            state.add("aws_sqs_queue", f"q_{region}", {
                "id": url, "arn": f"arn:aws:sqs:{region}:123456789012:q{n}",
                "visibility_timeout_seconds": 30 if n else 45}, index_key=n)
            logs.create_log_group(logGroupName=f"/app/{n}")
            state.add("aws_cloudwatch_log_group", f"g_{region}", {
                "id": f"/app/{n}", "name": f"/app/{n}",
                "arn": f"arn:aws:logs:{region}:123456789012:log-group:/app/{n}",
                "retention_in_days": 0}, index_key=n)
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        state.add("aws_vpc", f"v_{region}", {
            "id": vpc, "arn": f"arn:aws:ec2:{region}:123456789012:vpc/{vpc}",
            "cidr_block": "10.9.0.0/16", "tags": {"a": "b"}, "tags_all": {"a": "b"}})
        sqs.create_queue(QueueName="stray")
        state.add("aws_sqs_queue", f"gone_{region}", {
            "id": f"{moto.endpoint}/123456789012/gone",
            "arn": f"arn:aws:sqs:{region}:123456789012:gone"})
    iam = boto3.client("iam", region_name="us-east-1", endpoint_url=moto.endpoint)
    iam.create_user(UserName="ci", Path="/")
    iam.create_user(UserName="stray-user")
    state.add("aws_iam_user", "ci", {"id": "ci", "name": "ci", "path": "/bots/"})
    path = state.write(tmp_path / "s.tfstate")
    return path, {"AWS_ENDPOINT_URL": moto.endpoint}


def _scan(path: str, env: dict[str, str], out: Path, *extra: str) -> dict[str, Any]:
    result = run("scan", "--from", path, "--region", ",".join(REGIONS), "-q",
                 "-o", f"json://{out}", *extra, env=env)
    assert result.exit_code == 1, result.output
    report: dict[str, Any] = json.loads(out.read_text())
    return report


COUNTS = ("total_resources", "managed", "in_sync", "changed", "missing", "unmanaged")


@pytest.mark.parametrize("shards", [2, 3])
def test_merged_shards_equal_the_unsharded_scan(
    estate: tuple[str, dict[str, str]], tmp_path: Path, shards: int
) -> None:
    path, env = estate
    whole = _scan(path, env, tmp_path / "whole.json")
    parts = []
    for index in range(1, shards + 1):
        out = tmp_path / f"shard{index}.json"
        result = run("scan", "--from", path, "--region", ",".join(REGIONS), "-q",
                     "--shard", f"{index}/{shards}", "-o", f"json://{out}", env=env)
        assert result.exit_code in (0, 1), result.output
        parts.append(str(out))
    merged_path = tmp_path / "merged.json"
    result = run("merge", *parts, "-o", f"json://{merged_path}", env=env)
    assert result.exit_code == 1
    merged = json.loads(merged_path.read_text())
    assert {k: merged["summary"][k] for k in COUNTS} == {k: whole["summary"][k] for k in COUNTS}
    assert merged["findings"] == whole["findings"]
    assert [(c["type"], c["managed"], c["actual"]) for c in merged["coverage"]] == [
        (c["type"], c["managed"], c["actual"]) for c in whole["coverage"]
    ]
    assert whole["summary"]["changed"] >= 3
    assert whole["summary"]["missing"] == 2
    assert whole["summary"]["unmanaged"] >= 3


def test_shards_split_the_work_and_cover_all_of_it() -> None:
    units = [(t, r) for t in ("a", "b", "c", "d", "e") for r in ("x", "y", "global")]
    owners = [[i for i in (1, 2, 3) if in_shard((i, 3), "aws", t, r)] for t, r in units]
    assert all(len(o) == 1 for o in owners)
    assert {o[0] for o in owners} == {1, 2, 3}


@pytest.mark.parametrize("bad", ["0/2", "3/2", "1/0", "a/b", "2"])
def test_bad_shard_values(bad: str) -> None:
    with pytest.raises(ConfigError, match="is not I/N"):
        parse_shard(bad)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert should_show(_Tty(), quiet=False)
    assert not should_show(_Tty(), quiet=True)
    assert not should_show(io.StringIO(), quiet=False)
    monkeypatch.setenv("CI", "true")
    assert not should_show(_Tty(), quiet=False)


def test_progress_line_counts_and_clears_itself() -> None:
    stream = _Tty()
    with TerminalProgress(stream, interval=0.01) as progress:
        progress.tasks(4)
        progress.task_done(10)
        progress.api_call()
        progress.api_call()
        assert progress.line().startswith(
            "scanning: 1/4 type·scope listings, 2 API calls, 10 resources, ")
        import time

        time.sleep(0.05)
    text = stream.getvalue()
    assert "\rscanning: 1/4" in text
    assert text.endswith("\r")


def test_scan_off_a_terminal_prints_no_progress(estate: tuple[str, dict[str, str]]) -> None:
    path, env = estate
    result = CliRunner().invoke(cli, ["scan", "--from", path, "--region", "us-east-1",
                                      "-o", "json://"], env=env)
    assert "scanning:" not in result.output
    assert "\r" not in result.output


def test_verbose_logs_every_call(estate: tuple[str, dict[str, str]]) -> None:
    path, env = estate
    result = CliRunner().invoke(cli, ["scan", "--from", path, "--region", "us-east-1",
                                      "--verbose", "-o", "json://"], env=env)
    report = json.loads(result.output[result.output.index("{"):])
    logged = [line for line in result.output.splitlines() if "cloudrift.calls" in line]
    assert len(logged) == report["summary"]["api_calls"]
    assert any(line.endswith("aws sqs:ListQueues") for line in logged)


# -- an organisation, sharded by account --------------------------------------------------------


@pytest.fixture
def three_accounts(moto: MotoServer, tmp_path: Path) -> Organization:
    """A 3-account organisation with drift, gone roles and unmanaged users in each account."""
    world = new_organization(moto, tmp_path)
    world.add("dev")
    world.add("prod")
    world.roles("management", {"org-admin": "ops", "audit": "sec"}, drift={"audit": "x"})
    world.roles("dev", {"app": "ops", "ci": "ops", "deploy": "ops"},
                drift={"ci": "changed by hand"}, stray_user=True, attachment=True)
    world.roles("prod", {"app": "ops", "db": "ops"}, drift={"db": "y"}, stray_user=True)
    # gone from prod since it was applied
    iam = session_in(moto, world.accounts["prod"]).client("iam", endpoint_url=moto.endpoint)
    iam.delete_role(RoleName="app")
    return world


def _org_scan(org: Organization, out: Path, *extra: str) -> dict[str, Any]:
    args = ["scan", "-q", "--region", "us-east-1", "--aws-organization",
            "--aws-role-name", ROLE, "--type", "aws_iam_*", "-o", f"json://{out}", *extra]
    for state in org.states:
        args += ["--from", state]
    result = run(*args, env={"AWS_ENDPOINT_URL": org.moto.endpoint})
    assert result.exit_code in (0, 1), result.output
    report: dict[str, Any] = json.loads(out.read_text())
    return report


@pytest.mark.parametrize("shards", [2, 3])
def test_merged_shards_of_an_organization_equal_the_unsharded_scan(
    three_accounts: Organization, tmp_path: Path, shards: int
) -> None:
    whole = _org_scan(three_accounts, tmp_path / "whole.json")
    assert whole["summary"]["changed"] == 3
    assert whole["summary"]["missing"] == 1
    # the two stray users, and the policy the attachment names (no state manages it)
    assert sorted(f["type"] for f in whole["findings"] if f["kind"] == "unmanaged") == [
        "aws_iam_policy", "aws_iam_user", "aws_iam_user"]
    parts = [_org_scan(three_accounts, tmp_path / f"shard{i}.json", "--shard", f"{i}/{shards}")
             for i in range(1, shards + 1)]
    merged_path = tmp_path / "merged.json"
    result = run("merge", *(str(tmp_path / f"shard{i}.json") for i in range(1, shards + 1)),
                 "-o", f"json://{merged_path}", env={})
    assert result.exit_code == 1, result.output
    merged = json.loads(merged_path.read_text())
    assert {k: merged["summary"][k] for k in (*COUNTS, "compared")} == {
        k: whole["summary"][k] for k in (*COUNTS, "compared")}
    assert merged["findings"] == whole["findings"]
    assert [(c["type"], c["managed"], c["actual"], c["scanned_scopes"])
            for c in merged["coverage"]] == [
        (c["type"], c["managed"], c["actual"], c["scanned_scopes"]) for c in whole["coverage"]]
    # each shard takes whole accounts: every account is entered by exactly one shard, and
    # a shard's findings all lie in its own accounts
    assumed = [p["api_calls"].get("aws:sts:AssumeRole", 0) for p in parts]
    assert sum(assumed) == 3
    owners: dict[str, set[int]] = {}
    for index, part in enumerate(parts):
        for finding in part["findings"]:
            owners.setdefault(finding["scope"]["account"], set()).add(index)
    assert all(len(found) == 1 for found in owners.values())
