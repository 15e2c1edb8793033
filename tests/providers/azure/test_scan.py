"""Scans against the local ARM server: partial access, case, locations, tags, subscriptions,
what is fetched and what is counted."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cloudrift.model import FindingKind, ScanReport
from cloudrift_azure.testing import ArmServer
from tests.providers.azure.conftest import (
    SUB,
    ScanFn,
    load_arm,
    load_case,
    make_provider,
    state_of,
)

RG_OK = f"/subscriptions/{SUB}/resourceGroups/rg-ok"
RG_DENIED = f"/subscriptions/{SUB}/resourceGroups/rg-denied"


def _vnet(group: str, name: str, *, location: str = "westeurope",
          tags: dict[str, str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """An ARM payload and the matching azurerm 4.x state instance."""
    resource_id = f"{group}/providers/Microsoft.Network/virtualNetworks/{name}"
    payload = {"id": resource_id, "name": name, "type": "Microsoft.Network/virtualNetworks",
               "location": location, "tags": dict(tags or {}),
               "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                              "subnets": []}}
    instance = {"type": "azurerm_virtual_network", "name": name.replace("-", "_"),
                "attributes": {"id": resource_id, "name": name, "location": location,
                               "address_space": ["10.0.0.0/16"], "dns_servers": [],
                               "flow_timeout_in_minutes": 0, "bgp_community": "",
                               "ddos_protection_plan": [], "encryption": [], "edge_zone": "",
                               "subnet": [], "tags": dict(tags or {})}}
    return payload, instance


def _identity(group: str, name: str, tags: dict[str, str]) -> tuple[dict[str, Any],
                                                                     dict[str, Any]]:
    resource_id = f"{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"
    payload = {"id": resource_id, "location": "westeurope", "tags": tags,
               "properties": {"isolationScope": "None"}}
    instance = {"type": "azurerm_user_assigned_identity", "name": name.replace("-", "_"),
                "attributes": {"id": resource_id, "name": name, "location": "westeurope",
                               "tags": tags}}
    return payload, instance


def _findings(report: ScanReport) -> list[tuple[FindingKind, str, str]]:
    return [(f.kind, f.type, f.id) for f in report.findings]


def _coverage(report: ScanReport, rtype: str) -> Any:
    return next(c for c in report.coverage if c.type == rtype)


# -- partial access ----------------------------------------------------------------------------


def test_a_denied_resource_group_is_a_warning_not_missing(arm: ArmServer,
                                                          scan: ScanFn) -> None:
    ok, ok_state = _vnet(RG_OK, "vnet-ok")
    gone, gone_state = _vnet(RG_OK, "vnet-gone")
    hidden, hidden_state = _vnet(RG_DENIED, "vnet-hidden")
    for payload in (ok, hidden):
        arm.put(payload)
    # a role on rg-ok only: the subscription-wide listings and everything in rg-denied fail
    arm.fail(r"^/subscriptions/[^/]+/resources$")
    arm.fail(r"^/subscriptions/[^/]+/resourcegroups$")
    arm.fail(r"/resourcegroups/rg-denied(/|$)")
    report = scan(state_of([ok_state, gone_state, hidden_state]))

    assert _findings(report) == [(FindingKind.MISSING, "azurerm_virtual_network", gone["id"])]
    coverage = _coverage(report, "azurerm_virtual_network")
    assert coverage.scanned_scopes == [f"{SUB}/rg-ok"]
    assert coverage.failed_scopes == [f"{SUB}/rg-denied"]
    assert coverage.not_seen == 1
    denied = [w for w in report.warnings if w.code == "access_denied"]
    assert any("'rg-denied'" in w.message and "AuthorizationFailed" in w.message
               for w in denied), [w.message for w in report.warnings]
    assert any("subscription-wide" in w.message for w in denied)
    assert not report.complete
    # it listed the two groups it knows of, one by one
    assert {r.path.split("/")[4].lower() for r in arm.requested(r"/resourcegroups/[^/]+/"
                                                                r"resources$")} \
        == {"rg-ok", "rg-denied"}


def test_a_provider_whose_properties_are_denied_is_a_warning_naming_it(
    arm: ArmServer, scan: ScanFn
) -> None:
    case = load_case("key_vault")
    load_arm(arm, case.arm, case.state)
    identity, identity_state = _identity(f"/subscriptions/{SUB}/resourceGroups/rg-drift",
                                         "id-app", {"app": "api"})
    arm.put(identity)
    arm.patch(identity["id"], {"tags": {"app": "changed"}})
    arm.fail(r"/providers/microsoft\.keyvault/vaults/[^/]+$")
    report = scan(state_of([*case.state, identity_state], arm))

    # the vault is seen (the list has it) but none of its properties could be compared
    assert _findings(report) == [
        (FindingKind.CHANGED, "azurerm_user_assigned_identity", identity["id"])]
    [warning] = [w for w in report.warnings if w.code == "access_denied"]
    assert "Microsoft.KeyVault" in warning.message
    assert "'rg-drift'" in warning.message
    assert _coverage(report, "azurerm_key_vault").unknown_fields >= 10


# -- identity, location and tags --------------------------------------------------------------


def test_ids_match_whatever_their_case_and_findings_keep_the_state_s_spelling(
    arm: ArmServer, scan: ScanFn
) -> None:
    payload, instance = _vnet(RG_OK, "vnet-core", tags={"env": "test"})
    arm.put(payload)
    shouted = (payload["id"].replace("resourceGroups", "RESOURCEGROUPS")
               .replace("Microsoft.Network", "microsoft.network").replace(SUB, SUB.upper()))
    instance["attributes"]["id"] = shouted
    assert scan(state_of([instance], arm)).findings == []

    arm.patch(payload["id"], {"tags": {"env": "prod"}})
    report = scan(state_of([instance], arm))
    assert _findings(report) == [(FindingKind.CHANGED, "azurerm_virtual_network", shouted)]


def test_locations_compare_as_arm_normalises_them(arm: ArmServer, scan: ScanFn) -> None:
    payload, instance = _vnet(RG_OK, "vnet-core")
    arm.put(payload)
    instance["attributes"]["location"] = "West Europe"
    assert scan(state_of([instance], arm)).findings == []

    arm.patch(payload["id"], {"location": "northeurope"})
    [finding] = scan(state_of([instance], arm)).findings
    assert [(c.path, c.expected, c.actual) for c in finding.changes] == [
        ("location", "westeurope", "northeurope")]


def test_tags_compare_key_by_key(arm: ArmServer, scan: ScanFn) -> None:
    payload, instance = _identity(RG_OK, "id-app", {"env": "test", "team": "a"})
    arm.put(payload)
    arm.patch(payload["id"], {"tags": {"team": None, "cost": "42"}})
    [finding] = scan(state_of([instance], arm)).findings
    assert sorted((c.path, c.expected, c.actual) for c in finding.changes) == [
        ("tags.cost", None, "42"), ("tags.team", "a", None)]


def test_duplicate_ids_in_another_case_are_one_resource(arm: ArmServer, scan: ScanFn) -> None:
    payload, instance = _identity(RG_OK, "id-app", {})
    arm.put(payload)
    twin = json.loads(json.dumps(instance))
    twin["name"] = "twin"
    twin["attributes"]["id"] = payload["id"].lower()
    report = scan(state_of([instance, twin], arm))
    assert report.findings == []
    # the identity once, and its resource group; the twin is the same identity
    assert (report.summary.managed, report.summary.compared) == (3, 2)
    assert report.summary.not_compared == {"duplicate": 1}
    assert [w.code for w in report.warnings] == ["duplicate_resource"]


# -- what is read ------------------------------------------------------------------------------


def test_only_what_declared_fields_need_is_fetched(arm: ArmServer, scan: ScanFn) -> None:
    managed, managed_state = _vnet(RG_OK, "vnet-managed")
    other, _ = _vnet(RG_OK, "vnet-unmanaged")
    identity, identity_state = _identity(RG_OK, "id-app", {})
    for payload in (managed, other, identity):
        arm.put(payload)
    # a 3.x identity has no isolation_scope: nothing it declares needs a GET
    identity_state["attributes"].pop("isolation_scope", None)
    report = scan(state_of([managed_state, identity_state], arm))

    assert _findings(report) == [(FindingKind.UNMANAGED, "azurerm_virtual_network", other["id"])]
    reads = {k: v for k, v in report.api_calls.items() if "get_by_id" in k}
    assert reads == {"azure:resources.get_by_id:microsoft.network/virtualnetworks": 1}
    assert [r.path for r in arm.requested("/virtualnetworks/[^/]+$")] == [managed["id"]], \
        "only the managed VNet's properties are needed"
    # beside the two listings: one list of role assignments for the subscription; none of
    # diagnostic settings for the managed network, as no state manages one (listings)
    assert [r.path for r in arm.requested("/(roleassignments|diagnosticsettings)$")] == [
        f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments"]
    # every request is counted, once
    assert sum(report.api_calls.values()) == len(arm.requests) == 4


def test_a_resource_the_list_has_not_caught_up_with_is_read_by_id(
    arm: ArmServer, scan: ScanFn
) -> None:
    payload, instance = _vnet(RG_OK, "vnet-new")
    arm.put(payload)
    arm.hidden_from_list.add(payload["id"].lower())
    report = scan(state_of([instance], arm))
    assert report.findings == []
    assert report.summary.in_sync == report.summary.managed == 2
    assert [r.path for r in arm.requested("/virtualnetworks/[^/]+$")] == [payload["id"]]


def test_an_unmanaged_vm_is_classified_from_its_full_payload(arm: ArmServer,
                                                             scan: ScanFn) -> None:
    case = load_case("windows_virtual_machine")
    load_arm(arm, case.arm, case.state)
    provider = make_provider(arm, settings={"azure_subscription": (SUB,)})
    report = scan(state_of([]), provider=provider)
    assert (FindingKind.UNMANAGED, "azurerm_windows_virtual_machine", case.arm_id) in \
        _findings(report)
    assert not any(f.type == "azurerm_linux_virtual_machine" for f in report.findings)
    # the OS disk Azure made with the VM is not reported unless --strict
    assert not any(f.type == "azurerm_managed_disk" for f in report.findings)
    strict = make_provider(arm, settings={"azure_subscription": (SUB,)}, strict=True)
    report = scan(state_of([]), provider=strict, strict=True)
    assert any(f.type == "azurerm_managed_disk" for f in report.findings)


def test_what_aks_creates_in_its_node_group_is_azure_s(arm: ArmServer, scan: ScanFn) -> None:
    case = load_case("kubernetes_cluster")
    load_arm(arm, case.arm, case.state)
    assert scan(state_of(case.state, arm)).findings == []
    strict = scan(state_of(case.state, arm), provider=make_provider(arm, strict=True),
                  strict=True)
    assert sorted(f.type for f in strict.findings) == [
        "azurerm_network_security_group", "azurerm_resource_group"]


# -- subscriptions -----------------------------------------------------------------------------


def test_an_unknown_subscription_is_a_warning(arm: ArmServer, scan: ScanFn) -> None:
    other = "00000000-0000-0000-0000-00000000beef"
    payload, instance = _identity(RG_OK, "id-app", {})
    arm.put(payload)
    provider = make_provider(arm, settings={"azure_subscription": (other,)})
    report = scan(state_of([instance], arm), provider=provider)
    assert report.findings == []
    assert any(other in w.message and "SubscriptionNotFound" in w.message
               for w in report.warnings)
    assert {r.path.split("/")[2] for r in arm.requests} == {SUB, other}


def test_without_state_or_flag_the_subscription_comes_from_the_environment(
    arm: ArmServer, scan: ScanFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload, _ = _identity(RG_OK, "id-app", {})
    arm.put(payload)
    monkeypatch.setenv("ARM_SUBSCRIPTION_ID", SUB)
    report = scan(state_of([]))
    assert (FindingKind.UNMANAGED, "azurerm_user_assigned_identity", payload["id"]) in \
        _findings(report)


def test_no_subscription_at_all_is_a_warning(arm: ArmServer, scan: ScanFn,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ARM_SUBSCRIPTION_ID", "AZURE_SUBSCRIPTION_ID"):
        monkeypatch.delenv(name, raising=False)
    report = scan(state_of([]))
    assert [w.code for w in report.warnings] == ["no_scope"]
    assert arm.requests == []


# -- secrets -----------------------------------------------------------------------------------


def test_secrets_in_state_never_reach_the_report(arm: ArmServer, scan: ScanFn) -> None:
    case = load_case("storage_account")
    load_arm(arm, case.arm, case.state)
    arm.patch(case.arm_id, case.change["patch"])
    report = scan(state_of(case.state, arm))
    assert report.findings
    text = json.dumps(report.json_dict())
    secret = case.target["attributes"]["primary_access_key"]
    assert secret not in text


def test_every_subscription_the_states_name_is_scanned(arm: ArmServer, scan: ScanFn) -> None:
    other = "7c0e1f2a-3b4c-4d5e-8f60-718293a4b5c6"
    arm.add_subscription(other)
    first, first_state = _identity(RG_OK, "id-one", {"n": "1"})
    second, second_state = _identity(f"/subscriptions/{other}/resourceGroups/rg-two", "id-two",
                                     {"n": "2"})
    for payload in (first, second):
        arm.put(payload)
    arm.patch(second["id"], {"tags": {"n": "22"}})
    report = scan(state_of([first_state, second_state], arm))
    [finding] = report.findings
    assert (finding.id, finding.scope.account, finding.scope.group, finding.scope.region) == (
        second["id"], other, "rg-two", "rg-two")
    listed = {r.path.split("/")[2] for r in arm.requested(r"/resources$")}
    assert listed == {SUB, other}
    assert report.summary.in_sync == 3  # one identity and both resource groups


def test_resource_graph_asked_for_but_not_installed_falls_back_to_gets(
    arm: ArmServer, scan: ScanFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = load_case("public_ip")
    load_arm(arm, case.arm, case.state)
    provider = make_provider(arm, settings={"azure_resource_graph": True})
    monkeypatch.setattr(provider.ctx, "graph_available", lambda: False)
    report = scan(state_of(case.state, arm), provider=provider)
    assert report.findings == []
    assert [w.code for w in report.warnings] == ["resource_graph_unavailable"]
    assert arm.requested("/publicipaddresses/", "GET")


def test_an_enabled_argument_over_a_disable_property_is_negated_on_the_cloud_side_only(
    arm: ArmServer, scan: ScanFn
) -> None:
    """Later 4.x states write local_authentication_enabled, the inverse of ARM's
    disableLocalAuth (and of the 3.x local_authentication_disabled)."""
    case = load_case("log_analytics_workspace")
    load_arm(arm, case.arm, case.state)
    state = json.loads(json.dumps(case.state))
    attributes = state[0]["attributes"]
    attributes["local_authentication_enabled"] = not attributes.pop(
        "local_authentication_disabled")
    assert scan(state_of(state, arm)).findings == []

    arm.patch(case.arm_id, {"properties": {"features": {"disableLocalAuth": True}}})
    [finding] = scan(state_of(state, arm)).findings
    assert [(c.path, c.expected, c.actual) for c in finding.changes] == [
        ("local_authentication_enabled", True, False)]
