"""``cloudrift watch`` as a real process against moto: drift shows in /metrics and the history
as it comes and goes, SIGTERM mid-scan finishes or abandons the scan cleanly, and memory stays
flat over 100 short cycles."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cloudrift.testing.faults import Fault, FaultKind, FaultProxy
from cloudrift_aws.testing import MotoServer
from tests.watch.conftest import CLI, Estate, WatchProcess

Start = Callable[..., WatchProcess]
ROOT = Path(__file__).resolve().parents[2]
FAST = ["--type", "aws_sqs_queue", "--jitter", "0"]


def metrics(watch: WatchProcess) -> dict[str, list[tuple[dict[str, str], float]]]:
    status, _, body = watch.get("/metrics")
    assert status == 200
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def scans_done(watch: WatchProcess) -> int:
    return int(sum(value for _, value in metrics(watch)["cloudrift_scans_total"]))


def wait_for_scans(watch: WatchProcess, count: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while scans_done(watch) < count:
        assert watch.process.poll() is None, "\n".join(watch.lines)
        assert time.monotonic() < deadline, f"fewer than {count} scans:\n" + "\n".join(
            watch.lines)
        time.sleep(0.05)


def history_scans(directory: Path) -> list[tuple[int, int, int, int]]:
    """(id, findings, new, resolved) of every scan in the watch's history."""
    with sqlite3.connect(directory / ".cloudrift" / "history.db") as db:
        return list(db.execute("select id, findings, new, resolved from scans order by id"))


def test_drift_comes_and_goes_in_metrics_and_history(estate: Estate, watch_process: Start,
                                                     tmp_path: Path) -> None:
    report = tmp_path / "out" / "drift.json"
    watch = watch_process(*estate.args(), *FAST, "--every", "0.2s", "-o", f"json://{report}",
                          env=estate.env)
    wait_for_scans(watch, 1)
    assert "cloudrift_drift_findings" not in {
        name for name, samples in metrics(watch).items() if samples}
    estate.drift()
    scans = scans_done(watch)
    wait_for_scans(watch, scans + 2)  # the one running when it drifted may not have seen it
    drift = metrics(watch)["cloudrift_drift_findings"]
    assert drift == [({"kind": "changed", "type": "aws_sqs_queue",
                       "root_module": str(estate.state), "provider": "aws"}, 1.0)]
    assert json.loads(report.read_text())["summary"]["changed"] == 1
    estate.fix()
    scans = scans_done(watch)
    wait_for_scans(watch, scans + 2)
    found = metrics(watch)
    assert found.get("cloudrift_drift_findings", []) == []
    assert watch.stop() == 0
    rows = history_scans(tmp_path)
    # one scan saw it new, the one after the fix resolved it
    assert sum(new for _, _, new, _ in rows) == 1
    assert sum(resolved for _, _, _, resolved in rows) == 1
    assert len(rows) == len([line for line in watch.lines if re.search(r"scan \d+ finished",
                                                                      line)])


def _stalled_watch(estate: Estate, watch_process: Start, proxy: FaultProxy, report: Path,
                   grace: str) -> WatchProcess:
    """A watch whose second scan hangs on its SQS listing."""
    watch = watch_process(*estate.args(), *FAST, "--every", "0.5s", "--grace", grace,
                          "-o", f"json://{report}", env={"AWS_ENDPOINT_URL": proxy.endpoint})
    wait_for_scans(watch, 1)
    proxy.set_faults([Fault(FaultKind.STALL, service="sqs", operation="ListQueues", limit=1)])
    assert proxy.wait_stalled(60), "the second scan never reached the stalled call"
    return watch


