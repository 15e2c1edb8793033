"""The plugin as the CLI finds it: by entry point, configured from flags and the environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cloudrift.cli import cli
from cloudrift.plugin import ProviderPlugin, ScanOptions, load_plugin, plugins_for_state
from cloudrift_gcp import GcpPlugin, GcpProvider
from cloudrift_gcp.session import ANONYMOUS_ENV, ENDPOINT_ENV, GcpSession
from tests.providers.gcp.conftest import SCOPE, GcpWorld, all_cases, state_document

REQUIRED = {
    "google_compute_instance", "google_compute_network", "google_compute_subnetwork",
    "google_compute_firewall", "google_compute_disk", "google_compute_address",
    "google_storage_bucket", "google_sql_database_instance", "google_service_account",
    "google_pubsub_topic", "google_pubsub_subscription", "google_bigquery_dataset",
    "google_container_cluster", "google_dns_managed_zone", "google_kms_key_ring",
    "google_project_iam_member",
}


def test_the_entry_point_loads_the_plugin() -> None:
    plugin = load_plugin("gcp")
    assert isinstance(plugin, GcpPlugin)
    assert isinstance(plugin, ProviderPlugin)
    assert plugin.name == "gcp"
    assert plugin.terraform_sources == ("hashicorp/google", "hashicorp/google-beta")
    assert plugin.state_providers == ("google", "google-beta")
    assert set(plugin.types()) >= REQUIRED


def test_the_provider_takes_google_and_google_beta_state() -> None:
    provider = GcpPlugin().create(ScanOptions(settings={"gcp_endpoint": "http://127.0.0.1:9"}))
    assert isinstance(provider, GcpProvider)
    assert provider.state_providers == ("google", "google-beta")
    assert provider.session.endpoint == "http://127.0.0.1:9"
    assert provider.session.transport == "rest"


def test_endpoint_and_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, "http://127.0.0.1:7")
    monkeypatch.setenv(ANONYMOUS_ENV, "1")
    session = GcpSession.from_settings({})
    assert session.endpoint == "http://127.0.0.1:7"
    assert session.anonymous
    assert session.default_project() is None


def test_missing_credentials_are_a_provider_error() -> None:
    from cloudrift.errors import ProviderError

    session = GcpSession.from_settings({"gcp_endpoint": "http://127.0.0.1:9"})
    with pytest.raises(ProviderError, match="credentials not found"):
        session.client()


def test_a_google_beta_resource_is_compared_like_a_google_one(gcp: GcpWorld) -> None:
    topic = next(c for c in all_cases() if c.type == "google_pubsub_topic")
    gcp.publish([topic.asset])
    beta = dict(topic.instance(), provider="registry.terraform.io/hashicorp/google-beta")
    report = gcp.scan([beta])
    assert report.summary.in_sync == 1
    assert report.findings == []


def test_cli_scan_against_a_private_endpoint(gcp: GcpWorld, tmp_path: Path) -> None:
    disk = next(c for c in all_cases() if c.type == "google_compute_disk")
    gcp.publish([])  # the disk is gone
    state = tmp_path / "terraform.tfstate"
    state.write_text(json.dumps(state_document([disk.instance()])))
    out = tmp_path / "drift.json"
    result = CliRunner().invoke(
        cli,
        ["scan", "--from", f"tfstate://{state}", "--to", "gcp", "--gcp-scope", SCOPE,
         "--output", f"json://{out}"],
        env={ENDPOINT_ENV: gcp.server.endpoint, ANONYMOUS_ENV: "true"},
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.output
    report = json.loads(out.read_text())
    assert [(f["kind"], f["id"]) for f in report["findings"]] == [("missing", disk.id)]
    assert report["api_calls"] == {"gcp:ListAssets": 1}
    assert [c.path for c in gcp.server.list_calls] == [f"/v1/{SCOPE}/assets"]


def test_a_google_state_picks_this_plugin() -> None:
    assert plugins_for_state(["google", "google-beta"]) == (["gcp"], [])


def test_cli_scan_without_to_follows_the_state(gcp: GcpWorld, tmp_path: Path) -> None:
    topic = next(c for c in all_cases() if c.type == "google_pubsub_topic")
    gcp.publish([topic.asset])
    state = tmp_path / "terraform.tfstate"
    state.write_text(json.dumps(state_document([topic.instance()])))
    result = CliRunner().invoke(
        cli, ["scan", "--from", str(state), "--output", "json://-"],
        env={ENDPOINT_ENV: gcp.server.endpoint, ANONYMOUS_ENV: "1"}, catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["providers"] == ["gcp"]
    assert report["summary"]["in_sync"] == 1
