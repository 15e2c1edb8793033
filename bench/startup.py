"""Start-up: from process start to the first API call of `cloudrift scan` (target <= 0.25 s).

The command is the one a CI job runs, ``cloudrift scan --from STATE --to aws``, against moto's
server (in a process of its own) behind a forwarding proxy on 127.0.0.1 that notes when the
first request arrives. The clock starts just before the process is spawned, so the figure holds
the interpreter's own start, every import and the reading of the state. Best of several runs;
the machine is shared, so single runs are noisy.

Beside the wall time, the CPU time the process had used when its first request arrived
(``/proc/PID/stat``, 10 ms ticks): on a shared machine the wall time moves with the other
processes' load, the CPU time much less. The detail names the slowest imports of that process
(``-X importtime``, cumulative, top-level packages), so a regression says where it came from.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from cloudrift.testing import FAKE_CREDENTIALS, StateBuilder
from cloudrift.testing.faults import FaultProxy
from cloudrift.testing.servers import Exchange, Request

Row = dict[str, str]
TARGET_S = 0.25


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a running process (Linux), None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of stat(5); these fields start at field 3
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class FirstCall(FaultProxy):
    """A forwarding proxy that notes when its first request arrived (``time.perf_counter``)
    and how much CPU time the process ``pid`` had used by then."""

    def __init__(self, upstream: str) -> None:
        super().__init__(upstream)
        self.first: float | None = None
        self.cpu: float | None = None
        self.pid: int | None = None
        self.arrived = threading.Event()

    def reset(self, pid: int | None = None) -> None:
        self.first = self.cpu = None
        self.pid = pid
        self.arrived.clear()

    def serve(self, exchange: Exchange, request: Request) -> None:
        if not self.arrived.is_set():
            self.first = time.perf_counter()
            self.cpu = cpu_seconds(self.pid) if self.pid is not None else None
            self.arrived.set()
        super().serve(exchange, request)


def small_state(path: Path) -> str:
    builder = StateBuilder()
    builder.add("aws_sqs_queue", "q", {
        "id": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "name": "q",
        "visibility_timeout_seconds": 30, "tags": {}, "tags_all": {}})
    builder.add("aws_vpc", "v", {"id": "vpc-0123456789abcdef0", "cidr_block": "10.0.0.0/16",
                                 "tags": {}, "tags_all": {}})
    return builder.write(path)


def scan_command(state: str, report: str) -> list[str]:
    return [str(Path(sys.executable).parent / "cloudrift"), "scan", "--from", state,
            "--to", "aws", "--region", "us-east-1", "-q", "--no-history",
            "-o", f"json://{report}"]


def _import_times(command: list[str], env: dict[str, str], cwd: str) -> list[tuple[str, float]]:
    """Cumulative import time per top-level package of one run, slowest first (seconds)."""
    completed = subprocess.run([sys.executable, "-X", "importtime", *command], env=env,
                               cwd=cwd, capture_output=True, text=True, check=False)
    totals: dict[str, float] = defaultdict(float)
    for line in completed.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        # a top-level import is indented by one space; a package's own submodules are nested
        if match and len(match.group(2)) == 1:
            name = match.group(3).split(".")[0]
            totals[name] += int(match.group(1)) / 1e6
    return sorted(totals.items(), key=lambda item: -item[1])


def measure(runs: int = 7) -> dict[str, Any]:
    from cloudrift_aws.testing import MotoServer

    with MotoServer(own_process=True) as moto, tempfile.TemporaryDirectory() as tmp:
        proxy = FirstCall(moto.endpoint).start()
        try:
            env = {**os.environ, **FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": proxy.endpoint,
                   "AWS_DEFAULT_REGION": "us-east-1"}
            command = scan_command(small_state(Path(tmp) / "s.tfstate"), f"{tmp}/r.json")
            starts: list[float] = []
            cpus: list[float] = []
            totals: list[float] = []
            for _ in range(runs):
                proxy.reset()
                start = time.perf_counter()
                with subprocess.Popen(command, env=env, cwd=tmp, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL) as process:
                    # long before the child's first request: its interpreter is still starting
                    proxy.pid = process.pid
                    process.wait()
                totals.append(time.perf_counter() - start)
                if not proxy.arrived.wait(5) or proxy.first is None:
                    raise RuntimeError("the scan made no API call")
                starts.append(proxy.first - start)
                if proxy.cpu is not None:
                    cpus.append(proxy.cpu)
            imports = _import_times(command, env, tmp)
        finally:
            proxy.stop()
    return {"start_up": min(starts), "median": sorted(starts)[len(starts) // 2],
            "cpu": min(cpus) if cpus else None, "whole": min(totals), "imports": imports,
            "runs": runs, "load": os.getloadavg()[0]}


def bench_startup(runs: int = 7) -> list[Row]:
    m = measure(runs)
    verdict = "met" if m["start_up"] <= TARGET_S else "MISSED"
    top = ", ".join(f"{name} {seconds:.3f} s" for name, seconds in m["imports"][:6])
    cpu = f"{m['cpu']:.2f} s of CPU time by then; " if m["cpu"] is not None else ""
    return [{
        "benchmark": "start-up: process start to first API call (`cloudrift scan --from "
                     "STATE --to aws`, via moto)",
        "result": f"{m['start_up']:.3f} s",
        "detail": f"best of {m['runs']} (median {m['median']:.3f} s; load average "
                  f"{m['load']:.1f} on {os.cpu_count()} cores, so noisy); target <= "
                  f"{TARGET_S} s: {verdict}; {cpu}whole process {m['whole']:.2f} s; slowest "
                  "imports of the process (-X importtime, cumulative, top-level, including "
                  f"those after the first call): {top}",
    }]


if __name__ == "__main__":
    from bench.run import render

    print(render(bench_startup()))
