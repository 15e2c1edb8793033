"""The fault matrix for Azure: real scans (azure-mgmt-resource) of a two-group estate on the
local ARM server, through the fault proxy (over HTTPS), one line per fault.

Each row ends one of three ways, and the row says which it must be:

- ``same``: the context's bounded, jittered retries (waiting out a 429's or 503's Retry-After)
  absorbed the fault: findings and warnings are exactly the fault-free scan's;
- ``partial``: some listings or reads failed for good: the warnings name exactly the (type,
  resource group) units coverage shows failed, a resource whose properties could not be read
  shows no more than its fault-free changes, everything else is reported as without faults,
  and the scan is incomplete (exit 2 when no drift was found);
- ``either``: a fraction of all calls failed: one of the two, whichever the draw gave.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudrift.cli import EXIT_DRIFT, EXIT_ERROR, EXIT_OK, exit_code
from cloudrift.model import ScanReport
from cloudrift.testing.faults import Fault, FaultKind, FaultProxy
from cloudrift_azure.testing import ArmServer
from tests.faults.azure_estate import (
    BACKOFF_FACTOR,
    BACKOFF_MAX,
    GROUPS,
    RETRIES,
    TIMEOUT,
    AzureEstate,
    build_azure_estate,
    failed_units,
    fake_transport_sleep,
    is_fallback_note,
    judge_azure,
    scan_azure,
)
from tests.faults.estate import quiet
from tests.providers.azure.conftest import SUB

K = FaultKind
RETRY_AFTER = 7  # seconds, on every 429 and 503 the proxy makes up; waited on a fake clock
STALL_SECONDS = 1.0  # past the client's deadline (TIMEOUT), short enough to leave no backlog
assert STALL_SECONDS > TIMEOUT

# operation labels are ``GET <path>?<query names>``; the SDK spells list paths in lower case,
# reads by id as the state does
SUBSCRIPTION_LIST = f"GET /subscriptions/{SUB}/resources?*"
GROUP_LIST = f"GET /subscriptions/{SUB}/resourcegroups?*"
IN_SHARED = f"GET /subscriptions/{SUB}/[rR]esource[gG]roups/rg-shared*"
# the resources' own reads, not the lists below them (their diagnostic settings)
VNET_READ = "GET */virtualNetworks/vnet-core?api-version"
STORAGE_READ = "GET */storageAccounts/stdriftdata?api-version"
IDENTITY_READ = "GET */userAssignedIdentities/id-api?*"

ALL = "every unit"
SHARED_UNITS = frozenset({("azurerm_virtual_network", "rg-shared"),
                          ("azurerm_monitor_diagnostic_setting", "rg-shared")})
GROUP_UNITS = frozenset({("azurerm_resource_group", g) for g in GROUPS})


@pytest.fixture(scope="module")
def arm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArmServer]:
    with ArmServer(tmp_path_factory.mktemp("arm")) as server:
        yield server


@pytest.fixture(scope="module")
def azure_estate(arm_server: ArmServer,
                 tmp_path_factory: pytest.TempPathFactory) -> AzureEstate:
    return build_azure_estate(arm_server, Path(tmp_path_factory.mktemp("azure-estate")))


@pytest.fixture(scope="module")
def shared_azure_proxy(arm_server: ArmServer,
                       tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultProxy]:
    # the SDK's bearer-token policy refuses plain HTTP: the proxy speaks TLS to the client
    with FaultProxy(arm_server.endpoint, cloud="azure",
                    tls_directory=tmp_path_factory.mktemp("proxy-tls"), retry_after=RETRY_AFTER,
                    stall_seconds=STALL_SECONDS) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def proxy_certificate(shared_azure_proxy: FaultProxy) -> tuple[str, str]:
    assert shared_azure_proxy.certificate is not None
    assert shared_azure_proxy.key is not None
    return str(shared_azure_proxy.certificate), str(shared_azure_proxy.key)


@pytest.fixture
def azure_proxy(shared_azure_proxy: FaultProxy, arm_server: ArmServer) -> Iterator[FaultProxy]:
    """The proxy with no rules and an empty log; afterwards every request it saw (and every
    one the server got) must have been a read."""
    shared_azure_proxy.set_faults([])
    shared_azure_proxy.clear_log()
    shared_azure_proxy.seed = 0
    yield shared_azure_proxy
    shared_azure_proxy.set_faults([])
    assert shared_azure_proxy.non_reads() == [], "a scan sent a non-read request"
    assert {e.request.method for e in shared_azure_proxy.log} == {"GET"}
    assert arm_server.methods() == {"GET"}


@pytest.fixture(scope="module")
def azure_baseline(azure_estate: AzureEstate, shared_azure_proxy: FaultProxy,
                   proxy_certificate: tuple[str, str]) -> tuple[ScanReport, int]:
    """The fault-free scan, and how many requests it took."""
    shared_azure_proxy.set_faults([])
    shared_azure_proxy.clear_log()
    with fake_transport_sleep() as waits:
        report, _ = scan_azure(azure_estate, shared_azure_proxy.endpoint, proxy_certificate[0])
    assert waits == []
    assert shared_azure_proxy.non_reads() == []
    requests = len(shared_azure_proxy.log)
    kinds = sorted({(f.kind.value, f.type, f.scope.region) for f in report.findings})
    # the estate is what the matrix needs only if every kind of finding is in it
    assert kinds == [
        ("changed", "azurerm_key_vault_secret", "rg-drift"),
        ("changed", "azurerm_storage_account", "rg-drift"),
        ("changed", "azurerm_virtual_network", "rg-drift"),
        ("missing", "azurerm_user_assigned_identity", "rg-drift"),
        ("unmanaged", "azurerm_user_assigned_identity", "rg-drift"),
    ], kinds
    assert report.warnings == []
    assert report.complete
    return report, requests


def row(name: str, faults: Fault | list[Fault], expect: str,
        failed: frozenset[tuple[str, str]] | str | None = None, *, seed: int = 0) -> Any:
    """``failed``: the (type, group) units coverage must show failed (``ALL``: every unit of
    the fault-free scan); ``seed`` picks the draws of a ``rate`` fault."""
    return pytest.param(faults if isinstance(faults, list) else [faults], expect, failed, seed,
                        id=name)


MATRIX = [
    # 429 with Retry-After
    row("throttle-all", Fault(K.THROTTLE), "partial", ALL),
    row("throttle-resource-groups", Fault(K.THROTTLE, operation=GROUP_LIST), "partial",
        GROUP_UNITS),
    # the subscription's listing throttled for good: its groups are listed one by one instead
    row("throttle-subscription-listing", Fault(K.THROTTLE, operation=SUBSCRIPTION_LIST),
        "same"),
    row("throttle-nth", Fault(K.THROTTLE, nth=2), "same"),
    row("throttle-rate", Fault(K.THROTTLE, rate=0.3), "either"),
    row("throttle-most", Fault(K.THROTTLE, rate=0.5), "either", seed=1),
    # 500 and 503 (with Retry-After)
    row("http500-all", Fault(K.HTTP_500), "partial", ALL),
    row("http500-nth", Fault(K.HTTP_500, nth=1), "same"),
    row("http500-rate", Fault(K.HTTP_500, rate=0.3), "either", seed=1),
    # a virtual network that cannot be read hides its subnets
    row("http500-vnet-read", Fault(K.HTTP_500, operation=VNET_READ), "partial",
        frozenset({("azurerm_subnet", "rg-drift")})),
    row("http503-all", Fault(K.HTTP_503), "partial", ALL),
    row("http503-nth", Fault(K.HTTP_503, nth=3), "same"),
    row("http503-most", Fault(K.HTTP_503, rate=0.5), "either", seed=5),
    # a storage account whose properties cannot be read: seen, but its drift is not
    row("http503-storage-read", Fault(K.HTTP_503, operation=STORAGE_READ), "partial",
        frozenset()),
    # the connection reset without an answer
    row("reset-all", Fault(K.RESET), "partial", ALL),
    row("reset-nth", Fault(K.RESET, nth=2), "same"),
    row("reset-rate", Fault(K.RESET, rate=0.3), "either", seed=2),
    # the identity missing from the listing cannot be read by id: not called missing
    row("reset-missing-read", Fault(K.RESET, operation=IDENTITY_READ), "partial",
        frozenset({("azurerm_user_assigned_identity", "rg-drift")})),
    # no answer before the client's deadline
    row("stall-all", Fault(K.STALL), "partial", ALL),
    row("stall-nth", Fault(K.STALL, nth=1), "same"),
    row("stall-rate", Fault(K.STALL, rate=0.2), "either", seed=3),
    # the answer cut off halfway through its body
    row("truncate-all", Fault(K.TRUNCATE), "partial", ALL),
    row("truncate-nth", Fault(K.TRUNCATE, nth=1), "same"),
    row("truncate-rate", Fault(K.TRUNCATE, rate=0.3), "either", seed=1),
    # 403 on one resource group (and so on the subscription's listing): its network and the
    # diagnostic settings below it are not seen
    row("deny-resource-group", [Fault(K.DENY, operation=SUBSCRIPTION_LIST),
                                Fault(K.DENY, operation=IN_SHARED)],
        "partial", SHARED_UNITS),
]


def _jittered_step(wait: float) -> bool:
    """75-100 % of one of the exponential backoff's steps (factor * 2**n), never on the nose."""
    steps = [min(BACKOFF_MAX, BACKOFF_FACTOR * 2**n) for n in range(1, RETRIES + 1)]
    return any(0.75 * step <= wait < step for step in steps)


