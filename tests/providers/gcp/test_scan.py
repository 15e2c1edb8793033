"""Scopes, Google-created defaults, partial failures and what is read when, through whole scans."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from cloudrift.engine import Scan, ScanInput
from cloudrift.errors import ConfigError
from cloudrift.model import FindingKind
from cloudrift.plugin import ScanOptions
from cloudrift.report import OutputTarget, render
from cloudrift_gcp import GcpPlugin, GcpProvider
from tests.providers.gcp.conftest import (
    FIXTURES,
    SCOPE,
    GcpCase,
    GcpWorld,
    all_cases,
    load_json,
    make_session,
    patched,
    project_asset,
)

CASES = {case.type: case for case in all_cases()}
FOLDER = "folders/161803398874"


def _case(rtype: str) -> GcpCase:
    return CASES[rtype]


def _other_project(asset: dict[str, Any], project: str, number: str) -> dict[str, Any]:
    """The same asset, moved to another project (ids, names, ancestors)."""
    text = json.dumps(asset).replace("acme-prod", project).replace("314159265358", number)
    return dict(json.loads(text))


def _other_state(case: GcpCase, project: str) -> dict[str, Any]:
    attributes = json.loads(json.dumps(case.state["attributes"]).replace("acme-prod", project))
    return case.instance(f"in_{project.replace('-', '_')}", attributes)


def _with_policy(bindings: list[dict[str, Any]]) -> dict[str, Any]:
    asset = project_asset()
    asset["iamPolicy"] = {"version": 3, "etag": "BwYUxK2mP3c=", "bindings": bindings}
    return asset


# -- Google-created defaults -----------------------------------------------------------------------


def _defaults_world(gcp: GcpWorld) -> GcpCase:
    member = _case("google_project_iam_member")
    defaults = load_json(FIXTURES / "defaults" / "assets.json")
    policy = load_json(FIXTURES / "defaults" / "iam_policy.json")["iamPolicy"]
    bindings = [*policy["bindings"], *member.asset["iamPolicy"]["bindings"]]
    gcp.publish(defaults, with_project=False)
    gcp.server.add_assets(SCOPE, [_with_policy(bindings)])
    return member


def test_google_created_resources_are_not_unmanaged(gcp: GcpWorld) -> None:
    member = _defaults_world(gcp)
    report = gcp.scan([member.instance()])
    assert report.findings == []
    assert report.summary.in_sync == 1
    # they were seen, just not reported; what a resource created with itself is not listed
    # on its own (the default network's subnetwork and internet route, the VM of GKE's
    # instance group)
    seen = sum(c.actual for c in report.coverage)
    assert seen == 20 - 3 + 6 + 1


def test_strict_reports_google_created_resources_too(gcp: GcpWorld) -> None:
    member = _defaults_world(gcp)
    report = gcp.scan([member.instance()], strict=True)
    kinds = {f.kind for f in report.findings}
    assert kinds == {FindingKind.UNMANAGED}
    by_type: dict[str, int] = {}
    for finding in report.findings:
        by_type[finding.type] = by_type.get(finding.type, 0) + 1
    # the default network's subnetwork is its own, the node VM GKE's: their parents speak
    # for them, --strict or not
    assert by_type == {
        "google_compute_network": 1,
        "google_compute_firewall": 5,
        "google_compute_disk": 1,
        "google_service_account": 2,
        "google_storage_bucket": 2,
        "google_pubsub_topic": 1,
        "google_project_iam_member": 6,
        "google_logging_project_sink": 2,
        "google_project_service": 1,
        "google_artifact_registry_repository": 1,
        "google_compute_global_forwarding_rule": 1,
    }
    assert "projects/acme-prod/global/networks/default" in {f.id for f in report.findings}


def test_a_network_named_like_a_default_elsewhere_is_not_hidden(gcp: GcpWorld) -> None:
    rule = copy.deepcopy(load_json(FIXTURES / "defaults" / "assets.json")[3])  # default-allow-ssh
    data = rule["resource"]["data"]
    data["network"] = data["network"].replace("/default", "/prod-vpc")
    gcp.publish([rule])
    report = gcp.scan([], scopes=[SCOPE])
    assert [(f.kind, f.id) for f in report.findings] == [
        (FindingKind.UNMANAGED, "projects/acme-prod/global/firewalls/default-allow-ssh")
    ]


# -- what is read ----------------------------------------------------------------------------------


def test_iam_policies_are_read_only_when_a_state_manages_project_members(gcp: GcpWorld) -> None:
    topic = _case("google_pubsub_topic")
    member = _case("google_project_iam_member")
    gcp.publish([topic.asset])
    gcp.server.add_assets(SCOPE, [member.asset])

    gcp.scan([topic.instance()])
    assert [c.query["contentType"] for c in gcp.server.list_calls] == [["1"]]

    gcp.server.requests.clear()
    report = gcp.scan([topic.instance(), member.instance()])
    contents = sorted(c.query["contentType"][0] for c in gcp.server.list_calls)
    assert contents == ["1", "2"]
    [iam_call] = [c for c in gcp.server.list_calls if c.query["contentType"] == ["2"]]
    assert iam_call.query["assetTypes"] == ["cloudresourcemanager.googleapis.com/Project"]
    assert report.findings == []
    assert report.api_calls == {"gcp:ListAssets": 2}


def test_scopes_come_from_the_projects_the_states_name(gcp: GcpWorld) -> None:
    topic = _case("google_pubsub_topic")
    gcp.publish([topic.asset])
    gcp.server.set_assets("projects/acme-dev", [
        _other_project(project_asset(), "acme-dev", "111111111111"),
        _other_project(dict(topic.asset), "acme-dev", "111111111111"),
    ])
    report = gcp.scan([topic.instance(), _other_state(topic, "acme-dev")])
    assert sorted(c.path for c in gcp.server.list_calls) == [
        "/v1/projects/acme-dev/assets", "/v1/projects/acme-prod/assets"]
    assert report.findings == []
    assert report.summary.in_sync == 2


def test_a_folder_scope_covers_every_project_it_lists(gcp: GcpWorld) -> None:
    topic = _case("google_pubsub_topic")
    disk = _case("google_compute_disk")
    dev_project = _other_project(project_asset(), "acme-dev", "111111111111")
    gcp.server.set_assets(FOLDER, [
        project_asset(), topic.asset, dev_project,
        _other_project(dict(topic.asset), "acme-dev", "111111111111"),
    ])
    report = gcp.scan([topic.instance(), _other_state(disk, "acme-dev")], scopes=[FOLDER])

    assert [c.path for c in gcp.server.list_calls] == [f"/v1/{FOLDER}/assets"]
    assert sorted((f.kind, f.id) for f in report.findings) == [
        (FindingKind.MISSING, "projects/acme-dev/zones/europe-west1-b/disks/pg-data"),
        (FindingKind.UNMANAGED, "projects/acme-dev/topics/orders"),
    ]
    [missing] = [f for f in report.findings if f.kind is FindingKind.MISSING]
    assert missing.scope.account == "acme-dev"


def test_resources_outside_the_given_scopes_are_not_missing(gcp: GcpWorld) -> None:
    topic = _case("google_pubsub_topic")
    gcp.publish([topic.asset])
    report = gcp.scan([topic.instance(), _other_state(topic, "acme-other")], scopes=[SCOPE])
    assert report.findings == []
    assert [w.code for w in report.warnings] == ["outside_scope"]
    assert "acme-other" in report.warnings[0].message
    assert report.summary.coverage < 1


def test_overlapping_scopes_report_a_resource_once(gcp: GcpWorld) -> None:
    topic = _case("google_pubsub_topic")
    gcp.publish([topic.asset])
    gcp.server.set_assets(FOLDER, [project_asset(), topic.asset])
    report = gcp.scan([], scopes=[FOLDER, SCOPE])
    assert [(f.kind, f.id) for f in report.findings] == [
        (FindingKind.UNMANAGED, "projects/acme-prod/topics/orders")]


def test_a_failed_project_does_not_hide_drift_in_the_others(gcp: GcpWorld) -> None:
    disk = _case("google_compute_disk")
    topic = _case("google_pubsub_topic")
    gcp.publish([])  # acme-prod lists fine, and the disk is gone
    gcp.server.set_assets("projects/acme-dev", [])
    gcp.server.permission_denied(parent="projects/acme-dev")
    report = gcp.scan([disk.instance(), _other_state(topic, "acme-dev")])

    assert [(f.kind, f.id) for f in report.findings] == [
        (FindingKind.MISSING, disk.id)]
    assert [w.code for w in report.warnings] == ["access_denied"]
    assert "projects/acme-dev" in report.warnings[0].message
    [topics] = [c for c in report.coverage if c.type == topic.type]
    assert topics.not_seen == 1
    assert "acme-dev/global" in topics.failed_scopes
    assert not report.complete


def test_denied_iam_policies_leave_the_members_unseen(gcp: GcpWorld) -> None:
    member = _case("google_project_iam_member")
    disk = _case("google_compute_disk")
    gcp.publish([member.asset])  # the disk is gone; the binding is still there
    gcp.server.permission_denied(parent=SCOPE, content="IAM_POLICY",
                                 permission="cloudasset.assets.listIamPolicy")
    report = gcp.scan([member.instance(), disk.instance()])

    assert [(f.kind, f.id) for f in report.findings] == [(FindingKind.MISSING, disk.id)]
    [warning] = report.warnings
    assert warning.code == "access_denied"
    assert "IAM policies" in warning.message
    assert "cloudasset.assets.listIamPolicy" in warning.message
    [members] = [c for c in report.coverage if c.type == member.type]
    assert members.not_seen == 1
    assert not report.complete


@pytest.mark.parametrize("scope", ["acme-prod", "projects/", "buckets/x", "projects/a/b"])
def test_an_invalid_scope_is_a_config_error(gcp: GcpWorld, scope: str) -> None:
    with pytest.raises(ConfigError, match="invalid GCP scope"):
        gcp.scan([], scopes=[scope])


def test_no_scope_at_all_is_a_config_error(gcp: GcpWorld) -> None:
    with pytest.raises(ConfigError, match="--gcp-scope"):
        gcp.scan([])
    assert gcp.server.requests == []


def test_the_default_project_of_the_credentials_is_the_last_resort(gcp: GcpWorld) -> None:
    gcp.publish([_case("google_pubsub_topic").asset])
    report = gcp.scan([], project="acme-prod")
    assert [f.id for f in report.findings] == ["projects/acme-prod/topics/orders"]


# -- normalisation through whole scans -----------------------------------------------------------


def test_a_google_4_state_compares_its_labels(gcp: GcpWorld) -> None:
    """Before 5.0 the provider wrote only `labels` (authoritative, no attribution label)."""
    instance = _case("google_compute_instance")
    attributes = dict(instance.state["attributes"])
    del attributes["effective_labels"], attributes["terraform_labels"]
    asset = patched(instance.asset, {"resource.data.labels": {"env": "prod", "team": "web"}})
    gcp.publish([asset])
    assert gcp.scan([instance.instance(attributes=attributes)]).findings == []

    gcp.publish([patched(asset, {"resource.data.labels.owner": "bob"})])
    [finding] = gcp.scan([instance.instance(attributes=attributes)]).findings
    assert [(c.path, c.expected, c.actual) for c in finding.changes] == [
        ("labels.owner", None, "bob")]


def test_short_names_and_self_links_are_the_same_reference(gcp: GcpWorld) -> None:
    instance = _case("google_compute_instance")
    attributes = copy.deepcopy(dict(instance.state["attributes"]))
    attributes["machine_type"] = ("https://www.googleapis.com/compute/v1/projects/acme-prod/"
                                  "zones/europe-west1-b/machineTypes/e2-medium")
    attributes["network_interface"][0]["network"] = "prod-vpc"
    attributes["zone"] = ("https://www.googleapis.com/compute/v1/projects/acme-prod/zones/"
                          "europe-west1-b")
    gcp.publish([instance.asset])
    report = gcp.scan([instance.instance(attributes=attributes)])
    assert report.findings == []
    assert report.summary.in_sync == 1


def test_an_attribute_an_older_provider_did_not_record_is_unknown(gcp: GcpWorld) -> None:
    bucket = _case("google_storage_bucket")
    attributes = dict(bucket.state["attributes"])
    del attributes["soft_delete_policy"]
    gcp.publish([patched(bucket.asset,
                         {"resource.data.softDeletePolicy.retentionDurationSeconds": "0"})])
    report = gcp.scan([bucket.instance(attributes=attributes)])
    assert report.findings == []
    [coverage] = [c for c in report.coverage if c.type == bucket.type]
    assert coverage.unknown_fields == 1


def test_secrets_from_the_state_never_reach_the_report(gcp: GcpWorld) -> None:
    sql = _case("google_sql_database_instance")
    password = sql.state["attributes"]["root_password"]
    gcp.publish([patched(sql.asset, {"resource.data.settings.tier": "db-custom-4-15360"})])
    report = gcp.scan([sql.instance()])
    assert report.summary.changed == 1
    for fmt in ("json", "console", "markdown", "sarif"):
        assert password not in render(report, OutputTarget(fmt, None), color=False)


def test_observe_unmanaged_reads_the_fields_of_unmanaged_resources(gcp: GcpWorld) -> None:
    """For fixes written from a report: the payload is in hand, nothing more is asked."""
    topic = _case("google_pubsub_topic")
    gcp.publish([topic.asset])
    options = ScanOptions(observe_unmanaged=True, settings={"gcp_scope": (SCOPE,)})
    provider = GcpProvider(GcpPlugin().types(), options, make_session(gcp.server.endpoint))
    report = Scan(ScanInput([]), {"gcp": provider}).run()
    [finding] = report.findings
    assert finding.kind is FindingKind.UNMANAGED
    assert finding.observed is not None
    assert finding.observed["labels"] == topic.asset["resource"]["data"]["labels"]
    assert [c.path for c in gcp.server.list_calls] == [f"/v1/{SCOPE}/assets"]
