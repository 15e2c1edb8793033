"""One writer process of the concurrency test: waits for the start signal, then records its
scans into the history as fast as it can (``python -m tests.history.writer URL N SCANS GO``)."""

from __future__ import annotations

import os
import sys
import time

from cloudrift.history import History
from tests.history.builders import changed, coverage, report

SHARED = 50  # findings every writer reports alike (parallel CI jobs over the same scope)
OWN = 200  # findings in this writer's own region (a shard)


def main(url: str, worker: int, scans: int, go: str) -> None:
    while not os.path.exists(go):
        time.sleep(0.005)
    region = f"region-{worker}"
    cov = coverage(("aws_sqs_queue", "aws_s3_bucket"), ("eu-west-1", region))
    shared = [changed(f"bucket-{i}", rtype="aws_s3_bucket") for i in range(SHARED)]
    for scan in range(scans):
        # each scan fixes one of its own drifts and keeps the rest
        own = [changed(f"w{worker}-q{i}", region=region) for i in range(scan, OWN)]
        with History(url) as store:
            store.record(report(shared + own, day=1 + scan, cov=cov), shard=(worker, 99))
    print(f"writer {worker} done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
