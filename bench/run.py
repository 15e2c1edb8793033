"""cloudrift benchmarks: `make bench` runs them all, prints them and writes docs/benchmarks.md.

Timing lives here, never in the test suite. Each figure is the best of several runs. The page
has one section per benchmark, each stamped with its date, machine and load average.

``--only NAME[,NAME]`` runs the named benchmarks alone. With ``--write``, their sections replace
the ones of the same name in the existing page and every other section is kept as it was (with
its own stamp), so one benchmark can be rerun without the twenty minutes of all of them; a run
of every benchmark rewrites the page from nothing. ``--skip-terraform`` leaves out the estates
judged against terraform (bench/terraform.py, bench/estates.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from cloudrift import __version__  # noqa: E402
from cloudrift.testing import StateBuilder  # noqa: E402

Row = dict[str, str]
MIB = 2**20


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


# The measuring child. ru_maxrss is useless here: Linux carries a process's peak RSS across exec
# and subprocess starts children by (v)forking this process, so every child "peaked" at no less
# than the parent, which holds the generated state. VmHWM is the child's own address space, and
# writing 5 to clear_refs resets it once the imports are done, so the peak is the ingest's alone.
_MEASURE = """\
import gc, json, sys, time
sys.path.insert(0, {root!r})
{setup}

def status(field):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise LookupError(field)

gc.collect()
try:
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")
except OSError:
    pass
before = status("VmRSS")
start = time.perf_counter()
result = {work}
elapsed = time.perf_counter() - start
print(json.dumps({{"seconds": elapsed, "before": before, "peak": status("VmHWM"),
                  "after": status("VmRSS")}}))
"""


@dataclass(frozen=True)
class Ingest:
    """One ingest of the state file in a fresh interpreter: its time and memory."""

    seconds: float
    interpreter: float  # RSS of the interpreter with its imports, just before the ingest
    peak: float  # RSS high-water mark during the ingest
    after: float  # RSS once the input is freed and only the result is kept

    @property
    def growth(self) -> float:
        return self.peak - self.interpreter

    @property
    def kept(self) -> float:
        return self.after - self.interpreter


def _measure(setup: str, work: str) -> Ingest:
    code = _MEASURE.format(root=str(ROOT), setup=setup, work=work)
    completed = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                               text=True)
    out = json.loads(completed.stdout)
    return Ingest(out["seconds"], out["before"], out["peak"], out["after"])


def bench_ingest(workdir: Path, instances: int) -> list[Row]:
    path = workdir / "big.tfstate"
    generate_state(path, instances)
    size = path.stat().st_size
    if not Path("/proc/self/status").exists():
        return [{"benchmark": f"state ingest, {instances:,} instances", "result": "skipped",
                 "detail": "needs Linux's /proc/self/status (VmHWM) to measure peak memory"}]
    cases = {
        "json.load": ("", f"json.load(open({str(path)!r}, encoding='utf-8'))"),
        "orjson.loads": ("import orjson", f"orjson.loads(open({str(path)!r}, 'rb').read())"),
        "cloudrift parse_state": (
            "from cloudrift.sources.tfstate import parse_state",
            f"parse_state(open({str(path)!r}, 'rb').read(), 'big')",
        ),
        # what a scan of a local file does: read in chunks, parsed resource by resource
        "cloudrift read_state": (
            "from cloudrift.sources.tfstate import read_state",
            f"read_state(open({str(path)!r}, 'rb'), 'big')",
        ),
    }
    measured: dict[str, Ingest] = {}
    for name, (setup, work) in cases.items():
        runs = [_measure(setup, work) for _ in range(3)]
        # the best time, and the memory of the run that grew most
        worst = max(runs, key=lambda r: r.growth)
        measured[name] = Ingest(min(r.seconds for r in runs), worst.interpreter, worst.peak,
                                worst.after)
    rows = []
    for name, m in measured.items():
        rows.append({
            "benchmark": f"state ingest, {instances:,} instances ({size / MIB:.0f} MiB): {name}",
            "result": f"{m.seconds:.2f} s",
            "detail": f"peak +{m.growth / MIB:.0f} MiB over the interpreter and its imports "
                      f"({m.interpreter / MIB:.0f} MiB), {m.growth / size:.1f}x the file; "
                      f"the result keeps {m.kept / size:.1f}x",
        })
    for row, name in ((rows[-2], "cloudrift parse_state"), (rows[-1], "cloudrift read_state")):
        row["detail"] += "; " + _ingest_verdict(
            measured[name], measured["orjson.loads"], measured["json.load"], size, path,
            parse_state_before=PARSE_STATE_BEFORE if name.endswith("read_state") else None)
    return rows


# parse_state before it parsed resource by resource (docs/benchmarks.md of 2026-11-24, best of
# three): the speed the streamed read may not fall more than 20% behind
PARSE_STATE_BEFORE = {"seconds": 0.85, "orjson_ratio": 1.66}


# parse_state under cProfile in a fresh process: the functions that take the most time of
# their own, orjson.loads (the floor) left out
_PROFILE = """import cProfile, json, pstats, sys
sys.path.insert(0, {root!r})
from cloudrift.sources.tfstate import parse_state
data = open({path!r}, "rb").read()
profile = cProfile.Profile()
profile.runcall(parse_state, data, "big")
own = sorted(((value[2], key[2]) for key, value in pstats.Stats(profile).stats.items()
              if "orjson" not in key[2]), reverse=True)
