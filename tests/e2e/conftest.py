"""The end-to-end tier: real Terraform applies ``estate/`` to moto's server once per session;
Terraform's ``plan -refresh-only`` and cloudrift's CLI then judge the same estate, untouched and
after changes made behind Terraform's back.

Each estate has its own emulator in a process of its own (``MotoServer(own_process=True)``):
moto keeps its backends in module globals, so servers in one process share one cloud, the
``moto`` fixture wipes it before every provider test, and one estate would meet another's
resources.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cloudrift.testing.terraform import (
    DriftEntry,
    Terraform,
    emulator_environment,
    find_provider_mirror,
    find_terraform,
    unavailable_reason,
    write_cli_config,
)
from cloudrift_aws.testing import MotoServer
from tests.e2e.behind_terraform import MUTATIONS, UNMANAGED, Clients

ESTATE = Path(__file__).parent / "estate"
REGION = "us-east-1"

# Attributes the emulator changes on every read, with nobody touching the resource. moto answers
# DescribeDBInstances with LatestRestorableTime = now, so every refresh "drifts" the instance.
COMPUTED_NOISE: Mapping[str, frozenset[str]] = {
    "aws_db_instance": frozenset({"latest_restorable_time"}),
}

_RECORD = pytest.StashKey[dict[str, Any]]()


def significant(entries: list[DriftEntry]) -> list[DriftEntry]:
    """Terraform's drift without updates that only move an attribute in ``COMPUTED_NOISE``."""
    kept = []
    for entry in entries:
        noise = COMPUTED_NOISE.get(entry.type, frozenset())
        if entry.kind == "changed" and entry.changed_attributes <= noise:
            continue
        kept.append(entry)
    return kept


@dataclass
class ScanRun:
    """One run of the real ``cloudrift scan`` CLI and its JSON report."""

    returncode: int
    report: dict[str, Any]
    stderr: str
    seconds: float

    def findings(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.report["findings"] if f["kind"] == kind]

    def addresses(self, kind: str) -> set[str]:
        return {str(f["address"]) for f in self.findings(kind)}

    def unmanaged(self) -> set[tuple[str, str]]:
        return {(f["type"], f["id"]) for f in self.findings("unmanaged")}


@dataclass
class Estate:
    terraform: Terraform
    env: dict[str, str]
    endpoint: str
    supported: frozenset[str]
    resources: dict[str, dict[str, Any]]
    record: dict[str, Any]

    @property
    def types(self) -> dict[str, str]:
        return {address: r["type"] for address, r in self.resources.items()}

    @property
    def values(self) -> dict[str, Mapping[str, Any]]:
        return {address: r["values"] for address, r in self.resources.items()}

    def supported_addresses(self) -> set[str]:
        return {a for a, t in self.types.items() if t in self.supported}

    def scan(self, name: str) -> ScanRun:
        report_path = self.terraform.workdir / f"cloudrift-{name}.json"
        started = time.perf_counter()
        completed = _cloudrift(
            "scan", "--from", f"tfstate://{self.terraform.state_path}", "--to", "aws",
            "--region", REGION, "--output", f"json://{report_path}", env=self.env,
        )
        seconds = time.perf_counter() - started
        self.record["timings"].append((f"cloudrift scan ({name})", seconds))
        assert report_path.exists(), (
            f"cloudrift scan wrote no report (exit {completed.returncode}):\n{completed.stderr}"
        )
        report = json.loads(report_path.read_text(encoding="utf-8"))
        self.record["scans"][name] = {
            "exit": completed.returncode,
            "api_calls": report["summary"]["api_calls"],
            "duration_s": report["summary"]["duration_s"],
            "unknown_fields": sum(c["unknown_fields"] for c in report["coverage"]),
        }
        return ScanRun(completed.returncode, report, completed.stderr, seconds)

    def oracle(self, name: str) -> list[DriftEntry]:
        before = len(self.terraform.timings)
        entries = self.terraform.drift()
        self.record["timings"].extend(
            (f"terraform {label} ({name})", seconds)
            for label, seconds in self.terraform.timings[before:]
        )
        return entries


