"""`cloudrift fix` end to end: real terraform applies ``fixestate/`` to its own emulator once
for this module; each test drifts its own resources behind Terraform's back, runs the real
``cloudrift scan`` and ``cloudrift fix`` CLIs, and judges the outcome with a fresh scan and
with terraform itself (``plan -refresh-only``, ``plan -detailed-exitcode``).

The three paths of the fix: ``revert``/``recreate`` applied by ``fix --apply --yes``;
``accept`` as a patch that ``git apply`` takes and after which the code plans no change;
unmanaged resources as import blocks whose configuration ``terraform apply`` imports.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from cloudrift.testing.terraform import (
    DriftEntry,
    Terraform,
    emulator_environment,
    find_provider_mirror,
    write_cli_config,
)
from cloudrift_aws.testing import MotoServer

ESTATE = Path(__file__).parent / "fixestate"
REGION = "us-east-1"

pytestmark = pytest.mark.e2e


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@dataclass
class FixEstate:
    terraform: Terraform
    env: dict[str, str]
    endpoint: str

    @property
    def workdir(self) -> Path:
        return self.terraform.workdir

    def cloudrift(self, *args: str) -> Run:
        script = Path(sys.executable).with_name("cloudrift")
        command = [str(script)] if script.exists() else [
            sys.executable, "-c", "from cloudrift.cli import main; main()"]
        done = subprocess.run([*command, *args], cwd=self.workdir, env=self.env,
                              capture_output=True, text=True, timeout=600, check=False)
        return Run(done.returncode, done.stdout, done.stderr)

    def scan(self, name: str, *extra: str) -> dict[str, Any]:
        path = self.workdir.parent / f"{name}.json"
        done = self.cloudrift("scan", "--from", f"tfstate://{self.terraform.state_path}",
                              "--hcl", ".", "--to", "aws", "--region", REGION, "-q",
                              "--output", f"json://{path}", *extra)
        assert done.returncode in (0, 1), done.stderr
        report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        report["_path"] = str(path)
        return report

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.workdir, capture_output=True, text=True,
                              check=False, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout


def real_drift(entries: list[DriftEntry]) -> list[tuple[str, list[str]]]:
    """Terraform's drift without the emulator's first-refresh noise after a create (``tags``
    null in state, ``{}`` read back): (address, changed attributes)."""
    found = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        changed = sorted(k for k in entry.changed_attributes
                         if not (before.get(k) in (None, {}) and after.get(k) in (None, {})))
        if changed or entry.kind != "changed":
            found.append((entry.address, changed))
    return found


def findings(report: dict[str, Any], kind: str | None = None) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if kind is None or f["kind"] == kind]


@pytest.fixture(scope="module")
def fix_estate(terraform_binary: str, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[FixEstate]:
    pytest.importorskip("moto.server", reason="moto[server] is not installed")
    if shutil.which("git") is None:
        pytest.skip("git is not installed: the accept path is checked with `git apply`")
    root = tmp_path_factory.mktemp("fix")
    workdir = root / "estate"
    shutil.copytree(ESTATE, workdir)
    mirror = find_provider_mirror()
    assert mirror is not None
    with MotoServer(own_process=True) as server:
        env = emulator_environment(server.endpoint, region=REGION,
                                   cli_config_file=write_cli_config(root / "tf.rc", mirror))
        env.update({"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"})
        terraform = Terraform(workdir, env, binary=terraform_binary)
        terraform.init()
        terraform.apply()
        terraform.apply_refresh_only()
        estate = FixEstate(terraform, env, server.endpoint)
        (workdir / ".gitignore").write_text(".terraform*\n*.tfstate*\n*.tfplan\n")
        estate.git("init", "-q")
        estate.git("add", "-A")
        estate.git("commit", "-qm", "estate")
        yield estate


def test_the_estate_starts_in_sync(fix_estate: FixEstate) -> None:
    report = fix_estate.scan("start")
    assert findings(report) == [], findings(report)
    assert report["summary"]["managed"] == 5


def test_revert_and_recreate_with_apply_leave_a_clean_scan_and_no_terraform_drift(
    fix_estate: FixEstate,
) -> None:
    sqs, logs = fix_estate.client("sqs"), fix_estate.client("logs")
    url = sqs.get_queue_url(QueueName="fix-revert")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "120"})
    sqs.tag_queue(QueueUrl=url, Tags={"env": "dev"})
    logs.delete_log_group(logGroupName="/fix/recreate")

    drifted = fix_estate.scan("revert-drifted")
    assert {(f["kind"], f["address"]) for f in findings(drifted)} == {
        ("changed", "aws_sqs_queue.revert"), ("missing", "aws_cloudwatch_log_group.recreate")}

    out = fix_estate.workdir.parent / "revert-fix"
    done = fix_estate.cloudrift("fix", "--from", drifted["_path"], "--strategy", "revert",
                                "--missing", "recreate", "--out", str(out), "--apply", "--yes")
    assert done.returncode == 0, done.stderr + done.stdout
    log = (out / "commands.log").read_text()
    assert "-target=aws_sqs_queue.revert" in log
    assert "apply" in log
    assert "the plan holds exactly the expected actions" in done.stdout

    after = fix_estate.scan("revert-after")
    assert findings(after) == [], findings(after)
    assert real_drift(fix_estate.terraform.drift()) == []
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])[
        "Attributes"]["VisibilityTimeout"] == "30"


def test_accept_patch_applies_with_git_and_the_patched_code_plans_no_changes(
    fix_estate: FixEstate,
) -> None:
    sqs, logs = fix_estate.client("sqs"), fix_estate.client("logs")
    url = sqs.get_queue_url(QueueName="fix-accept")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "75"})
    sqs.tag_queue(QueueUrl=url, Tags={"env": "staging", "owner": "data"})
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    logs.put_retention_policy(logGroupName="/fix/from-variable", retentionInDays=30)

    drifted = fix_estate.scan("accept-drifted")
    by_address = {f["address"]: f for f in findings(drifted, "changed")}
    assert set(by_address) == {"aws_sqs_queue.accept", "aws_cloudwatch_log_group.from_variable"}

    out = fix_estate.workdir.parent / "accept-fix"
    done = fix_estate.cloudrift("fix", "--from", drifted["_path"], "--strategy", "accept",
                                "--out", str(out))
    assert done.returncode == 0, done.stderr
    patch = (out / "code.patch").read_text()
    assert "+  visibility_timeout_seconds = 75" in patch
    assert '+    env  = "staging"' in patch
    assert '-    team = "core"' in patch
    assert "owner" in patch
    # the value from a variable is not edited: the summary says where a person must change it
    assert "retention_in_days" not in patch
    summary = (out / "SUMMARY.md").read_text()
    assert "var.retention_days" in summary
    assert "main.tf:" in summary

    fix_estate.git("apply", "--check", str(out / "code.patch"))
    fix_estate.git("apply", str(out / "code.patch"))
    planned = fix_estate.terraform.run(
        "plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false",
        "-target=aws_sqs_queue.accept", label="plan accepted")
    assert planned.returncode == 0, planned.stdout

    # the same fix carried out by cloudrift: the patch written, then the guarded refresh-only
    # apply takes the state to the cloud
    fix_estate.git("checkout", "--", "main.tf")
    applied = fix_estate.cloudrift("fix", "--from", drifted["_path"], "--strategy", "accept",
                                   "--only-fingerprint", by_address["aws_sqs_queue.accept"][
                                       "fingerprint"], "--out", str(out) + "-apply",
                                   "--apply", "--yes")
    assert applied.returncode == 0, applied.stderr
    assert fix_estate.git("diff", "--stat").strip(), "the patch was not written"
    assert [e[0] for e in real_drift(fix_estate.terraform.drift())] == [
        "aws_cloudwatch_log_group.from_variable"]
    after = fix_estate.scan("accept-after")
    assert [f["address"] for f in findings(after)] == ["aws_cloudwatch_log_group.from_variable"]
    # put the variable's drift back for the tests that follow
    logs.put_retention_policy(logGroupName="/fix/from-variable", retentionInDays=14)
    fix_estate.git("commit", "-qam", "accepted")


def test_unmanaged_resources_become_import_blocks_that_terraform_applies(
    fix_estate: FixEstate,
) -> None:
    sqs, sns, logs, iam = (fix_estate.client(s) for s in ("sqs", "sns", "logs", "iam"))
    # AWS's default max_message_size (1 MiB) is over what hashicorp/aws 5.100 accepts
    sqs.create_queue(QueueName="stray-default", tags={"team": "x"})
    sqs.create_queue(QueueName="stray-small", Attributes={"MaximumMessageSize": "262144",
                                                          "VisibilityTimeout": "45"})
    sns.create_topic(Name="stray-topic")
    logs.create_log_group(logGroupName="/stray/app")
    logs.put_retention_policy(logGroupName="/stray/app", retentionInDays=5)
    iam.create_role(RoleName="stray-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "ec2.amazonaws.com"}}]}))
    fix_estate.client("s3").create_bucket(Bucket="stray-bucket")

    drifted = fix_estate.scan("unmanaged", "--observe-unmanaged")
    unmanaged = findings(drifted, "unmanaged")
    assert len(unmanaged) == 6
    assert findings(drifted) == unmanaged
    assert all(f.get("observed") for f in unmanaged if f["type"] != "aws_s3_bucket")

    # without terraform's generator: from the observed fields, still valid configuration
    observed_out = fix_estate.workdir.parent / "imports-observed"
    done = fix_estate.cloudrift("fix", "--from", drifted["_path"], "--config-from",
                                "observed", "--out", str(observed_out))
    assert done.returncode == 0, done.stderr
    _validate(fix_estate, observed_out / "imports.tf")

    out = fix_estate.workdir.parent / "imports"
    done = fix_estate.cloudrift("fix", "--from", drifted["_path"], "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = (out / "imports.tf").read_text()
    assert text.count("import {") == 6
    assert "tags_all" not in text
    assert "= null" not in text
    assert "# cloudrift: left out" in text  # the values the provider refuses
    _validate(fix_estate, out / "imports.tf")
    assert not (fix_estate.workdir / "cloudrift_generated.tf").exists()

    shutil.copy(out / "imports.tf", fix_estate.workdir / "imports.tf")
    fix_estate.terraform.apply()
    after = fix_estate.scan("imported")
    assert findings(after) == [], findings(after)
    assert after["summary"]["managed"] == 5 + 6
    fix_estate.git("add", "imports.tf")
    fix_estate.git("commit", "-qm", "imported")


def _validate(estate: FixEstate, path: Path) -> None:
    target = estate.workdir / "cloudrift_check.tf"
    shutil.copy(path, target)
    try:
        done = estate.terraform.run("validate", "-no-color", label="validate")
        assert "Success" in done.stdout
    finally:
        target.unlink()
