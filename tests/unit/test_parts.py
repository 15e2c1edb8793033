"""Parts of a parent: each drift reported once, on the most specific resource that declares it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from cloudrift.engine import CodeBinding, Scan, ScanInput, read_sources
from cloudrift.model import Finding, FindingKind, Resource, ScanReport, ScanWarning, Scope
from cloudrift.plugin import Observation, Unit
from cloudrift.sources.files import LocalTree
from cloudrift.sources.hcl import load_hcl
from cloudrift.sources.tfstate import StateInstance, parse_state
from cloudrift.spec import FieldSpec, PartOf, ResourceSpec
from cloudrift.testing import StateBuilder

SPECS: dict[str, ResourceSpec] = {
    "fake_group": ResourceSpec(
        type="fake_group",
        fields=(FieldSpec("name", query="name"),
                FieldSpec("ingress", query="ingress"),
                FieldSpec("egress", query="egress")),
    ),
    "fake_ingress_rule": ResourceSpec(
        type="fake_ingress_rule",
        fields=(FieldSpec("port", query="port"),),
        part_of=(PartOf("fake_group", "group_id", ("ingress",), cloud_parent_id="group"),),
    ),
    "fake_rule": ResourceSpec(  # ingress or egress, by its own "type" (aws_security_group_rule)
        type="fake_rule",
        fields=(FieldSpec("port", query="port"),),
        unmanaged=False,
        part_of=(PartOf("fake_group", "group_id", lambda a: (str(a["type"]),)),),
    ),
    # ingress or egress by its own "type", declared as one PartOf per field (a network ACL
    # rule): each gives a parent only for its own kind, in state and in the cloud
    "fake_directed_rule": ResourceSpec(
        type="fake_directed_rule",
        fields=(FieldSpec("port", query="port"),),
        part_of=tuple(
            PartOf("fake_group", lambda a, k=kind: a["group_id"] if a["type"] == k else None,
                   (kind,), cloud_parent_id=lambda p, k=kind: p["group"] if p["kind"] == k
                   else None)
            for kind in ("ingress", "egress")
        ),
    ),
}


class PartsProvider:
    name = "fake"
    state_providers = ("fake",)
    specs: Mapping[str, ResourceSpec] = SPECS

    def __init__(self, cloud: list[dict[str, Any]]) -> None:
        self.cloud = cloud

    def desired(self, instances: Sequence[StateInstance]
                ) -> tuple[list[Resource], list[ScanWarning]]:
        return [Resource(provider="fake", type=i.type, id=str(i.attributes["id"]),
                         scope=Scope(account="1", region="r1"), address=i.address,
                         source=i.source,
                         attributes=self.specs[i.type].desired_attributes(i.attributes))
                for i in instances], []

    def observe(self, desired: Sequence[Resource]) -> Observation:
        obs = Observation()
        for rtype, spec in self.specs.items():
            obs.scanned.add(Unit(rtype, "r1", "1"))
            for payload in (p for p in self.cloud if p["type"] == rtype):
                placed = next((part for part in spec.part_of
                               if part.cloud_parent(payload) is not None), None)
                obs.resources.append(Resource(
                    provider="fake", type=rtype, id=payload["id"],
                    scope=Scope(account="1", region="r1"),
                    attributes=spec.actual_attributes(payload),
                    is_default=payload.get("default", False),
                    parent=None if placed is None else placed.cloud_parent(payload),
                    parent_fields=None if placed is None or callable(placed.fields)
                    else placed.fields,
                ))
        return obs


GROUP = {"id": "g-1", "name": "web", "ingress": [{"port": 22}], "egress": []}
RULE_22 = {"id": "r-22", "group_id": "g-1", "port": 22}


def _scan(builder: StateBuilder, cloud: list[dict[str, Any]], hcl: str | None = None,
          tmp_path: Path | None = None) -> ScanReport:
    document = parse_state(json.dumps(builder.document()).encode(), "s.tfstate")

    class _Source:
        uri = "s.tfstate"

        def read(self) -> list[Any]:
            return [document]

    scan_input: ScanInput = read_sources([_Source()])
    if hcl is not None:
        assert tmp_path is not None
        (tmp_path / "main.tf").write_text(hcl)
        scan_input.code = [CodeBinding(load_hcl(LocalTree(str(tmp_path)), ""), None)]
    return Scan(scan_input, {"fake": PartsProvider(cloud)}).run()


def _kinds(report: ScanReport) -> list[tuple[str, str, str]]:
    return sorted((f.kind.value, f.type, f.id) for f in report.findings)


def _cloud(*rules: dict[str, Any], ingress: list[dict[str, Any]] | None = None
           ) -> list[dict[str, Any]]:
    group = {**GROUP, "type": "fake_group"}
    if ingress is not None:
        group["ingress"] = ingress
    return [group, *({**r, "type": "fake_ingress_rule", "group": "g-1"} for r in rules)]


def test_separate_rules_take_the_field_over_and_report_their_own_drift() -> None:
    state = (StateBuilder().add("fake_group", "g", GROUP, provider="x/fake")
             .add("fake_ingress_rule", "ssh", RULE_22, provider="x/fake"))
    # the rule's port changed: reported on the rule, and not again as the group's ingress
    report = _scan(state, _cloud({"id": "r-22", "port": 2222}, ingress=[{"port": 2222}]))
    assert _kinds(report) == [("changed", "fake_ingress_rule", "r-22")]
    [finding] = report.findings
    assert [c.path for c in finding.changes] == ["port"]


def test_without_parts_the_parent_compares_its_field_and_no_rule_is_unmanaged() -> None:
    state = StateBuilder().add("fake_group", "g", GROUP, provider="x/fake")
    report = _scan(state, _cloud({"id": "r-22", "port": 22}, {"id": "r-80", "port": 80},
                                 ingress=[{"port": 22}, {"port": 80}]))
    # the rule added in the console is a change of the group's inline ingress, said once
    assert _kinds(report) == [("changed", "fake_group", "g-1")]


def test_a_rule_no_one_declares_beside_managed_rules_is_an_unmanaged_part() -> None:
    state = (StateBuilder().add("fake_group", "g", GROUP, provider="x/fake")
             .add("fake_ingress_rule", "ssh", RULE_22, provider="x/fake"))
    report = _scan(state, _cloud({"id": "r-22", "port": 22}, {"id": "r-80", "port": 80},
                                 ingress=[{"port": 22}, {"port": 80}]))
    assert _kinds(report) == [("unmanaged", "fake_ingress_rule", "r-80")]


def test_parts_of_an_unmanaged_parent_are_covered_by_the_parent() -> None:
    report = _scan(StateBuilder(), _cloud({"id": "r-22", "port": 22}))
    assert _kinds(report) == [("unmanaged", "fake_group", "g-1")]


def test_hcl_that_declares_the_field_inline_keeps_it_on_the_parent(tmp_path: Path) -> None:
    state = StateBuilder().add("fake_group", "g", GROUP, provider="x/fake")
    cloud = _cloud({"id": "r-22", "port": 22}, {"id": "r-80", "port": 80},
                   ingress=[{"port": 22}, {"port": 80}])
    inline = 'resource "fake_group" "g" {\n  name = "web"\n  ingress {\n    port = 22\n  }\n}\n'
    report = _scan(state, cloud, inline, tmp_path)
    assert _kinds(report) == [("changed", "fake_group", "g-1")]


def test_hcl_without_the_field_leaves_it_to_parts_even_when_none_exist(tmp_path: Path) -> None:
    state = StateBuilder().add("fake_group", "g", GROUP, provider="x/fake")
    cloud = _cloud({"id": "r-22", "port": 22}, {"id": "r-80", "port": 80},
                   ingress=[{"port": 22}, {"port": 80}])
    report = _scan(state, cloud, 'resource "fake_group" "g" {\n  name = "web"\n}\n', tmp_path)
    # nobody declares these rules: both are unmanaged parts, the group is in sync
    assert _kinds(report) == [("unmanaged", "fake_ingress_rule", "r-22"),
                              ("unmanaged", "fake_ingress_rule", "r-80")]
    assert report.summary.in_sync == 1


def test_inline_and_separate_at_once_is_a_warned_conflict(tmp_path: Path) -> None:
    state = (StateBuilder().add("fake_group", "g", GROUP, provider="x/fake")
             .add("fake_ingress_rule", "ssh", RULE_22, provider="x/fake"))
    hcl = ('resource "fake_group" "g" {\n  dynamic "ingress" {\n    for_each = []\n'
           '    content {}\n  }\n}\nresource "fake_ingress_rule" "ssh" {}\n')
    report = _scan(state, _cloud({"id": "r-22", "port": 22}), hcl, tmp_path)
    [warning] = [w for w in report.warnings if w.code == "parts_conflict"]
    assert "fake_group.g declares ingress inline" in warning.message
    assert "fake_ingress_rule" in warning.message


def test_fields_chosen_by_the_part_s_own_state() -> None:
    egress_rule = {"id": "r-e", "group_id": "g-1", "port": 443, "type": "egress"}
    state = (StateBuilder().add("fake_group", "g", GROUP, provider="x/fake")
             .add("fake_rule", "out", egress_rule, provider="x/fake"))
    group = {**GROUP, "type": "fake_group", "egress": [{"port": 8443}],
             "ingress": [{"port": 22}, {"port": 80}]}
    report = _scan(state, [group, {"id": "r-e", "type": "fake_rule", "port": 8443}])
    findings: list[Finding] = report.findings
    # egress belongs to the rule (changed there); ingress stays the group's (changed there)
    assert {(f.type, tuple(c.path for c in f.changes)) for f in findings} == {
        ("fake_rule", ("port",)), ("fake_group", ("ingress",))}
    assert all(f.kind is FindingKind.CHANGED for f in findings)


@pytest.mark.parametrize("default", [True, False])
def test_a_default_part_stays_out_unless_strict(default: bool) -> None:
    state = (StateBuilder().add("fake_group", "g", GROUP, provider="x/fake")
             .add("fake_ingress_rule", "ssh", RULE_22, provider="x/fake"))
    cloud = _cloud({"id": "r-22", "port": 22})
    cloud.append({"id": "r-all", "port": 0, "type": "fake_ingress_rule", "group": "g-1",
                  "default": default})
    report = _scan(state, cloud)
    expected = [] if default else [("unmanaged", "fake_ingress_rule", "r-all")]
    assert _kinds(report) == expected


def test_a_part_declared_per_field_is_placed_under_its_own_field() -> None:
    ingress_rule = {"id": "d-22", "group_id": "g-1", "port": 22, "type": "ingress"}
    state = (StateBuilder().add("fake_group", "g", GROUP, provider="x/fake")
             .add("fake_directed_rule", "ssh", ingress_rule, provider="x/fake"))
    group = {**GROUP, "type": "fake_group", "egress": [{"port": 443}],
             "ingress": [{"port": 22}, {"port": 80}]}
    cloud = [group,
             {"id": "d-22", "type": "fake_directed_rule", "kind": "ingress", "group": "g-1",
              "port": 22},
             {"id": "d-80", "type": "fake_directed_rule", "kind": "ingress", "group": "g-1",
              "port": 80},
             {"id": "d-443", "type": "fake_directed_rule", "kind": "egress", "group": "g-1",
              "port": 443}]
    report = _scan(state, cloud)
    # ingress is the rules' (the undeclared one is unmanaged); egress stays the group's own,
    # which the state records as []: its extra rule is the group's change, not a part
    assert _kinds(report) == [("changed", "fake_group", "g-1"),
                              ("unmanaged", "fake_directed_rule", "d-80")]
    [changed] = [f for f in report.findings if f.kind is FindingKind.CHANGED]
    assert [c.path for c in changed.changes] == ["egress"]
