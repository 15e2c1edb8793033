"""Lint over every Azure spec, and proof that the fixtures exercise what the specs declare."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cloudrift.plugin import ScanOptions, load_plugin
from cloudrift.sources.tfstate import parse_state
from cloudrift.spec import UNKNOWN
from cloudrift_azure import PROPERTIES, AzurePlugin, AzureProvider, AzureSpec, Source
from cloudrift_azure.fields import never_returned
from cloudrift_azure.spec import FULL_LISTS
from cloudrift_azure.testing import API_VERSIONS, ArmServer
from tests.providers.azure.conftest import (
    AzureCase,
    load_arm,
    load_cases,
    make_provider,
    state_of,
)

SPECS = AzurePlugin().types()
CASES = load_cases()
# types whose azurerm resource has no location argument (global) or no tags argument
NO_LOCATION = {"azurerm_dns_zone", "azurerm_private_dns_zone"}
NO_TAGS = {"azurerm_role_assignment", "azurerm_monitor_diagnostic_setting"}
# a role assignment's principal is its argument, not an identity's computed attribute
ARGUMENTS_NAMED_LIKE_COMPUTED = {"azurerm_role_assignment": {"principal_id"}}


def test_the_entry_point_loads_the_plugin() -> None:
    plugin = load_plugin("azure")
    assert isinstance(plugin, AzurePlugin)
    assert plugin.state_providers == ("azurerm",)
    assert plugin.terraform_sources == ("hashicorp/azurerm",)
    provider = plugin.create(ScanOptions(settings={"azure_endpoint": "https://arm.invalid"}))
    assert isinstance(provider, AzureProvider)
    assert provider.ctx.endpoint == "https://arm.invalid"
    assert provider.state_providers == ("azurerm",)


def test_the_issue_types_are_all_supported() -> None:
    assert {
        "azurerm_resource_group", "azurerm_virtual_network", "azurerm_subnet",
        "azurerm_network_security_group", "azurerm_public_ip", "azurerm_network_interface",
        "azurerm_storage_account", "azurerm_linux_virtual_machine",
        "azurerm_windows_virtual_machine", "azurerm_managed_disk", "azurerm_key_vault",
        "azurerm_kubernetes_cluster", "azurerm_container_registry",
        "azurerm_log_analytics_workspace", "azurerm_user_assigned_identity", "azurerm_dns_zone",
    } <= set(SPECS)


def test_the_second_issue_s_types_are_all_supported() -> None:
    assert {
        "azurerm_linux_virtual_machine_scale_set", "azurerm_application_gateway", "azurerm_lb",
        "azurerm_lb_rule", "azurerm_lb_backend_address_pool", "azurerm_private_endpoint",
        "azurerm_private_dns_zone", "azurerm_private_dns_zone_virtual_network_link",
        "azurerm_route_table", "azurerm_nat_gateway", "azurerm_mssql_server",
        "azurerm_mssql_database", "azurerm_postgresql_flexible_server",
        "azurerm_cosmosdb_account", "azurerm_service_plan", "azurerm_linux_web_app",
        "azurerm_linux_function_app", "azurerm_role_assignment", "azurerm_key_vault_secret",
        "azurerm_monitor_diagnostic_setting",
    } <= set(SPECS)
    assert len(SPECS) >= 35


@pytest.mark.parametrize("spec", list(SPECS.values()), ids=list(SPECS))
def test_spec_lint(spec: AzureSpec) -> None:
    assert spec.type.startswith("azurerm_")
    assert re.fullmatch(r"Microsoft\.[A-Za-z]+/[A-Za-z/]+", spec.arm_type), spec.arm_type
    # the local ARM server accepts exactly the versions Azure publishes for the type
    namespace = spec.arm_type.lower()
    known = next(v for k, v in sorted(API_VERSIONS.items(), key=lambda kv: -len(kv[0]))
                 if namespace.startswith(k))
    assert spec.api_version in known
    paths = [f.path for f in spec.fields]
    assert len(paths) == len(set(paths)), "a field is declared twice"
    for f in spec.fields:
        # only arguments: Terraform's computed attributes are never compared
        computed = {"id", "name", "resource_group_name", "guid", "fqdn", "principal_id",
                    "tenant_id_computed"} - ARGUMENTS_NAMED_LIKE_COMPUTED.get(spec.type, set())
        assert f.path.split(".")[0] not in computed
        if f.extract is never_returned:
            assert f.sensitive, f"{f.path}: a value ARM never returns is a secret"
    if spec.source in (Source.RESOURCES, Source.RESOURCE_GROUPS):
        assert ("location" in paths) != (spec.type in NO_LOCATION)
    assert ("tags" in paths) != (spec.source is Source.PARENT or spec.type in NO_TAGS)
    # an import id that is not the ARM id says how to find one from the other
    assert (spec.state_arm_id is None) == (spec.cloud_import_id is None)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_fields_are_read_not_skipped(case: AzureCase, arm: ArmServer) -> None:
    """In sync must mean "compared and equal", not "nothing was compared": every field the
    fixture's state declares is read from ARM, except values ARM never returns."""
    load_arm(arm, case.arm, case.state)
    provider = make_provider(arm)
    document = parse_state(json.dumps(state_of(case.state, arm).document()).encode(), "t")
    desired, warnings = provider.desired(document.managed)
    assert warnings == []
    observation = provider.observe(desired)
    provider.ctx.close()
    spec = SPECS[case.type]
    want = next(r for r in desired if r.address == case.address)
    have = next(r for r in observation.resources
                if r.type == case.type and r.id == want.id)
    never = {f.path for f in spec.fields if f.extract is never_returned}
    declared = {p for p, v in want.attributes.items() if v is not UNKNOWN}
    unread = declared - set(have.attributes) - never - set(case.unknown)
    assert unread == set(), f"{case.name}: declared but not read: {unread}"
    assert declared - never, "the fixture declares nothing to compare"
    if any(f.detail == PROPERTIES for f in spec.fields) and spec.source not in FULL_LISTS:
        assert any(arm_id in r.path.lower() for r in arm.requests
                   for arm_id in [want.id.lower().split("/providers/")[-1]])


def test_the_provider_doc_names_every_type_and_field() -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "providers" / "azure.md").read_text(
        encoding="utf-8")
    for spec in SPECS.values():
        assert f"`{spec.type}`" in doc
        assert spec.api_version in doc, spec.type
        for f in spec.fields:
            assert f.path.rsplit(".", 1)[-1] in doc, f"{spec.type}.{f.path} is not documented"
        for argument in spec.not_compared:
            assert f"`{argument}`" in doc, f"{spec.type}: why {argument} is not compared"
