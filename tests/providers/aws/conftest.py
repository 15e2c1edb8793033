"""AWS integration fixtures: real boto3 clients and real scans against moto's server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from cloudrift.engine import Scan, ScanInput
from cloudrift.model import ScanReport, UnmanagedSearch
from cloudrift.plugin import ScanOptions
from cloudrift.sources.tfstate import parse_state
from cloudrift.testing import StateBuilder
from cloudrift_aws import AwsPlugin, AwsProvider
from cloudrift_aws.session import AwsContext
from cloudrift_aws.testing import MotoServer

REGION = "us-east-1"


class Clients:
    """boto3 clients pointed at the emulator, one per (service, region)."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self._session = boto3.session.Session(region_name=REGION)
        self._cache: dict[tuple[str, str], Any] = {}

    def __call__(self, service: str, region: str = REGION) -> Any:
        key = (service, region)
        if key not in self._cache:
            self._cache[key] = self._session.client(
                service, region_name=region, endpoint_url=self.endpoint
            )
        return self._cache[key]


@pytest.fixture
def clients(moto: MotoServer) -> Clients:
    return Clients(moto.endpoint)


ScanFn = Callable[..., ScanReport]

READ_PREFIXES = ("Describe", "List", "Get", "Head")


def assert_read_only(operations: list[str]) -> None:
    """A scan only describes, lists and gets: every operation it made must say so."""
    writes = sorted({op for op in operations if not op.split(":", 1)[1].startswith(READ_PREFIXES)})
    assert not writes, f"a scan made non-read calls: {writes}"


def make_provider(endpoint: str, regions: tuple[str, ...] = (REGION,), strict: bool = False,
                  parallelism: int = 8, types: tuple[str, ...] = (),
                  unmanaged: UnmanagedSearch = "listings") -> AwsProvider:
    """A provider for the emulator; with ``types``, only those are listed (``--type``)."""
    options = ScanOptions(regions=regions, strict=strict, parallelism=parallelism, types=types,
                          unmanaged=unmanaged)
    context = AwsContext(
        boto3.session.Session(region_name=regions[0]), endpoint_url=endpoint,
        parallelism=parallelism, max_attempts=2,
    )
    return AwsProvider(options.selected(AwsPlugin().types()), options, context)


@pytest.fixture
def scan(moto: MotoServer) -> ScanFn:
    """Scan a state (a StateBuilder or a document) against the emulator."""

    def run(state: StateBuilder | dict[str, Any], *, regions: tuple[str, ...] = (REGION,),
            strict: bool = False, types: tuple[str, ...] = (),
            unmanaged: UnmanagedSearch = "listings") -> ScanReport:
        import json

        document = state.document() if isinstance(state, StateBuilder) else state
        parsed = parse_state(json.dumps(document).encode(), "test.tfstate")
        provider = make_provider(moto.endpoint, regions, strict, types=types,
                                 unmanaged=unmanaged)
        report = Scan(ScanInput([parsed]), {"aws": provider}, strict=strict,
                      wants=provider.options.wants, unmanaged=unmanaged).run()
        assert_read_only(provider.ctx.operations)
        return report

    return run
