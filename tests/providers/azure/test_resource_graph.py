"""Full payloads from Azure Resource Graph in bulk, instead of one GET per resource."""

from __future__ import annotations

import json

import pytest

from cloudrift.model import FindingKind
from cloudrift_azure import AzurePlugin
from cloudrift_azure.testing import GRAPH_PATH, ArmServer
from tests.providers.azure.conftest import (
    ScanFn,
    load_arm,
    load_case,
    load_cases,
    make_provider,
    state_of,
)

pytest.importorskip("azure.mgmt.resourcegraph", reason="azure-mgmt-resourcegraph is not installed")

GRAPH = {"azure_resource_graph": True}
CASES = load_cases()


def _load_all(arm: ArmServer) -> list[dict[str, object]]:
    for case in CASES:
        load_arm(arm, case.arm, case.state)
    return [inst for case in CASES for inst in case.state]


def test_graph_replaces_the_per_resource_gets(arm: ArmServer, scan: ScanFn) -> None:
    instances = _load_all(arm)
    arm.page_size = 5  # the query's answer comes in pages too
    report = scan(state_of(instances, arm), provider=make_provider(arm, settings=GRAPH))
    assert report.findings == []
    assert report.warnings == []
    queries = arm.requested(GRAPH_PATH, "POST")
    assert queries
    assert all("in~" in json.loads(q.body)["query"] for q in queries)
    assert len({json.loads(q.body).get("options", {}).get("$skipToken") for q in queries}) > 1
    # only what the graph does not hold is read: sub-resources (a DNS zone's SOA record set)
    # and the lists of child and extension resources, never a resource by id
    specs = AzurePlugin().types().values()
    not_in_graph = tuple({s.suffix.lower() for spec in specs for s in spec.sub_resources}
                         | {spec.list_path.lower() for spec in specs if spec.list_path})
    gets = [r.path.lower() for r in arm.requested("/providers/", "GET")]
    assert any(path.endswith("/soa/@") for path in gets)
    assert all(path.endswith(not_in_graph) for path in gets), gets
    assert report.api_calls["azure:resourcegraph.resources"] == len(queries)


def test_drift_is_found_through_the_graph(arm: ArmServer, scan: ScanFn) -> None:
    case = load_case("key_vault")
    load_arm(arm, case.arm, case.state)
    arm.patch(case.arm_id, case.change["patch"])
    report = scan(state_of(case.state, arm), provider=make_provider(arm, settings=GRAPH))
    [finding] = report.findings
    assert (finding.kind, finding.id) == (FindingKind.CHANGED, case.target_id)
    assert {c.path for c in finding.changes} == case.changed_paths
    assert [r for r in arm.requested("/providers/microsoft.keyvault/", "GET")
            if r.path.lower().endswith("/vaults/kv-drift")] == []


def test_a_denied_graph_query_falls_back_to_gets(arm: ArmServer, scan: ScanFn) -> None:
    case = load_case("linux_virtual_machine")
    load_arm(arm, case.arm, case.state)
    arm.fail(GRAPH_PATH, 403, "AuthorizationFailed", method="POST")
    report = scan(state_of(case.state, arm), provider=make_provider(arm, settings=GRAPH))
    assert report.findings == []
    assert [w.code for w in report.warnings] == ["access_denied"]
    assert "Resource Graph" in report.warnings[0].message
    assert arm.requested("/virtualmachines/", "GET")
