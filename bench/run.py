"""cloudrift benchmarks: `make bench` runs them, prints a table and writes docs/benchmarks.md.

Timing lives here, never in the test suite. Each figure is the best of several runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from cloudrift import __version__  # noqa: E402
from cloudrift.testing import StateBuilder  # noqa: E402

Row = dict[str, str]


def best_of(runs: int, fn: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def generate_state(path: Path, instances: int) -> None:
    """A state shaped like a large real one: SQS queues and VPCs across modules, count/for_each."""
    builder = StateBuilder()
    for n in range(instances):
        module = f"module.m{n // 1000}"
        if n % 2:
            builder.add("aws_sqs_queue", "q", {
                "id": f"https://sqs.us-east-1.amazonaws.com/123456789012/q{n}",
                "arn": f"arn:aws:sqs:us-east-1:123456789012:q{n}", "name": f"q{n}",
                "visibility_timeout_seconds": 30, "message_retention_seconds": 345600,
                "max_message_size": 262144, "delay_seconds": 0, "receive_wait_time_seconds": 0,
                "fifo_queue": False, "content_based_deduplication": False, "policy": "",
                "redrive_policy": "", "kms_master_key_id": "",
                "tags": {"env": "prod", "n": str(n)}, "tags_all": {"env": "prod", "n": str(n)},
            }, module=module, index_key=f"q{n}")
        else:
            builder.add("aws_vpc", "v", {
                "id": f"vpc-{n:017x}", "arn": f"arn:aws:ec2:us-east-1:123456789012:vpc/vpc-{n}",
                "cidr_block": "10.0.0.0/16", "instance_tenancy": "default",
                "enable_dns_support": True, "enable_dns_hostnames": False,
                "tags": {"env": "prod"}, "tags_all": {"env": "prod"},
            }, module=module, index_key=n)
    builder.write(path)


def _peak_rss_of(code: str) -> tuple[float, float]:
    """Run ``code`` in a fresh interpreter; return (seconds, peak RSS in MiB)."""
    wrapper = (
        "import resource, time, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "start = time.perf_counter()\n"
        f"{code}\n"
        "elapsed = time.perf_counter() - start\n"
        "print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper], check=True, capture_output=True,
                         text=True).stdout.split()
    return float(out[0]), float(out[1])


def bench_ingest(workdir: Path, instances: int) -> list[Row]:
    path = workdir / "big.tfstate"
    generate_state(path, instances)
    size_mib = path.stat().st_size / 2**20
    baseline = _peak_rss_of("pass")[1]
    rows = []
    cases = {
        "json.load": f"import json; json.load(open({str(path)!r}))",
        "orjson.loads": f"import orjson; orjson.loads(open({str(path)!r}, 'rb').read())",
        "cloudrift parse_state": (
            "from cloudrift.sources.tfstate import parse_state\n"
            f"parse_state(open({str(path)!r}, 'rb').read(), 'big')"
        ),
    }
    for name, code in cases.items():
        runs = [_peak_rss_of(code) for _ in range(3)]
        seconds = min(r[0] for r in runs)
        peak = max(r[1] for r in runs) - baseline
        rows.append({
            "benchmark": f"state ingest, {instances:,} instances ({size_mib:.0f} MiB): {name}",
            "result": f"{seconds:.2f} s",
            "detail": f"peak +{peak:.0f} MiB over interpreter ({peak / size_mib:.1f}x file)",
        })
    return rows


def bench_match_diff(count: int) -> list[Row]:
    from cloudrift.engine import Scan, ScanInput
    from cloudrift.model import Resource, Scope
    from cloudrift.plugin import Observation
    from cloudrift.spec import FieldSpec, ResourceSpec

    spec = ResourceSpec("bench_thing", fields=(
        FieldSpec("size", query="size"), FieldSpec("tags", query="tags"),
    ))
    scope = Scope(account="1", region="r")
    desired = [Resource(provider="bench", type="bench_thing", id=str(n), scope=scope,
                        address=f"bench_thing.t[{n}]",
                        attributes={"size": n, "tags": {"env": "prod", "n": str(n)}})
               for n in range(count)]
    actual = [Resource(provider="bench", type="bench_thing", id=str(n), scope=scope,
                       attributes={"size": n + (1 if n % 100 == 0 else 0),
                                   "tags": {"env": "prod", "n": str(n)}})
              for n in range(count)]

    class Provider:
        name = "bench"
        specs = {"bench_thing": spec}

        def desired(self, instances: Any) -> tuple[list[Resource], list[Any]]:
            return desired, []

        def observe(self, _: Any) -> Observation:
            return Observation(resources=actual, scanned={("bench_thing", "r")}, account="1")

    def run() -> None:
        report = Scan(ScanInput([]), {"bench": Provider()}).run()
        assert report.summary.changed == count // 100

    seconds = best_of(3, run)
    return [{"benchmark": f"match + diff, {count:,} managed resources",
             "result": f"{seconds:.2f} s", "detail": f"{count / seconds:,.0f} resources/s"}]


def bench_scan(per_type: int) -> list[Row]:
    """A real scan over HTTP against moto's server: queues and VPCs, all managed, some drifted."""
    import boto3

    from cloudrift.testing import FAKE_CREDENTIALS, MotoServer, environment

    with MotoServer() as server, environment({**FAKE_CREDENTIALS,
                                              "AWS_ENDPOINT_URL": server.endpoint,
                                              "AWS_DEFAULT_REGION": "us-east-1"}):
        sqs = boto3.client("sqs", region_name="us-east-1")
        ec2 = boto3.client("ec2", region_name="us-east-1")
        builder = StateBuilder()
        for n in range(per_type):
            url = sqs.create_queue(QueueName=f"q{n}", Attributes={
                "VisibilityTimeout": "30", "MaximumMessageSize": "262144"})["QueueUrl"]
            builder.add("aws_sqs_queue", "q", {
                "id": url, "arn": f"arn:aws:sqs:us-east-1:123456789012:q{n}",
                "visibility_timeout_seconds": 30 if n % 10 else 31, "max_message_size": 262144,
                "tags": {}, "tags_all": {}}, index_key=n)
            vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]
            builder.add("aws_vpc", "v", {
                "id": vpc["VpcId"], "cidr_block": "10.1.0.0/16", "instance_tenancy": "default",
                "enable_dns_support": True, "enable_dns_hostnames": False, "tags": {},
                "tags_all": {}}, index_key=n)
        with tempfile.TemporaryDirectory() as tmp:
            state = builder.write(Path(tmp) / "s.tfstate")
            out = Path(tmp) / "r.json"
            command = [str(Path(sys.executable).parent / "cloudrift"), "scan", "--from", state,
                       "--to", "aws", "--region", "us-east-1", "-o", f"json://{out}"]
            seconds = best_of(3, lambda: subprocess.run(command, check=False,
                                                        capture_output=True))
            report = json.loads(out.read_text())
    s = report["summary"]
    return [{"benchmark": f"scan via moto server over HTTP, {2 * per_type} managed resources",
             "result": f"{seconds:.2f} s",
             "detail": f"{s['api_calls']} API calls, {s['changed']} changed "
                       f"(whole CLI process, including start-up)"}]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def render(rows: list[Row]) -> str:
    lines = ["| benchmark | result | detail |", "|---|---|---|"]
    lines += [f"| {r['benchmark']} | {r['result']} | {r['detail']} |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", help="markdown file to write the results to")
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--scan-per-type", type=int, default=150)
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += bench_ingest(Path(tmp), args.instances)
    rows += bench_match_diff(args.instances)
    rows += bench_scan(args.scan_per_type)
    table = render(rows)
    print(table)
    if args.write:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        Path(args.write).write_text(
            "# Benchmarks\n\n"
            "Written by `make bench` (bench/run.py). Best of three runs each.\n\n"
            f"- date: {stamp}\n- machine: {machine()}\n- cloudrift {__version__}, "
            f"orjson {orjson.__version__}\n\n{table}\n"
        )


if __name__ == "__main__":
    main()
