"""The ARM client: paging, throttling, the pipeline a scan uses, and fatal errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from azure.core.exceptions import HttpResponseError

from cloudrift.errors import ProviderError
from cloudrift.testing.servers import self_signed_certificate
from cloudrift_azure import AzureContext
from cloudrift_azure.session import (
    error_code,
    is_denied,
    operation_name,
    remaining_budget,
    resolve_endpoint,
)
from cloudrift_azure.testing import ArmServer, FakeCredential
from tests.providers.azure.conftest import SUB, make_context

VNETS = f"/subscriptions/{SUB}/resourceGroups/rg-a/providers/Microsoft.Network/virtualNetworks"


def _vnets(arm: ArmServer, count: int) -> list[str]:
    ids = [f"{VNETS}/vnet-{n:02d}" for n in range(count)]
    for resource_id in ids:
        arm.put({"id": resource_id, "location": "westeurope", "tags": {},
                 "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}})
    return ids


def test_list_follows_absolute_next_links_across_pages(arm: ArmServer) -> None:
    arm.page_size = 2
    ids = _vnets(arm, 5)
    ctx = make_context(arm)
    listed = ctx.list_resources(SUB)
    assert sorted(r["id"] for r in listed) == ids
    pages = arm.requested(r"/resources$")
    assert len(pages) == 3
    assert [p.arg("$skiptoken") for p in pages] == [None, "2", "4"]
    # every page is one request, and counted as one
    assert ctx.calls["resources.list"] == 3
    # list items carry the list shape only
    assert all("properties" not in r for r in listed)


def test_429_with_retry_after_is_waited_out_then_succeeds(arm: ArmServer) -> None:
    _vnets(arm, 1)
    fault = arm.throttle(r"/resources$", retry_after=1, times=1)
    ctx = make_context(arm)
    listed = ctx.list_resources(SUB)
    assert len(listed) == 1
    assert fault.hits == 1
    first, second = arm.requested(r"/resources$")
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 0.95, "the client did not wait as long as Retry-After said"
    # one logical call, whatever the retries
    assert ctx.calls["resources.list"] == 1


def test_429_after_every_retry_raises_for_the_caller_to_report(arm: ArmServer) -> None:
    arm.throttle(r"/resources$", retry_after=0.01, times=100)
    ctx = make_context(arm, retry_total=2)
    with pytest.raises(HttpResponseError) as caught:
        ctx.list_resources(SUB)
    assert caught.value.status_code == 429
    assert len(arm.requested(r"/resources$")) == 3


def test_low_remaining_read_budget_pauses_the_next_request(arm: ArmServer) -> None:
    _vnets(arm, 1)
    # ARM says 3 reads are left after the first request, plenty after that
    arm.ratelimit_remaining = lambda n: 3 if n == 1 else 11999
    ctx = make_context(arm, ratelimit_floor=5, ratelimit_pause=0.4)
    ctx.list_groups(SUB)
    ctx.list_resources(SUB)
    first, second = arm.requests
    assert ctx.pauses == 1
    assert ctx.lowest_budget == 3
    assert second.at - first.at >= 0.35


def test_a_healthy_budget_does_not_pause(arm: ArmServer) -> None:
    ctx = make_context(arm, ratelimit_floor=5, ratelimit_pause=5)
    ctx.list_groups(SUB)
    ctx.list_resources(SUB)
    assert ctx.pauses == 0


def test_remaining_budget_reads_every_ratelimit_header() -> None:
    assert remaining_budget({"x-ms-ratelimit-remaining-subscription-reads": "11999"}) == 11999
    assert remaining_budget({
        "x-ms-ratelimit-remaining-subscription-reads": "200",
        "x-ms-ratelimit-remaining-resource": "Microsoft.Compute/GetVM3Min;37,"
                                             "Microsoft.Compute/GetVM30Min;1190",
    }) == 37
    # writes are not what a scan spends
    assert remaining_budget({"x-ms-ratelimit-remaining-subscription-writes": "1"}) is None
    assert remaining_budget({"content-type": "application/json"}) is None


def test_get_by_id_uses_the_given_api_version_and_returns_the_raw_payload(
    arm: ArmServer,
) -> None:
    [vnet] = _vnets(arm, 1)
    ctx = make_context(arm)
    payload = ctx.get(vnet, "2024-05-01")
    assert payload["properties"]["addressSpace"]["addressPrefixes"] == ["10.0.0.0/16"]
    assert arm.requests[-1].arg("api-version") == "2024-05-01"
    # ARM refuses a version the type does not have
    with pytest.raises(HttpResponseError) as caught:
        ctx.get(vnet, "2018-05-01")
    assert error_code(caught.value) == "NoRegisteredProviderFound"


def test_paths_are_matched_case_insensitively(arm: ArmServer) -> None:
    [vnet] = _vnets(arm, 1)
    ctx = make_context(arm)
    shouted = vnet.replace("resourceGroups", "RESOURCEGROUPS").replace("vnet-00", "VNET-00")
    assert ctx.get(shouted, "2024-05-01")["id"] == vnet


def test_denied_is_recognised_from_the_arm_error_code(arm: ArmServer) -> None:
    arm.fail(r"/resourcegroups$", 403, "AuthorizationFailed")
    ctx = make_context(arm)
    with pytest.raises(HttpResponseError) as caught:
        ctx.list_groups(SUB)
    assert error_code(caught.value) == "AuthorizationFailed"
    assert is_denied(caught.value)


def test_the_pipeline_never_registers_resource_providers(arm: ArmServer) -> None:
    """azure-core's ARM registration policy answers a 409 MissingSubscriptionRegistration
    with a POST: a write. The scan's pipeline has no such policy."""
    arm.fail(r"/resources$", 409, "MissingSubscriptionRegistration",
             message="The subscription is not registered to use namespace "
             "'Microsoft.Network'.")
    ctx = make_context(arm)
    with pytest.raises(HttpResponseError):
        ctx.list_resources(SUB)
    assert arm.methods() == {"GET"}


