"""Paging, pacing, retries and failures of Cloud Asset listings, through the real client."""

from __future__ import annotations

import socket

import pytest
from google.api_core import exceptions as gexc

from cloudrift.errors import ProviderError
from cloudrift.model import FindingKind
from cloudrift_gcp import Backoff
from cloudrift_gcp.session import QUOTAS, MinuteWindow
from tests.providers.gcp.conftest import (
    SCOPE,
    FakeSleep,
    GcpWorld,
    all_cases,
    make_session,
    project_asset,
)

TOPIC = next(c for c in all_cases() if c.type == "google_pubsub_topic")


def _topic(name: str) -> dict[str, object]:
    asset = dict(TOPIC.asset)
    resource = dict(asset["resource"])
    resource["data"] = {"name": f"projects/acme-prod/topics/{name}", "state": "ACTIVE"}
    asset["resource"] = resource
    asset["name"] = f"//pubsub.googleapis.com/projects/acme-prod/topics/{name}"
    return asset


def test_listing_follows_next_page_token_across_pages(gcp: GcpWorld) -> None:
    topics = [_topic(f"t{n:02d}") for n in range(7)]
    gcp.publish(topics)
    gcp.server.max_page_size = 3  # the server caps pages below what the client asks for
    report = gcp.scan([], scopes=[SCOPE])

    unmanaged = sorted(f.id for f in report.findings if f.kind is FindingKind.UNMANAGED)
    assert unmanaged == [f"projects/acme-prod/topics/t{n:02d}" for n in range(7)]
    calls = gcp.server.list_calls
    # 8 assets (the project too) in pages of 3
    assert len(calls) == 3
    assert [bool(c.query.get("pageToken")) for c in calls] == [False, True, True]
    assert calls[1].query["pageToken"] != calls[2].query["pageToken"]
    assert report.api_calls == {"gcp:ListAssets": 3}
    assert report.summary.api_calls == 3


def test_one_listing_asks_for_every_asset_type_at_once(gcp: GcpWorld) -> None:
    gcp.publish([])
    gcp.scan([], scopes=[SCOPE])
    [call] = gcp.server.list_calls
    assert call.path == f"/v1/{SCOPE}/assets"
    assert call.query["contentType"] == ["1"]  # RESOURCE, as the REST transport encodes it
    assert call.query["pageSize"] == ["1000"]
    asked = set(call.query["assetTypes"])
    from cloudrift_gcp import GcpPlugin

    assert {s.asset_type for s in GcpPlugin().types().values()} <= asked


def test_quota_errors_are_retried_with_backoff_then_succeed(gcp: GcpWorld) -> None:
    gcp.publish([_topic("orders")])
    gcp.server.quota_exceeded(times=2)
    report = gcp.scan([], scopes=[SCOPE])

    assert [f.id for f in report.findings] == ["projects/acme-prod/topics/orders"]
    assert [c.status for c in gcp.server.list_calls] == [429, 429, 200]
    assert report.warnings == []
    assert report.complete
    # two waits, the second drawn from a longer step: 1.5-2 s, then 3-4 s
    assert len(gcp.sleep.waits) == 2
    assert 1.5 <= gcp.sleep.waits[0] <= 2.0
    assert 3.0 <= gcp.sleep.waits[1] <= 4.0
    assert report.api_calls == {"gcp:ListAssets": 3}


def test_the_servers_retry_delay_is_honoured(gcp: GcpWorld) -> None:
    gcp.publish([])
    gcp.server.quota_exceeded(times=1, retry_delay="17s")
    gcp.scan([], scopes=[SCOPE])
    assert gcp.sleep.waits == [17.0]


def test_quota_still_exhausted_after_every_attempt_is_a_warning(gcp: GcpWorld) -> None:
    topic = TOPIC.instance()
    gcp.publish([])
    gcp.server.quota_exceeded(times=10)
    report = gcp.scan([topic], backoff=Backoff(attempts=4))

    assert len(gcp.server.list_calls) == 4
    assert [w.code for w in report.warnings] == ["throttled"]
    assert SCOPE in report.warnings[0].message
    # not seen is not missing: the topic is neither reported nor counted as in sync
    assert report.findings == []
    assert report.summary.missing == 0
    assert not report.complete


def test_default_backoff_outlasts_a_quota_minute() -> None:
    backoff = Backoff()
    shortest = sum(backoff.delay(n, rng=lambda low, high: low) for n in range(backoff.attempts - 1))
    longest = sum(backoff.delay(n, rng=lambda low, high: high) for n in range(backoff.attempts - 1))
    # every retry schedule outlasts the quota's minute, and none drags on for minutes
    assert shortest > 60
    assert longest < 120


