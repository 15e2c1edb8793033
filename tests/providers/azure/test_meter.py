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
from cloudrift_azure import AzurePlugin, AzureProvider
from cloudrift_azure.testing import ArmServer
from tests.providers.azure.conftest import SUB, make_context


def _empty() -> ScanInput:
    return ScanInput([parse_state(json.dumps(StateBuilder().document()).encode(), "s")])


@pytest.fixture
def calls(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="cloudrift.calls")
    return caplog


def test_azure_calls_are_logged_and_counted(arm: ArmServer,
                                            calls: pytest.LogCaptureFixture) -> None:
    ticks: list[int] = []
    options = ScanOptions(settings={"azure_subscription": (SUB,)}, parallelism=4,
                          meter=CallMeter(on_call=lambda: ticks.append(1)))
    provider = AzureProvider(AzurePlugin().types(), options, make_context(arm))
    report = Scan(_empty(), {"azure": provider}).run()
    lines = [r.getMessage() for r in calls.records if r.name == "cloudrift.calls"]
    assert report.summary.api_calls == len(lines) == len(ticks) == len(arm.requests) > 0
    assert any(line.startswith("azure resources.list GET /subscriptions/") for line in lines)