print(json.dumps(own[:3]))
"""


def _hot_spots(path: Path) -> str:
    code = _PROFILE.format(root=str(ROOT), path=str(path))
    completed = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                               text=True)
    return ", ".join(f"{name} {seconds:.2f} s" for seconds, name in json.loads(completed.stdout))


def _ingest_verdict(ours: Ingest, floor: Ingest, stdlib: Ingest, size: int,
                    path: Path, parse_state_before: dict[str, float] | None = None) -> str:
    """The targets (within 2x of orjson.loads, peak within 3x of the file and, for the
    streamed read, no more than 20% slower than parse_state was, relative to orjson.loads
    measured in the same run) and, where one is missed, where the excess goes."""
    ratio = ours.seconds / floor.seconds
    memory = ours.growth / size
    notes = [f"{ratio:.2f}x orjson.loads (target <= 2x: {'met' if ratio <= 2 else 'MISSED'})",
             f"peak {memory:.2f}x the file (target <= 3x: {'met' if memory <= 3 else 'MISSED'})"]
    if parse_state_before is not None:
        # against orjson.loads of the same run: a shared machine's load moves both alike
        slower = ratio / parse_state_before["orjson_ratio"] - 1
        notes.append(f"{slower:+.0%} against parse_state before the streamed read "
                     f"({parse_state_before['orjson_ratio']:.2f}x orjson.loads; target: no "
                     f"more than +20%: {'met' if slower <= 0.2 else 'MISSED'})")
    if ratio > 2:
        notes.append(
            f"missed: the {ours.seconds - floor.seconds:.2f} s above the floor build one "
            f"StateInstance per instance, most of it (by cProfile) in {_hot_spots(path)}; "
            f"2x needs that work under {floor.seconds:.2f} s, e.g. a fast path for the common "
            "case (plain keys, no sensitive attributes) in those functions"
        )
    if memory > 3:
        # parse_state is handed the whole text: it is held, with the result, to the end
        scratch = ours.growth - size - ours.kept
        notes.append(
            f"missed because the caller's bytes (1.0x the file) are held to the end, with the "
            f"result ({ours.kept / size:.1f}x: a Python object per JSON value) and "
            f"{max(scratch, 0) / size:.1f}x of one resource's parse at a time; read_state, "
            "which reads a local file in chunks, does not hold the text"
        )
    return "; ".join(notes)


def bench_match_diff(count: int) -> list[Row]:
    from cloudrift.engine import Scan, ScanInput
    from cloudrift.model import Resource, Scope
    from cloudrift.plugin import Observation, Unit
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
        state_providers = ("bench",)
        specs = {"bench_thing": spec}

        def desired(self, instances: Any) -> tuple[list[Resource], list[Any]]:
            return desired, []

        def observe(self, _: Any) -> Observation:
            return Observation(resources=actual, scanned={Unit("bench_thing", "r", "1")})

    def run() -> None:
        report = Scan(ScanInput([]), {"bench": Provider()}).run()
        assert report.summary.changed == count // 100

    seconds = best_of(3, run)
    return [{"benchmark": f"match + diff, {count:,} managed resources",
             "result": f"{seconds:.2f} s", "detail": f"{count / seconds:,.0f} resources/s"}]


def bench_scan(per_type: int) -> list[Row]:
    """A real scan over HTTP against moto's server: queues and VPCs, all managed, some drifted."""
    import boto3

    from cloudrift.testing import FAKE_CREDENTIALS, environment
    from cloudrift_aws.testing import MotoServer

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
            from bench.terraform import scan_environment

            env = scan_environment(os.environ, Path(tmp))
            seconds = best_of(3, lambda: subprocess.run(command, check=False, env=env,
                                                        capture_output=True))
            report = json.loads(out.read_text())
    s = report["summary"]
    return [{"benchmark": f"scan via moto server over HTTP, {2 * per_type} managed resources",
             "result": f"{seconds:.2f} s",
             "detail": f"{s['api_calls']} API calls, {s['changed']} changed "
                       f"(whole CLI process, including start-up)"}]


