"""Fixtures for the renderer tests."""

from __future__ import annotations

import pytest

from cloudrift.model import ScanReport
from tests.report.samples import empty_report, sample_report


@pytest.fixture
def report() -> ScanReport:
    return sample_report()


@pytest.fixture
def clean_report() -> ScanReport:
    return empty_report()
