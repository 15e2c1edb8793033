"""Coverage that tells the truth: every managed resource counted, compared or not and why."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from cloudrift.cli import cli
from cloudrift.model import ScanReport
from cloudrift.testing import StateBuilder
from cloudrift_aws.testing import MotoServer


def _queue(moto: MotoServer, name: str) -> dict[str, Any]:
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=moto.endpoint)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return {"id": url, "url": url, "name": name,
            "arn": f"arn:aws:sqs:us-east-1:123456789012:{name}", "tags": {}, "tags_all": {}}


@pytest.fixture
def estate(moto: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two compared queues; beside them resources no provider compares, for four reasons."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.endpoint)
    builder = StateBuilder()
    builder.add("aws_sqs_queue", "a", _queue(moto, "a"))
    builder.add("aws_sqs_queue", "b", _queue(moto, "b"))
    for n in range(3):
        builder.add("aws_glue_job", "job", {"id": f"job-{n}", "name": f"job-{n}"},
                    index_key=n)
    builder.add("aws_sqs_queue", "no_id", {"id": "", "name": "c"})
    builder.add("random_id", "suffix", {"id": "abc", "byte_length": 4},
                provider="registry.terraform.io/hashicorp/random")
    builder.add("google_storage_bucket", "b", {"id": "b", "name": "b"},
                provider="registry.terraform.io/hashicorp/google")
    return Path(builder.write(tmp_path / "terraform.tfstate"))


def _scan(state: Path, tmp_path: Path, *extra: str) -> tuple[int, ScanReport, str]:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["scan", "--from", f"tfstate://{state}", "--to", "aws",
                                      "--region", "us-east-1", "-o", f"json://{out}",
                                      "-o", "console://", "--no-color", *extra])
    return result.exit_code, ScanReport.model_validate_json(out.read_text()), result.output


def test_every_managed_resource_is_counted_with_its_reason(estate: Path, tmp_path: Path
                                                           ) -> None:
    code, report, output = _scan(estate, tmp_path)
    s = report.summary
    assert (s.managed, s.compared, s.in_sync) == (8, 2, 2)
    assert s.not_compared == {"unsupported_type": 3, "terraform_only": 1, "outside_scope": 1,
                              "no_import_id": 1}
    assert s.coverage == 0.25
    assert [(g.reason, g.type, g.count) for g in report.not_compared] == [
        ("unsupported_type", "aws_glue_job", 3),
        ("terraform_only", "random_id", 1),
        ("outside_scope", "google_storage_bucket", 1),
        ("no_import_id", "aws_sqs_queue", 1),
    ]
    # in sync, but no one may read that as "everything was checked"
    assert code == 0
    assert output.rstrip().splitlines()[-1].startswith(
        "No drift. 2 of 8 managed resources compared (25%): 2 in sync")
    assert "aws_glue_job (3)" in output


def test_min_coverage_is_a_ci_gate(estate: Path, tmp_path: Path) -> None:
    code, report, _ = _scan(estate, tmp_path, "--min-coverage", "0.25")
    assert (code, report.summary.coverage) == (0, 0.25)  # at the bar is not below it
    result = CliRunner().invoke(cli, ["scan", "--from", f"tfstate://{estate}", "--to", "aws",
                                      "--region", "us-east-1", "-o", f"json://{tmp_path}/r.json",
                                      "--min-coverage", "0.9"])
    assert result.exit_code == 2
    assert ("coverage 25.0% is below --min-coverage 90.0% (2 of 8 managed resources "
            "compared)") in result.output
    # the report is written all the same
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["coverage"] == 0.25


def test_min_coverage_from_the_config_file(estate: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cloudrift.toml").write_text("min-coverage = 1\n")
    shown = CliRunner().invoke(cli, ["config"])
    assert re.search(r"^min-coverage +=  ?1\.0  \(file cloudrift.toml\)$", shown.output, re.M)
    result = CliRunner().invoke(cli, ["scan", "--from", f"tfstate://{estate}", "--to", "aws",
                                      "--region", "us-east-1"])
    assert result.exit_code == 2
    (tmp_path / "cloudrift.toml").write_text("min-coverage = 1.5\n")
    refused = CliRunner().invoke(cli, ["scan", "--from", f"tfstate://{estate}"])
    assert refused.exit_code == 2


def test_a_type_filter_is_not_compared_and_not_listed(estate: Path, tmp_path: Path,
                                                      moto: MotoServer) -> None:
    _, report, _ = _scan(estate, tmp_path, "--exclude-type", "aws_sqs_*")
    assert report.summary.not_compared["filtered"] == 3
    assert report.summary.compared == 0
    assert not [op for op in report.api_calls if "sqs" in op]
