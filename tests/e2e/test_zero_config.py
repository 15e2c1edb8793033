"""Zero-config end to end: real terraform applies a two-module configuration whose state lives
in an S3 backend on the emulator; `cloudrift scan` with no arguments, run in that directory,
finds the root, reads its state from the bucket, and points every finding at its block."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from cloudrift.testing.terraform import (
    Terraform,
    emulator_environment,
    find_provider_mirror,
    write_cli_config,
)
from cloudrift_aws.testing import MotoServer

CONFIG = Path(__file__).parent / "zeroconf"
BUCKET = "cloudrift-e2e-state"

pytestmark = pytest.mark.e2e


def line_of(path: Path, header: str) -> int:
    """The 1-based line where a block opens, so the test states file:line without magic."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.startswith(header):
            return number
    raise AssertionError(f"{header!r} not in {path}")


def test_scan_with_no_arguments_reads_the_s3_backend_and_locates_findings(
    terraform_binary: str, tmp_path: Path
) -> None:
    with MotoServer(own_process=True) as moto:
        workdir = tmp_path / "stack"
        shutil.copytree(CONFIG, workdir)
        mirror = find_provider_mirror()
        assert mirror is not None
        env = emulator_environment(moto.endpoint,
                                   cli_config_file=write_cli_config(tmp_path / "rc", mirror))
        session = boto3.session.Session(region_name="us-east-1", aws_access_key_id="testing",
                                        aws_secret_access_key="testing")
        session.client("s3", endpoint_url=moto.endpoint).create_bucket(Bucket=BUCKET)
        terraform = Terraform(workdir, env, binary=terraform_binary)
        terraform.init()
        terraform.apply()
        terraform.apply_refresh_only()
        assert not (workdir / "terraform.tfstate").exists(), "state must live in the bucket"
        # declared in code, dropped from state: unapplied (and the policy itself unmanaged)
        terraform.run("state", "rm", "aws_iam_policy.extra", label="state rm")

        # behind terraform's back
        logs = session.client("logs", endpoint_url=moto.endpoint)
        logs.put_retention_policy(logGroupName="/cloudrift-e2e/app", retentionInDays=30)
        iam = session.client("iam", endpoint_url=moto.endpoint)
        iam.tag_user(UserName="cloudrift-e2e-alice", Tags=[{"Key": "team", "Value": "fraud"}])
        iam.delete_user(UserName="cloudrift-e2e-bob")
        iam.create_user(UserName="cloudrift-e2e-stray")

        oracle = {(e.address, e.kind) for e in terraform.drift()}
        script = Path(sys.executable).with_name("cloudrift")
        completed = subprocess.run(
            [str(script), "scan", "-q", "-o", "json://report.json"], cwd=workdir,
            env=env, capture_output=True, text=True, timeout=300, check=False)
        assert completed.returncode == 1, completed.stderr
        report = json.loads((workdir / "report.json").read_text())

    assert report["sources"] == [f"s3://{BUCKET}/apps/prod/terraform.tfstate"]
    users = workdir / "modules" / "users" / "main.tf"
    main = workdir / "main.tf"
    user_line = line_of(users, 'resource "aws_iam_user" "u"')
    log_line = line_of(main, 'resource "aws_cloudwatch_log_group" "app"')
    policy_line = line_of(main, 'resource "aws_iam_policy" "extra"')
    found = {(f["kind"], f["address"], f["location"]) for f in report["findings"]
             if f["kind"] != "unmanaged"}
    assert found == {
        ("changed", "aws_cloudwatch_log_group.app", f"main.tf:{log_line}"),
        ("changed", 'module.users.aws_iam_user.u["alice"]',
         f"modules/users/main.tf:{user_line}"),
        ("missing", 'module.users.aws_iam_user.u["bob"]', f"modules/users/main.tf:{user_line}"),
        ("unapplied", "aws_iam_policy.extra", f"main.tf:{policy_line}"),
    }
    # terraform's own refresh sees the same changed and missing resources
    assert {(a, k) for k, a, _ in found if k in ("changed", "missing")} == oracle
    unmanaged = {(f["type"], f["id"]) for f in report["findings"] if f["kind"] == "unmanaged"}
    assert ("aws_iam_user", "cloudrift-e2e-stray") in unmanaged
    assert ("aws_iam_policy", "arn:aws:iam::123456789012:policy/cloudrift-e2e-extra") in unmanaged
