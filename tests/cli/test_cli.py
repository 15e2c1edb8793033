"""The command line as users run it: flags, outputs and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest
from click.testing import CliRunner

from cloudrift.cli import cli
from cloudrift.testing import StateBuilder
from cloudrift_aws.testing import MotoServer


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_version_names_the_providers() -> None:
    result = run("version")
    assert result.exit_code == 0
    assert result.output.startswith("cloudrift 0.")
    assert "provider aws:" in result.output


def test_types_lists_every_required_aws_type() -> None:
    result = run("types", "--json")
    assert result.exit_code == 0
    listed = set(json.loads(result.output)["aws"])
    assert {"aws_vpc", "aws_sqs_queue"} <= listed


def test_help_documents_exit_codes_and_forms() -> None:
    result = run("scan", "--help")
    assert result.exit_code == 0
    for word in ("--from", "--to", "--region", "--output", "--strict", "Exit codes"):
        assert word in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "no state to compare"),
        (("--from", "nope://x"), "unknown --from scheme 'nope'"),
        (("--from", "tfstate:///does/not/exist.tfstate"), "state file not found"),
        (("--from", "tfstate://x.tfstate", "--output", "pdf://r.pdf"),
         "unknown output format 'pdf'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: tuple[str, ...], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an empty directory: with no --from, scan looks for root modules where it stands
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["scan", *args])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("cloudrift: error: ")
    assert message in lines[0]
    assert "Traceback" not in result.output


def test_corrupt_state_names_the_file(tmp_path: Path) -> None:
    state = tmp_path / "broken.tfstate"
    state.write_text('{"version": 4, "resources": [')
    result = CliRunner().invoke(cli, ["scan", "--from", f"tfstate://{state}"])
    assert result.exit_code == 2
    assert str(state) in result.output
    assert "not valid JSON" in result.output


def test_schema_is_a_valid_json_schema() -> None:
    result = run("schema")
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "findings" in schema["properties"]


@pytest.fixture
def estate(moto: MotoServer, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """One in-sync queue, one drifted queue, one deleted, one unmanaged."""
    sqs = boto3.client("sqs", region_name="eu-west-1", endpoint_url=moto.endpoint)
    state = StateBuilder()
    for name, timeout in (("same", "30"), ("drifted", "30"), ("deleted", "30")):
        url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": timeout,
                                                            "MaximumMessageSize": "262144"})
        state.add("aws_sqs_queue", "q", {
            "id": url["QueueUrl"], "name": name,
            "arn": f"arn:aws:sqs:eu-west-1:123456789012:{name}",
            "visibility_timeout_seconds": 30, "max_message_size": 262144,
            "tags": {}, "tags_all": {},
        }, index_key=name)
    sqs.set_queue_attributes(QueueUrl=state.resources[0]["instances"][1]["attributes"]["id"],
                             Attributes={"VisibilityTimeout": "60"})
    sqs.delete_queue(QueueUrl=state.resources[0]["instances"][2]["attributes"]["id"])
    sqs.create_queue(QueueName="stray")
    path = tmp_path / "terraform.tfstate"
    state.write(path)
    return path, {"AWS_ENDPOINT_URL": moto.endpoint}


def test_scan_reports_every_kind_and_exits_1(estate: tuple[Path, dict[str, str]],
                                             tmp_path: Path) -> None:
    path, env = estate
    out = tmp_path / "out" / "report.json"
    result = run("scan", "--from", f"tfstate://{path}", "--to", "aws", "--region", "eu-west-1",
                 "--output", "console://", "--output", f"json://{out}", "--no-color", env=env)
    assert result.exit_code == 1, result.output
    report = json.loads(out.read_text())
    found = {(f["kind"], f["address"]) for f in report["findings"]}
    assert found == {
        ("changed", 'aws_sqs_queue.q["drifted"]'),
        ("missing", 'aws_sqs_queue.q["deleted"]'),
        ("unmanaged", None),
    }
    changed = next(f for f in report["findings"] if f["kind"] == "changed")
    assert changed["changes"] == [
        {"path": "visibility_timeout_seconds", "expected": 30, "actual": 60}
    ]
    assert changed["scope"]["region"] == "eu-west-1"
    assert changed["scope"]["account"] == "123456789012"
    assert report["summary"]["api_calls"] > 0
    schema = json.loads(run("schema").output)
    jsonschema.validate(report, schema)
    assert 'aws_sqs_queue.q["drifted"]' in result.output
    assert "visibility_timeout_seconds: 30 → 60" in result.output
    assert "\x1b[" not in result.output


def test_providers_default_to_those_the_state_uses(
    estate: tuple[Path, dict[str, str]]
) -> None:
    path, env = estate
    result = run("scan", "--from", str(path), "--region", "eu-west-1", "-o", "json://", env=env)
    assert result.exit_code == 1
    assert json.loads(result.output)["providers"] == ["aws"]


def test_in_sync_exits_0(moto: MotoServer, tmp_path: Path) -> None:
    path = StateBuilder().write(tmp_path / "empty.tfstate")
    result = run("scan", "--from", path, "--to", "aws", "--region", "ap-south-1",
                 env={"AWS_ENDPOINT_URL": moto.endpoint})
    assert result.exit_code == 0, result.output
    assert "No drift." in result.output