def test_the_token_is_asked_for_the_endpoint_s_scope(arm: ArmServer) -> None:
    credential = FakeCredential()
    ctx = AzureContext(credential, endpoint=arm.endpoint, connection_verify=arm.cert_path)
    ctx.list_groups(SUB)
    assert credential.scopes
    assert credential.scopes[0] == (f"{arm.endpoint}/.default",)


def test_an_untrusted_certificate_is_refused(arm: ArmServer, tmp_path: Path) -> None:
    other_cert, _ = self_signed_certificate(tmp_path)
    ctx = AzureContext(FakeCredential(), endpoint=arm.endpoint, connection_verify=other_cert,
                       retry_total=0)
    with pytest.raises(ProviderError, match="cannot reach Azure Resource Manager"):
        ctx.list_groups(SUB)


def test_an_unreachable_endpoint_is_a_provider_error() -> None:
    ctx = AzureContext(FakeCredential(), endpoint="https://127.0.0.1:9", retry_total=0,
                       timeout=2)
    with pytest.raises(ProviderError, match="cannot reach Azure Resource Manager"):
        ctx.list_groups(SUB)


class _NoCredential:
    def get_token(self, *scopes: str, **_: object) -> object:
        from azure.core.exceptions import ClientAuthenticationError

        raise ClientAuthenticationError("DefaultAzureCredential failed to retrieve a token")


def test_missing_credentials_are_a_provider_error_with_a_hint(arm: ArmServer) -> None:
    ctx = AzureContext(_NoCredential(), endpoint=arm.endpoint,  # type: ignore[arg-type]
                       connection_verify=arm.cert_path)
    with pytest.raises(ProviderError) as caught:
        ctx.list_groups(SUB)
    assert "az login" in (caught.value.hint or "")
    assert arm.requests == []


def test_endpoint_comes_from_settings_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUDRIFT_AZURE_ENDPOINT", raising=False)
    assert resolve_endpoint({}) == "https://management.azure.com"
    monkeypatch.setenv("CLOUDRIFT_AZURE_ENDPOINT", "https://management.chinacloudapi.cn/")
    assert resolve_endpoint({}) == "https://management.chinacloudapi.cn"
    assert resolve_endpoint({"azure_endpoint": "https://127.0.0.1:8443"}) == \
        "https://127.0.0.1:8443"


def test_operation_names() -> None:
    base = "https://arm.example"
    assert operation_name("GET", f"{base}/subscriptions/s/resources") == "resources.list"
    assert operation_name("GET", f"{base}/subscriptions/s/resourcegroups") == \
        "resource_groups.list"
    assert operation_name("GET", f"{base}/subscriptions/s/resourcegroups/rg/resources") == \
        "resources.list_by_resource_group"
    assert operation_name("GET", f"{base}//subscriptions/s/resourceGroups/rg/providers/"
                          "Microsoft.KeyVault/vaults/kv") == \
        "resources.get_by_id:microsoft.keyvault/vaults"
