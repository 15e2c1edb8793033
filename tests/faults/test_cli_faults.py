"""Faults through the real command line, in a subprocess: exit codes of incomplete scans,
Ctrl-C, and the proxy's log as the read-only record of what the scans sent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import boto3
import pytest

from cloudrift.testing import StateBuilder
from cloudrift.testing.faults import Fault, FaultKind, FaultProxy
from cloudrift_aws.testing import MotoServer

CLI = [sys.executable, "-c", "from cloudrift.cli import main; main()"]


def cloudrift(args: Sequence[str], endpoint: str) -> subprocess.Popen[str]:
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_EC2_METADATA_DISABLED": "true"}
    return subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def run(args: Sequence[str], endpoint: str) -> subprocess.CompletedProcess[str]:
    process = cloudrift(args, endpoint)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.fixture
def in_sync(moto: MotoServer, tmp_path: Path) -> Path:
    """One queue, managed and unchanged: a scan that sees everything finds no drift."""
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=moto.endpoint)
    url = sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "30"})
    state = StateBuilder().add("aws_sqs_queue", "orders", {
        "id": url["QueueUrl"], "name": "orders",
        "arn": "arn:aws:sqs:us-east-1:123456789012:orders",
        "visibility_timeout_seconds": 30, "tags": {}, "tags_all": {},
    })
    return Path(state.write(tmp_path / "terraform.tfstate"))


def scan_args(state: Path, report: Path, *extra: str) -> list[str]:
    return ["scan", "--to", "aws", "--region", "us-east-1", "--from", f"tfstate://{state}",
            "--output", f"json://{report}", "--no-color", *extra]


def test_incomplete_scan_without_drift_exits_2(in_sync: Path, tmp_path: Path,
                                               proxy: FaultProxy) -> None:
    report = tmp_path / "report.json"
    clean = run(scan_args(in_sync, report), proxy.endpoint)
    assert clean.returncode == 0, clean.stderr
    assert proxy.log, "the scan did not go through the proxy"

    proxy.set_faults([Fault(FaultKind.DENY, service="sqs")])
    denied = run(scan_args(in_sync, report), proxy.endpoint)
    assert denied.returncode == 2, denied.stderr
    assert "scan incomplete and no drift found" in denied.stderr
    assert "Traceback" not in denied.stderr
    document = json.loads(report.read_text())
    [queues] = [c for c in document["coverage"] if c["type"] == "aws_sqs_queue"]
    assert queues["failed_scopes"] == ["123456789012/us-east-1"]
    assert queues["scanned_scopes"] == []
    assert queues["not_seen"] == 1
    # the queue, and the parts read per managed queue (its policy, its redrive policy): SQS's
    # types alone, each said once
    denied = [w["type"] for w in document["warnings"] if w["code"] == "access_denied"]
    assert "aws_sqs_queue" in denied
    assert len(denied) == len(set(denied))
    assert all(t.startswith("aws_sqs_") for t in denied), denied
    assert document["findings"] == []

    accepted = run(scan_args(in_sync, report, "--allow-incomplete"), proxy.endpoint)
    assert accepted.returncode == 0, accepted.stderr


def test_fault_absorbed_by_retries_exits_as_without_it(in_sync: Path, tmp_path: Path,
                                                       proxy: FaultProxy) -> None:
    proxy.set_faults([Fault(FaultKind.HTTP_503, service="sqs", operation="ListQueues", nth=1),
                      Fault(FaultKind.RESET, service="ec2", nth=2)])
    result = run(scan_args(in_sync, tmp_path / "report.json"), proxy.endpoint)
    assert proxy.fired == [1, 1]
    assert result.returncode == 0, result.stderr
    document = json.loads((tmp_path / "report.json").read_text())
    assert document["warnings"] == []
    assert all(not c["failed_scopes"] for c in document["coverage"])


# -- Ctrl-C ---------------------------------------------------------------------------------



@pytest.mark.parametrize(
    "stalled",
    [
        # the identity call is made on the main thread
        pytest.param("sts", id="stall-in-main-thread"),
        pytest.param("sqs", id="stall-in-worker-threads"),
    ],
)
def test_ctrl_c_exits_130_and_leaves_no_report(stalled: str, in_sync: Path, tmp_path: Path,
                                               moto: MotoServer) -> None:
    out = tmp_path / "out"
    out.mkdir()
    report = out / "report.json"
    report.write_text('{"previous": "report"}')
    # a proxy of its own: its stall must outlast the test, and end with it
    with FaultProxy(moto.endpoint, [Fault(FaultKind.STALL, service=stalled)],
                    stall_seconds=120) as proxy:
        process = cloudrift(scan_args(in_sync, report), proxy.endpoint)
        try:
            assert proxy.wait_stalled(60), "the scan never reached the stalled call"
            time.sleep(0.2)
            process.send_signal(signal.SIGINT)
            started = time.monotonic()
            out_text, err_text = process.communicate(timeout=5)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert proxy.non_reads() == []
    assert time.monotonic() - started < 5
    assert process.returncode == 130, err_text
    assert err_text.strip().splitlines() == ["cloudrift: interrupted"]
    assert out_text == ""
    assert report.read_text() == '{"previous": "report"}'
    assert sorted(p.name for p in out.iterdir()) == ["report.json"], "a temporary file was left"


# -- atomic outputs -------------------------------------------------------------------------


def test_every_output_file_is_written_aside_and_renamed(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from cloudrift import report as reporting
    from cloudrift.model import ScanReport

    renamed: list[tuple[str, str]] = []
    real_replace = os.replace

    def replace(source: str, target: str) -> None:
        # the whole file exists under its temporary name before it takes the real one
        assert Path(source).stat().st_size > 0
        assert not Path(target).exists() or Path(target).read_text() == "old"
        renamed.append((source, target))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    targets = [reporting.parse_output(f"{fmt}://{tmp_path / fmt}") for fmt in reporting.FORMATS]
    (tmp_path / "json").write_text("old")
    reporting.write_outputs(ScanReport(), targets)
    assert sorted(target for _, target in renamed) == sorted(
        str(tmp_path / fmt) for fmt in reporting.FORMATS)
    for source, target in renamed:
        assert Path(source).parent == Path(target).parent
        assert Path(source).name != Path(target).name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(reporting.FORMATS)


def test_interrupted_write_keeps_the_old_report(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from cloudrift import report as reporting
    from cloudrift.model import ScanReport

    def interrupted(source: str, target: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    (tmp_path / "report.json").write_text("old")
    with pytest.raises(KeyboardInterrupt):
        reporting.write_outputs(ScanReport(), [reporting.parse_output(
            f"json://{tmp_path / 'report.json'}")])
    assert (tmp_path / "report.json").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