def generate_hcl(root: Path, target_bytes: int) -> tuple[int, int]:
    """A repository shaped like a large real one: a root module calling many local modules
    (some twice, with count and for_each), each module with several files of resources: queues,
    buckets, IAM roles with heredoc policies, security groups with dynamic blocks.
    Returns (files, bytes)."""
    resource = """resource "aws_sqs_queue" "q{n}" {{
  name                       = "${{var.prefix}}-orders-{n}"
  visibility_timeout_seconds = 30
  message_retention_seconds  = 345600
  redrive_policy = jsonencode({{
    deadLetterTargetArn = aws_sqs_queue.dlq{n}.arn
    maxReceiveCount     = 5
  }})
  tags = merge(var.tags, {{ Name = "orders-{n}" }})
}}

resource "aws_sqs_queue" "dlq{n}" {{
  name = "${{var.prefix}}-orders-{n}-dlq"
  tags = var.tags
}}

resource "aws_s3_bucket" "b{n}" {{
  for_each = toset(["logs", "assets"])
  bucket   = "${{var.prefix}}-${{each.key}}-{n}"
  tags     = var.tags
}}

resource "aws_iam_role" "r{n}" {{
  name               = "${{var.prefix}}-role-{n}"
  assume_role_policy = <<-EOT
    {{
      "Version": "2012-10-17",
      "Statement": [{{"Effect": "Allow", "Principal": {{"Service": "lambda.amazonaws.com"}},
                      "Action": "sts:AssumeRole"}}]
    }}
  EOT
}}

resource "aws_security_group" "sg{n}" {{
  name   = "${{var.prefix}}-sg-{n}"
  vpc_id = var.vpc_id

  dynamic "ingress" {{
    for_each = var.ports
    content {{
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [for cidr in var.cidrs : cidr if cidr != "0.0.0.0/0"]
    }}
  }}
}}

"""
    variables = """variable "prefix" {
  type = string
}

variable "vpc_id" {
  type    = string
  default = null
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "ports" {
  type    = list(number)
  default = [80, 443]
}

variable "cidrs" {
  type    = list(string)
  default = ["10.0.0.0/8"]
}
"""
    files = 0
    written = 0
    calls = []
    module = 0
    while written < target_bytes:
        directory = root / "modules" / f"service{module:03d}"
        directory.mkdir(parents=True)
        for part in range(3):
            text = "".join(resource.format(n=module * 1000 + part * 100 + k) for k in range(4))
            (directory / f"part{part}.tf").write_text(text)
            written += len(text)
            files += 1
        text = variables + f'\nlocals {{\n  service = "service{module:03d}"\n}}\n'
        (directory / "variables.tf").write_text(text)
        written += len(text)
        files += 1
        calls.append(f'module "service{module:03d}" {{\n'
                     f'  source = "./modules/service{module:03d}"\n'
                     f'  count  = {1 + module % 2}\n'
                     f'  prefix = "svc{module}"\n}}\n')
        module += 1
    main = "\n".join(calls)
    (root / "main.tf").write_text(main)
    return files + 1, written + len(main)


