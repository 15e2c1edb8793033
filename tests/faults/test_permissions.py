"""One service denied (AccessDenied / UnauthorizedOperation / 403, in that service's protocol):
the scan reports everything else, warns about that service's types, and the per-type coverage
shows them not scanned."""

from __future__ import annotations

import pytest

from cloudrift.model import GLOBAL_REGION, ScanReport
from cloudrift.testing.faults import Fault, FaultKind, FaultProxy
from tests.faults.estate import REGIONS, Estate, affected, failed_pairs, judge, scan


@pytest.mark.parametrize("service", ["sqs", "ec2", "iam", "s3", "logs", "lambda"])
def test_one_service_denied(service: str, estate: Estate, baseline: ScanReport,
                            proxy: FaultProxy) -> None:
    proxy.set_faults([Fault(FaultKind.DENY, service=service)])
    report, _ = scan(estate, proxy.endpoint)

    unseen = affected(estate, service)
    assert unseen, f"the estate makes no {service} call: this case tests nothing"
    assert judge(report, baseline) == "partial"
    assert failed_pairs(report) == unseen

    denied = [w for w in report.warnings if w.code == "access_denied"]
    assert {(w.type, w.scope.region if w.scope else None) for w in denied} == unseen
    for warning in denied:
        assert warning.type
        assert warning.type in warning.message
        assert "access denied" in warning.message

    managed: dict[str, int] = {}
    for doc in estate.scan_input.documents:
        for inst in doc.managed:
            managed[inst.type] = managed.get(inst.type, 0) + 1
    coverage = {c.type: c for c in report.coverage}
    for rtype in {t for t, _ in unseen}:
        entry = coverage[rtype]
        regions = {r for t, r in unseen if t == rtype}
        assert {s.split("/", 1)[1] for s in entry.failed_scopes} == regions
        assert not {s.split("/", 1)[1] for s in entry.scanned_scopes} & regions
        assert not entry.complete
        # every managed resource of the type is in a scope that was not scanned
        assert entry.not_seen == managed.get(rtype, 0)
        assert entry.actual == 0
    # every other type was scanned in every one of its scopes
    for entry in report.coverage:
        if entry.type in {t for t, _ in unseen}:
            continue
        if not entry.unmanaged_searched:
            # a part type listed one parent at a time that no state uses: not searched at all
            assert (entry.scanned_scopes, entry.managed) == ([], 0), entry.type
            continue
        assert entry.complete
        scopes = {s.split("/", 1)[1] for s in entry.scanned_scopes}
        assert scopes in ({GLOBAL_REGION}, set(REGIONS)), (entry.type, scopes)
