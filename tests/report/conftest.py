"""Fixtures for the renderer tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cloudrift.model import ScanReport
from tests.report.goldens import assert_golden
from tests.report.samples import FIXTURES, empty_report, sample_report


@pytest.fixture
def report() -> ScanReport:
    return sample_report()


@pytest.fixture
def clean_report() -> ScanReport:
    return empty_report()


@pytest.fixture
def golden(update_goldens: bool) -> Callable[[str, str], None]:
    """``golden(name, text)``: ``text`` is what fixtures/reports/``name`` holds."""
    def check(name: str, text: str) -> None:
        assert_golden(FIXTURES / name, text, update=update_goldens)

    return check
