"""Every supported GCP type against the local Cloud Asset server: in sync, changed, missing,
unmanaged. One fixture folder per type (fixtures/gcp/types/<type>/)."""

from __future__ import annotations

import pytest

from cloudrift.model import FindingKind, ScanReport
from cloudrift_gcp import GcpPlugin
from tests.providers.gcp.conftest import GcpCase, GcpWorld, all_cases, patched

CASES = all_cases()
IDS = [case.type for case in CASES]


def _of_type(report: ScanReport, case: GcpCase) -> list[tuple[FindingKind, str, str | None]]:
    return [(f.kind, f.id, f.address) for f in report.findings if f.type == case.type]


def test_every_type_has_a_fixture_folder() -> None:
    assert {case.type for case in CASES} == set(GcpPlugin().types())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_in_sync(case: GcpCase, gcp: GcpWorld) -> None:
    gcp.publish([case.asset])
    report = gcp.scan([case.instance()])
    assert report.findings == [], [f.model_dump() for f in report.findings]
    assert report.summary.managed == 1
    assert report.summary.in_sync == 1
    [coverage] = [c for c in report.coverage if c.type == case.type]
    assert coverage.complete
    assert coverage.not_seen == 0
    # every declared field was read from the payload, except those the API cannot return
    assert coverage.unknown_fields == case.unknown_fields


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_changed(case: GcpCase, gcp: GcpWorld) -> None:
    if case.change is None:
        pytest.skip(str(case.spec.get("change_skip_reason")))
    gcp.publish([patched(case.asset, case.change["set"])])
    report = gcp.scan([case.instance()])
    assert _of_type(report, case) == [(FindingKind.CHANGED, case.id, f"{case.type}.this")]
    [finding] = report.findings
    assert {c.path for c in finding.changes} == set(case.change["paths"])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_missing(case: GcpCase, gcp: GcpWorld) -> None:
    missing = case.spec.get("missing")
    gcp.publish([patched(case.asset, missing["set"])] if missing else [])
    report = gcp.scan([case.instance()])
    assert _of_type(report, case) == [(FindingKind.MISSING, case.id, f"{case.type}.this")]
    assert report.findings[0].scope.account == "acme-prod"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_unmanaged(case: GcpCase, gcp: GcpWorld) -> None:
    unmanaged = case.spec.get("unmanaged") or {}
    gcp.publish([patched(case.asset, unmanaged.get("set", {}))])
    others = [case.instance(f"other{n}", attrs) for n, attrs in
              enumerate(unmanaged.get("state", []))]
    report = gcp.scan(others, scopes=["projects/acme-prod"])
    assert _of_type(report, case) == [(FindingKind.UNMANAGED, case.id, None)]
    assert report.summary.in_sync == len(others)
