"""The fault matrix: real scans of the estate through the fault proxy, one line per fault.

Each row ends one of three ways, and the row says which it must be:

- ``same``: the SDK's bounded, jittered retries absorbed the fault: findings and warnings are
  exactly the fault-free scan's;
- ``partial``: every call of one service (in one region) failed: the warnings and the coverage
  name exactly that service's types in those regions, the rest is reported as without faults,
  and the scan is incomplete (exit 2 when no drift was found, unless --allow-incomplete);
- ``either``: a fraction of all calls failed: one of the two above, whichever the draw gave.

A new fault is one more ``row(...)``.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from cloudrift.cli import EXIT_DRIFT, EXIT_ERROR, EXIT_OK, exit_code
from cloudrift.model import ScanReport
from cloudrift.testing.faults import Fault, FaultKind, FaultProxy
from tests.faults.estate import Estate, affected, failed_pairs, judge, quiet, scan

K = FaultKind

# the identity call is not enumeration: when it fails the scan stops with an error (tested in
# the bad-input table), so fractional faults leave it alone
FRACTION: dict[str, Any] = {"except_service": "sts", "rate": 0.2}



def row(name: str, fault: Fault, expect: str, *, service: str | None = None,
        region: str | None = None, xfail: tuple[str, type[BaseException]] | None = None) -> Any:
    marks = (
        [pytest.mark.xfail(strict=True, reason=xfail[0], raises=xfail[1])] if xfail else []
    )
    return pytest.param(fault, expect, service, region, id=name, marks=marks)


MATRIX = [
    # all calls of one service: SQS speaks the JSON protocol; its types are in both regions
    row("throttle-all-sqs", Fault(K.THROTTLE, service="sqs"), "partial", service="sqs"),
    row("deny-all-sqs", Fault(K.DENY, service="sqs"), "partial", service="sqs"),
    row("http500-all-sqs", Fault(K.HTTP_500, service="sqs"), "partial", service="sqs"),
    row("http503-all-sqs", Fault(K.HTTP_503, service="sqs"), "partial", service="sqs"),
    row("reset-all-sqs", Fault(K.RESET, service="sqs"), "partial", service="sqs"),
    row("stall-all-sqs", Fault(K.STALL, service="sqs"), "partial", service="sqs"),
    row("truncate-all-sqs", Fault(K.TRUNCATE, service="sqs"), "partial", service="sqs"),
    # one service in one region: only that region's scope is lost
    row("http503-sqs-eu-west-1", Fault(K.HTTP_503, service="sqs", region="eu-west-1"),
        "partial", service="sqs", region="eu-west-1"),
    # a fraction of every service's calls
    # botocore's adaptive mode slows a throttled client to a crawl: keep its share small
    row("throttle-fraction", Fault(K.THROTTLE, except_service="sts", rate=0.1), "either"),
    row("http500-fraction", Fault(K.HTTP_500, **FRACTION), "either"),
    row("http503-fraction", Fault(K.HTTP_503, **FRACTION), "either"),
    row("reset-fraction", Fault(K.RESET, **FRACTION), "either"),
    row("stall-fraction", Fault(K.STALL, except_service="sts", rate=0.1), "either"),
    row("truncate-fraction", Fault(K.TRUNCATE, **FRACTION), "either"),
    # most of one service's calls: some of its types are lost, which ones the draw decides
    row("http503-most-ec2", Fault(K.HTTP_503, service="ec2", rate=0.7), "either"),
    # the Nth call: one retry absorbs it
    row("throttle-nth", Fault(K.THROTTLE, service="ec2", operation="DescribeVpcs", nth=1),
        "same"),
    row("http500-nth", Fault(K.HTTP_500, service="s3", nth=1), "same"),
    row("reset-nth", Fault(K.RESET, service="sqs", operation="ListQueues", nth=2), "same"),
    row("stall-nth", Fault(K.STALL, service="iam", nth=1), "same"),
    row("truncate-nth-xml", Fault(K.TRUNCATE, service="ec2", operation="DescribeVpcs", nth=1),
        "same"),
    row("truncate-nth-json", Fault(K.TRUNCATE, service="sqs", operation="ListQueues", nth=1),
        "same"),
    # a detail call (per managed resource) fails for good
    row("http500-sqs-details", Fault(K.HTTP_500, service="sqs", operation="GetQueueAttributes"),
        "partial"),
]


@pytest.mark.parametrize(("fault", "expect", "service", "region"), MATRIX)
def test_scan_under_fault(fault: Fault, expect: str, service: str | None, region: str | None,
                          estate: Estate, baseline: ScanReport, proxy: FaultProxy) -> None:
    proxy.set_faults([fault])
    started = time.monotonic()
    report, ctx = scan(estate, proxy.endpoint)
    elapsed = time.monotonic() - started

    assert proxy.injected > 0, f"{fault.describe()} never fired: the row tests nothing"
    outcome = judge(report, baseline)
    if expect != "either":
        assert outcome == expect
    if service is not None:
        assert failed_pairs(report) == affected(estate, service, region)
    # bounded retries: no call is tried more often than the context allows, and a scan that
    # cannot finish does not hang (a stall costs read_timeout per attempt)
    attempts = [e for e in proxy.log if e.request.service != "sts"]
    assert len(attempts) <= 2 * len(ctx.operations)
    assert elapsed < 30

    if outcome == "partial":
        assert exit_code(quiet(report, baseline), allow_incomplete=False) == EXIT_ERROR
        assert exit_code(quiet(report, baseline), allow_incomplete=True) == EXIT_OK
    else:
        assert exit_code(quiet(report, baseline), allow_incomplete=False) == EXIT_OK
    assert exit_code(report, allow_incomplete=False) == (
        EXIT_DRIFT if report.findings else EXIT_ERROR
    )
