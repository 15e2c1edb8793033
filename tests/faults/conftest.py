"""Fixtures of the fault tier: the estate on moto, the fault proxy in front of it, the
fault-free baseline, and a read-only check on every scan the tier makes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cloudrift.model import ScanReport
from cloudrift.testing.faults import FaultProxy
from cloudrift_aws.testing import MotoServer, recording_aws_scans
from tests.faults.estate import Estate, build_estate, scan


@pytest.fixture(scope="module")
def estate(moto_server: MotoServer, tmp_path_factory: pytest.TempPathFactory) -> Estate:
    # module scope is safe although other tiers reset moto: pytest tears module fixtures down
    # whenever it moves to another module, and builds them again when it comes back
    moto_server.reset()
    return build_estate(moto_server.endpoint, tmp_path_factory.mktemp("estate"))


@pytest.fixture(scope="module")
def shared_proxy(moto_server: MotoServer) -> Iterator[FaultProxy]:
    with FaultProxy(moto_server.endpoint, stall_seconds=3.0) as proxy:
        yield proxy


@pytest.fixture
def proxy(shared_proxy: FaultProxy) -> Iterator[FaultProxy]:
    """The proxy with no rules and an empty log; afterwards, every request it saw must have
    been a read."""
    shared_proxy.set_faults([])
    shared_proxy.clear_log()
    yield shared_proxy
    shared_proxy.set_faults([])
    assert shared_proxy.non_reads() == [], "a scan sent a non-read request"


@pytest.fixture(scope="module")
def baseline(estate: Estate, shared_proxy: FaultProxy) -> ScanReport:
    shared_proxy.set_faults([])
    # the first request to each of moto's services builds its backend (a few tenths of a
    # second each, more on a loaded machine), past the tier's 0.5 s read timeout: warm them all
    # once with a production timeout, so that only injected faults time out
    warm, _ = scan(estate, shared_proxy.endpoint, read_timeout=60.0)
    assert warm.complete, [w.message for w in warm.warnings]
    report, _ = scan(estate, shared_proxy.endpoint)
    assert shared_proxy.non_reads() == []
    kinds = sorted({(f.kind.value, f.type) for f in report.findings})
    # the estate is what the matrix needs only if every kind of finding is in it
    assert kinds == [
        ("changed", "aws_s3_bucket"), ("changed", "aws_sqs_queue"),
        ("missing", "aws_sns_topic"), ("unmanaged", "aws_sqs_queue"),
    ], kinds
    assert report.complete, [w.message for w in report.warnings]
    return report


@pytest.fixture(autouse=True)
def _scans_only_read() -> Iterator[None]:
    """Every in-process scan of this tier (every AwsContext made) may only read."""
    with recording_aws_scans() as recorder:
        yield
    recorder.assert_read_only()