def _units(report: ScanReport) -> set[tuple[str, str]]:
    return {(c.type, label.rsplit("/", 1)[1]) for c in report.coverage
            for label in c.scanned_scopes}


@pytest.mark.parametrize(("faults", "expect", "failed", "seed"), MATRIX)
def test_azure_scan_under_fault(faults: list[Fault], expect: str,
                                failed: frozenset[tuple[str, str]] | str | None, seed: int,
                                azure_estate: AzureEstate,
                                azure_baseline: tuple[ScanReport, int],
                                azure_proxy: FaultProxy,
                                proxy_certificate: tuple[str, str]) -> None:
    baseline, baseline_requests = azure_baseline
    azure_proxy.seed = seed
    azure_proxy.set_faults(faults)
    started = time.monotonic()
    with fake_transport_sleep() as waits:
        report, _ = scan_azure(azure_estate, azure_proxy.endpoint, proxy_certificate[0])
    elapsed = time.monotonic() - started

    assert azure_proxy.injected > 0, "the faults never fired: the row tests nothing"
    outcome = judge_azure(report, baseline)
    if expect != "either":
        assert outcome == expect
    if failed is not None:
        assert failed_units(report) == (_units(baseline) if failed == ALL else failed)

    # bounded retries: no call is tried more than RETRIES times more (a subscription listed
    # group by group makes one call per group more), a 429 or 503 is retried no sooner than
    # its Retry-After, every other wait is a jittered backoff step, and a scan that cannot
    # finish does not hang
    assert len(azure_proxy.log) <= (RETRIES + 1) * (baseline_requests + len(GROUPS))
    if any(e.fault in (K.THROTTLE, K.HTTP_503) for e in azure_proxy.log):
        assert RETRY_AFTER in waits, "Retry-After was not honoured"
    assert all(wait == RETRY_AFTER or _jittered_step(wait) for wait in waits), waits
    assert elapsed < 15

    if outcome == "partial":
        assert exit_code(quiet(report, baseline), allow_incomplete=False) == EXIT_ERROR
        assert exit_code(quiet(report, baseline), allow_incomplete=True) == EXIT_OK
    else:
        assert exit_code(quiet(report, baseline), allow_incomplete=False) == EXIT_OK
    assert exit_code(report, allow_incomplete=False) == (
        EXIT_DRIFT if report.findings else EXIT_ERROR
    )


