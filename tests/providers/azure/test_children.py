"""What belongs to another resource, and what is listed below one: inline children of a managed
parent are not unmanaged (issue 11); children of an unmanaged parent are covered by the parent's
own finding; listed children, extension resources and role assignments are read by list."""

from __future__ import annotations

import json
from typing import Any

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

RG = f"/subscriptions/{SUB}/resourceGroups/rg-drift"
ALL = {"azure_subscription": (SUB,)}


def _findings(report: ScanReport) -> list[tuple[FindingKind, str, str]]:
    return [(f.kind, f.type, f.id) for f in report.findings]


def _only_the_group(arm: ArmServer) -> Any:
    """A state that manages the resource group rg-drift and nothing in it."""
    group = arm.get(RG)
    assert group is not None
    return state_of([{"type": "azurerm_resource_group", "name": "drift", "attributes": {
        "id": RG, "name": group["name"], "location": group["location"], "managed_by": "",
        "tags": group.get("tags", {}), "timeouts": None}}])


def _copy(payload: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    return dict(json.loads(json.dumps(payload).replace(old, new)))


# -- inline children of a managed parent -------------------------------------------------------


def test_a_managed_vm_s_os_disk_is_the_vm_s_and_a_disk_attached_by_hand_is_not(
    arm: ArmServer, scan: ScanFn
) -> None:
    case = load_case("linux_virtual_machine")
    load_arm(arm, case.arm, case.state)
    os_disk = case.arm[1]
    data = _copy(os_disk, "vm-linux-osdisk", "vm-linux-data")
    data["properties"].pop("osType")
    arm.put(data)

    report = scan(state_of(case.state, arm), provider=make_provider(arm, settings=ALL))
    # both disks are managedBy the VM; only the OS disk was made with it (its os_disk block)
    assert _findings(report) == [(FindingKind.UNMANAGED, "azurerm_managed_disk", data["id"])]

    strict = scan(state_of(case.state, arm), strict=True,
                  provider=make_provider(arm, settings=ALL, strict=True))
    assert {f.id for f in strict.findings} == {os_disk["id"], data["id"]}


def test_a_managed_windows_vm_s_os_disk_is_the_vm_s(arm: ArmServer, scan: ScanFn) -> None:
    case = load_case("windows_virtual_machine")
    load_arm(arm, case.arm, case.state)
    disks = [p for p in case.arm if p["type"] == "Microsoft.Compute/disks"]
    assert disks
    assert all(p.get("managedBy") for p in disks)
    report = scan(state_of(case.state, arm), provider=make_provider(arm, settings=ALL))
    assert report.findings == []


def test_disks_of_a_vm_that_could_not_be_read_are_not_called_unmanaged(
    arm: ArmServer, scan: ScanFn
) -> None:
    case = load_case("linux_virtual_machine")
    load_arm(arm, case.arm, case.state)
    arm.fail(r"/virtualmachines/vm-linux$")
    report = scan(state_of(case.state, arm), provider=make_provider(arm, settings=ALL))
    assert report.findings == []
    assert [w.code for w in report.warnings] == ["access_denied"]


def test_a_private_endpoint_s_network_interface_is_the_endpoint_s(
    arm: ArmServer, scan: ScanFn
) -> None:
    case = load_case("private_endpoint")
    load_arm(arm, case.arm, case.state)
    nic = next(p for p in case.arm if p["type"] == "Microsoft.Network/networkInterfaces")
    managed = scan(state_of(case.state, arm), provider=make_provider(arm, settings=ALL))
    assert managed.findings == []

    # an unmanaged endpoint is reported; its interface is covered by that finding
    unmanaged = scan(_only_the_group(arm), provider=make_provider(arm, settings=ALL))
    assert _findings(unmanaged) == [
        (FindingKind.UNMANAGED, "azurerm_private_endpoint", case.target_id)]
    assert arm.requested(f"/privateendpoints/{case.arm[0]['name']}$", "GET")
    strict = scan(_only_the_group(arm), strict=True,
                  provider=make_provider(arm, settings=ALL, strict=True))
    assert (FindingKind.UNMANAGED, "azurerm_network_interface", nic["id"]) in _findings(strict)


def test_the_interface_of_an_endpoint_that_could_not_be_read_is_not_called_unmanaged(
    arm: ArmServer, scan: ScanFn
) -> None:
    case = load_case("private_endpoint")
    load_arm(arm, case.arm, case.state)
    arm.fail(r"/privateendpoints/pe-kv$", 500, "InternalServerError")
    report = scan(_only_the_group(arm), provider=make_provider(arm, settings=ALL))
    # the endpoint itself is listed, so reported; which interface is its own cannot be told
    assert _findings(report) == [
        (FindingKind.UNMANAGED, "azurerm_private_endpoint", case.target_id)]
    assert [w.code for w in report.warnings] == ["detail_unavailable"]


def test_what_a_managed_scale_set_made_is_the_scale_set_s(arm: ArmServer, scan: ScanFn) -> None:
    case = load_case("linux_virtual_machine_scale_set")
    load_arm(arm, case.arm, case.state)
    instance = f"{case.arm_id}/virtualMachines/0"
    disk = {"id": f"{RG}/providers/Microsoft.Compute/disks/vmss-app_0_OsDisk_1_0a1b2c3d",
            "type": "Microsoft.Compute/disks", "location": "westeurope", "managedBy": instance,
            "sku": {"name": "Premium_LRS", "tier": "Premium"},
            "properties": {"osType": "Linux", "diskSizeGB": 64,
                           "creationData": {"createOption": "FromImage"}}}
    # an instance's interface and address live under the scale set, whatever type they carry
    nic = {"id": f"{instance}/networkInterfaces/nic", "name": "nic", "location": "westeurope",
           "type": "Microsoft.Network/networkInterfaces", "properties": {}}
    ip = {"id": f"{instance}/networkInterfaces/nic/ipConfigurations/internal/"
                "publicIPAddresses/pip", "name": "pip", "location": "westeurope",
          "type": "Microsoft.Network/publicIPAddresses", "properties": {}}
    arm.put(disk)
    for nested in (nic, ip):
        arm.put(nested)
        # as if the listing had shown them: ARM's list does not, the Resource Graph does
        arm._resources[nested["id"].lower()] = nested
    report = scan(state_of(case.state, arm), provider=make_provider(arm, settings=ALL))
    assert report.findings == []
    strict = scan(state_of(case.state, arm), strict=True,
                  provider=make_provider(arm, settings=ALL, strict=True))
    assert {f.type for f in strict.findings} == {
        "azurerm_managed_disk", "azurerm_network_interface", "azurerm_public_ip"}


def test_an_aks_node_group_of_any_name_is_the_cluster_s(arm: ArmServer, scan: ScanFn) -> None:
    case = load_case("kubernetes_cluster")
    renamed = [_copy(p, "MC_rg-drift_aks-drift_westeurope", "rg-aks-nodes") for p in case.arm]
    state = [_copy(i, "MC_rg-drift_aks-drift_westeurope", "rg-aks-nodes") for i in case.state]
    load_arm(arm, renamed, state)
    report = scan(state_of(state, arm), provider=make_provider(arm, settings=ALL))
    assert report.findings == []


# -- listed children -----------------------------------------------------------------------------


def test_the_databases_of_an_unmanaged_server_are_its_own_finding(
    arm: ArmServer, scan: ScanFn
) -> None:
    case = load_case("mssql_database")
    load_arm(arm, case.arm, case.state)
    server = case.state[1]["attributes"]["id"]
    report = scan(_only_the_group(arm), provider=make_provider(arm, settings=ALL))
    assert _findings(report) == [(FindingKind.UNMANAGED, "azurerm_mssql_server", server)]
    assert arm.requested("/databases$") == []


def test_a_database_added_by_hand_to_a_managed_server_is_unmanaged(
    arm: ArmServer, scan: ScanFn
) -> None:
    case = load_case("mssql_database")
    load_arm(arm, case.arm, case.state)
    extra = _copy(case.arm[0], "databases/appdb", "databases/scratch")
    arm.put(extra)
    report = scan(state_of(case.state, arm))
    # the server's master database is its own, not the user's
    assert _findings(report) == [(FindingKind.UNMANAGED, "azurerm_mssql_database", extra["id"])]
    assert len(arm.requested("/databases$")) == 1


def test_a_denied_secret_list_is_a_warning_not_missing(arm: ArmServer, scan: ScanFn) -> None:
    case = load_case("key_vault_secret")
    load_arm(arm, case.arm, case.state)
    arm.fail(r"/vaults/kv-app/secrets$")
    report = scan(state_of(case.state, arm))
    assert report.findings == []
    [warning] = report.warnings
    assert (warning.code, warning.type) == ("access_denied", "azurerm_key_vault_secret")
    coverage = next(c for c in report.coverage if c.type == "azurerm_key_vault_secret")
    assert coverage.failed_scopes == [f"{SUB}/rg-drift"]
    assert not report.complete


def test_a_secret_added_by_hand_is_unmanaged_and_a_certificate_s_is_not(
    arm: ArmServer, scan: ScanFn
) -> None:
    case = load_case("key_vault_secret")
    load_arm(arm, case.arm, case.state)
    by_hand = _copy(case.arm[0], "db-password", "api-token")
    certificate = _copy(case.arm[0], "db-password", "tls-web")
    certificate["properties"]["contentType"] = "application/x-pkcs12"
    for payload in (by_hand, certificate):
        arm.put(payload)
    report = scan(state_of(case.state, arm))
    assert _findings(report) == [(FindingKind.UNMANAGED, "azurerm_key_vault_secret",
                                  by_hand["properties"]["secretUriWithVersion"])]


def test_a_secret_s_value_is_never_read_nor_shown(arm: ArmServer, scan: ScanFn) -> None:
    case = load_case("key_vault_secret")
    load_arm(arm, case.arm, case.state)
    arm.patch(case.arm_id, case.change["patch"])
    report = scan(state_of(case.state, arm))
    assert report.findings
    assert case.target["attributes"]["value"] not in json.dumps(report.json_dict())
    # only ARM: no request to a vault's data plane, and no secret read by POST
    assert {r.method for r in arm.requests} == {"GET"}


def test_an_unmanaged_diagnostic_setting_on_a_managed_resource(
    arm: ArmServer, scan: ScanFn
) -> None:
    case = load_case("monitor_diagnostic_setting")
    load_arm(arm, case.arm, case.state)
    extra = _copy(case.arm[0], "diagnosticSettings/to-logs", "diagnosticSettings/to-storage")
    arm.put(extra)
    vault = case.state[1]["attributes"]["id"]
    report = scan(state_of(case.state, arm))
    assert _findings(report) == [
        (FindingKind.UNMANAGED, "azurerm_monitor_diagnostic_setting", f"{vault}|to-storage")]


def test_diagnostic_settings_of_an_unmanaged_resource_are_not_searched(
    arm: ArmServer, scan: ScanFn
) -> None:
    case = load_case("monitor_diagnostic_setting")
    load_arm(arm, case.arm, case.state)
    report = scan(_only_the_group(arm), provider=make_provider(arm, settings=ALL))
    assert [f.type for f in report.findings] == ["azurerm_key_vault"]
    assert arm.requested("/diagnosticsettings$") == []


def test_role_assignments_inherited_from_above_are_not_the_subscription_s(
    arm: ArmServer, scan: ScanFn
) -> None:
    case = load_case("role_assignment")
    load_arm(arm, case.arm, case.state)
    arm.inherited_role_assignments.append({
        "id": "/providers/Microsoft.Management/managementGroups/mg-root/providers/"
              "Microsoft.Authorization/roleAssignments/2d0b6e4a-5c3f-4a71-9c8d-9e0f1a2b3c4d",
        "type": "Microsoft.Authorization/roleAssignments",
        "name": "2d0b6e4a-5c3f-4a71-9c8d-9e0f1a2b3c4d",
        "properties": {"scope": "/providers/Microsoft.Management/managementGroups/mg-root",
                       "principalId": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
                       "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/"
                                           "acdd72a7-3385-48ef-bd42-f606fba81ae7"}})
    assert scan(state_of(case.state, arm)).findings == []
    report = scan(_only_the_group(arm), provider=make_provider(arm, settings=ALL))
    assert _findings(report) == [
        (FindingKind.UNMANAGED, "azurerm_role_assignment", case.target_id)]
    assert len(arm.requested("/roleassignments$")) == 2  # one per scan


def test_a_failed_role_assignment_list_is_a_warning_not_missing(
    arm: ArmServer, scan: ScanFn
) -> None:
    case = load_case("role_assignment")
    load_arm(arm, case.arm, case.state)
    arm.fail(r"/roleassignments$", 500, "InternalServerError")
    provider = make_provider(arm)
    report = scan(state_of(case.state, arm), provider=provider)
    assert report.findings == []
    assert [(w.code, w.type) for w in report.warnings] == [
        ("api_error", "azurerm_role_assignment")]
    coverage = next(c for c in report.coverage if c.type == "azurerm_role_assignment")
    assert coverage.failed_scopes == [f"{SUB}/rg-drift"]


def test_databases_are_searched_only_where_a_state_manages_one_unless_all(
    arm: ArmServer, scan: ScanFn
) -> None:
    case = load_case("mssql_database")
    load_arm(arm, case.arm, case.state)
    server = [r for r in case.state if r["type"] == "azurerm_mssql_server"]
    database = next(p for p in case.arm if "/databases/" in p["id"])
    # the default search: no state manages a database, so none is listed under the server
    report = scan(state_of(server, arm))
    assert _findings(report) == []
    assert arm.requested("/databases$") == []
    entry = next(c for c in report.coverage if c.type == "azurerm_mssql_database")
    assert (entry.unmanaged_searched, entry.scanned_scopes) == (False, [])
    # --unmanaged all lists them under the managed server: the user's database is unmanaged
    report = scan(state_of(server, arm), unmanaged="all")
    assert _findings(report) == [
        (FindingKind.UNMANAGED, "azurerm_mssql_database", database["id"])]
    assert len(arm.requested("/databases$")) == 1
