"""The fault matrix for GCP: real scans (google-cloud-asset over REST) of a two-project estate
on the local Cloud Asset server, through the fault proxy, one line per fault.

Each row ends one of three ways, and the row says which it must be:

- ``same``: the session's bounded, jittered retries absorbed the fault: findings and warnings
  are exactly the fault-free scan's;
- ``partial``: the listing of some projects failed for good: the warnings name exactly those
  projects, coverage shows every type failed there, everything else is reported as without
  faults, and the scan is incomplete (exit 2 when no drift was found);
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
from cloudrift_gcp.testing import CloudAssetServer
from tests.faults.estate import quiet
from tests.faults.gcp_estate import (
    BACKOFF,
    IAM_TYPES,
    LISTED_TYPES,
    PROD,
    SCOPES,
    SHARED,
    TIMEOUT,
    GcpEstate,
    build_gcp_estate,
    failed_projects,
    judge_gcp,
    scan_gcp,
    types_failed_in,
)
from tests.providers.gcp.conftest import FakeSleep

K = FaultKind
BOTH = frozenset({PROD, SHARED})
# operation labels are ``GET /v1/<scope>/assets?<query names>``; later pages carry a pageToken
ON_PROD = f"GET /v1/projects/{PROD}/assets*"
ON_SHARED = f"GET /v1/projects/{SHARED}/assets*"
LATER_PAGE = "*&pageToken"
STALL_SECONDS = 1.0  # past the client's deadline (TIMEOUT), short enough to leave no backlog
assert STALL_SECONDS > TIMEOUT


@pytest.fixture(scope="module")
def asset_server() -> Iterator[CloudAssetServer]:
    with CloudAssetServer() as server:
        yield server


@pytest.fixture(scope="module")
def gcp_estate(asset_server: CloudAssetServer,
               tmp_path_factory: pytest.TempPathFactory) -> GcpEstate:
    return build_gcp_estate(asset_server, Path(tmp_path_factory.mktemp("gcp-estate")))


@pytest.fixture(scope="module")
def shared_gcp_proxy(asset_server: CloudAssetServer) -> Iterator[FaultProxy]:
    with FaultProxy(asset_server.endpoint, cloud="gcp", stall_seconds=STALL_SECONDS) as proxy:
        yield proxy


@pytest.fixture
def gcp_proxy(shared_gcp_proxy: FaultProxy) -> Iterator[FaultProxy]:
    """The proxy with no rules and an empty log; afterwards every request it saw must have been
    a read, and a ListAssets at that."""
    shared_gcp_proxy.set_faults([])
    shared_gcp_proxy.clear_log()
    shared_gcp_proxy.seed = 0
    yield shared_gcp_proxy
    shared_gcp_proxy.set_faults([])
    assert shared_gcp_proxy.non_reads() == [], "a scan sent a non-read request"
    assert_only_list_assets(shared_gcp_proxy)


def assert_only_list_assets(proxy: FaultProxy) -> None:
    calls = {(e.request.method, e.request.path) for e in proxy.log}
    assert calls, "the scan made no request at all"
    assert calls <= {("GET", f"/v1/{scope}/assets") for scope in SCOPES}, calls


@pytest.fixture(scope="module")
def gcp_baseline(gcp_estate: GcpEstate, shared_gcp_proxy: FaultProxy) -> tuple[ScanReport, int]:
    """The fault-free scan, and how many requests it took."""
    shared_gcp_proxy.set_faults([])
    shared_gcp_proxy.clear_log()
    report, _ = scan_gcp(gcp_estate, shared_gcp_proxy.endpoint)
    assert shared_gcp_proxy.non_reads() == []
    assert_only_list_assets(shared_gcp_proxy)
    requests = len(shared_gcp_proxy.log)
    # a project's listing takes more than one page: a fault can land on a later one
    assert requests > len(SCOPES)
    kinds = sorted({(f.kind.value, f.type, f.scope.account) for f in report.findings})
    # the estate is what the matrix needs only if every kind of finding is in it
    assert kinds == [
        ("changed", "google_pubsub_topic", PROD), ("changed", "google_storage_bucket", PROD),
        ("missing", "google_service_account", PROD), ("unmanaged", "google_pubsub_topic", PROD),
    ], kinds
    assert report.warnings == []
    assert report.complete
    return report, requests


def row(name: str, fault: Fault, expect: str, failed: frozenset[str] | None = None, *,
        seed: int = 0) -> Any:
    """``seed`` picks the draws of a ``rate`` fault (the same seed, the same faults)."""
    return pytest.param(fault, expect, failed, seed, id=name)


MATRIX = [
    # 429 RESOURCE_EXHAUSTED
    row("throttle-all", Fault(K.THROTTLE), "partial", BOTH),
    row("throttle-one-project", Fault(K.THROTTLE, operation=ON_SHARED), "partial",
        frozenset({SHARED})),
    row("throttle-nth", Fault(K.THROTTLE, nth=2), "same"),
    row("throttle-later-page-nth", Fault(K.THROTTLE, operation=LATER_PAGE, nth=1), "same"),
    row("throttle-rate", Fault(K.THROTTLE, rate=0.3), "either", seed=1),
    # 500 INTERNAL and 503 UNAVAILABLE
    row("http500-all", Fault(K.HTTP_500), "partial", BOTH),
    row("http500-nth", Fault(K.HTTP_500, nth=1), "same"),
    row("http500-rate", Fault(K.HTTP_500, rate=0.3), "either"),
    row("http503-one-project", Fault(K.HTTP_503, operation=ON_PROD), "partial",
        frozenset({PROD})),
    row("http503-later-page-nth", Fault(K.HTTP_503, operation=LATER_PAGE, nth=1), "same"),
    row("http503-rate", Fault(K.HTTP_503, rate=0.3), "either", seed=2),
    # the connection reset without an answer
    row("reset-all", Fault(K.RESET), "partial", BOTH),
    row("reset-one-project", Fault(K.RESET, operation=ON_PROD), "partial", frozenset({PROD})),
    row("reset-nth", Fault(K.RESET, nth=2), "same"),
    row("reset-rate", Fault(K.RESET, rate=0.3), "either", seed=3),
    # no answer before the client's deadline
    row("stall-one-project", Fault(K.STALL, operation=ON_SHARED), "partial",
        frozenset({SHARED})),
    row("stall-nth", Fault(K.STALL, nth=1), "same"),
    row("stall-rate", Fault(K.STALL, rate=0.2), "either"),
    # the answer cut off halfway through its body
    row("truncate-all", Fault(K.TRUNCATE), "partial", BOTH),
    row("truncate-later-page-nth", Fault(K.TRUNCATE, operation=LATER_PAGE, nth=1), "same"),
    row("truncate-rate", Fault(K.TRUNCATE, rate=0.3), "either", seed=1),
    # 403 PERMISSION_DENIED on one project (not retried)
    row("deny-one-project", Fault(K.DENY, operation=ON_SHARED), "partial", frozenset({SHARED})),
]


@pytest.mark.parametrize(("fault", "expect", "failed", "seed"), MATRIX)
def test_gcp_scan_under_fault(fault: Fault, expect: str, failed: frozenset[str] | None,
                              seed: int, gcp_estate: GcpEstate,
                              gcp_baseline: tuple[ScanReport, int],
                              gcp_proxy: FaultProxy) -> None:
    baseline, baseline_requests = gcp_baseline
    gcp_proxy.seed = seed
    gcp_proxy.set_faults([fault])
    sleep = FakeSleep()
    started = time.monotonic()
    report, provider = scan_gcp(gcp_estate, gcp_proxy.endpoint, sleep)
    elapsed = time.monotonic() - started

    assert gcp_proxy.injected > 0, f"{fault.describe()} never fired: the row tests nothing"
    outcome = judge_gcp(report, baseline, gcp_estate)
    if expect != "either":
        assert outcome == expect
    if failed is not None:
        assert failed_projects(report) == failed

    # bounded retries: no request is sent more often than the backoff allows, each wait is one
    # of its jittered steps (75-100 % of the step), and a scan that cannot finish does not hang
    assert len(gcp_proxy.log) <= BACKOFF.attempts * baseline_requests
    assert provider.session.retries == len(sleep.waits)
    assert all(0.75 * BACKOFF.initial <= wait <= BACKOFF.maximum for wait in sleep.waits)
    if fault.kind is not K.DENY and gcp_proxy.injected:
        assert sleep.waits, "a transient fault was not retried"
    assert elapsed < 15

    if outcome == "partial":
        assert exit_code(quiet(report, baseline), allow_incomplete=False) == EXIT_ERROR
        assert exit_code(quiet(report, baseline), allow_incomplete=True) == EXIT_OK
    else:
        assert exit_code(quiet(report, baseline), allow_incomplete=False) == EXIT_OK
    assert exit_code(report, allow_incomplete=False) == (
        EXIT_DRIFT if report.findings else EXIT_ERROR
    )


def test_a_denied_project_leaves_the_other_whole(gcp_estate: GcpEstate,
                                                 gcp_baseline: tuple[ScanReport, int],
                                                 gcp_proxy: FaultProxy) -> None:
    """A 403 on one project: a warning for each of its listings names it and the permission,
    coverage shows every type failed there and its resources not seen, and the other project is
    reported in full, its deleted service account too, although both keep service accounts in
    ``global``."""
    baseline, _ = gcp_baseline
    gcp_proxy.set_faults([Fault(K.DENY, operation=ON_SHARED)])
    report, _ = scan_gcp(gcp_estate, gcp_proxy.endpoint)

    resources, policies = sorted(report.warnings, key=lambda w: "IAM" in w.message)
    for warning, permission in ((resources, "cloudasset.assets.listResource"),
                                (policies, "cloudasset.assets.listIamPolicy")):
        assert warning.code == "access_denied"
        assert warning.scope is not None
        assert warning.scope.account == SHARED
        assert f"projects/{SHARED}" in warning.message
        assert permission in warning.message
    assert types_failed_in(report, SHARED) == LISTED_TYPES
    assert types_failed_in(report, PROD) == set()

    coverage = {c.type: c for c in report.coverage}
    accounts = coverage["google_service_account"]
    assert f"{PROD}/global" in accounts.scanned_scopes
    assert f"{SHARED}/global" in accounts.failed_scopes
    assert f"{PROD}/global" not in accounts.failed_scopes
    assert accounts.not_seen == 1
    assert coverage["google_compute_disk"].not_seen == 1
    assert coverage["google_compute_disk"].scanned_scopes == []

    assert report.findings == baseline.findings
    assert not report.complete
    assert exit_code(quiet(report, baseline), allow_incomplete=False) == EXIT_ERROR


def test_denied_iam_policies_leave_only_the_members_unseen(
        gcp_estate: GcpEstate, gcp_baseline: tuple[ScanReport, int], gcp_proxy: FaultProxy,
        asset_server: CloudAssetServer) -> None:
    """A project's IAM policies denied, its resources listed: only its IAM members are not
    seen, every other finding is the fault-free scan's."""
    baseline, _ = gcp_baseline
    asset_server.permission_denied(parent=f"projects/{SHARED}", content="IAM_POLICY",
                                   permission="cloudasset.assets.listIamPolicy")
    report, _ = scan_gcp(gcp_estate, gcp_proxy.endpoint)

    assert judge_gcp(report, baseline, gcp_estate) == "partial"
    assert types_failed_in(report, SHARED) == IAM_TYPES
    assert types_failed_in(report, PROD) == set()
    [warning] = report.warnings
    assert "IAM policies" in warning.message
    assert "cloudasset.assets.listIamPolicy" in warning.message
