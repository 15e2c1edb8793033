"""The history through the command line, on the demo estate (moto over HTTP), with SQLite and
with a real PostgreSQL server: new then known, a fix resolved, ``--fail-on new``, the history
commands, and a history that fails without losing the report."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from cloudrift.cli import cli
from cloudrift.model import SCHEMA_VERSION
from cloudrift.testing import StateBuilder, environment
from cloudrift_aws.testing import MotoServer

ROOT = Path(__file__).resolve().parents[2]


def _demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_demo", ROOT / "demo" / "run_demo.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DEMO = _demo()


class Estate:
    def __init__(self, moto: MotoServer, tmp_path: Path) -> None:
        self.moto = moto
        self.state = tmp_path / "terraform.tfstate"
        self.report = tmp_path / "report.json"
        self.env = {"AWS_ENDPOINT_URL": moto.endpoint, "AWS_DEFAULT_REGION": DEMO.REGION}
        with environment(self.env):
            builder = StateBuilder()
            self.made = DEMO.build_estate(builder)
            builder.write(self.state)
            DEMO.drift(self.made)

    def scan(self, history: str, *extra: str) -> tuple[int, dict[str, Any], str]:
        args = ["scan", "--from", f"tfstate://{self.state}", "--to", "aws", "--region",
                DEMO.REGION, "--output", f"json://{self.report}", "--history", history,
                *extra]
        result = CliRunner().invoke(cli, args, env=self.env, catch_exceptions=False)
        report = json.loads(self.report.read_text()) if self.report.exists() else {}
        return result.exit_code, report, result.output

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=DEMO.REGION, endpoint_url=self.moto.endpoint)


@pytest.fixture
def estate(moto: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Estate:
    monkeypatch.delenv("CLOUDRIFT_NO_HISTORY", raising=False)
    monkeypatch.chdir(tmp_path)
    return Estate(moto, tmp_path)


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {f["fingerprint"]: f["status"] for f in report["findings"]}


def test_new_then_known_then_resolved_then_fail_on_new(estate: Estate, history_url: str) -> None:
    code, first, _ = estate.scan(history_url, "--fail-on", "new")
    assert code == 1
    assert first["findings"]
    assert set(statuses(first).values()) == {"new"}
    assert first["summary"]["new"] == len(first["findings"])
    assert first["schema_version"] == SCHEMA_VERSION
    assert all(f["first_seen"] == f["last_seen"] for f in first["findings"])

    code, second, _ = estate.scan(history_url, "--fail-on", "new")
    assert code == 0  # nothing new: --fail-on new passes
    assert statuses(second) == dict.fromkeys(statuses(first), "known")
    assert second["scan_id"] != first["scan_id"]
    assert second["trend"]

    # fix the orders queue's visibility timeout: that drift is resolved
    orders = next(f for f in second["findings"] if f["kind"] == "changed"
                  and f["type"] == "aws_sqs_queue")
    estate.client("sqs").set_queue_attributes(QueueUrl=estate.made["orders"],
                                              Attributes={"VisibilityTimeout": "30"})
    code, third, _ = estate.scan(history_url, "--fail-on", "new")
    assert code == 0
    assert [f["fingerprint"] for f in third["resolved"]] == [orders["fingerprint"]]
    assert third["resolved"][0]["status"] == "resolved"
    assert third["summary"]["resolved"] == 1
    assert orders["fingerprint"] not in statuses(third)

    # new drift behind Terraform's back: --fail-on new fails, and only it is new
    estate.client("sqs").create_queue(QueueName="hand-made")
    code, fourth, _ = estate.scan(history_url, "--fail-on", "new")
    assert code == 1
    new = [f for f in fourth["findings"] if f["status"] == "new"]
    assert [(f["kind"], f["id"].rsplit("/", 1)[-1]) for f in new] == [("unmanaged", "hand-made")]
    assert fourth["summary"]["new"] == 1

    # --fail-on any (the default) fails on known drift, none never does
    assert estate.scan(history_url)[0] == 1
    assert estate.scan(history_url, "--fail-on", "none")[0] == 0

    result = CliRunner().invoke(cli, ["history", "--history", history_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["new"] for r in rows][::-1] == [len(first["findings"]), 0, 0, 1, 0, 0]
    assert [r["resolved"] for r in rows][::-1] == [0, 0, 1, 0, 0, 0]
    assert all("aws" in r["providers"] for r in rows)

    shown = CliRunner().invoke(cli, ["history", "show", orders["fingerprint"][:10],
                                     "--history", history_url])
    assert shown.exit_code == 0, shown.output
    assert [line.rsplit(": ", 1)[-1] for line in shown.output.splitlines()
            if " scan " in line] == ["new", "known", "resolved"]

    diff = CliRunner().invoke(cli, ["diff", first["scan_id"], fourth["scan_id"], "--history",
                                    history_url, "--format", "json"])
    assert diff.exit_code == 0, diff.output
    parts = json.loads(diff.output)
    assert [f["fingerprint"] for f in parts["resolved"]] == [orders["fingerprint"]]
    assert [f["kind"] for f in parts["new"]] == ["unmanaged"]
    assert len(parts["still"]) == len(first["findings"]) - 1


def test_a_filtered_scan_resolves_nothing(estate: Estate, sqlite_url: str) -> None:
    estate.scan(sqlite_url)
    _code, filtered, _ = estate.scan(sqlite_url, "--only", "unmanaged")
    assert {f["kind"] for f in filtered["findings"]} == {"unmanaged"}
    assert filtered["resolved"] == []
    _, full, _ = estate.scan(sqlite_url)
    assert set(statuses(full).values()) == {"known"}


def test_ignored_drift_is_not_announced_as_resolved(estate: Estate, sqlite_url: str,
                                                    tmp_path: Path) -> None:
    _, first, _ = estate.scan(sqlite_url)
    unmanaged = [f for f in first["findings"] if f["kind"] == "unmanaged"]
    rules = tmp_path / "rules"
    rules.write_text("".join(f"{f['type']}.{f['id'].replace('.', chr(92) + '.')}\n"
                             for f in unmanaged))
    _, ignored, _ = estate.scan(sqlite_url, "--ignore-file", str(rules))
    assert ignored["resolved"] == []
    assert not {f["fingerprint"] for f in unmanaged} & set(statuses(ignored))
    # the rule is dropped: the drift is back as known, with its first sighting
    _, back, _ = estate.scan(sqlite_url)
    again = {f["fingerprint"]: f for f in back["findings"]}
    for finding in unmanaged:
        assert again[finding["fingerprint"]]["status"] == "known"
        assert again[finding["fingerprint"]]["first_seen"] == finding["first_seen"]


def test_baseline_accept_stops_the_first_run_flood(estate: Estate, sqlite_url: str,
                                                   tmp_path: Path) -> None:
    saved = tmp_path / "now.json"
    code, _, _ = estate.scan("sqlite:///" + str(tmp_path / "elsewhere.db"))
    saved.write_text(estate.report.read_text())
    accepted = CliRunner().invoke(cli, ["baseline", "accept", str(saved), "--history",
                                        sqlite_url])
    assert accepted.exit_code == 0, accepted.output
    assert "accepted" in accepted.output
    code, report, _ = estate.scan(sqlite_url, "--fail-on", "new")
    assert code == 0
    assert set(statuses(report).values()) == {"known"}


def test_history_is_on_by_default_in_the_working_directory(estate: Estate,
                                                           tmp_path: Path) -> None:
    args = ["scan", "--from", f"tfstate://{estate.state}", "--to", "aws", "--region",
            DEMO.REGION, "--output", f"json://{estate.report}"]
    first = CliRunner().invoke(cli, args, env=estate.env)
    assert "started a new drift history at sqlite:///.cloudrift/history.db" in first.output
    assert (tmp_path / ".cloudrift" / "history.db").exists()
    CliRunner().invoke(cli, args, env=estate.env)
    assert set(statuses(json.loads(estate.report.read_text())).values()) == {"known"}
    off = CliRunner().invoke(cli, [*args, "--no-history"], env=estate.env)
    assert off.exit_code == 1
    report = json.loads(estate.report.read_text())
    assert report["scan_id"] is None
    assert {f["status"] for f in report["findings"]} == {None}
    table = CliRunner().invoke(cli, ["history"])
    assert table.exit_code == 0
    assert len(table.output.strip().splitlines()) == 3  # a header and two scans
    listing = CliRunner().invoke(cli, ["history", "--format", "csv"])
    assert len(list(csv.DictReader(io.StringIO(listing.output)))) == 2


def _one_error_line(output: str) -> str:
    errors = [line for line in output.splitlines() if line.startswith("cloudrift: error:")]
    assert len(errors) == 1, output
    return errors[0]


def test_a_corrupt_history_is_exit_2_and_the_report_is_still_written(
        estate: Estate, tmp_path: Path) -> None:
    garbage = tmp_path / "history.db"
    garbage.write_bytes(b"not a database at all\n" * 100)
    code, report, output = estate.scan(f"sqlite:///{garbage}")
    assert code == 2
    assert "corrupt or not a SQLite database" in _one_error_line(output)
    assert report["findings"]  # the drift is in the report all the same
    assert garbage.read_bytes() == b"not a database at all\n" * 100


def test_a_history_from_the_future_is_exit_2(estate: Estate, sqlite_url: str) -> None:
    estate.scan(sqlite_url)
    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE cloudrift_schema SET version_num = '0099'")
    estate.report.unlink()
    code, report, output = estate.scan(sqlite_url)
    assert code == 2
    assert "written by a newer cloudrift" in _one_error_line(output)
    assert report["findings"]


def test_an_unreachable_server_is_exit_2_without_the_password(estate: Estate) -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, report, output = estate.scan(
        f"postgresql://ci:pa55-word-x@127.0.0.1:{port}/drift?connect_timeout=2")
    assert code == 2
    line = _one_error_line(output)
    assert "cannot be reached" in line
    assert "pa55-word-x" not in output
    assert report["findings"]


def test_bad_history_settings_are_refused_before_scanning(estate: Estate) -> None:
    for args, message in ((("--history", "mysql://h/db"), "unknown database 'mysql'"),
                          (("--history-keep", "soon"), "is not a duration"),
                          (("--no-history", "--fail-on", "new"), "--fail-on new needs")):
        code, _, output = estate.scan("sqlite:///x.db", *args)
        assert code == 2
        assert message in _one_error_line(output)
        assert not estate.report.exists()
