"""Every supported GCP type against the local Cloud Asset server: in sync, changed, missing,
unmanaged. One fixture folder per type (fixtures/gcp/types/<type>/).

A type that is a part of a parent (a router's NAT, a bucket's IAM member) names its parents'
types in ``parents``: their fixtures are published and managed alongside it, so that a NAT
nobody manages is looked for under a managed router, and the parent itself is in sync.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from cloudrift.model import FindingKind, ScanReport
from cloudrift_gcp import GcpPlugin
from tests.providers.gcp.conftest import GcpCase, GcpWorld, all_cases, patched

CASES = all_cases()
IDS = [case.type for case in CASES]
BY_TYPE = {case.type: case for case in CASES}


def _of_type(report: ScanReport, case: GcpCase) -> list[tuple[FindingKind, str, str | None]]:
    return [(f.kind, f.id, f.address) for f in report.findings if f.type == case.type]


def _parents(case: GcpCase) -> list[GcpCase]:
    return [BY_TYPE[rtype] for rtype in case.spec.get("parents", [])]


def _publish(gcp: GcpWorld, case: GcpCase, assets: Sequence[Mapping[str, Any]]) -> None:
    """The case's assets and its parents'. A parent and its part may be one asset: a router
    holding its NATs (the case's asset is the parent's, changed), a bucket and its IAM policy
    (one asset carries both its ``resource`` and its ``iamPolicy``)."""
    published = {asset["name"]: dict(asset) for asset in assets}
    for parent in _parents(case):
        name = parent.asset["name"]
        published[name] = {**parent.asset, **published.get(name, {})}
    gcp.publish(list(published.values()))


def _scan(gcp: GcpWorld, case: GcpCase, instances: Sequence[Mapping[str, Any]],
          **options: Any) -> ScanReport:
    return gcp.scan([*instances, *(p.instance("parent") for p in _parents(case))], **options)


def test_every_type_has_a_fixture_folder() -> None:
    assert {case.type for case in CASES} == set(GcpPlugin().types())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_in_sync(case: GcpCase, gcp: GcpWorld) -> None:
    _publish(gcp, case, [case.asset])
    report = _scan(gcp, case, [case.instance()])
    assert report.findings == [], [f.model_dump() for f in report.findings]
    assert report.summary.managed == 1 + len(_parents(case))
    assert report.summary.in_sync == report.summary.managed
    [coverage] = [c for c in report.coverage if c.type == case.type]
    assert coverage.complete
    assert coverage.not_seen == 0
    # every declared field was read from the payload, except those the API cannot return
    assert coverage.unknown_fields == case.unknown_fields


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_changed(case: GcpCase, gcp: GcpWorld) -> None:
    if case.change is None:
        pytest.skip(str(case.spec.get("change_skip_reason")))
    _publish(gcp, case, [patched(case.asset, case.change["set"])])
    report = _scan(gcp, case, [case.instance()])
    assert _of_type(report, case) == [(FindingKind.CHANGED, case.id, f"{case.type}.this")]
    [finding] = report.findings
    assert {c.path for c in finding.changes} == set(case.change["paths"])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_missing(case: GcpCase, gcp: GcpWorld) -> None:
    missing = case.spec.get("missing")
    _publish(gcp, case, [patched(case.asset, missing["set"])] if missing else [])
    report = _scan(gcp, case, [case.instance()])
    assert _of_type(report, case) == [(FindingKind.MISSING, case.id, f"{case.type}.this")]
    assert report.findings[0].scope.account == "acme-prod"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_unmanaged(case: GcpCase, gcp: GcpWorld) -> None:
    unmanaged = case.spec.get("unmanaged") or {}
    _publish(gcp, case, [patched(case.asset, unmanaged.get("set", {}))])
    others = [case.instance(f"other{n}", attrs) for n, attrs in
              enumerate(unmanaged.get("state", []))]
    # a type whose unmanaged resources may be Google's own is reported with --strict only
    strict = bool(unmanaged.get("strict"))
    report = _scan(gcp, case, others, scopes=["projects/acme-prod"], strict=strict)
    assert _of_type(report, case) == [(FindingKind.UNMANAGED, case.id, None)]
    assert report.summary.in_sync == len(others) + len(_parents(case))
    if strict:
        report = _scan(gcp, case, others, scopes=["projects/acme-prod"])
        assert _of_type(report, case) == []


@pytest.mark.parametrize("case", [c for c in CASES if _parents(c)],
                         ids=[c.type for c in CASES if _parents(c)])
def test_a_part_of_an_unmanaged_parent_is_the_parents(case: GcpCase, gcp: GcpWorld) -> None:
    """Under a parent nobody manages, the parent's own finding covers its parts."""
    unmanaged = case.spec.get("unmanaged") or {}
    _publish(gcp, case, [patched(case.asset, unmanaged.get("set", {}))])
    others = [case.instance(f"other{n}", attrs) for n, attrs in
              enumerate(unmanaged.get("state", []))]
    report = gcp.scan(others, scopes=["projects/acme-prod"])
    assert _of_type(report, case) == []
    assert {(FindingKind.UNMANAGED, p.type) for p in _parents(case)} <= {
        (f.kind, f.type) for f in report.findings}
