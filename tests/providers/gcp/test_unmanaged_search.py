"""``--unmanaged`` through the real Cloud Asset client and the local server: the one listing per
scope asks for the managed asset types only (and the parents a managed part reads), and the
managed resources are judged alike in every mode."""

from __future__ import annotations

import pytest

from cloudrift.model import FindingKind, ScanReport, UnmanagedSearch
from tests.providers.gcp.conftest import GcpCase, GcpWorld, all_cases, patched

CASES = {case.type: case for case in all_cases()}
PROJECT = "cloudresourcemanager.googleapis.com/Project"
RECORD_SET = "dns.googleapis.com/ResourceRecordSet"
ZONE = "dns.googleapis.com/ManagedZone"
BUCKET = "storage.googleapis.com/Bucket"


def _case(rtype: str) -> GcpCase:
    return CASES[rtype]


def _world(gcp: GcpWorld) -> None:
    """A managed record set (changed) of an unmanaged zone, a managed bucket in sync, an
    unmanaged topic."""
    record = _case("google_dns_record_set")
    assert record.change is not None
    gcp.publish([patched(record.asset, record.change["set"]),
                 _case("google_dns_managed_zone").asset, _case("google_storage_bucket").asset,
                 _case("google_pubsub_topic").asset])


def _scan(gcp: GcpWorld, mode: UnmanagedSearch) -> tuple[ScanReport, list[str]]:
    gcp.server.requests.clear()
    report = gcp.scan([_case("google_dns_record_set").instance(),
                       _case("google_storage_bucket").instance()], unmanaged=mode)
    [call] = gcp.server.list_calls
    return report, sorted(call.query["assetTypes"])


def _managed(report: ScanReport) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(f.kind.value, f.id, tuple(sorted(c.path for c in f.changes)))
            for f in report.findings if f.kind is not FindingKind.UNMANAGED}


@pytest.mark.parametrize("mode", ["managed-types", "none"])
def test_a_limited_search_asks_for_the_managed_asset_types_only(gcp: GcpWorld,
                                                                mode: UnmanagedSearch) -> None:
    _world(gcp)
    everything, all_types = _scan(gcp, "all")
    report, asked = _scan(gcp, mode)

    # the record set's zone is asked for too: the record's id is read from it
    assert asked == sorted({PROJECT, RECORD_SET, ZONE, BUCKET})
    assert len(all_types) > len(asked)
    assert report.api_calls == everything.api_calls == {"gcp:ListAssets": 1}
    assert _managed(report) == _managed(everything)
    assert {f[0] for f in _managed(report)} == {"changed"}
    assert report.summary.compared == 2
    assert {c.type for c in report.coverage} == {"google_dns_record_set",
                                                 "google_storage_bucket"}
    assert report.summary.unmanaged_search == mode
    unmanaged = {f.type for f in report.findings if f.kind is FindingKind.UNMANAGED}
    assert unmanaged == set()  # the zone was listed for its records, never searched
    assert {"google_dns_managed_zone", "google_pubsub_topic"} <= {
        f.type for f in everything.findings if f.kind is FindingKind.UNMANAGED}
    assert all(c.unmanaged_searched is (mode != "none") for c in report.coverage)