def test_a_denied_resource_group_leaves_the_rest_whole(
    azure_estate: AzureEstate, azure_baseline: tuple[ScanReport, int],
    azure_proxy: FaultProxy, proxy_certificate: tuple[str, str],
) -> None:
    """A role on rg-drift only: the subscription's listing and everything in rg-shared answer
    403. Every finding of rg-drift is reported, warnings name rg-shared, and coverage shows its
    virtual network and its diagnostic setting not scanned and not seen (rather than
    missing)."""
    baseline, _ = azure_baseline
    azure_proxy.set_faults([Fault(K.DENY, operation=SUBSCRIPTION_LIST),
                            Fault(K.DENY, operation=IN_SHARED)])
    with fake_transport_sleep() as waits:
        report, _ = scan_azure(azure_estate, azure_proxy.endpoint, proxy_certificate[0])

    assert waits == [], "a 403 is not retried"
    assert report.findings == baseline.findings
    denied = [w for w in report.warnings if w.code == "access_denied"]
    in_group = [w for w in denied if not is_fallback_note(w)]
    assert {w.scope.region for w in in_group if w.scope is not None} == {"rg-shared"}
    assert len(in_group) == 2  # the group's listing, the settings below its network
    assert all("AuthorizationFailed" in w.message for w in in_group)
    assert any("'rg-shared'" in w.message for w in in_group)
    assert any(is_fallback_note(w) for w in denied)

    shared_types = {rtype for rtype, _ in SHARED_UNITS}
    for rtype in shared_types:
        cov = next(c for c in report.coverage if c.type == rtype)
        assert cov.scanned_scopes == [f"{SUB}/rg-drift"]
        assert cov.failed_scopes == [f"{SUB}/rg-shared"]
        assert cov.not_seen == 1
        assert not cov.complete
    others = [c for c in report.coverage if c.type not in shared_types]
    assert others
    assert all(c.complete for c in others)
    assert not report.complete
    assert exit_code(quiet(report, baseline), allow_incomplete=False) == EXIT_ERROR
