"""Run the watch loop as ``cloudrift watch`` does (its ScanJob, history, outputs, server) for
``warm + cycles`` scans and print, as JSON, how much memory it held after the warm-up and at the
end: Python's allocated blocks (after a full collection: what objects the loop keeps) and the
resident set size.

A process of its own, started by tests/watch/test_process.py: the test session's fixtures
(which record every AWS call) would otherwise be counted. Usage:
``python -m tests.watch.memory_probe STATE_PATH WARM CYCLES`` with AWS_ENDPOINT_URL set.
"""

from __future__ import annotations

import gc
import json
import sys
import urllib.request
from pathlib import Path

from cloudrift.api import resolve
from cloudrift.watch.cycle import check_settings, cycle_function
from cloudrift.watch.loop import Finished, Watcher
from cloudrift.watch.schedule import Every, Jitter
from cloudrift.watch.server import WatchServer
from cloudrift.watch.state import WatchState


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def measure() -> tuple[int, int]:
    gc.collect()
    return sys.getallocatedblocks(), rss_kib()


def main(state_path: str, warm: int, cycles: int) -> None:
    values = resolve({"from": [f"tfstate://{state_path}"], "to": ["aws"],
                      "region": ["eu-west-1"], "type": ["aws_sqs_queue"], "quiet": True,
                      "output": ["json://out/drift.json", "html://out/drift.html"]})
    check_settings(values)
    scan = cycle_function(values, (), lambda line: None)

    schedule = Every(0.01)
    state = WatchState(schedule.describe())
    server = WatchServer(state, "127.0.0.1", 0).start()

    def scrape(outcome: Finished) -> None:
        for path in ("/", "/metrics", "/healthz"):
            with urllib.request.urlopen(server.url + path, timeout=30) as answer:
                answer.read()

    watcher = Watcher(scan, schedule, Jitter(0.0), state=state, hooks=[scrape])
    try:
        watcher.run(max_scans=warm, handle_signals=False)
        blocks_warm, rss_warm = measure()
        watcher.run(max_scans=cycles, handle_signals=False)
        blocks_end, rss_end = measure()
    finally:
        server.stop()
    print(json.dumps({"scans": sum(state.scans.values()), "results": dict(state.scans),
                      "blocks_warm": blocks_warm, "blocks_end": blocks_end,
                      "rss_warm_kib": rss_warm, "rss_end_kib": rss_end}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