def bench_hcl(target_mib: float = 1.2, runs: int = 3) -> list[Row]:
    """Cold (empty cache) and warm (same cache) HCL loads of a generated repository."""
    from cloudrift.sources.files import LocalTree
    from cloudrift.sources.hcl import load_hcl

    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        files, size = generate_hcl(repo, int(target_mib * 2**20))
        tree = LocalTree(str(repo))
        cold: dict[str, float] = {}
        for label, workers in (("serial", 1), ("parallel", None)):
            best = float("inf")
            for run in range(runs):
                cache = str(Path(tmp) / f"cache-{label}-{run}")
                start = time.perf_counter()
                index = load_hcl(tree, cache_dir=cache, workers=workers)
                best = min(best, time.perf_counter() - start)
                assert index.parsed == files
                assert not index.errors, index.errors[:3]
            cold[label] = best
        cache = str(Path(tmp) / "cache-parallel-0")

        def warm_load() -> None:
            index = load_hcl(tree, cache_dir=cache)
            assert index.parsed == 0
            assert index.cached == files

        warm = best_of(runs, warm_load)
        resources = len(load_hcl(tree, cache_dir=cache).resources)
    mib = size / 2**20
    what = f"HCL load, {files} files ({mib:.1f} MiB, {resources:,} resource blocks)"
    return [
        {"benchmark": f"{what}: cold, one process", "result": f"{cold['serial']:.2f} s",
         "detail": f"{mib * 1024 / cold['serial']:,.0f} KiB/s parsed"},
        {"benchmark": f"{what}: cold, parallel ({os.cpu_count()} cores)",
         "result": f"{cold['parallel']:.2f} s",
         "detail": f"{mib * 1024 / cold['parallel']:,.0f} KiB/s parsed"},
        {"benchmark": f"{what}: warm (cache by blob id)", "result": f"{warm:.3f} s",
         "detail": f"{cold['parallel'] / warm:.0f}x faster than cold (target: 20x)"},
    ]


REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2",
           "eu-central-1", "ap-south-1", "ap-northeast-1", "sa-east-1")


def bench_regions() -> list[Row]:
    """One region against ten: listings run concurrently, so ten should cost about one."""
    import boto3

    from cloudrift.testing import FAKE_CREDENTIALS, environment
    from cloudrift_aws.testing import MotoServer

    with MotoServer() as server, environment({**FAKE_CREDENTIALS,
                                              "AWS_ENDPOINT_URL": server.endpoint,
                                              "AWS_DEFAULT_REGION": REGIONS[0]}):
        for region in REGIONS:
            sqs = boto3.client("sqs", region_name=region)
            for n in range(5):
                sqs.create_queue(QueueName=f"q{n}")
            boto3.client("logs", region_name=region).create_log_group(logGroupName="/app")
        with tempfile.TemporaryDirectory() as tmp:
            state = StateBuilder().write(Path(tmp) / "empty.tfstate")
            cli = str(Path(sys.executable).parent / "cloudrift")

            def scan(regions: tuple[str, ...]) -> float:
                command = [cli, "scan", "--from", state, "--to", "aws", "-q",
                           "--region", ",".join(regions), "-o", f"json://{tmp}/r.json"]
                from bench.terraform import scan_environment

                env = scan_environment(os.environ, Path(tmp))
                return best_of(3, lambda: subprocess.run(command, check=False, env=env,
                                                         capture_output=True))

            one, ten = scan(REGIONS[:1]), scan(REGIONS)
            calls = json.loads(Path(f"{tmp}/r.json").read_text())["summary"]["api_calls"]
    return [{"benchmark": "unmanaged search, 1 region vs 10 regions (every type, via moto)",
             "result": f"{one:.2f} s vs {ten:.2f} s",
             "detail": f"10 regions cost {ten / one:.1f}x one region's time ({calls} API calls "
                       "for ten; whole CLI process)"}]


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


@dataclass(frozen=True)
class Benchmark:
    name: str  # what --only takes
    title: str
    run: Callable[[argparse.Namespace], list[Row]]
    terraform: bool = False


def _ingest(args: argparse.Namespace) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        return bench_ingest(Path(tmp), args.instances)


def _history(_: argparse.Namespace) -> list[Row]:
    from bench.history import bench_history

    return bench_history()


def _states(_: argparse.Namespace) -> list[Row]:
    from bench.states import bench_states

    return bench_states()


def _estate(name: str) -> Callable[[argparse.Namespace], list[Row]]:
    def run(_: argparse.Namespace) -> list[Row]:
        from bench.estates import ESTATES
        from bench.terraform import bench_estate

        return bench_estate(ESTATES[name])

    return run


