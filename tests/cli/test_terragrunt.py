"""A Terragrunt repository scanned with no arguments: the fixture repository
(fixtures/terragrunt: a root terragrunt.hcl, account.hcl and env.hcl read with
read_terragrunt_config, units in live/prod and live/dev, a plain root beside them), its states
in moto's S3 at the keys Terragrunt writes, drift made in the cloud."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from cloudrift.cli import cli
from cloudrift.testing import StateBuilder
from cloudrift_aws.testing import MotoServer
from tests.sources.test_git import GitRepo, git_environment

__all__ = ["git_environment"]  # autouse: no user git config

FIXTURE = Path(__file__).parents[2] / "fixtures" / "terragrunt"
BUCKET = "acme-main-tfstate"
ACCOUNT = "123456789012"


def line_of(path: Path, header: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.startswith(header):
            return number
    raise AssertionError(f"{header!r} not in {path}")


class Estate:
    def __init__(self, moto: MotoServer, root: Path) -> None:
        self.root = root
        self.env = {"AWS_ENDPOINT_URL": moto.endpoint, "CLOUDRIFT_REGION": "us-east-1"}
        session = boto3.session.Session(region_name="us-east-1")
        self.s3 = session.client("s3", endpoint_url=moto.endpoint)
        self.sqs = session.client("sqs", endpoint_url=moto.endpoint)
        self.logs = session.client("logs", endpoint_url=moto.endpoint)

    def queue(self, resource: str, name: str, timeout: int = 30) -> StateBuilder:
        url = self.sqs.create_queue(QueueName=name, Attributes={
            "VisibilityTimeout": str(timeout)})["QueueUrl"]
        return StateBuilder().add("aws_sqs_queue", resource, {
            "id": url, "name": name, "arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}",
            "visibility_timeout_seconds": timeout})

    def log_group(self, resource: str, name: str, days: int) -> StateBuilder:
        self.logs.create_log_group(logGroupName=name)
        self.logs.put_retention_policy(logGroupName=name, retentionInDays=days)
        return StateBuilder().add("aws_cloudwatch_log_group", resource, {
            "id": name, "name": name, "retention_in_days": days,
            "arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{name}"})

    def put(self, key: str, state: StateBuilder) -> None:
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(state.document()).encode())

    def scan(self, *args: str, history: str | None = None) -> tuple[int, dict[str, Any], str]:
        env = dict(self.env)
        extra = ["--history", history] if history else []
        result = CliRunner().invoke(cli, ["scan", "-q", "-o", "json://", *extra, *args], env=env)
        start = result.stdout.find("{")
        assert start >= 0, result.output
        return result.exit_code, json.loads(result.stdout[start:]), result.stderr


@pytest.fixture
def estate(moto: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Estate:
    repo_dir = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo_dir)
    GitRepo(repo_dir).commit({}, "estate")  # get_repo_root() needs a repository
    estate = Estate(moto, repo_dir)
    estate.s3.create_bucket(Bucket=BUCKET)
    # the states Terragrunt wrote: key = path_relative_to_include()/terraform.tfstate
    estate.put("live/prod/vpc/terraform.tfstate",
               estate.log_group("flow_logs", "/acme/prod/flow-logs", 30))
    estate.put("live/prod/app/terraform.tfstate", estate.queue("jobs", "prod-jobs"))
    estate.put("live/dev/app/terraform.tfstate", estate.queue("jobs", "dev-jobs"))
    estate.put("live/prod/dns/terraform.tfstate",
               estate.log_group("queries", "/acme/prod/dns-queries", 7))
    estate.put("bootstrap/terraform.tfstate", estate.queue("events", "bootstrap-events"))
    # behind Terragrunt's back
    prod_url = estate.sqs.get_queue_url(QueueName="prod-jobs")["QueueUrl"]
    estate.sqs.set_queue_attributes(QueueUrl=prod_url, Attributes={"VisibilityTimeout": "90"})
    boot_url = estate.sqs.get_queue_url(QueueName="bootstrap-events")["QueueUrl"]
    estate.sqs.set_queue_attributes(QueueUrl=boot_url, Attributes={"VisibilityTimeout": "45"})
    estate.sqs.delete_queue(QueueUrl=estate.sqs.get_queue_url(QueueName="dev-jobs")["QueueUrl"])
    estate.logs.put_retention_policy(logGroupName="/acme/prod/flow-logs", retentionInDays=90)
    estate.logs.put_retention_policy(logGroupName="/acme/prod/dns-queries", retentionInDays=14)
    monkeypatch.chdir(repo_dir)
    return estate


def expected(root: Path) -> set[tuple[str, str, str | None, str | None]]:
    app, vpc, boot = (root / "modules/app/main.tf", root / "modules/vpc/main.tf",
                      root / "bootstrap/main.tf")
    jobs_line = line_of(app, 'resource "aws_sqs_queue" "jobs"')
    later_line = line_of(app, 'resource "aws_sqs_queue" "later"')
    jobs, later = f"modules/app/main.tf:{jobs_line}", f"modules/app/main.tf:{later_line}"
    flow = line_of(vpc, 'resource "aws_cloudwatch_log_group" "flow_logs"')
    events = line_of(boot, 'resource "aws_sqs_queue" "events"')
    return {
        ("changed", "aws_cloudwatch_log_group.flow_logs", "live/prod/vpc",
         f"modules/vpc/main.tf:{flow}"),
        ("changed", "aws_sqs_queue.jobs", "live/prod/app", jobs),
        ("missing", "aws_sqs_queue.jobs", "live/dev/app", jobs),
        # the dns unit's code is remote: named, not located
        ("changed", "aws_cloudwatch_log_group.queries", "live/prod/dns", None),
        # one module, two units: declared in both, applied in neither
        ("unapplied", "aws_sqs_queue.later", "live/prod/app", later),
        ("unapplied", "aws_sqs_queue.later", "live/dev/app", later),
        # the plain root beside the units
        ("changed", "aws_sqs_queue.events", "bootstrap", f"bootstrap/main.tf:{events}"),
    }


def findings(report: dict[str, Any]) -> set[tuple[str, str, str | None, str | None]]:
    return {(f["kind"], f["address"], f.get("root"), f["location"])
            for f in report["findings"] if f["kind"] != "unmanaged"}


def test_scan_with_no_arguments_names_each_findings_unit(estate: Estate) -> None:
    code, report, stderr = estate.scan()
    assert code == 1, stderr
    assert findings(report) == expected(estate.root)
    assert sorted(report["sources"]) == [
        f"s3://{BUCKET}/{key}/terraform.tfstate"
        for key in ("bootstrap", "live/dev/app", "live/prod/app", "live/prod/dns",
                    "live/prod/vpc")]
    unapplied = [f for f in report["findings"] if f["kind"] == "unapplied"]
    assert len({f["fingerprint"] for f in unapplied}) == 2
    assert {c["root"]: c["checked"] for c in report["code_coverage"]} == {
        "bootstrap": True, "live/dev/app": True, "live/prod/app": True,
        "live/prod/dns": False, "live/prod/vpc": True}
    remote = [w["message"] for w in report["warnings"] if w["code"] == "code_not_read"]
    assert remote == ["the unit's code is remote (git::https://git.example.com/acme/modules.git"
                      "//dns?ref=v1.4.0): findings are not located and unapplied resources not "
                      "checked (live/prod/dns)"]
    # the unit whose backend needs a dependency's output is said, with its file and line
    assert ("live/dev/reports/terragrunt.hcl:13: `dependency.shared.outputs.state_bucket` "
            "dependency outputs are only known once that unit is applied") in stderr


def test_the_console_names_the_unit(estate: Estate) -> None:
    result = CliRunner().invoke(cli, ["scan", "--no-color"], env=estate.env)
    assert result.exit_code == 1, result.output
    line = next(line for line in result.stdout.splitlines() if "flow_logs" in line)
    assert "in live/prod/vpc" in line
    assert "modules/vpc/main.tf:" in line


def test_the_same_repository_from_a_git_ref(estate: Estate) -> None:
    subprocess.run(["git", "-C", str(estate.root), "tag", "v1"], check=True)
    # the working tree moves on: units and code are gone, the tag still has them
    shutil.rmtree(estate.root / "live")
    shutil.rmtree(estate.root / "modules")
    code, report, stderr = estate.scan("--repo", str(estate.root), "--ref", "v1")
    assert code == 1, stderr
    # the locations are the commit's files, the fixture's lines
    assert findings(report) == expected(FIXTURE)


def test_sources_lists_units_and_what_is_not_resolved(estate: Estate) -> None:
    result = CliRunner().invoke(cli, ["sources"], env=estate.env)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "live/prod/app  (terragrunt unit, backend s3, workspace default)" in text
    assert "  key live/prod/app/terraform.tfstate" in text
    assert (f"  from tfstate+s3://{BUCKET}/live/dev/app/terraform.tfstate?region=us-east-1"
            in text)
    assert "bootstrap  (backend s3, workspace default)" in text
    assert "modules/vpc" not in text.replace("code modules/vpc", "")
    assert ("live/dev/reports  (terragrunt unit, backend s3, workspace default)\n"
            "  include terragrunt.hcl\n"
            "  code modules/app  (terraform source ../../../modules//app)\n"
            "  key reports/terraform.tfstate\n"
            "  note: not evaluated: live/dev/reports/terragrunt.hcl:13: "
            "`dependency.shared.outputs.state_bucket` dependency outputs are only known once "
            "that unit is applied\n"
            "  not read: no state location\n") in text


def test_two_units_of_one_module_are_two_drifts_in_the_history(
    estate: Estate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLOUDRIFT_NO_HISTORY")
    history = f"sqlite:///{tmp_path / 'history.db'}"
    first = estate.scan(history=history)
    second = estate.scan(history=history)
    assert first[0] == second[0] == 1, second[2]
    statuses = {(f["root"], f["status"]) for f in second[1]["findings"]
                if f["kind"] == "unapplied"}
    assert statuses == {("live/prod/app", "known"), ("live/dev/app", "known")}
