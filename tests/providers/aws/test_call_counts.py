"""What a scan costs does not grow with what it manages, where AWS has a bulk form.

Against moto's server, with renamed copies of each type's case (``copies.py``):

every type whose spec reads everything from its listing (no detail call, not listed per parent)
makes exactly the same calls with three managed resources as with one.

The figures published in docs/providers/aws.md come from ``measure.py``; ``test_docs.py``
checks them against the specs without running a scan.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cloudrift_aws import AwsPlugin
from cloudrift_aws.docs import kind
from cloudrift_aws.testing import MotoServer
from tests.providers.aws.cases import Attrs
from tests.providers.aws.copies import create_copy
from tests.providers.aws.measure import KNOWN_PER_RESOURCE, cases_by_type, drift, scan_calls

SPECS = AwsPlugin().types()
CASES = cases_by_type()
BULK = [rtype for rtype, spec in SPECS.items() if kind(spec) == "bulk"]
COPIES = 3
# types AWS makes one of (per region, or per availability zone): three cannot be made
SINGLETONS = {
    "aws_default_vpc": "one default VPC a region",
    "aws_default_subnet": "one default subnet an availability zone",
    "aws_s3_account_public_access_block": "one per account",
}


@pytest.fixture(scope="module")
def estate(moto_server: MotoServer) -> Iterator[MotoServer]:
    """One server for the module, wiped once: each test's copies carry names of their own, so
    tests add to one estate instead of paying for a fresh region (and its default VPC) each."""
    moto_server.reset()
    yield moto_server
    moto_server.reset()


def test_the_bulk_types_are_many() -> None:
    # a spec lint that made every type "details" would leave the test below nothing to test
    assert len(BULK) > len(SPECS) // 3


@pytest.mark.parametrize("rtype", [
    pytest.param(t, marks=pytest.mark.xfail(reason=KNOWN_PER_RESOURCE[t], strict=True))
    if t in KNOWN_PER_RESOURCE else t for t in BULK])
def test_three_managed_cost_what_one_costs(rtype: str, estate: MotoServer) -> None:
    if rtype in SINGLETONS:
        pytest.skip(SINGLETONS[rtype])
    case = CASES[rtype]
    made: list[Attrs] = [create_copy(case, estate.endpoint, f"b{BULK.index(rtype)}x{k}")
                         for k in range(COPIES)]

    one = scan_calls(estate.endpoint, rtype, made[:1], case)
    every = scan_calls(estate.endpoint, rtype, made, case)

    assert drift(every.report, rtype) == []
    assert every.report.summary.in_sync == COPIES
    assert every.calls == one.calls, (
        f"{rtype}: its spec reads everything from its listing, yet {COPIES} managed "
        f"resources cost {dict(every.calls)} and one {dict(one.calls)}")
