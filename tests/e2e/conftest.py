"""The end-to-end tier: real Terraform applies ``estate/`` (and ``community/``, an estate
arranged the way the popular public module collections arrange AWS) to moto's server once per
session each; Terraform's ``plan -refresh-only`` and cloudrift's CLI then judge the same estate,
untouched and after changes made behind Terraform's back.

Each estate has its own emulator in a process of its own (``MotoServer(own_process=True)``):
moto keeps its backends in module globals, so servers in one process share one cloud, the
``moto`` fixture wipes it before every provider test, and one estate's resources would be the
other's unmanaged ones.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
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
COMMUNITY = Path(__file__).parent / "community"
REGION = "us-east-1"

# Attributes the emulator changes on every read, with nobody touching the resource. moto answers
# DescribeDBInstances with LatestRestorableTime = now, so every refresh "drifts" the instance.
COMPUTED_NOISE: Mapping[str, frozenset[str]] = {
    "aws_db_instance": frozenset({"latest_restorable_time"}),
}

# every estate's timings and scan figures, by estate, for the terminal summary
_RECORDS = pytest.StashKey[dict[str, dict[str, Any]]]()


def significant(entries: list[DriftEntry]) -> list[DriftEntry]:
    """Terraform's drift without updates that only move an attribute in ``COMPUTED_NOISE``."""
    kept = []
    for entry in entries:
        noise = COMPUTED_NOISE.get(entry.type, frozenset())
        if entry.kind == "changed" and entry.changed_attributes <= noise:
            continue
        kept.append(entry)
    return kept


def unexplained_changes(terraform: list[DriftEntry], run: ScanRun
                        ) -> list[tuple[str, str, list[str]]]:
    """Each changed field cloudrift reported whose attribute Terraform did not see move, as
    (address, path, the attributes Terraform saw move there)."""
    moved = {e.address: e.changed_attributes for e in terraform}
    unexplained = []
    for finding in run.findings("changed"):
        attributes = moved.get(finding["address"], frozenset())
        for change in finding["changes"]:
            root = change["path"].split(".")[0]
            # cloudrift compares tags against tags_all; Terraform shows both moving
            if root not in attributes and not (root == "tags" and "tags_all" in attributes):
                unexplained.append((finding["address"], change["path"], sorted(attributes)))
    return unexplained


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

    def scan(self, name: str, *, zero_config: bool = False) -> ScanRun:
        """The real ``cloudrift scan``, run in the estate's working directory (its drift
        history stays there): of the state file, or with ``zero_config`` as a new user runs it
        there, with no source at all (the root module and its code are found)."""
        report_path = self.terraform.workdir / f"cloudrift-{name}.json"
        sources = () if zero_config else ("--from", f"tfstate://{self.terraform.state_path}")
        started = time.perf_counter()
        completed = _cloudrift(
            "scan", *sources, "--to", "aws", "--region", REGION,
            "--output", f"json://{report_path}", env=self.env, cwd=self.terraform.workdir,
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


def _cloudrift(*args: str, env: Mapping[str, str],
               cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("cloudrift")
    command = [str(script)] if script.exists() else [
        sys.executable, "-c", "from cloudrift.cli import main; main()"
    ]
    return subprocess.run(
        [*command, *args], env=dict(env), capture_output=True, text=True, timeout=300,
        check=False, cwd=cwd,
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


def apply_estate(
    name: str,
    source: Path,
    server: MotoServer,
    binary: str,
    tmp_path_factory: pytest.TempPathFactory,
    pytestconfig: pytest.Config,
    prepare: Callable[[Path], None] | None = None,
) -> Estate:
    """A copy of ``source`` applied to ``server``, first-refresh noise absorbed into state;
    ``prepare`` adds what the configuration needs in its directory before ``init``."""
    record: dict[str, Any] = {"timings": [], "scans": {}}
    pytestconfig.stash.setdefault(_RECORDS, {})[name] = record
    root = tmp_path_factory.mktemp(name)
    workdir = root / "estate"
    shutil.copytree(source, workdir)
    if prepare is not None:
        prepare(workdir)
    mirror = find_provider_mirror()
    assert mirror is not None
    cli_config = write_cli_config(root / "terraform.rc", mirror)
    env = emulator_environment(server.endpoint, region=REGION, cli_config_file=cli_config)
    terraform = Terraform(workdir, env, binary=binary)

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
    return Estate(terraform, env, server.endpoint, supported, resources, record)


@pytest.fixture(scope="session")
def estate(
    terraform_binary: str,
    e2e_moto: MotoServer,
    tmp_path_factory: pytest.TempPathFactory,
    pytestconfig: pytest.Config,
) -> Estate:
    """``estate/`` applied to the emulator, first-refresh noise absorbed into state."""
    return apply_estate("e2e", ESTATE, e2e_moto, terraform_binary, tmp_path_factory,
                        pytestconfig, prepare=lambda workdir: _lambda_zip(workdir / "lambda.zip"))


@pytest.fixture(scope="session")
def community_moto(terraform_binary: str) -> Iterator[MotoServer]:
    pytest.importorskip("moto.server", reason="moto[server] is not installed")
    with MotoServer(own_process=True) as server:
        yield server


@pytest.fixture(scope="session")
def community(
    terraform_binary: str,
    community_moto: MotoServer,
    tmp_path_factory: pytest.TempPathFactory,
    pytestconfig: pytest.Config,
) -> Estate:
    """``community/`` applied to an emulator of its own, first-refresh noise absorbed."""
    return apply_estate("community", COMMUNITY, community_moto, terraform_binary,
                        tmp_path_factory, pytestconfig)


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
    records = config.stash.get(_RECORDS, None)
    if not records:
        return
    terminalreporter.section("cloudrift e2e timings")
    for name, record in records.items():
        terminalreporter.write_line(f"{name} estate: {record.get('resources', '?')} resources")
        for label, seconds in record["timings"]:
            terminalreporter.write_line(f"  {label:<50} {seconds:7.2f} s")
        for scan_name, scan in record["scans"].items():
            terminalreporter.write_line(
                f"  cloudrift scan ({scan_name}): exit {scan['exit']}, "
                f"{scan['api_calls']} API calls, {scan['unknown_fields']} fields unknown, "
                f"{scan['duration_s']:.2f} s in the engine"
            )
