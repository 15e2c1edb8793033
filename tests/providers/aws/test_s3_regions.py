"""Which region each bucket lives in, whether the endpoint's ListBuckets says or not.

AWS's ListBuckets gives each bucket's region, and nothing more is asked (``aws_faithful`` adds
it to moto's answers). moto's own server (5.2.6) leaves BucketRegion out but honours
``ListBuckets(BucketRegion=)``: a scan asks that once per region scanned (and once more, for a
second region, to tell an endpoint that honours the filter from one that ignores it), never
GetBucketLocation per bucket. Behind a proxy that drops the filter, as an endpoint that ignores
it would, the scan sees the same full list twice and asks each bucket's location instead: the
buckets land in the same regions every way.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

import pytest

from cloudrift.engine import Scan, ScanInput
from cloudrift.model import FindingKind, ScanReport
from cloudrift.sources.tfstate import parse_state
from cloudrift.testing import StateBuilder
from cloudrift_aws.testing import MotoServer
from cloudrift_aws.testing_emulator import aws_faithful, moto_application, serve
from tests.providers.aws.cases.s3 import _bucket_attrs, _create_bucket
from tests.providers.aws.conftest import Clients, assert_read_only, make_provider

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

REGIONS = ("us-east-1", "eu-west-1")


def _estate(clients: Clients) -> StateBuilder:
    """Two buckets in us-east-1 (one managed), one in eu-west-1 (managed), one in ap-south-1,
    a region the scan does not search."""
    for name, region in (("east-managed", "us-east-1"), ("east-stray", "us-east-1"),
                         ("west-managed", "eu-west-1"), ("south-stray", "ap-south-1")):
        _create_bucket(clients, name, region)
    return (StateBuilder()
            .add("aws_s3_bucket", "east", _bucket_attrs("east-managed", "us-east-1", {}, False))
            .add("aws_s3_bucket", "west", _bucket_attrs("west-managed", "eu-west-1", {},
                                                        False)))


def _placed(report: ScanReport) -> set[tuple[str, str, str]]:
    return {(f.kind.value, f.id, f.scope.region) for f in report.findings
            if f.type == "aws_s3_bucket"}


def _bucket_calls(operations: Iterable[str]) -> Counter[str]:
    return Counter(op for op in operations
                   if op in ("s3:ListBuckets", "s3:GetBucketLocation"))


def _scan(endpoint: str, state: StateBuilder, regions: tuple[str, ...]
          ) -> tuple[ScanReport, Counter[str]]:
    provider = make_provider(endpoint, regions, types=("aws_s3_bucket",))
    parsed = parse_state(json.dumps(state.document()).encode(), "test.tfstate")
    report = Scan(ScanInput([parsed]), {"aws": provider}, wants=provider.options.wants).run()
    assert_read_only(provider.ctx.operations)
    return report, _bucket_calls(provider.ctx.operations)


EXPECTED = {("unmanaged", "east-stray", "us-east-1")}


def test_a_listing_per_region_places_the_buckets(moto: MotoServer, clients: Clients) -> None:
    state = _estate(clients)
    report, calls = _scan(moto.endpoint, state, REGIONS)
    assert _placed(report) == EXPECTED
    assert report.summary.in_sync == 2
    # the account's listing, then one per region; us-east-1's answer is short of the full list,
    # so the filter is known to work without a probe
    assert calls == Counter({"s3:ListBuckets": 3})


def test_one_region_holding_every_bucket_takes_one_probe(moto: MotoServer,
                                                          clients: Clients) -> None:
    for name in ("only-a", "only-b"):
        _create_bucket(clients, name, "us-east-1")
    state = StateBuilder().add("aws_s3_bucket", "a", _bucket_attrs("only-a", "us-east-1", {},
                                                                  False))
    report, calls = _scan(moto.endpoint, state, ("us-east-1",))
    assert _placed(report) == {("unmanaged", "only-b", "us-east-1")}
    # the region's answer is the full list: a second region's (empty) answer shows the filter
    assert calls == Counter({"s3:ListBuckets": 3})


def _drop_region_filter(app: WSGIApplication) -> WSGIApplication:
    def middleware(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        query = [(k, v) for k, v in parse_qsl(str(environ.get("QUERY_STRING", "")),
                                               keep_blank_values=True) if k != "bucket-region"]
        environ["QUERY_STRING"] = urlencode(query)
        return app(environ, start_response)

    return middleware


@pytest.fixture
def ignoring_endpoint(moto: MotoServer) -> Iterator[str]:
    """moto's application (the same emulated cloud as ``moto``) behind a middleware that drops
    ListBuckets' BucketRegion filter, on 127.0.0.1."""
    with serve(_drop_region_filter(moto_application())) as endpoint:
        yield endpoint


@pytest.fixture
def faithful_endpoint(moto: MotoServer) -> Iterator[str]:
    """The same cloud answering ListBuckets with each bucket's BucketRegion, as AWS does."""
    with serve(aws_faithful(moto_application())) as endpoint:
        yield endpoint


def test_where_the_listing_gives_the_region_nothing_more_is_asked(
        faithful_endpoint: str, clients: Clients) -> None:
    state = _estate(clients)
    report, calls = _scan(faithful_endpoint, state, REGIONS)
    assert _placed(report) == EXPECTED
    assert report.summary.in_sync == 2
    assert calls == Counter({"s3:ListBuckets": 1})


def test_an_endpoint_that_ignores_the_filter_is_asked_bucket_by_bucket(
        ignoring_endpoint: str, clients: Clients) -> None:
    state = _estate(clients)
    report, calls = _scan(ignoring_endpoint, state, REGIONS)
    assert _placed(report) == EXPECTED
    assert report.summary.in_sync == 2
    # the account's listing, us-east-1's (the full list), the probe (the full list again), then
    # every bucket's location, once for both regions
    assert calls == Counter({"s3:ListBuckets": 3, "s3:GetBucketLocation": 4})


def test_a_scan_never_lists_a_bucket_twice_across_regions(moto: MotoServer,
                                                          clients: Clients) -> None:
    _estate(clients)
    report, _ = _scan(moto.endpoint, StateBuilder(), ("us-east-1", "eu-west-1", "ap-south-1"))
    placed = {(f.id, f.scope.region) for f in report.findings
              if f.type == "aws_s3_bucket" and f.kind is FindingKind.UNMANAGED}
    assert placed == {("east-managed", "us-east-1"), ("east-stray", "us-east-1"),
                      ("west-managed", "eu-west-1"), ("south-stray", "ap-south-1")}
