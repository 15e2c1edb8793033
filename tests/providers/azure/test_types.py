"""Every supported azurerm type against the local ARM server: in sync, changed, missing,
unmanaged, each driven by a folder under ``fixtures/azure``."""

from __future__ import annotations

import pytest

from cloudrift.model import Finding, FindingKind, ScanReport, UnmanagedSearch
from cloudrift_azure import AzurePlugin
from cloudrift_azure import ids as arm_ids
from cloudrift_azure.spec import Source
from cloudrift_azure.testing import ArmServer
from tests.providers.azure.conftest import (
    SUB,
    AzureCase,
    ScanFn,
    load_arm,
    load_cases,
    lower_case_ids,
    make_provider,
    state_of,
)

CASES = load_cases()
IDS = [case.name for case in CASES]


def _setup(arm: ArmServer, case: AzureCase) -> None:
    load_arm(arm, case.arm, case.state)


def _kinds(report: ScanReport) -> list[tuple[FindingKind, str, str, str | None]]:
    return [(f.kind, f.type, f.id, f.address) for f in report.findings]


def test_every_spec_has_a_case() -> None:
    assert set(AzurePlugin().types()) <= {case.type for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_in_sync(case: AzureCase, arm: ArmServer, scan: ScanFn) -> None:
    _setup(arm, case)
    report = scan(state_of(case.state, arm))
    assert report.findings == []
    assert report.summary.managed == report.summary.in_sync >= len(case.state)
    assert report.warnings == []
    assert report.complete


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_changed(case: AzureCase, arm: ArmServer, scan: ScanFn) -> None:
    _setup(arm, case)
    arm.patch(case.arm_id, case.change["patch"])
    for extra in case.change.get("also", ()):
        arm.patch(extra["id"], extra["patch"])
    report = scan(state_of(case.state, arm))
    assert _kinds(report) == [(FindingKind.CHANGED, case.type, case.target_id, case.address)]
    finding: Finding = report.findings[0]
    assert {c.path for c in finding.changes} == case.changed_paths


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_missing(case: AzureCase, arm: ArmServer, scan: ScanFn) -> None:
    _setup(arm, case)
    state = state_of(case.state, arm)
    arm.delete(case.arm_id)
    report = scan(state)
    assert _kinds(report) == [(FindingKind.MISSING, case.type, case.target_id, case.address)]


def _listed_per_parent(rtype: str) -> bool:
    """Whether the type is listed one parent (or target) at a time: the default search
    (listings) looks for it only where a state manages one."""
    return AzurePlugin().types()[rtype].source in (Source.CHILDREN, Source.EXTENSION)


def _unmanaged_report(arm: ArmServer, case: AzureCase, scan: ScanFn,
                      unmanaged: UnmanagedSearch | None = None) -> ScanReport:
    """Scan with every instance of the case but the compared one in the state (with
    ``--unmanaged all`` for a type the default search would not look for there)."""
    others = list(case.state[1:])
    group = _group_instance(arm, case.arm_id)
    if case.type != "azurerm_resource_group" and group is not None:
        # keep the resource group managed: only the resource itself is new to the state
        others.append(group)
    if unmanaged is None:
        unmanaged = "all" if _listed_per_parent(case.type) else "listings"
    # an empty state names no subscription: the scan is told which one
    provider = make_provider(arm, settings={"azure_subscription": (SUB,)}, unmanaged=unmanaged)
    return scan(state_of(others, arm), provider=provider)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_unmanaged(case: AzureCase, arm: ArmServer, scan: ScanFn) -> None:
    """An unmanaged finding carries the id exactly as ``terraform import`` takes it: the one
    the azurerm provider writes into state."""
    _setup(arm, case)
    report = _unmanaged_report(arm, case, scan)
    assert _kinds(report) == [(FindingKind.UNMANAGED, case.type, case.target_id, None)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_unmanaged_ids_take_the_provider_s_form_from_arm_s_lower_case(
    case: AzureCase, arm: ArmServer, scan: ScanFn
) -> None:
    """ARM lists some ids in lower case (``/resourcegroups/``, ``microsoft.network/dnszones``);
    the import id is rebuilt in the provider's spelling, the names kept as ARM returned them."""
    lowered = [lower_case_ids(payload) for payload in case.arm]
    assert lowered[0]["id"] != case.target_id
    load_arm(arm, lowered, case.state)
    report = _unmanaged_report(arm, case, scan)
    assert _kinds(report) == [(FindingKind.UNMANAGED, case.type, case.target_id, None)]


PER_PARENT = [c for c in CASES if _listed_per_parent(c.type)]


@pytest.mark.parametrize("case", PER_PARENT, ids=[c.name for c in PER_PARENT])
def test_a_per_parent_type_no_state_uses_is_not_searched_by_default(
    case: AzureCase, arm: ArmServer, scan: ScanFn
) -> None:
    _setup(arm, case)
    report = _unmanaged_report(arm, case, scan, "listings")
    assert [f for f in report.findings if f.type == case.type] == []
    entry = next(c for c in report.coverage if c.type == case.type)
    assert (entry.unmanaged_searched, entry.scanned_scopes, entry.actual) == (False, [], 0)


def _group_instance(arm: ArmServer, resource_id: str) -> dict[str, object] | None:
    parsed = arm_ids.parse(resource_id)
    if parsed is None or parsed.resource_group is None:
        return None  # a role assignment on a subscription
    group = arm.get(f"/subscriptions/{parsed.subscription}/resourceGroups/"
                    f"{parsed.resource_group}")
    assert group is not None
    return {"type": "azurerm_resource_group", "name": "group", "attributes": {
        "id": group["id"], "name": group["name"], "location": group["location"],
        "managed_by": "", "tags": group.get("tags", {}), "timeouts": None}}


def test_every_fixture_at_once_is_in_sync(arm: ArmServer, scan: ScanFn) -> None:
    """All the fixtures in one subscription and one state: no type's resources are taken for
    another's, and nothing Azure made is reported."""
    for case in CASES:
        load_arm(arm, case.arm, case.state)
    instances = [inst for case in CASES for inst in case.state]
    report = scan(state_of(instances, arm))
    assert report.findings == []
    assert report.summary.in_sync == report.summary.managed == len(instances)
    assert report.warnings == []
