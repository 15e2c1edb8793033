"""``--unmanaged`` through the real ARM client and the local server: ``resources.list`` is asked
for the managed ARM types only (``$filter``), and the managed resources are judged alike in
every mode."""

from __future__ import annotations

from typing import Any

import pytest

from cloudrift.model import FindingKind, ScanReport, UnmanagedSearch
from cloudrift_azure.testing import ArmServer
from tests.providers.azure.conftest import SUB, ScanFn, state_of
from tests.providers.azure.test_scan import _identity, _vnet

GROUP = f"/subscriptions/{SUB}/resourceGroups/rg-app"
VNET = "Microsoft.Network/virtualNetworks"


def _world(arm: ArmServer) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A managed network whose tags changed, one deleted since, an unmanaged network and an
    unmanaged identity (a type no state has)."""
    changed, changed_state = _vnet(GROUP, "vnet-app", tags={"env": "prod"})
    gone, gone_state = _vnet(GROUP, "vnet-gone")
    stray, _ = _vnet(GROUP, "vnet-stray")
    identity, _ = _identity(GROUP, "id-stray", {})
    for payload in (changed, stray, identity):
        arm.put(payload)
    arm.patch(changed["id"], {"tags": {"env": "dev"}})
    return {"changed": changed["id"], "gone": gone["id"], "stray": stray["id"],
            "identity": identity["id"]}, [changed_state, gone_state]


def _listing_filters(arm: ArmServer) -> list[str | None]:
    return [r.arg("$filter") for r in arm.requests
            if r.method == "GET" and r.path.lower() == f"/subscriptions/{SUB}/resources"]


def _managed(report: ScanReport) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(f.kind.value, f.id.lower(), tuple(sorted(c.path for c in f.changes)))
            for f in report.findings if f.kind is not FindingKind.UNMANAGED}


@pytest.mark.parametrize("mode", ["managed-types", "none"])
def test_a_limited_search_lists_the_managed_arm_types_only(arm: ArmServer, scan: ScanFn,
                                                           mode: UnmanagedSearch) -> None:
    ids, instances = _world(arm)
    everything = scan(state_of(instances))
    assert _listing_filters(arm) == [None]
    arm.requests.clear()

    report = scan(state_of(instances), unmanaged=mode)

    assert _listing_filters(arm) == [f"resourceType eq '{VNET}'"]
    assert _managed(report) == _managed(everything)
    assert {(kind, rid) for kind, rid, _ in _managed(report)} == {
        ("changed", ids["changed"].lower()), ("missing", ids["gone"].lower())}
    unmanaged = {f.id.lower() for f in report.findings if f.kind is FindingKind.UNMANAGED}
    everywhere = {f.id.lower() for f in everything.findings if f.kind is FindingKind.UNMANAGED}
    assert {ids["stray"].lower(), ids["identity"].lower()} <= everywhere
    assert unmanaged == ({ids["stray"].lower()} if mode == "managed-types" else set())
    assert {c.type for c in report.coverage} == {"azurerm_virtual_network"}
    assert report.summary.unmanaged_search == mode