def _startup(_: argparse.Namespace) -> list[Row]:
    from bench.startup import bench_startup

    return bench_startup()


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("ingest", "State ingest", _ingest),
    Benchmark("match-diff", "Match and diff", lambda a: bench_match_diff(a.instances)),
    Benchmark("hcl", "HCL load", lambda _: bench_hcl()),
    Benchmark("startup", "Start-up to the first API call", _startup),
    Benchmark("scan", "Scan over HTTP", lambda a: bench_scan(a.scan_per_type)),
    Benchmark("regions", "Regions", lambda _: bench_regions()),
    Benchmark("history", "History write", _history),
    Benchmark("s3-states", "Many states from an S3 backend", _states),
    Benchmark("estate-572", "Against terraform: bench/estate (572 resources)",
              _estate("estate-572"), terraform=True),
    Benchmark("estate-601", "Against terraform: a wide generated estate (601 resources)",
              _estate("estate-601"), terraform=True),
    Benchmark("community", "Against terraform: the community-module estate "
              "(tests/e2e/community)", _estate("community"), terraform=True),
    Benchmark("estate-2000", "Against terraform: a large generated estate (2,000 resources)",
              _estate("estate-2000"), terraform=True),
)

_HEADING = re.compile(r"^## .* \(`([a-z0-9-]+)`\)$")


def sections(text: str) -> dict[str, str]:
    """The sections of a benchmarks page this script wrote, by benchmark name."""
    found: dict[str, str] = {}
    name: str | None = None
    for line in text.splitlines(keepends=True):
        heading = _HEADING.match(line.rstrip("\n"))
        if heading:
            name = heading.group(1)
            found[name] = ""
        elif line.startswith("## "):
            name = None
        if name is not None:
            found[name] += line
    return found


def section(benchmark: Benchmark, rows: list[Row], load: float, stamp: str) -> str:
    return (f"## {benchmark.title} (`{benchmark.name}`)\n\n"
            f"Run {stamp} on {machine()}; cloudrift {__version__}, orjson {orjson.__version__}; "
            f"load average {load:.1f} at the start.\n\n{render(rows)}\n\n")


def page(parts: dict[str, str]) -> str:
    names = ", ".join(f"`{b.name}`" for b in BENCHMARKS)
    body = "".join(parts[b.name] for b in BENCHMARKS if b.name in parts)
    return ("# Benchmarks\n\n"
            "Written by `make bench` (bench/run.py); each section says when and where it ran, "
            "and each row how many runs its figure is the best of. The machine is shared, so "
            "the figures are noisy: compare within a section, and mind its load average. "
            f"`bench/run.py --only NAME[,NAME] --write docs/benchmarks.md` reruns some of "
            f"{names} and keeps the other sections as they were. The sections against "
            "terraform count calls at the emulator, moto's server, which answers two things as "
            "AWS does where moto alone does not (bench/emulator.py): ListBuckets gives each "
            "bucket's region, and the tagging index lists ECR repositories.\n\n"
            + body).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", help="markdown file to write the results to")
    parser.add_argument("--only", metavar="NAME[,NAME]",
                        help="run only these benchmarks: " + ", ".join(b.name for b in BENCHMARKS))
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--scan-per-type", type=int, default=150)
    parser.add_argument("--skip-terraform", action="store_true",
                        help="leave out the benchmarks against terraform (about 12 minutes)")
    args = parser.parse_args()
    chosen = list(BENCHMARKS)
    if args.only:
        names = [name.strip() for name in args.only.split(",") if name.strip()]
        known = {b.name for b in BENCHMARKS}
        unknown = [name for name in names if name not in known]
        if unknown:
            parser.error(f"unknown benchmark {', '.join(unknown)}; choose from "
                         + ", ".join(b.name for b in BENCHMARKS))
        chosen = [b for b in BENCHMARKS if b.name in names]
    if args.skip_terraform:
        chosen = [b for b in chosen if not b.terraform]
    parts: dict[str, str] = {}
    target = Path(args.write) if args.write else None
    if target is not None and target.exists() and len(chosen) < len(BENCHMARKS):
        parts = sections(target.read_text(encoding="utf-8"))
    for benchmark in chosen:
        load = os.getloadavg()[0]
        started = time.perf_counter()
        rows = benchmark.run(args)
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        parts[benchmark.name] = section(benchmark, rows, load, stamp)
        print(f"## {benchmark.title} ({time.perf_counter() - started:.0f} s)\n{render(rows)}\n",
              flush=True)
        if target is not None:
            # written after every benchmark: a failure later on keeps what was measured
            target.write_text(page(parts), encoding="utf-8")


if __name__ == "__main__":
    main()
