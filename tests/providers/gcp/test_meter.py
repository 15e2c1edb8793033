"""--verbose logs every call and the progress display counts it, for this cloud as for AWS
(each provider's session reports to the scan's one meter)."""

from __future__ import annotations

import json
import logging

import pytest

from cloudrift.engine import Scan, ScanInput
from cloudrift.meter import CallMeter
from cloudrift.plugin import ScanOptions
from cloudrift.sources.tfstate import parse_state
from cloudrift.testing import StateBuilder
from cloudrift_gcp import GcpPlugin, GcpProvider
from tests.providers.gcp.conftest import SCOPE, GcpWorld, make_session


def _empty() -> ScanInput:
    return ScanInput([parse_state(json.dumps(StateBuilder().document()).encode(), "s")])


@pytest.fixture
def calls(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="cloudrift.calls")
    return caplog


def test_gcp_calls_are_logged_and_counted(gcp: GcpWorld,
                                          calls: pytest.LogCaptureFixture) -> None:
    gcp.publish([])
    ticks: list[int] = []
    options = ScanOptions(settings={"gcp_scope": (SCOPE,)},
                          meter=CallMeter(on_call=lambda: ticks.append(1)))
    provider = GcpProvider(GcpPlugin().types(), options, make_session(gcp.server.endpoint))
    report = Scan(_empty(), {"gcp": provider}).run()
    lines = [r.getMessage() for r in calls.records if r.name == "cloudrift.calls"]
    assert report.summary.api_calls == len(lines) == len(ticks) == len(gcp.server.list_calls)
    assert all(line.startswith(f"gcp ListAssets {SCOPE}") for line in lines)
