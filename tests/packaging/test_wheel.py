"""The distribution as a user gets it: the wheel built from this tree, installed with ``[aws]``
into a fresh virtual environment, runs ``cloudrift version`` and a real scan against moto.

Its dependencies are pinned to the lock (as constraints), so what is tested is what CI tests.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import boto3
import pytest

from cloudrift.testing import StateBuilder
from cloudrift_aws.testing import MotoServer

ROOT = Path(__file__).resolve().parents[2]
DISTRIBUTION = "cloudrift-scanner"
_OFFLINE = re.compile(r"(?i)failed to establish a new connection|temporary failure in name "
                      r"resolution|network is unreachable|name or service not known")


def _constraints(lock: Path, target: Path) -> Path:
    """The lock's pins and markers, without its hashes (pip takes no hashes in constraints)."""
    pins = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        if re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*==", line):
            pins.append(line.rstrip(" \\"))
    target.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=600)
    [built] = out.glob("*.whl")
    return built


def test_the_wheel_is_cloudrift_scanner_with_the_cloudrift_command(wheel: Path) -> None:
    assert wheel.name.startswith("cloudrift_scanner-")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        [metadata] = [n for n in names if n.endswith(".dist-info/METADATA")]
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        meta = archive.read(metadata).decode()
        points = archive.read(entry_points).decode()
    assert re.search(r"^Name: cloudrift-scanner$", meta, re.M)
    for extra in ("aws", "gcp", "azure", "tofu", "all"):
        assert re.search(rf"^Provides-Extra: {extra}$", meta, re.M), extra
    assert "cloudrift = cloudrift.cli:main" in points
    assert "aws = cloudrift_aws:AwsPlugin" in points
    packages = {name.split("/")[0] for name in names}
    assert {"cloudrift", "cloudrift_aws", "cloudrift_gcp", "cloudrift_azure"} <= packages
    assert "tests" not in packages


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("fresh-venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(home)
    python = home / "bin" / "python"
    constraints = _constraints(ROOT / "requirements" / "requirements-dev.txt",
                               home / "constraints.txt")
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-c", str(constraints), f"{wheel}[aws]"],
        capture_output=True, text=True, timeout=900, check=False)
    if result.returncode != 0 and _OFFLINE.search(result.stderr):
        pytest.skip("the package index cannot be reached: the wheel's dependencies cannot be "
                    "installed here")
    assert result.returncode == 0, result.stderr[-3000:]
    return home / "bin"


def test_a_fresh_install_runs_version(installed: Path) -> None:
    shown = subprocess.run([str(installed / "cloudrift"), "version"], capture_output=True,
                           text=True, timeout=120, check=True)
    assert shown.stdout.splitlines()[0].startswith("cloudrift ")
    assert re.search(r"provider aws: \d+ resource types", shown.stdout)
    # only the extra asked for: no GCP or Azure SDK came with [aws]
    listed = subprocess.run([str(installed / "python"), "-m", "pip", "list", "--format=json"],
                            capture_output=True, text=True, timeout=120, check=True)
    names = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert DISTRIBUTION in names
    assert "boto3" in names
    assert "google-cloud-asset" not in names
    assert "azure-mgmt-resource" not in names


def test_a_fresh_install_scans(installed: Path, moto: MotoServer, tmp_path: Path) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=moto.endpoint)
    url = sqs.create_queue(QueueName="wheel-q", Attributes={"VisibilityTimeout": "60"})
    queue = url["QueueUrl"]
    state = StateBuilder().add("aws_sqs_queue", "q", {
        "id": queue, "url": queue, "name": "wheel-q",
        "arn": "arn:aws:sqs:us-east-1:123456789012:wheel-q",
        "visibility_timeout_seconds": 30, "tags": {}, "tags_all": {},
    }).write(tmp_path / "terraform.tfstate")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CLOUDRIFT_"))},
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_ENDPOINT_URL": moto.endpoint, "AWS_REGION": "us-east-1",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    report = tmp_path / "report.json"
    ran = subprocess.run(
        [str(installed / "cloudrift"), "scan", "--from", f"tfstate://{state}",
         "--region", "us-east-1", "--output", f"json://{report}", "--quiet"],
        capture_output=True, text=True, timeout=300, check=False, env=env, cwd=tmp_path)
    assert ran.returncode == 1, ran.stderr
    document = json.loads(report.read_text())
    [finding] = [f for f in document["findings"] if f["type"] == "aws_sqs_queue"]
    assert finding["kind"] == "changed"
    assert [(c["path"], c["expected"], c["actual"]) for c in finding["changes"]] == [
        ("visibility_timeout_seconds", 30, 60)]
