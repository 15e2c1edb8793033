"""--azure-all-subscriptions: every subscription the credential sees, through the real
SubscriptionClient and ResourceManagementClient against the local ARM server (subscriptions
listed page by page, one Disabled, one denied, one the credential does not see), and shards that
take whole subscriptions."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from cloudrift.engine import Scan, ScanInput
from cloudrift.errors import ProviderError
from cloudrift.merge import merge_reports
from cloudrift.model import ScanReport
from cloudrift.plugin import ScanOptions, account_in_shard
from cloudrift.sources.tfstate import parse_state
from cloudrift_azure import AzurePlugin, AzureProvider
from cloudrift_azure.testing import ArmServer
from tests.providers.azure.conftest import assert_read_only, make_context, state_of

# five subscriptions the credential sees, listed two to a page
A, B, C, D, E = (f"{n}1111111-2222-4333-8444-55555555555{n}" for n in range(1, 6))
HIDDEN = "6a6a6a6a-2222-4333-8444-555555555556"
STATES = {A: "Enabled", B: "Enabled", C: "Enabled", D: "Disabled", E: "Warned"}
TAGS = {"team": "ops"}


def _identity(sub: str, name: str, tags: Mapping[str, str] = TAGS
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    group = f"/subscriptions/{sub}/resourceGroups/rg-{name}"
    resource_id = f"{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"
    payload = {"id": resource_id, "location": "westeurope", "tags": dict(tags),
               "properties": {"isolationScope": "None"}}
    instance = {"type": "azurerm_user_assigned_identity", "name": name.replace("-", "_"),
                "attributes": {"id": resource_id, "name": name, "location": "westeurope",
                               "tags": dict(tags)}}
    return payload, instance


@pytest.fixture
def tenant(arm: ArmServer) -> list[dict[str, Any]]:
    """The subscriptions above, in sync in A, drifted in B, a resource gone from C, strays in
    D (Disabled: never read) and E (Warned: read); the state instances that manage A-C."""
    arm.reset()
    arm.page_size = 2
    for sub, state in STATES.items():
        arm.add_subscription(sub, state=state)
    instances = []
    for sub, name in ((A, "id-a"), (B, "id-b"), (C, "id-c")):
        payload, instance = _identity(sub, name)
        arm.put(payload)
        instances.append(instance)
    arm.patch(_identity(B, "id-b")[0]["id"], {"tags": {"team": "changed by hand"}})
    for sub, name in ((D, "stray-d"), (E, "stray-e")):
        arm.put(_identity(sub, name)[0])
    built = state_of(instances, arm)
    arm.delete(_identity(C, "id-c")[0]["id"])
    return list(built.document()["resources"])


def _scan(arm: ArmServer, resources: Sequence[Mapping[str, Any]], *,
          shard: tuple[int, int] | None = None, settings: Mapping[str, Any] | None = None,
          ) -> ScanReport:
    document = {"version": 4, "terraform_version": "1.11.4", "serial": 1,
                "lineage": "subscriptions", "outputs": {}, "resources": list(resources)}
    parsed = parse_state(json.dumps(document).encode(), "tenant.tfstate")
    options = ScanOptions(parallelism=4, shard=shard,
                          settings={"azure_all_subscriptions": True, **(settings or {})})
    provider = AzureProvider(AzurePlugin().types(), options, make_context(arm))
    report = Scan(ScanInput([parsed]), {"azure": provider}, shard=shard).run()
    assert_read_only(arm)
    return report


def _findings(report: ScanReport) -> list[tuple[str, str, str | None, str]]:
    return sorted((f.kind.value, f.type, f.scope.account, f.id.rsplit("/", 1)[-1])
                  for f in report.findings)


def _listed(arm: ArmServer, since: int = 0) -> set[str]:
    """The subscriptions whose resources were listed."""
    return {r.path.lower().split("/")[2] for r in arm.requests[since:]
            if r.path.lower().endswith("/resources") and r.path.count("/") == 3}


def test_every_readable_subscription_the_credential_sees_is_scanned(
    arm: ArmServer, tenant: list[dict[str, Any]]
) -> None:
    report = _scan(arm, tenant)
    assert _findings(report) == [
        ("changed", "azurerm_user_assigned_identity", B, "id-b"),
        ("missing", "azurerm_user_assigned_identity", C, "id-c"),
        ("unmanaged", "azurerm_resource_group", E, "rg-stray-e"),
        ("unmanaged", "azurerm_user_assigned_identity", E, "stray-e"),
    ]
    assert _listed(arm) == {A, B, C, E}
    # five subscriptions, two to a page: three pages of one listing
    pages = [r for r in arm.requests if r.path.rstrip("/").lower() == "/subscriptions"]
    assert len(pages) == 3
    assert report.api_calls["azure:subscriptions.list"] == 3
    (disabled,) = [w for w in report.warnings if w.code == "subscription_not_active"]
    assert disabled.scope is not None
    assert disabled.scope.account == D
    assert "Disabled" in disabled.message


def test_a_denied_subscription_is_a_warning_and_the_others_are_scanned(
    arm: ArmServer, tenant: list[dict[str, Any]]
) -> None:
    arm.fail(f"^/subscriptions/{B}/", 403, "AuthorizationFailed")
    report = _scan(arm, tenant)
    # B's drift is unseen, not reported missing; the others are as before
    assert _findings(report) == [
        ("missing", "azurerm_user_assigned_identity", C, "id-c"),
        ("unmanaged", "azurerm_resource_group", E, "rg-stray-e"),
        ("unmanaged", "azurerm_user_assigned_identity", E, "stray-e"),
    ]
    about_b = [w for w in report.warnings if w.scope is not None and w.scope.account == B]
    assert about_b
    assert all(w.code == "access_denied" for w in about_b)
    identity = next(c for c in report.coverage if c.type == "azurerm_user_assigned_identity")
    assert f"{B}/rg-id-b" in identity.failed_scopes
    assert report.summary.not_compared.get("not_seen", 0) == 2  # the identity and its group


def test_a_subscription_the_states_name_but_the_credential_does_not_list_is_still_tried(
    arm: ArmServer, tenant: list[dict[str, Any]]
) -> None:
    arm.add_subscription(HIDDEN, visible=False)
    payload, instance = _identity(HIDDEN, "id-hidden")
    arm.put(payload)
    arm.add_subscription(HIDDEN, visible=False)  # put() does not make it listed
    extra = state_of([instance], arm).document()["resources"]
    report = _scan(arm, [*tenant, *extra])
    (warning,) = [w for w in report.warnings if w.code == "subscription_not_listed"]
    assert warning.scope is not None
    assert warning.scope.account == HIDDEN
    assert HIDDEN in _listed(arm)
    assert not [f for f in report.findings if f.scope.account == HIDDEN]
    identity = next(c for c in report.coverage if c.type == "azurerm_user_assigned_identity")
    assert f"{HIDDEN}/rg-id-hidden" in identity.scanned_scopes


def test_a_tenant_that_cannot_be_listed_is_one_clear_error(
    arm: ArmServer, tenant: list[dict[str, Any]]
) -> None:
    arm.fail("^/subscriptions$", 403, "AuthorizationFailed")
    with pytest.raises(ProviderError, match="cannot list the subscriptions"):
        _scan(arm, tenant)


@pytest.mark.parametrize("shards", [2, 3])
def test_merged_shards_take_whole_subscriptions_and_equal_the_unsharded_scan(
    arm: ArmServer, tenant: list[dict[str, Any]], shards: int
) -> None:
    whole = _scan(arm, tenant)
    parts: list[ScanReport] = []
    listed_by: dict[str, list[int]] = {}
    for index in range(1, shards + 1):
        since = len(arm.requests)
        parts.append(_scan(arm, tenant, shard=(index, shards)))
        for sub in _listed(arm, since):
            listed_by.setdefault(sub, []).append(index)
    # every readable subscription listed by the one shard it hashes to, and by no other
    assert listed_by == {sub: [i for i in range(1, shards + 1)
                               if account_in_shard((i, shards), "azure", sub)]
                         for sub in (A, B, C, E)}
    assert all(len(found) == 1 for found in listed_by.values())
    assert len({i for found in listed_by.values() for i in found}) > 1, "one shard did all"
    merged = merge_reports(parts)
    assert _findings(merged) == _findings(whole)
    for count in ("managed", "compared", "changed", "missing", "unmanaged", "in_sync"):
        assert getattr(merged.summary, count) == getattr(whole.summary, count), count
    assert [(c.type, c.managed, c.actual, c.scanned_scopes) for c in merged.coverage] == [
        (c.type, c.managed, c.actual, c.scanned_scopes) for c in whole.coverage]
    assert sorted(w.message for w in merged.warnings) == sorted(
        w.message for w in whole.warnings)
