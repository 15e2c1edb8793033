"""Who changed it on Azure: azure-mgmt-monitor's client against the Activity Log of our local
ARM (HTTPS, the production auth pipeline unchanged)."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from azure.core.exceptions import HttpResponseError

from cloudrift.attribution import attribute_report
from cloudrift.engine import Scan, ScanInput
from cloudrift.model import AttributionStatus, Finding, FindingKind, Scope
from cloudrift.sources.tfstate import parse_state
from cloudrift_azure.attribution import SELECT, ActivityLogAttributor
from cloudrift_azure.testing import ArmServer
from cloudrift_azure.testing_activity import activity_event
from tests.providers.azure.conftest import (
    SUB,
    assert_read_only,
    load_arm,
    load_case,
    make_context,
    make_provider,
    state_of,
)

NOW = datetime.now(timezone.utc).replace(microsecond=0)
GROUP = f"/subscriptions/{SUB}/resourceGroups/rg-attr/providers"
DISK = f"{GROUP}/Microsoft.Compute/disks/data-1"
SECRET = "p@ssw0rd-in-the-request-body"
ACTIVITY_PATH = "eventtypes/management/values"


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def finding(resource_id: str = DISK) -> Finding:
    return Finding(kind=FindingKind.CHANGED, type="azurerm_managed_disk", id=resource_id,
                   provider="azure", scope=Scope(account=SUB, region="westeurope")
                   ).with_fingerprint()


def attributor(server: ArmServer, **settings: Any) -> ActivityLogAttributor:
    return ActivityLogAttributor(make_context(server, **settings))


def activity_requests(server: ArmServer) -> list[Any]:
    return server.requested(ACTIVITY_PATH)


def test_scan_then_attribute_names_who_changed_and_deleted(arm: ArmServer) -> None:
    disk, address = load_case("managed_disk"), load_case("public_ip")
    load_arm(arm, [*disk.arm, *address.arm], [*disk.state, *address.state])
    state = state_of([*disk.state, *address.state], arm)
    arm.patch(disk.arm_id, disk.change["patch"])
    arm.delete(address.arm_id)
    arm.activity.add(SUB, [
        activity_event(disk.arm_id, "Microsoft.Compute/disks/write", at=ago(hours=3),
                       caller="bob@contoso.com", client_ip="198.51.100.9",
                       request_body=json.dumps({"password": SECRET})),
        # the same call's first record, and newer records that changed nothing
        activity_event(disk.arm_id, "Microsoft.Compute/disks/write", at=ago(hours=3, seconds=4),
                       status="Started"),
        activity_event(disk.arm_id, "Microsoft.Compute/disks/beginGetAccess/action",
                       at=ago(hours=1)),
        activity_event(disk.arm_id, "Microsoft.Compute/disks/write", at=ago(hours=2),
                       status="Failed"),
        activity_event(address.arm_id, "Microsoft.Network/publicIPAddresses/delete",
                       at=ago(days=1), caller="carol@contoso.com"),
    ])
    provider = make_provider(arm)
    try:
        parsed = parse_state(json.dumps(state.document()).encode(), "azure.tfstate")
        report = Scan(ScanInput([parsed]), {"azure": provider}).run()
        report = attribute_report(report, {"azure": provider})
    finally:
        provider.ctx.close()
    by_kind = {f.kind: f for f in report.findings}
    changed = by_kind[FindingKind.CHANGED].attribution
    assert changed is not None
    assert changed.status is AttributionStatus.FOUND
    assert [e.model_dump() for e in changed.events] == [{
        "principal": "bob@contoso.com", "time": stamp(ago(hours=3)),
        "source_ip": "198.51.100.9", "event_name": "Microsoft.Compute/disks/write",
        "source": "azure-activity-log", "event_id": changed.events[0].event_id,
    }]
    missing = by_kind[FindingKind.MISSING].attribution
    assert missing is not None
    assert [(e.principal, e.event_name) for e in missing.events] == [
        ("carol@contoso.com", "Microsoft.Network/publicIPAddresses/delete")]
    assert report.api_calls["azure:activity_logs.list"] == 2
    assert SECRET not in report.model_dump_json()

    assert_read_only(arm)
    for request in activity_requests(arm):
        query = parse_qs(urlsplit(request.target).query)
        assert query["api-version"] == ["2015-04-01"]
        assert query["$select"] == [SELECT]  # claims and properties are never fetched
        assert "resourceUri eq '/subscriptions/" in query["$filter"][0]


def test_no_write_event_is_unknown(arm: ArmServer) -> None:
    arm.activity.add(SUB, [
        activity_event(DISK, "Microsoft.Compute/disks/write", at=ago(days=95)),
        activity_event(DISK.replace("data-1", "data-2"), "Microsoft.Compute/disks/write",
                       at=ago(days=1)),
    ])
    target = finding()
    answer = attributor(arm).attribute([target]).attributions[target.fingerprint]
    assert answer.status is AttributionStatus.UNKNOWN
    assert answer.note == "no write event in 90 days"


def test_next_links_are_followed_and_the_newest_kept(arm: ArmServer) -> None:
    arm.activity.page_size = 2
    arm.activity.add(SUB, [activity_event(DISK, "Microsoft.Compute/disks/write",
                                          at=ago(hours=n)) for n in range(1, 6)])
    target = finding()
    result = attributor(arm).attribute([target])
    answer = result.attributions[target.fingerprint]
    assert [e.time for e in answer.events] == [stamp(ago(hours=n)) for n in (1, 2, 3)]
    assert len(activity_requests(arm)) == 3
    assert result.api_calls == {"activity_logs.list": 3}
    assert "%24skiptoken=" in activity_requests(arm)[-1].target.lower()


def test_a_429_is_retried_after_its_retry_after(arm: ArmServer) -> None:
    arm.activity.add(SUB, [activity_event(DISK, "Microsoft.Compute/disks/write",
                                          at=ago(hours=1))])
    arm.throttle(ACTIVITY_PATH, retry_after=0.2, times=2)
    target = finding()
    answer = attributor(arm).attribute([target]).attributions[target.fingerprint]
    assert answer.status is AttributionStatus.FOUND
    times = [r.at for r in activity_requests(arm)]
    assert len(times) == 3
    assert all(later - first >= 0.2 for first, later in itertools.pairwise(times))


def test_throttled_past_the_retries_is_failed(arm: ArmServer) -> None:
    arm.throttle(ACTIVITY_PATH, retry_after=0, times=10)
    target = finding()
    answer = attributor(arm, retry_total=1).attribute([target]).attributions[
        target.fingerprint]
    assert answer.status is AttributionStatus.FAILED
    assert answer.note == (f"Activity Log throttled in subscription {SUB} (TooManyRequests) "
                           "after retries")


def test_denied_fails_the_subscription_with_one_call(arm: ArmServer) -> None:
    arm.fail(ACTIVITY_PATH, 403, "AuthorizationFailed")
    targets = [finding(), finding(DISK.replace("data-1", "data-2"))]
    answers = attributor(arm).attribute(targets).attributions
    assert {a.note for a in answers.values()} == {
        f"Microsoft.Insights/eventtypes/values/read denied in subscription {SUB} "
        "(AuthorizationFailed)"}
    assert len(activity_requests(arm)) == 1


def test_an_id_that_is_no_arm_id_is_unknown_without_a_call(arm: ArmServer) -> None:
    target = finding(f"{DISK}|{DISK}-2")
    target = target.model_copy(update={"id": "assoc-1"})
    answer = attributor(arm).attribute([target]).attributions[target.fingerprint]
    assert answer.status is AttributionStatus.UNKNOWN
    assert activity_requests(arm) == []


@pytest.mark.parametrize("query", [
    "resourceUri eq 'x'",  # no start time
    "eventTimestamp ge '2026-01-01T00:00:00Z' and caller eq 'bob'",  # not a documented pattern
])
def test_the_server_refuses_what_the_activity_log_refuses(arm: ArmServer, query: str) -> None:
    ctx = make_context(arm)
    try:
        with pytest.raises(HttpResponseError) as caught:
            list(ctx.monitor(SUB).activity_logs.list(filter=query))
    finally:
        ctx.close()
    assert caught.value.status_code == 400
