"""Several AWS accounts in one scan: each resource is compared in the account its ARN names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cloudrift.cli import cli
from cloudrift.testing import StateBuilder
from cloudrift_aws.testing import MotoServer
from tests.providers.aws.orgs import TRUST, session_in

MAIN, OTHER, UNKNOWN = "123456789012", "111111111111", "222222222222"


@pytest.fixture
def two_accounts(moto: MotoServer, tmp_path: Path) -> tuple[str, dict[str, str]]:
    """The same role name in both accounts: in sync in one, drifted in the other."""
    state = StateBuilder()
    for account, description in ((MAIN, "ops"), (OTHER, "ops")):
        iam = session_in(moto, account).client("iam", endpoint_url=moto.endpoint)
        iam.create_role(RoleName="admin", AssumeRolePolicyDocument=TRUST,
                        Description=description)
        state.add("aws_iam_role", f"admin_{account}", {
            "id": "admin", "name": "admin", "arn": f"arn:aws:iam::{account}:role/admin",
            "assume_role_policy": TRUST, "description": "ops", "path": "/",
            "max_session_duration": 3600})
    session_in(moto, OTHER).client("iam", endpoint_url=moto.endpoint).update_role(
        RoleName="admin", Description="changed by hand")
    session_in(moto, OTHER).client("iam", endpoint_url=moto.endpoint).create_user(
        UserName="stray")
    state.add("aws_iam_role", "elsewhere", {
        "id": "x", "name": "x", "arn": f"arn:aws:iam::{UNKNOWN}:role/x"})
    path = state.write(tmp_path / "s.tfstate")
    return path, {"AWS_ENDPOINT_URL": moto.endpoint}


def test_each_account_is_compared_on_its_own(two_accounts: tuple[str, dict[str, str]]) -> None:
    path, env = two_accounts
    result = CliRunner().invoke(cli, [
        "scan", "--from", path, "--region", "us-east-1", "-o", "json://",
        "--aws-role", f"arn:aws:iam::{MAIN}:role/scanner",
        "--aws-role", f"arn:aws:iam::{OTHER}:role/scanner",
    ], env=env)
    assert result.exit_code == 1, result.output
    report: dict[str, Any] = json.loads(result.output)
    assert report["providers"] == ["aws", f"aws@{OTHER}"]
    found = sorted((f["kind"], f["type"], f["scope"]["account"], f["address"])
                   for f in report["findings"])
    assert found == [
        ("changed", "aws_iam_role", OTHER, f"aws_iam_role.admin_{OTHER}"),
        ("unmanaged", "aws_iam_user", OTHER, None),
    ]
    # three managed; the one in an account no target is in was not compared
    assert (report["summary"]["managed"], report["summary"]["compared"]) == (3, 2)
    assert report["summary"]["not_compared"] == {"outside_scope": 1}
    codes = [(w["code"], w["message"]) for w in report["warnings"]]
    assert ("account_not_scanned",
            f"1 resource(s) of AWS account {UNKNOWN} not compared: no --aws-profile or "
            "--aws-role target is in that account") in codes


def test_a_role_that_cannot_be_assumed_is_one_clear_error(
    two_accounts: tuple[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, env = two_accounts
    result = CliRunner().invoke(cli, [
        "scan", "--from", path, "--aws-role", "not-an-arn",
    ], env=env)
    assert result.exit_code == 2
    assert "cannot assume not-an-arn" in result.output


def test_an_unknown_profile_is_one_clear_error(two_accounts: tuple[str, dict[str, str]]) -> None:
    path, env = two_accounts
    result = CliRunner().invoke(cli, ["scan", "--from", path, "--aws-profile", "nope"], env=env)
    assert result.exit_code == 2
    assert "AWS profile 'nope' not found" in result.output