def test_sigterm_mid_scan_waits_for_it_within_the_grace(estate: Estate, watch_process: Start,
                                                        moto: MotoServer,
                                                        tmp_path: Path) -> None:
    report = tmp_path / "out" / "drift.json"
    with FaultProxy(moto.endpoint, stall_seconds=3.0) as proxy:
        watch = _stalled_watch(estate, watch_process, proxy, report, grace="60s")
        before = json.loads(report.read_text())["scan_id"]
        watch.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while watch.get("/healthz")[0] == 200:
            assert time.monotonic() < deadline, "/healthz never said it was stopping"
            time.sleep(0.02)
        status, _, body = watch.get("/healthz")
        assert (status, json.loads(body)["status"]) == (503, "stopping")
        assert watch.wait(timeout=60) == 0
        assert proxy.non_reads() == []
    after = json.loads(report.read_text())["scan_id"]
    assert int(after) == int(before) + 1, "the running scan did not finish"
    assert [row[0] for row in history_scans(tmp_path)] == [1, 2]
    assert any("waiting up to 60s for the running scan" in line for line in watch.lines)
    assert list((tmp_path / "out").iterdir()) == [report], "a temporary file was left"


def test_sigterm_past_the_grace_abandons_the_scan_and_records_nothing(
        estate: Estate, watch_process: Start, moto: MotoServer, tmp_path: Path) -> None:
    report = tmp_path / "out" / "drift.json"
    with FaultProxy(moto.endpoint, stall_seconds=120.0) as proxy:
        watch = _stalled_watch(estate, watch_process, proxy, report, grace="0.5s")
        before = report.read_text()
        watch.process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = watch.wait(timeout=30)
        took = time.monotonic() - started
    assert code == 130, "\n".join(watch.lines)
    assert took < 20, "the process waited for the stalled call"
    assert report.read_text() == before
    assert [row[0] for row in history_scans(tmp_path)] == [1]
    assert list((tmp_path / "out").iterdir()) == [report], "a temporary file was left"
    assert any("the running scan was abandoned" in line for line in watch.lines)
    with sqlite3.connect(tmp_path / ".cloudrift" / "history.db") as db:
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)


def test_bad_settings_fail_at_start_with_exit_2(tmp_path: Path) -> None:
    for args, message in [
        ((), "watch needs one of --every and --cron"),
        (("--every", "1h", "--cron", "0 * * * *"), "watch needs one of --every and --cron"),
        (("--every", "soon"), "--every 'soon' is not a duration"),
        (("--cron", "0 25 * * *"), "is not a cron expression"),
        (("--every", "1h", "--jitter", "2"), "--jitter '2'"),
        (("--every", "1h", "--listen", "nowhere"), "--listen 'nowhere' is not HOST:PORT"),
        (("--every", "1h", "-o", "pdf://x"), "unknown output format 'pdf'"),
    ]:
        done = subprocess.run([*CLI, "watch", *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr
        assert done.stderr.startswith("cloudrift: error: ")


# keeping each scan's outcome (its report of one finding) adds ~90 blocks a scan, 9,000 over the
# run; caches that fill once (botocore's, importlib's, the bounded list of recent scans) come to
# about 1,200 in all
BLOCKS_BOUND = 5_000
# what is left of the resident set to the allocator (arenas that threads fragment): a loose
# bound that a leak of a report per scan, several MiB over 100 scans, still crosses
RSS_BOUND_KIB = 32 * 1024


def test_memory_stays_flat_over_100_short_cycles(estate: Estate, tmp_path: Path) -> None:
    if not Path("/proc/self/status").exists():
        pytest.skip("no /proc on this machine: RSS cannot be read")
    estate.drift()  # every cycle has a finding to record, render, serve and count
    env = {**os.environ, **estate.env, "MALLOC_ARENA_MAX": "2"}
    env.pop("CLOUDRIFT_NO_HISTORY", None)
    done = subprocess.run(
        [sys.executable, "-m", "tests.watch.memory_probe", str(estate.state), "20", "100"],
        cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=900, stdin=subprocess.DEVNULL, check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["scans"] == 120
    assert found["results"] == {"drift": 120}
    blocks = found["blocks_end"] - found["blocks_warm"]
    rss = found["rss_end_kib"] - found["rss_warm_kib"]
    print(f"over 100 scans after 20: {blocks:+} allocated blocks, {rss:+} KiB resident")
    assert blocks < BLOCKS_BOUND, f"the loop kept {blocks} more blocks after 100 scans"
    assert rss < RSS_BOUND_KIB, f"RSS grew {rss} KiB over 100 scans"
