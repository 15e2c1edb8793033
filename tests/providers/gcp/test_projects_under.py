"""--gcp-projects-under: every project under a folder or an organisation, listed by Cloud Asset
Inventory through the real google-cloud-asset client (REST) against the local server, then each
project scanned as a scope of its own; through the CLI, sharded and merged."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cloudrift.cli import cli
from cloudrift.plugin import account_in_shard
from cloudrift_gcp.testing import CloudAssetServer
from tests.providers.gcp.conftest import (
    PROJECT,
    PROJECT_NUMBER,
    GcpWorld,
    all_cases,
    project_asset,
    state_document,
)

ORG = "organizations/271828182845"
TEAM, NESTED = "folders/111", "folders/222"
# id, number, the folders between it and the organisation, lifecycle state
PROJECTS = {
    "p-alpha": ("1001", (), "ACTIVE"),
    "p-beta": ("1002", (TEAM,), "ACTIVE"),
    "p-gamma": ("1003", (NESTED, TEAM), "ACTIVE"),
    "p-delta": ("1004", (NESTED, TEAM), "DELETE_REQUESTED"),
    "p-denied": ("1005", (), "ACTIVE"),
}
TOPIC = next(c for c in all_cases() if c.type == "google_pubsub_topic")


def _moved(document: Any, project: str) -> Any:
    """A fixture document (asset or state) moved into ``project``, under its folders."""
    number, folders, _ = PROJECTS.get(project, ("9999", (), "ACTIVE"))
    text = json.dumps(document).replace(PROJECT_NUMBER, number).replace(PROJECT, project)
    moved = json.loads(text)
    if isinstance(moved, dict) and "ancestors" in moved:
        moved["ancestors"] = [f"projects/{number}", *folders, ORG]
    return moved


def _topic(project: str, name: str = "orders", **data: Any) -> dict[str, Any]:
    asset = _moved(TOPIC.asset, project)
    asset["name"] = asset["name"].replace("/topics/orders", f"/topics/{name}")
    asset["resource"]["data"]["name"] = f"projects/{project}/topics/{name}"
    asset["resource"]["data"].update(data)
    return dict(asset)


def _project(project: str) -> dict[str, Any]:
    asset = _moved(project_asset(), project)
    asset["resource"]["data"]["lifecycleState"] = PROJECTS[project][2]
    return dict(asset)


def _instance(project: str) -> dict[str, Any]:
    return dict(TOPIC.instance(name=project.replace("-", "_"),
                               attributes=_moved(TOPIC.state["attributes"], project)))


@pytest.fixture
def estate(gcp: GcpWorld, tmp_path: Path) -> Path:
    """A topic in sync in alpha, drifted in beta, gone from gamma (with a stray beside it),
    strays in delta (pending deletion) and in denied (whose listing is refused), and one
    managed in a project outside the organisation; the state managing them."""
    server = gcp.server
    server.set_assets("projects/p-alpha", [_project("p-alpha"), _topic("p-alpha")])
    server.set_assets("projects/p-beta", [
        _project("p-beta"), _topic("p-beta", messageRetentionDuration="604800s")])
    server.set_assets("projects/p-gamma", [_project("p-gamma"), _topic("p-gamma", "stray")])
    server.set_assets("projects/p-delta", [_project("p-delta"), _topic("p-delta", "stray")])
    server.set_assets("projects/p-denied", [_project("p-denied"), _topic("p-denied")])
    server.permission_denied(parent="projects/p-denied", times=1000)
    state = tmp_path / "org.tfstate"
    state.write_text(json.dumps(state_document(
        [_instance(p) for p in ("p-alpha", "p-beta", "p-gamma", "p-denied", "p-elsewhere")])))
    return state


def _scan(server: CloudAssetServer, state: Path, out: Path, *extra: str,
          under: Sequence[str] = (ORG,), codes: Sequence[int] = (0, 1)) -> dict[str, Any]:
    args = ["scan", "-q", "--from", str(state), "--type", "google_pubsub_topic",
            "-o", f"json://{out}", *extra]
    for parent in under:
        args += ["--gcp-projects-under", parent]
    env = {"CLOUDRIFT_GCP_ENDPOINT": server.endpoint, "CLOUDRIFT_GCP_ANONYMOUS": "1",
           "CLOUDRIFT_GCP_TRANSPORT": "rest"}
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code in codes, result.output
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def _findings(report: Mapping[str, Any]) -> list[tuple[str, str | None, str]]:
    return sorted((f["kind"], f["scope"]["account"], f["id"]) for f in report["findings"])


def _listed(server: CloudAssetServer, since: int = 0) -> list[str]:
    return sorted(r.path.split("/")[3] for r in server.list_calls[since:]
                  if r.path.startswith("/v1/projects/"))


def test_every_active_project_under_the_organization_is_scanned(
    gcp: GcpWorld, estate: Path, tmp_path: Path
) -> None:
    gcp.server.max_page_size = 2  # the projects come three pages of two
    report = _scan(gcp.server, estate, tmp_path / "r.json")
    assert _findings(report) == [
        ("changed", "p-beta", "projects/p-beta/topics/orders"),
        ("missing", "p-gamma", "projects/p-gamma/topics/orders"),
        ("unmanaged", "p-gamma", "projects/p-gamma/topics/stray"),
    ]
    # nested folders included; the project pending deletion is not read
    assert _listed(gcp.server) == ["p-alpha", "p-beta", "p-denied", "p-gamma"]
    enumerations = [r for r in gcp.server.list_calls if r.path == f"/v1/{ORG}/assets"]
    assert len(enumerations) == 3
    assert all(r.query["assetTypes"] == ["cloudresourcemanager.googleapis.com/Project"]
               for r in enumerations)
    by_code = {w["code"]: w for w in report["warnings"]}
    assert by_code["project_not_active"]["scope"]["account"] == "p-delta"
    assert "DELETE_REQUESTED" in by_code["project_not_active"]["message"]
    # a refused project is its own warning; its topic is not called missing
    assert by_code["access_denied"]["scope"]["account"] == "p-denied"
    assert by_code["outside_scope"]["scope"]["account"] == "p-elsewhere"
    assert report["summary"]["not_compared"] == {"not_seen": 2}


def test_a_folder_holds_its_nested_folders_projects_only(
    gcp: GcpWorld, estate: Path, tmp_path: Path
) -> None:
    report = _scan(gcp.server, estate, tmp_path / "r.json", under=[TEAM])
    assert _listed(gcp.server) == ["p-beta", "p-gamma"]
    assert [f[1] for f in _findings(report)] == ["p-beta", "p-gamma", "p-gamma"]
    outside = sorted(w["scope"]["account"] for w in report["warnings"]
                     if w["code"] == "outside_scope")
    assert outside == ["p-alpha", "p-denied", "p-elsewhere"]


def test_a_parent_that_cannot_be_listed_is_one_clear_error(
    gcp: GcpWorld, estate: Path, tmp_path: Path
) -> None:
    gcp.server.permission_denied(parent=ORG)
    result = CliRunner().invoke(cli, [
        "scan", "-q", "--from", str(estate), "--gcp-projects-under", ORG],
        env={"CLOUDRIFT_GCP_ENDPOINT": gcp.server.endpoint, "CLOUDRIFT_GCP_ANONYMOUS": "1"})
    assert result.exit_code == 2
    assert f"cannot list the projects under {ORG}" in result.output


def test_a_bad_parent_is_a_config_error(gcp: GcpWorld, estate: Path) -> None:
    result = CliRunner().invoke(cli, [
        "scan", "-q", "--from", str(estate), "--gcp-projects-under", "projects/p-alpha"],
        env={"CLOUDRIFT_GCP_ENDPOINT": gcp.server.endpoint, "CLOUDRIFT_GCP_ANONYMOUS": "1"})
    assert result.exit_code == 2
    assert "folders/FOLDER_NUMBER or organizations/ORG_NUMBER" in result.output


@pytest.mark.parametrize("shards", [2, 3])
def test_merged_shards_take_whole_projects_and_equal_the_unsharded_scan(
    gcp: GcpWorld, estate: Path, tmp_path: Path, shards: int
) -> None:
    whole = _scan(gcp.server, estate, tmp_path / "whole.json")
    listed_by: dict[str, list[int]] = {}
    paths = []
    for index in range(1, shards + 1):
        since = len(gcp.server.list_calls)
        path = tmp_path / f"shard{index}.json"
        # a shard holding only the refused project is incomplete without drift: exit 2
        _scan(gcp.server, estate, path, "--shard", f"{index}/{shards}", codes=(0, 1, 2))
        paths.append(str(path))
        for project in _listed(gcp.server, since):
            listed_by.setdefault(project, []).append(index)
    assert listed_by == {p: [i for i in range(1, shards + 1)
                             if account_in_shard((i, shards), "gcp", p)]
                         for p in ("p-alpha", "p-beta", "p-denied", "p-gamma")}
    assert all(len(found) == 1 for found in listed_by.values())
    assert len({i for found in listed_by.values() for i in found}) > 1, "one shard did all"
    merged_path = tmp_path / "merged.json"
    result = CliRunner().invoke(cli, ["merge", *paths, "-o", f"json://{merged_path}"])
    assert result.exit_code == 1, result.output
    merged = json.loads(merged_path.read_text())
    assert merged["findings"] == whole["findings"]
    for count in ("managed", "compared", "changed", "missing", "unmanaged", "in_sync",
                  "not_compared"):
        assert merged["summary"][count] == whole["summary"][count], count
    assert sorted(w["message"] for w in merged["warnings"]) == sorted(
        w["message"] for w in whole["warnings"])
