"""cloudrift on an estate written the way the popular public module collections write AWS.

``community/`` is a VPC module (subnets per zone from a map, a NAT gateway, default routes and
route table associations as resources of their own, the VPC's default security group, network
ACL and route table adopted, a flow log to CloudWatch Logs with its IAM role and policy), an S3
bucket module (the configuration as separate resources), a security group module (rules as
separate resources, the current ones and the legacy ``aws_security_group_rule``) and an SQS
module (a dead-letter queue, a queue policy), called with ``for_each`` over environments.
Terraform applies it once per session; ``community_drift`` then changes it behind Terraform's
back.

Each judgement is made twice by cloudrift: from the state file (``--from``), and as a new user
runs it, in the configuration's directory with no source at all (zero-config, which reads the
code too). Terraform's ``plan -refresh-only`` is the reference: on the types cloudrift supports,
every update it reports must be a ``changed`` finding and every delete a ``missing`` one, except
updates of a parent that only move fields the parent leaves to its parts (a group's ``ingress``
when its rules are resources of their own): cloudrift reports those once, on the part, and the
parts oracle (``parts_oracle.py``) says exactly which, from the specs, the state and the code.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from cloudrift.testing.terraform import DriftEntry
from cloudrift_aws.types import SPECS
from tests.e2e.behind_terraform import Clients
from tests.e2e.community_drift import (
    CHANGES,
    HAND_MADE,
    NAT_ROUTE,
    PUBLIC_ACCESS_BLOCK,
    HandMade,
)
from tests.e2e.conftest import REGION, Estate, ScanRun, unexplained_changes
from tests.e2e.parts_oracle import PartsOracle, inline_from

pytestmark = pytest.mark.e2e

# how cloudrift is run: from the state file, or zero-config in the configuration's directory
MODES = ("state", "zero-config")
COVERAGE_FLOOR = 0.95


@dataclass
class Judged:
    """What Terraform and cloudrift (in each mode) said about the estate at one moment."""

    terraform: list[DriftEntry]
    runs: dict[str, ScanRun]
    made: dict[tuple[str, str], HandMade] = field(default_factory=dict)


def _judge(estate: Estate, name: str) -> Judged:
    entries = estate.oracle(name)
    runs = {mode: estate.scan(f"{name}-{mode}", zero_config=mode == "zero-config")
            for mode in MODES}
    return Judged(entries, runs)


@pytest.fixture(scope="session")
def community_baseline(community: Estate) -> Judged:
    return _judge(community, "baseline")


@pytest.fixture(scope="session")
def community_drifted(community: Estate, community_baseline: Judged) -> Judged:
    """Both judges after ``community_drift``'s changes; after the baseline, whatever tests are
    selected, so that the untouched estate is always judged first."""
    clients = Clients(community.endpoint, REGION)
    started = time.perf_counter()
    for change in CHANGES:
        change.run(clients, community.values)
    made = {(h.type, h.create(clients, community.values)): h for h in HAND_MADE}
    community.record["timings"].append(("boto3 changes", time.perf_counter() - started))
    judged = _judge(community, "drifted")
    judged.made = made
    return judged


def _oracle(estate: Estate, mode: str) -> PartsOracle:
    inline = inline_from(estate.terraform.workdir) if mode == "zero-config" else None
    return PartsOracle(SPECS, estate.resources, inline)


def _made_by_the_emulator(estate: Estate) -> set[tuple[str, str]]:
    """Resources moto makes for the estate that AWS would mark as its own: moto gives a NAT
    gateway's network interface neither ``RequesterManaged`` nor the ``nat_gateway`` interface
    type that AWS sets (and cloudrift leaves out as AWS's)."""
    return {("aws_network_interface", str(r["values"]["network_interface_id"]))
            for r in estate.resources.values() if r["type"] == "aws_nat_gateway"}


def _describe(entries: object) -> str:
    return json.dumps(entries, indent=1, default=str)


# -- right after apply -----------------------------------------------------------------------


def test_terraform_sees_no_drift_right_after_apply(community_baseline: Judged) -> None:
    assert [(e.address, e.kind, sorted(e.changed_attributes))
            for e in community_baseline.terraform] == []


@pytest.mark.parametrize("mode", MODES)
def test_untouched_estate_is_in_sync(community: Estate, community_baseline: Judged,
                                     mode: str) -> None:
    run = community_baseline.runs[mode]
    assert run.findings("changed") == [], _describe(run.findings("changed"))
    assert run.findings("missing") == [], _describe(run.findings("missing"))
    assert run.findings("unapplied") == [], _describe(run.findings("unapplied"))
    assert run.unmanaged() <= _made_by_the_emulator(community), _describe(run.unmanaged())
    failed = [c for c in run.report["coverage"] if c["failed_scopes"]]
    assert failed == [], _describe(run.report["warnings"])


@pytest.mark.parametrize("mode", MODES)
def test_at_least_95_percent_of_the_managed_resources_are_compared(
        community: Estate, community_baseline: Judged, mode: str) -> None:
    summary = community_baseline.runs[mode].report["summary"]
    unsupported = sorted({t for t in community.types.values() if t not in community.supported})
    assert summary["managed"] == len(community.resources)
    assert summary["compared"] == len(community.supported_addresses())
    assert summary["compared"] / summary["managed"] >= COVERAGE_FLOOR, (
        f"{summary['compared']} of {summary['managed']} compared; not supported: "
        f"{', '.join(unsupported)}")


# -- after changes behind Terraform's back ---------------------------------------------------


def test_terraform_sees_every_change_made_behind_its_back(community_drifted: Judged) -> None:
    expected = {c.address: c.expect for c in CHANGES}
    for change in CHANGES:
        expected.update(dict.fromkeys(change.echoes, "changed"))
    for made in HAND_MADE:
        if made.part_of is not None:
            expected[made.part_of[0]] = "changed"
    assert {e.address: e.kind for e in community_drifted.terraform} == expected


@pytest.mark.parametrize("mode", MODES)
def test_changed_and_missing_match_terraform(community: Estate, community_drifted: Judged,
                                             mode: str) -> None:
    # A parent whose only moved fields are left to its parts (a group's `ingress` with rule
    # resources) is reported by cloudrift once, on the part, where Terraform shows both
    oracle = _oracle(community, mode)
    on_parts = oracle.on_parts(community_drifted.terraform)
    supported = [e for e in community_drifted.terraform if e.type in community.supported]
    want_changed = {e.address for e in supported
                    if e.kind == "changed" and e.address not in on_parts}
    want_missing = {e.address for e in supported if e.kind == "missing"}
    run = community_drifted.runs[mode]
    assert want_changed
    assert want_missing
    assert run.addresses("changed") == want_changed
    assert run.addresses("missing") == want_missing
    assert run.findings("unapplied") == []


@pytest.mark.parametrize("mode", MODES)
def test_a_parent_left_to_its_parts_has_a_part_reported(
        community: Estate, community_drifted: Judged, mode: str) -> None:
    oracle = _oracle(community, mode)
    run = community_drifted.runs[mode]
    reported_parts = {(f["type"], f["id"]) for f in run.findings("unmanaged")}
    reported = run.addresses("changed") | run.addresses("missing")
    unexplained = []
    for parent in oracle.on_parts(community_drifted.terraform):
        managed = oracle.parts_of(parent) & reported
        by_hand = {key for key, made in community_drifted.made.items()
                   if made.part_of is not None and made.part_of[0] == parent}
        if not managed and not by_hand & reported_parts:
            unexplained.append(parent)
    assert unexplained == []


@pytest.mark.parametrize("mode", MODES)
def test_changed_fields_are_fields_terraform_saw_move(community_drifted: Judged,
                                                      mode: str) -> None:
    assert unexplained_changes(community_drifted.terraform,
                               community_drifted.runs[mode]) == []


def _expected_unmanaged(estate: Estate, judged: Judged, mode: str) -> set[tuple[str, str]]:
    """What was made by hand and cloudrift must report unmanaged: every resource of a supported
    type, but a part whose parent compares that field itself (that is the parent's change)."""
    oracle = _oracle(estate, mode)
    return {key for key, made in judged.made.items() if made.type in estate.supported and (
        made.part_of is None or oracle.left_to_parts(made.part_of[0], (made.part_of[1],)))}


@pytest.mark.parametrize("mode", MODES)
def test_every_unmanaged_resource_made_by_hand_is_reported_and_nothing_else(
        community: Estate, community_baseline: Judged, community_drifted: Judged,
        mode: str) -> None:
    expected = _expected_unmanaged(community, community_drifted, mode)
    assert any(made.part_of is None for key, made in community_drifted.made.items()
               if key in expected)
    new = community_drifted.runs[mode].unmanaged() - community_baseline.runs[mode].unmanaged()
    assert new == expected


@pytest.mark.parametrize("mode", MODES)
def test_the_issue_s_invisible_drifts_are_reported_on_their_own_resources(
        community: Estate, community_drifted: Judged, mode: str) -> None:
    run = community_drifted.runs[mode]
    by_address: Mapping[str, Any] = {f["address"]: f for f in run.report["findings"]
                                     if f["address"]}
    assert by_address[NAT_ROUTE]["kind"] == "missing"
    assert by_address[PUBLIC_ACCESS_BLOCK]["kind"] == "missing"
    # once: neither the route's table nor the block's bucket is reported for them
    parents = {("aws_route_table", community.values[NAT_ROUTE]["route_table_id"]),
               ("aws_s3_bucket", community.values[PUBLIC_ACCESS_BLOCK]["bucket"])}
    assert not {(f["type"], f["id"]) for f in run.report["findings"]} & parents


@pytest.mark.parametrize("mode", MODES)
def test_drift_exits_1(community_drifted: Judged, mode: str) -> None:
    assert community_drifted.runs[mode].returncode == 1, community_drifted.runs[mode].stderr