def _cloudrift(*args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("cloudrift")
    command = [str(script)] if script.exists() else [
        sys.executable, "-c", "from cloudrift.cli import main; main()"
    ]
    return subprocess.run(
        [*command, *args], env=dict(env), capture_output=True, text=True, timeout=300,
        check=False,
    )


def _lambda_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")


@pytest.fixture(scope="session")
def terraform_binary() -> str:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"e2e tier skipped: {reason}")
    binary = find_terraform()
    assert binary is not None
    return binary


@pytest.fixture(scope="session")
def e2e_moto(terraform_binary: str) -> Iterator[MotoServer]:
    pytest.importorskip("moto.server", reason="moto[server] is not installed")
    with MotoServer(own_process=True) as server:
        yield server


@pytest.fixture(scope="session")
def estate(
    terraform_binary: str,
    e2e_moto: MotoServer,
    tmp_path_factory: pytest.TempPathFactory,
    pytestconfig: pytest.Config,
) -> Estate:
    """``estate/`` applied to the emulator, first-refresh noise absorbed into state."""
    record: dict[str, Any] = {"timings": [], "scans": {}}
    pytestconfig.stash[_RECORD] = record
    root = tmp_path_factory.mktemp("e2e")
    workdir = root / "estate"
    shutil.copytree(ESTATE, workdir)
    _lambda_zip(workdir / "lambda.zip")
    mirror = find_provider_mirror()
    assert mirror is not None
    cli_config = write_cli_config(root / "terraform.rc", mirror)
    env = emulator_environment(e2e_moto.endpoint, region=REGION, cli_config_file=cli_config)
    terraform = Terraform(workdir, env, binary=terraform_binary)

    try:
        terraform.init()
        terraform.apply()
        terraform.apply_refresh_only()
    finally:
        record["timings"].extend(terraform.timings)

    listed = _cloudrift("types", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    supported = frozenset(json.loads(listed.stdout).get("aws", []))
    resources = terraform.resources()
    record["resources"] = len(resources)
    return Estate(terraform, env, e2e_moto.endpoint, supported, resources, record)


@dataclass
class Judgement:
    """What Terraform and cloudrift each said about the estate at one moment."""

    terraform: list[DriftEntry]
    cloudrift: ScanRun
    created: dict[tuple[str, str], str] = field(default_factory=dict)

    def terraform_addresses(self, kind: str, types: frozenset[str] | None = None) -> set[str]:
        return {
            e.address for e in self.terraform
            if e.kind == kind and (types is None or e.type in types)
        }


@pytest.fixture(scope="session")
def baseline(estate: Estate) -> Judgement:
    """Both judges on the estate exactly as applied."""
    return Judgement(significant(estate.oracle("baseline")), estate.scan("baseline"))


@pytest.fixture(scope="session")
def drifted(estate: Estate, baseline: Judgement) -> Judgement:
    """Both judges after ``behind_terraform``'s changes. Depends on ``baseline`` so that the
    untouched estate is always judged first, whatever tests are selected."""
    clients = Clients(estate.endpoint, REGION)
    started = time.perf_counter()
    for mutation in MUTATIONS:
        mutation.run(clients, estate.values)
    created = {(u.type, u.create(clients)): u.what for u in UNMANAGED}
    estate.record["timings"].append(("boto3 changes", time.perf_counter() - started))
    return Judgement(significant(estate.oracle("drifted")), estate.scan("drifted"), created)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    record = config.stash.get(_RECORD, None)
    if not record:
        return
    terminalreporter.section("cloudrift e2e timings")
    terminalreporter.write_line(f"estate: {record.get('resources', '?')} resources")
    for label, seconds in record["timings"]:
        terminalreporter.write_line(f"{label:<45} {seconds:7.2f} s")
    for name, scan in record["scans"].items():
        terminalreporter.write_line(
            f"cloudrift scan ({name}): exit {scan['exit']}, {scan['api_calls']} API calls, "
            f"{scan['unknown_fields']} fields unknown, {scan['duration_s']:.2f} s in the engine"
        )
