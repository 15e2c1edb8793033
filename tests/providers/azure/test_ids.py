"""ARM ids: extension resources, and the form the azurerm provider's import takes."""

from __future__ import annotations

import pytest

from cloudrift_azure import AzurePlugin, ids

SUB = "2f8a4c5e-7d1b-4e3a-9c6f-0a1b2c3d4e5f"
SPELLINGS = ids.Spellings(s.arm_type for s in AzurePlugin().types().values())


def test_an_extension_resource_keeps_the_scope_it_extends() -> None:
    vault = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
    setting = f"{vault}/providers/microsoft.insights/diagnosticSettings/to-logs"
    parsed = ids.parse(setting)
    assert parsed is not None
    assert parsed.arm_type == "microsoft.insights/diagnosticsettings"
    assert (parsed.scope, parsed.name, parsed.resource_group) == (vault, "to-logs", "rg")
    assert ids.scope_of(setting) == vault
    assert ids.parent_id(setting) is None
    assert ids.group_of(setting) == "rg"


def test_a_subscription_level_resource_has_no_group() -> None:
    assignment = (f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments/"
                  "0b8f4c2e-3a1d-4e5f-9a6b-7c8d9e0f1a2b")
    parsed = ids.parse(assignment)
    assert parsed is not None
    assert (parsed.resource_group, parsed.scope) == (None, None)
    assert parsed.arm_type == "microsoft.authorization/roleassignments"


@pytest.mark.parametrize(("arm_id", "expected"), [
    (f"/subscriptions/{SUB}/resourcegroups/RG-Mixed",
     f"/subscriptions/{SUB}/resourceGroups/RG-Mixed"),
    (f"/subscriptions/{SUB}/resourcegroups/rg/providers/microsoft.network/dnszones/Example.COM",
     f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/dnsZones/Example.COM"),
    (f"/SUBSCRIPTIONS/{SUB}/RESOURCEGROUPS/rg/PROVIDERS/MICROSOFT.NETWORK/VIRTUALNETWORKS/v/"
     "SUBNETS/s",
     f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/"
     "subnets/s"),
    (f"/subscriptions/{SUB}/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv/providers/"
     "microsoft.insights/diagnosticsettings/d",
     f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/providers/"
     "Microsoft.Insights/diagnosticSettings/d"),
    # a type no spec knows keeps ARM's spelling of it
    (f"/subscriptions/{SUB}/resourcegroups/rg/providers/microsoft.eventhub/namespaces/ns",
     f"/subscriptions/{SUB}/resourceGroups/rg/providers/microsoft.eventhub/namespaces/ns"),
    ("https://kv.vault.azure.net/secrets/s/1", "https://kv.vault.azure.net/secrets/s/1"),
])
def test_provider_form(arm_id: str, expected: str) -> None:
    assert ids.provider_form(arm_id, SPELLINGS) == expected
