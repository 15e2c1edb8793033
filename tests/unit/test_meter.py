"""One call meter: counts per session label, the --verbose call log and the progress display
for every provider alike."""

from __future__ import annotations

import logging
import threading

import pytest

from cloudrift.meter import CallMeter


def test_counts_per_label_and_a_log_line_per_call(caplog: pytest.LogCaptureFixture) -> None:
    ticks: list[int] = []
    meter = CallMeter(on_call=lambda: ticks.append(1))
    with caplog.at_level(logging.INFO, logger="cloudrift.calls"):
        meter.record("aws", "sqs:ListQueues")
        meter.record("aws", "sqs:ListQueues")
        meter.record("gcp", "ListAssets", detail="projects/acme")
    assert meter.counts("aws") == {"sqs:ListQueues": 2}
    assert meter.counts("gcp") == {"ListAssets": 1}
    assert meter.operations("aws") == ["sqs:ListQueues", "sqs:ListQueues"]
    assert meter.total == 3 == len(ticks)
    assert [r.getMessage() for r in caplog.records] == [
        "aws sqs:ListQueues", "aws sqs:ListQueues", "gcp ListAssets projects/acme"]


def test_counts_are_copies_and_threads_lose_nothing() -> None:
    meter = CallMeter()
    workers = [threading.Thread(target=lambda: [meter.record("azure", "resources.list")
                                                for _ in range(500)]) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    counts = meter.counts("azure")
    counts["resources.list"] = 0
    assert meter.counts("azure") == {"resources.list": 2000}