def test_a_disabled_api_is_a_warning_that_names_the_api_and_project(gcp: GcpWorld) -> None:
    gcp.publish([TOPIC.asset])
    gcp.server.service_disabled(consumer="99887766")
    report = gcp.scan([TOPIC.instance()])

    [warning] = report.warnings
    assert warning.code == "api_disabled"
    assert "cloudasset.googleapis.com" in warning.message
    assert "projects/99887766" in warning.message
    assert "gcloud services enable cloudasset.googleapis.com --project 99887766" in warning.message
    assert SCOPE in warning.message
    assert report.findings == []
    assert not report.complete
    assert len(gcp.server.list_calls) == 1  # a 403 is not retried


def test_a_denied_scope_is_a_warning_that_names_the_scope_and_permission(gcp: GcpWorld) -> None:
    gcp.publish([TOPIC.asset])
    gcp.server.permission_denied(parent=SCOPE)
    report = gcp.scan([TOPIC.instance()])

    [warning] = report.warnings
    assert warning.code == "access_denied"
    assert SCOPE in warning.message
    assert "cloudasset.assets.listResource" in warning.message
    assert warning.scope is not None
    assert warning.scope.account == "acme-prod"
    assert report.findings == []
    [coverage] = [c for c in report.coverage if c.type == TOPIC.type]
    assert coverage.not_seen == 1
    assert coverage.failed_scopes


def test_rejected_credentials_stop_the_scan(gcp: GcpWorld) -> None:
    gcp.publish([])
    gcp.server.unauthenticated()
    # google-auth answers a 401 by refreshing the token; anonymous credentials cannot
    with pytest.raises(ProviderError, match="credentials"):
        gcp.scan([], scopes=[SCOPE])


def test_an_unreachable_endpoint_is_a_provider_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    session = make_session(f"http://127.0.0.1:{port}")
    with pytest.raises(ProviderError, match="cannot reach Cloud Asset Inventory"):
        session.list_assets(SCOPE, ["pubsub.googleapis.com/Topic"], "RESOURCE")


def test_errors_arrive_as_the_rest_transport_raises_them(gcp: GcpWorld) -> None:
    """What the retry and the warnings are built on: 429 is TooManyRequests, 403 Forbidden."""
    gcp.publish([project_asset()])
    session = make_session(gcp.server.endpoint, backoff=Backoff(attempts=1))
    gcp.server.quota_exceeded()
    with pytest.raises(gexc.TooManyRequests):
        session.list_assets(SCOPE, [], "RESOURCE")
    gcp.server.service_disabled()
    with pytest.raises(gexc.Forbidden) as denied:
        session.list_assets(SCOPE, [], "RESOURCE")
    assert denied.value.reason == "SERVICE_DISABLED"


def test_int64_and_struct_numbers_arrive_as_the_client_decodes_them(gcp: GcpWorld) -> None:
    """What the normalisers are for: the fixture's 200 and 30 come back as "200" and 30.0."""
    disk = next(c for c in all_cases() if c.type == "google_compute_disk")
    subscription = next(c for c in all_cases() if c.type == "google_pubsub_subscription")
    gcp.publish([disk.asset, subscription.asset])
    session = make_session(gcp.server.endpoint)
    disks = session.list_assets(SCOPE, ["compute.googleapis.com/Disk"], "RESOURCE")
    [data] = [a["resource"]["data"] for a in disks]
    assert data["sizeGb"] == "200"  # int64 in the service's JSON: a string
    subscriptions = session.list_assets(SCOPE, ["pubsub.googleapis.com/Subscription"],
                                        "RESOURCE")
    [data] = [a["resource"]["data"] for a in subscriptions]
    assert data["ackDeadlineSeconds"] == 30.0
    assert isinstance(data["ackDeadlineSeconds"], float)  # every Struct number is a double


def test_calls_are_paced_under_the_per_minute_quota() -> None:
    sleep = FakeSleep()
    window = MinuteWindow(QUOTAS["ListAssets"].per_project_minute, sleep.clock, sleep)
    waited = [window.acquire() for _ in range(101)]
    assert waited[:100] == [0.0] * 100
    # the 101st waits until the first call is a minute old
    assert waited[100] == pytest.approx(60.0)
    sleep.now += 30
    assert window.acquire() == 0.0


def test_organisation_scopes_are_paced_by_the_organisation_quota_too() -> None:
    sleep = FakeSleep()
    session = make_session("http://127.0.0.1:9", sleep)
    for _ in range(3):
        session._pace("ListAssets", "organizations/271828182845")
    assert set(session._windows) == {("consumer", "ListAssets"),
                                     ("organizations/271828182845", "ListAssets")}
    assert session._windows[("organizations/271828182845", "ListAssets")].limit == 800
